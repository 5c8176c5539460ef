// This node's name and IPs, as upstream's server.go: the name is --hostname-override or the OS
// hostname, lowercased; the IPs come from the Node object (GetNodeHostIPs: InternalIPs, then
// ExternalIPs, the first of each family), waited for with upstream's back-off while the Node is
// missing; a --bind-address that is not 0.0.0.0/:: overrides the primary IP; with nothing known,
// 127.0.0.1 with a warning.
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import type { Logger } from 'pino';
import type { Node, RestClient } from '@kube-ts/client';
import { R } from '@kube-ts/client/resources';
import { realClock, type Clock } from '@kube-ts/client/clock';

/** nodeutil.GetHostname */
export function nodeName(hostnameOverride: string, osName: () => string = osHostname): string {
  const name = (hostnameOverride || osName()).trim();
  if (!name) throw new Error('empty hostname is invalid');
  return name.toLowerCase();
}

/** utilnode.GetNodeHostIPs: InternalIP before ExternalIP, at most one per family, primary first. */
export function nodeHostIPs(node: Node | undefined): string[] {
  const addrs = node?.status?.addresses ?? [];
  const all = [...addrs.filter((a) => a.type === 'InternalIP'), ...addrs.filter((a) => a.type === 'ExternalIP')]
    .map((a) => a.address).filter((a) => isIP(a) !== 0);
  if (all.length === 0) return [];
  const first = all[0]!;
  const other = all.find((a) => isIP(a) !== isIP(first));
  return other ? [first, other] : [first];
}

/**
 * detectNodeIPs: the IPv4 address the proxy treats as its node IP (our proxiers are IPv4-only),
 * first the bind address when it is a specific IPv4, else the Node's, else 127.0.0.1.
 */
export function detectNodeIPs(raw: string[], bindAddress: string, logger?: Logger): string[] {
  const v4 = raw.filter((a) => isIP(a) === 4);
  if (isIP(bindAddress) === 4 && bindAddress !== '0.0.0.0') return [bindAddress, ...v4.filter((a) => a !== bindAddress)];
  if (v4.length > 0) return v4;
  logger?.info("Can't determine this node's IP, assuming loopback; if this is incorrect, please set the --bind-address flag");
  return ['127.0.0.1'];
}

/** Upstream's back-off while the Node does not exist yet: 1s doubling, 6 tries (~31 s). */
export const NODE_WAIT_STEPS_MS = [1000, 2000, 4000, 8000, 16000];

/** getNodeIPs: GETs the Node until it has addresses or the back-off runs out; [] then. */
export async function waitForNodeIPs(rest: RestClient, name: string, opts: { logger?: Logger; clock?: Clock; stepsMs?: number[]; signal?: AbortSignal } = {}): Promise<string[]> {
  const clock = opts.clock ?? realClock;
  const steps = opts.stepsMs ?? NODE_WAIT_STEPS_MS;
  const nodes = rest.resource<Node>(R.nodes);
  for (let i = 0; ; i++) {
    try {
      const ips = nodeHostIPs(await nodes.get(name, undefined, { signal: opts.signal }));
      if (ips.length > 0) {
        opts.logger?.info({ IPs: ips }, 'Successfully retrieved node IP(s)');
        return ips;
      }
      opts.logger?.error({ node: name }, 'Failed to retrieve node IPs');
    } catch (e) {
      if (opts.signal?.aborted) return [];
      opts.logger?.error({ err: (e as Error).message, node: name }, 'Failed to retrieve node info');
    }
    if (i >= steps.length || opts.signal?.aborted) return [];
    await clock.sleep(steps[i]! * (1 + Math.random() * 0.2), opts.signal);
  }
}
