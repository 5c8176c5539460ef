// Stale conntrack entries for UDP and SCTP services (upstream pkg/proxy/conntrack/cleanup.go and
// its predecessor's endpoint diff): connection-less flows stick to their conntrack entry, so when
// an endpoint goes away the flows DNAT'ed to it must be deleted, and when a service gets its first
// endpoint the flows that were blackholed before must be deleted too. TCP recovers by itself.
import type { Logger } from 'pino';
import { CowMap } from './model/cowmap.js';
import type { CommandRunner, EndpointInfo, ProxyState, ServicePortInfo } from './types.js';

export interface ConntrackFilter { protocol: 'udp' | 'sctp'; origDst?: string; origDstPort?: number; dstNat?: string }

function ctProtocol(svc: ServicePortInfo): 'udp' | 'sctp' | null {
  return svc.protocol === 'UDP' ? 'udp' : svc.protocol === 'SCTP' ? 'sctp' : null;
}

/** The service IPs a port is reached on (ClusterIP, externalIPs, load-balancer IPs). */
function serviceIPs(svc: ServicePortInfo): string[] {
  return [svc.clusterIP, ...svc.externalIPs, ...svc.loadBalancerIPs];
}

const servingEndpoints = (eps: readonly EndpointInfo[] | undefined): EndpointInfo[] => (eps ?? []).filter((ep) => ep.serving);

export function filterKey(f: ConntrackFilter): string {
  return `${f.protocol}|${f.origDst ?? ''}|${f.origDstPort ?? ''}|${f.dstNat ?? ''}`;
}

/**
 * The conntrack filters to clear after moving from `prev` to `next` (prev undefined: first sync).
 * Like upstream, endpoint liveness is "serving", whatever the traffic policies or topology.
 *  - an endpoint that was serving and no longer is (or its service port is gone): flows to each
 *    service IP:port and to the node port DNAT'ed to it;
 *  - a service IP:port that is no longer a frontend of the port: every flow to it;
 *  - a service port that had no serving endpoint and now has one: every flow to its service
 *    IP:ports and to its node port on the node IPs (they were not DNAT'ed).
 */
export function staleConntrackFilters(prev: ProxyState | undefined, next: ProxyState): ConntrackFilter[] {
  const out = new Map<string, ConntrackFilter>();
  const add = (f: ConntrackFilter): void => { out.set(filterKey(f), f); };
  for (const name of candidateNames(prev, next)) {
    if (prev) staleForRemovedEndpoints(name, prev, next, add);
    staleForNewlyActive(name, prev, next, add);
  }
  // A filter without dstNat already covers the DNAT-qualified ones for the same destination.
  const result: ConntrackFilter[] = [];
  for (const f of out.values()) {
    if (f.dstNat !== undefined && out.has(filterKey({ ...f, dstNat: undefined }))) continue;
    result.push(f);
  }
  return result.sort((a, b) => (filterKey(a) < filterKey(b) ? -1 : filterKey(a) > filterKey(b) ? 1 : 0));
}

/**
 * Service port names that may differ between the states. The tracker's copy-on-write maps name
 * just the touched shards, so a sync at 10,000 services does not scan them all; hand-built
 * states get the full union.
 */
function candidateNames(prev: ProxyState | undefined, next: ProxyState): Iterable<string> {
  if (!prev) return next.services.keys();
  const svc = CowMap.changedKeys(prev.services, next.services);
  const eps = CowMap.changedKeys(prev.endpoints, next.endpoints);
  if (svc && eps) {
    for (const k of eps) svc.add(k);
    return svc;
  }
  return new Set([...prev.services.keys(), ...next.services.keys()]);
}

