// The pod subresources served by the kubelet: pods/log (a plain GET, streamed), pods/exec,
// pods/attach and pods/portforward (connection upgrades, proxied raw). Resolution (pod, container,
// node address) follows upstream's registry; transport lives in logs.ts and upgrade.ts.
import type { IncomingMessage } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import { Errors } from '../api/errors.js';
import type { Api, Target } from '../rest/context.js';
import { kubeletPort, preferredNodeAddress, type KubeletClientConfig } from './client.js';
import { logLocation, podLogOptions, streamLocation, type LocationSources, type StreamKind } from './locations.js';
import { openLogStream } from './logs.js';
import { proxyUpgrade } from './upgrade.js';

const STREAMS: ReadonlySet<string> = new Set<StreamKind>(['exec', 'attach', 'portforward']);

/** pods/{name}/log, exec, attach or portforward in the core group. */
export function isPodProxyTarget(t: Target): boolean {
  return t.def.group === '' && t.def.plural === 'pods' && t.name !== undefined && t.namespace !== undefined
    && (t.subresource === 'log' || (t.subresource !== undefined && STREAMS.has(t.subresource)));
}

/** exec, attach or portforward: the subresources that need an upgraded connection. */
export function isStreamTarget(t: Target): boolean {
  return isPodProxyTarget(t) && STREAMS.has(t.subresource!);
}

const searchOf = (url: string): URLSearchParams => new URLSearchParams(url.includes('?') ? url.slice(url.indexOf('?') + 1) : '');

export class PodProxy {
  constructor(private readonly api: Api, readonly config: KubeletClientConfig) {}

  /** Pods from the store; nodes' kubelet endpoints (upstream's NodeConnectionInfoGetter). */
  readonly sources: LocationSources = {
    pod: (namespace, name) => this.api.store.get(this.api.resources.get('', 'v1', 'pods')!, namespace, name),
    connection: async (nodeName) => {
      const node = await this.api.store.get(this.api.resources.get('', 'v1', 'nodes')!, undefined, nodeName);
      return { scheme: 'https', host: preferredNodeAddress(node, this.config.preferredAddressTypes), port: kubeletPort(node) };
    },
  };

  /**
   * A request that reached the router without an upgrade: pods/log answers with the kubelet's
   * stream (empty for a pod not on a node yet); exec/attach/portforward resolve their location
   * (so a missing pod is still a 404) and then ask for the upgrade, as upstream.
   */
  async serve(method: string, url: string, t: Target): Promise<Readable> {
    const q = searchOf(url);
    const ns = t.namespace!;
    const name = t.name!;
    if (t.subresource === 'log') {
      if (method !== 'GET' && method !== 'HEAD') throw Errors.methodNotAllowed();
      const opts = podLogOptions(q, name);
      const loc = await logLocation(this.sources, ns, name, opts);
      if (!loc) return Readable.from([]);
      return openLogStream(this.config, loc, name, opts.insecureSkipTLSVerifyBackend);
    }
    if (method !== 'GET' && method !== 'POST') throw Errors.methodNotAllowed();
    await streamLocation(this.sources, t.subresource as StreamKind, ns, name, q);
    throw Errors.badRequest('Upgrade request required');
  }

  /**
   * An upgrade request for exec/attach/portforward: resolves the kubelet location and joins the
   * connections. Resolves with the kubelet's status code; rejects with the Status to answer.
   */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: Target): Promise<number> {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw Errors.methodNotAllowed();
    const loc = await streamLocation(this.sources, t.subresource as StreamKind, t.namespace!, t.name!, searchOf(req.url ?? ''));
    return proxyUpgrade(this.config, loc, req, socket, head);
  }
}