function staleForRemovedEndpoints(name: string, prev: ProxyState, next: ProxyState, add: (f: ConntrackFilter) => void): void {
  const before = prev.services.get(name);
  const protocol = before && ctProtocol(before);
  if (!before || !protocol) return;
  const after = next.services.get(name);
  const prevEps = prev.endpoints.get(name);
  // States share unchanged objects: skip them without looking inside.
  if (after === before && next.endpoints.get(name) === prevEps) return;
  const wasServing = servingEndpoints(prevEps);
  if (wasServing.length === 0) return;
  const same = after !== undefined && after.protocol === before.protocol;
  const stillServing = new Set(same ? servingEndpoints(next.endpoints.get(name)).map((ep) => ep.endpoint) : []);
  const goneIPs = new Set<string>();
  for (const ep of wasServing) if (!stillServing.has(ep.endpoint)) goneIPs.add(ep.ip);
  for (const ip of goneIPs) {
    for (const vip of serviceIPs(before)) add({ protocol, origDst: vip, origDstPort: before.port, dstNat: ip });
    if (before.nodePort > 0) add({ protocol, origDstPort: before.nodePort, dstNat: ip });
  }
  // Frontends the port lost (service deleted, IP or port changed): nothing DNATs there any more.
  const kept = new Set(same && after ? serviceIPs(after).map((ip) => `${ip}:${after.port}`) : []);
  for (const vip of serviceIPs(before)) {
    if (!kept.has(`${vip}:${before.port}`)) add({ protocol, origDst: vip, origDstPort: before.port });
  }
  if (before.nodePort > 0 && !(same && after?.nodePort === before.nodePort)) {
    for (const ep of wasServing) add({ protocol, origDstPort: before.nodePort, dstNat: ep.ip });
  }
}

function staleForNewlyActive(name: string, prev: ProxyState | undefined, next: ProxyState, add: (f: ConntrackFilter) => void): void {
  const svc = next.services.get(name);
  const protocol = svc && ctProtocol(svc);
  if (!svc || !protocol) return;
  const nextEps = next.endpoints.get(name);
  const before = prev?.services.get(name);
  if (before === svc && prev?.endpoints.get(name) === nextEps) return;
  if (!(nextEps ?? []).some((ep) => ep.serving)) return;
  if (before !== undefined && before.protocol === svc.protocol && servingEndpoints(prev?.endpoints.get(name)).length > 0) return;
  for (const vip of serviceIPs(svc)) add({ protocol, origDst: vip, origDstPort: svc.port });
  if (svc.nodePort > 0) for (const ip of next.nodeIPs) add({ protocol, origDst: ip, origDstPort: svc.nodePort });
}

/** conntrack(8) arguments deleting the flows a filter matches. */
export function conntrackDeleteArgs(f: ConntrackFilter): string[] {
  const args = ['-D', '-p', f.protocol];
  if (f.origDst !== undefined) args.push('--orig-dst', f.origDst);
  if (f.origDstPort !== undefined) args.push('--orig-port-dst', String(f.origDstPort));
  if (f.dstNat !== undefined) args.push('--dst-nat', f.dstNat);
  return args;
}

/** How many deletions run at once: each is a process; a handful overlaps their start-up. */
const PARALLEL = 4;

export class ConntrackCleaner {
  constructor(private readonly runner: CommandRunner, private readonly logger: Logger) {}

  /** Deletes the flows each filter matches. Failures are logged, never thrown: a sync must go on. */
  async clear(filters: ConntrackFilter[]): Promise<void> {
    const queue = [...filters];
    const worker = async (): Promise<void> => {
      for (let f = queue.shift(); f; f = queue.shift()) await this.clearOne(f);
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, queue.length) }, worker));
  }

  private async clearOne(f: ConntrackFilter): Promise<void> {
    // Protocol alone would delete every flow of that protocol.
    if (f.origDst === undefined && f.origDstPort === undefined) {
      this.logger.error({ filter: f }, 'Refusing a conntrack filter without destination');
      return;
    }
    const args = conntrackDeleteArgs(f);
    try {
      const res = await this.runner.run('conntrack', args);
      const out = `${res.stdout}${res.stderr}`;
      const m = /(\d+) flow entries have been deleted/.exec(out);
      // conntrack exits 1 when nothing matched.
      if (res.code === 0 || (res.code === 1 && m?.[1] === '0')) {
        this.logger.debug({ filter: f, deleted: Number(m?.[1] ?? 0) }, 'Cleared conntrack entries');
        return;
      }
      this.logger.error({ filter: f, code: res.code, output: out.trim() }, 'Failed to clear conntrack entries');
    } catch (err) {
      this.logger.error({ err, filter: f }, 'Failed to run conntrack');
    }
  }
}
