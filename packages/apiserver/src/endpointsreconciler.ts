// The `kubernetes` Service's endpoints, kept to exactly the live apiservers (upstream's
// --endpoint-reconciler-type=lease: pkg/controlplane/reconcilers/lease.go and the
// kubernetesservice controller). Every apiserver keeps `<prefix>/masterleases/<ip>` alive with an
// etcd lease (TTL 15 s, refreshed every 10 s) and, on each refresh, rewrites the default/kubernetes
// Endpoints and EndpointSlice to the sorted IPs that still hold a lease. A graceful shutdown
// removes the own lease and IP at once; a crashed apiserver drops out when its lease expires.
import type { Logger } from 'pino';
import { ApiError } from './api/errors.js';
import type { KubeObject } from './api/types.js';
import type { ResourceDef } from './registry/resource.js';
import type { ResourceSet } from './rest/resources.js';
import { prefixEnd, type EtcdClient, type WatchHandle } from './storage/etcd.js';
import { stampNew, type ObjectStore } from './storage/objects.js';
import { deepEqual } from './apply/typed.js';

/** Upstream DefaultEndpointReconcilerInterval (the kubernetesservice controller's EndpointInterval). */
export const DEFAULT_ENDPOINT_RECONCILER_INTERVAL_MS = 10_000;
/** Upstream DefaultEndpointReconcilerTTL: the master lease TTL. */
export const DEFAULT_MASTER_LEASE_TTL_SECONDS = 15;

export type EndpointReconcilerType = 'lease' | 'master-count' | 'none';
export const ENDPOINT_RECONCILER_TYPES: readonly EndpointReconcilerType[] = ['master-count', 'lease', 'none'];

export function parseEndpointReconcilerType(s: string): EndpointReconcilerType {
  const t = ENDPOINT_RECONCILER_TYPES.find((x) => x === s);
  if (!t) throw new Error(`invalid --endpoint-reconciler-type "${s}": must be one of ${ENDPOINT_RECONCILER_TYPES.join(', ')}`);
  return t;
}

export interface EndpointPort { name: string; port: number; protocol: string }

/** Upstream createEndpointPortSpec(port, "https"). */
export const httpsEndpointPorts = (port: number): EndpointPort[] => [{ name: 'https', port, protocol: 'TCP' }];

/** The set of live apiservers (upstream reconcilers.Leases). */
export interface MasterLeases {
  /** IPs holding a live lease, sorted. */
  list(): Promise<string[]>;
  /** Adds or refreshes the lease of `ip`. */
  update(ip: string): Promise<void>;
  /** Removes the lease of `ip`; false when there was none. */
  remove(ip: string): Promise<boolean>;
}

/** Writes the kubernetes Service's Endpoints and EndpointSlice for a set of IPs. */
export interface EndpointsTarget {
  sync(ips: string[], ports: EndpointPort[], reconcilePorts: boolean): Promise<void>;
}

/**
 * Master leases in etcd: `<baseKey><ip>` holds a v1 Endpoints naming the IP (as upstream's
 * storageLeases), put with a freshly granted lease on every refresh so it expires `ttlSeconds`
 * after the last one.
 */
export class EtcdMasterLeases implements MasterLeases {
  constructor(private readonly etcd: EtcdClient, readonly baseKey: string, private readonly ttlSeconds = DEFAULT_MASTER_LEASE_TTL_SECONDS) {}

  async list(): Promise<string[]> {
    const { kvs } = await this.etcd.range(this.baseKey, prefixEnd(this.baseKey));
    const ips = new Set<string>();
    for (const kv of kvs) {
      const ip = leaseIP(kv.value);
      if (ip) ips.add(ip);
    }
    return [...ips].sort();
  }

  async update(ip: string): Promise<void> {
    const key = this.baseKey + ip;
    // Upstream bumps generation so the write is never a no-op (a no-op would not refresh the TTL).
    const cur = (await this.etcd.get(key)).kv;
    const generation = (cur ? leaseGeneration(cur.value) : 0) + 1;
    const lease = await this.etcd.leaseGrant(this.ttlSeconds);
    const value: KubeObject = { kind: 'Endpoints', apiVersion: 'v1', metadata: { generation }, subsets: [{ addresses: [{ ip }] }] };
    await this.etcd.put(key, Buffer.from(JSON.stringify(value)), lease.id);
  }

  async remove(ip: string): Promise<boolean> {
    const key = this.baseKey + ip;
    for (let attempt = 0; attempt < 5; attempt++) {
      const cur = (await this.etcd.get(key)).kv;
      if (!cur) return false;
      const r = await this.etcd.delete(key, cur.modRevision);
      if ('revision' in r) return true;
    }
    throw new Error(`cannot delete master lease ${key}: too many concurrent updates`);
  }

  /**
   * Calls `onDelete` whenever a master lease goes away (expired or removed), so the endpoints
   * follow within moments instead of at the next refresh. Returns a stop function.
   */
  watchDeletes(onDelete: () => void): () => void {
    let handle: WatchHandle | undefined;
    let stopped = false;
    const retry = (): void => { if (!stopped) setTimeout(() => void open(), 1_000).unref(); };
    const open = async (): Promise<void> => {
      if (stopped) return;
      try {
        const { revision } = await this.etcd.get(this.baseKey);
        if (stopped) return;
        handle = this.etcd.watch(this.baseKey, prefixEnd(this.baseKey), revision + 1, {
          onEvents: (events) => { if (events.some((e) => e.type === 'DELETE')) onDelete(); },
          // Compacted or gone: reopen from now; the periodic refresh covers anything missed.
          onError: () => { handle = undefined; retry(); },
        });
      } catch {
        retry();
      }
    };
    void open();
    return () => { stopped = true; handle?.cancel(); };
  }
}

function parseJson(b: Buffer): { metadata?: { generation?: unknown }; subsets?: Array<{ addresses?: Array<{ ip?: unknown }> }> } | undefined {
  try { return JSON.parse(b.toString()) as ReturnType<typeof parseJson>; } catch { return undefined; }
}

function leaseIP(b: Buffer): string | undefined {
  const ip = parseJson(b)?.subsets?.[0]?.addresses?.[0]?.ip;
  return typeof ip === 'string' && ip !== '' ? ip : undefined;
}

function leaseGeneration(b: Buffer): number {
  const g = parseJson(b)?.metadata?.generation;
  return typeof g === 'number' && Number.isFinite(g) ? g : 0;
}

const SERVICE = { namespace: 'default', name: 'kubernetes' } as const;
const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';

type Subset = { addresses?: Array<{ ip: string }>; ports?: EndpointPort[] };

/**
 * The Endpoints as upstream's adapter leaves it: label skip-mirror=true only, one subset with the
 * IPs in order, ports set when missing (or when `reconcilePorts`). Returns `cur` itself when it
 * already matches (so no write follows).
 */
export function desiredEndpoints(cur: KubeObject | undefined, ips: string[], ports: EndpointPort[], reconcilePorts: boolean): KubeObject {
  const next: KubeObject = cur ? structuredClone(cur) : { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: SERVICE.name, namespace: SERVICE.namespace } };
  next.metadata.labels = { [LABEL_SKIP_MIRROR]: 'true' };
  const old = (next.subsets as Subset[] | undefined) ?? [];
  const sub: Subset = old.length === 1 ? old[0]! : {};
  const keepPorts = sub.ports && sub.ports.length > 0 && !reconcilePorts;
  next.subsets = [{ addresses: ips.map((ip) => ({ ip })), ports: keepPorts ? sub.ports : ports.map((p) => ({ ...p })) }];
  if (cur && deepEqual(cur.metadata.labels, next.metadata.labels) && deepEqual(cur.subsets, next.subsets)) return cur;
  return next;
}

type SlicePort = { name?: string; port?: number; protocol?: string };

/** The EndpointSlice as upstream's adapter leaves it (label service-name only, IPv4, ready endpoints). */
export function desiredEndpointSlice(cur: KubeObject | undefined, ips: string[], ports: EndpointPort[], reconcilePorts: boolean): KubeObject {
  const next: KubeObject = cur ? structuredClone(cur) : { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: SERVICE.name, namespace: SERVICE.namespace } };
  next.metadata.labels = { [LABEL_SERVICE_NAME]: SERVICE.name };
  next.addressType = ips.every((ip) => ip.includes(':')) && ips.length > 0 ? 'IPv6' : 'IPv4';
  next.endpoints = ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } }));
  const old = (next.ports as SlicePort[] | undefined) ?? [];
  if (old.length === 0 || reconcilePorts) next.ports = ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol }));
  if (cur && ['addressType', 'endpoints', 'ports'].every((f) => deepEqual(cur[f], next[f])) && deepEqual(cur.metadata.labels, next.metadata.labels)) return cur;
  return next;
}

/** Writes through the object store, creating the objects when missing (raced creates retry as updates). */
export function storeEndpointsTarget(store: ObjectStore, resources: ResourceSet, logger: Logger): EndpointsTarget {
  const upsert = async (def: ResourceDef | undefined, desired: (cur: KubeObject | undefined) => KubeObject): Promise<void> => {
    if (!def) return;
    for (let attempt = 0; attempt < 5; attempt++) {
      let cur: KubeObject | undefined;
      try {
        cur = await store.get(def, SERVICE.namespace, SERVICE.name);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
      if (!cur) {
        const obj = desired(undefined);
        def.defaults?.(obj);
        try {
          await store.create(def, stampNew(def, obj));
          return;
        } catch (err) {
          if (err instanceof ApiError && err.code === 409) continue;
          throw err;
        }
      }
      try {
        await store.update(def, SERVICE.namespace, SERVICE.name, (c) => desired(c));
        return;
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) continue;
        throw err;
      }
    }
    throw new Error(`cannot write ${def.plural} ${SERVICE.namespace}/${SERVICE.name}: too many concurrent changes`);
  };
  return {
    async sync(ips, ports, reconcilePorts) {
      let changed = false;
      const track = (f: typeof desiredEndpoints) => (cur: KubeObject | undefined): KubeObject => {
        const next = f(cur, ips, ports, reconcilePorts);
        if (next !== cur) changed = true;
        return next;
      };
      await upsert(resources.get('', 'v1', 'endpoints'), track(desiredEndpoints));
      await upsert(resources.get('discovery.k8s.io', 'v1', 'endpointslices'), track(desiredEndpointSlice));
      if (changed) logger.warn({ service: SERVICE.name, ips }, `Resetting endpoints for master service "${SERVICE.name}" to [${ips.join(' ')}]`);
    },
  };
}

/** Upstream leaseEndpointReconciler: calls are serialized (its reconcilingLock). */
export class LeaseEndpointReconciler {
  private stopped = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly leases: MasterLeases, private readonly target: EndpointsTarget) {}

  private locked<T>(f: () => Promise<T>): Promise<T> {
    const run = this.chain.then(f, f);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Refreshes the own lease, then rewrites the endpoints to the live IPs (no-op once stopped). */
  reconcileEndpoints(ip: string, ports: EndpointPort[], reconcilePorts: boolean): Promise<void> {
    return this.locked(async () => {
      if (this.stopped) return;
      // Refresh first, whatever happens below, so that the other apiservers list us.
      await this.leases.update(ip);
      await this.doReconcile(ports, reconcilePorts);
    });
  }

  /** Rewrites the endpoints to the live IPs without touching the own lease (a lease went away). */
  resync(ports: EndpointPort[]): Promise<void> {
    return this.locked(async () => { if (!this.stopped) await this.doReconcile(ports, false); });
  }

  /** Removes the own lease and IP; false (and nothing written) when there was no lease. */
  removeEndpoints(ip: string, ports: EndpointPort[]): Promise<boolean> {
    return this.locked(async () => {
      if (!(await this.leases.remove(ip))) return false;
      await this.doReconcile(ports, true);
      return true;
    });
  }

  stopReconciling(): void { this.stopped = true; }

  private async doReconcile(ports: EndpointPort[], reconcilePorts: boolean): Promise<void> {
    const ips = await this.leases.list();
    // Our own lease was just refreshed (or another one is live): none at all means the store
    // answered something odd, or this was the last apiserver leaving; never empty the endpoints.
    if (ips.length === 0) throw new Error('no master IPs were listed in storage, refusing to erase all endpoints for the kubernetes service');
    await this.target.sync(ips, ports, reconcilePorts);
  }
}

export interface EndpointsControllerOptions {
  /** This apiserver's advertise address. */
  ip: string;
  /** The advertised (secure) port. */
  port: number;
  reconciler: LeaseEndpointReconciler;
  logger: Logger;
  intervalMs?: number;
  /** Subscribes to lease deletions (EtcdMasterLeases.watchDeletes); returns an unsubscribe. */
  watchDeletes?: (onDelete: () => void) => () => void;
}

/** The kubernetesservice controller's endpoint part: start after serving, stop before closing. */
export class KubernetesEndpointsController {
  private timer: NodeJS.Timeout | undefined;
  private unwatch: (() => void) | undefined;
  private stopping: Promise<void> | undefined;
  private readonly ports: EndpointPort[];
  private readonly intervalMs: number;

  constructor(private readonly o: EndpointsControllerOptions) {
    this.ports = httpsEndpointPorts(o.port);
    this.intervalMs = o.intervalMs ?? DEFAULT_ENDPOINT_RECONCILER_INTERVAL_MS;
  }

  /** Drops a stale lease of an earlier run, reconciles once (awaited), then every interval. */
  async start(): Promise<void> {
    const { reconciler, ip, logger } = this.o;
    try {
      if (await reconciler.removeEndpoints(ip, this.ports)) {
        logger.error('Found stale data, removed previous endpoints on kubernetes service, apiserver didn\'t exit successfully previously');
      }
    } catch (err) {
      logger.error({ err }, 'Error removing old endpoints from kubernetes service');
    }
    if (this.stopping) return;
    await this.tick();
    if (this.stopping) return;
    // Not sliding: a slow reconcile does not push the next one back (wait.NonSlidingUntil).
    this.timer = setInterval(() => void this.tick(), this.intervalMs);
    this.timer.unref();
    this.unwatch = this.o.watchDeletes?.(() => {
      void this.o.reconciler.resync(this.ports).catch((err: unknown) => logger.error({ err }, 'unable to sync kubernetes service endpoints'));
    });
  }

  private async tick(): Promise<void> {
    try {
      await this.o.reconciler.reconcileEndpoints(this.o.ip, this.ports, false);
    } catch (err) {
      this.o.logger.error({ err }, 'unable to sync kubernetes service');
    }
  }

  /**
   * Removes this apiserver's lease and IP so the others take over at once; gives up after
   * 2 × interval (as upstream) so an unreachable store cannot block shutdown.
   */
  stop(timeoutMs = 2 * this.intervalMs): Promise<void> {
    this.stopping ??= (async () => {
      const { reconciler, ip, logger } = this.o;
      if (this.timer) clearInterval(this.timer);
      this.unwatch?.();
      logger.info('Shutting down kubernetes service endpoint reconciler');
      reconciler.stopReconciling();
      let timeout: NodeJS.Timeout | undefined;
      const expired = new Promise<'timeout'>((res) => { timeout = setTimeout(() => res('timeout'), timeoutMs); });
      const removal = reconciler.removeEndpoints(ip, this.ports).then(
        () => 'done' as const,
        (err: unknown) => { logger.error({ err }, 'Unable to remove endpoints from kubernetes service'); return 'done' as const; },
      );
      if ((await Promise.race([removal, expired])) === 'timeout') logger.warn('RemoveEndpoints() timed out');
      clearTimeout(timeout);
    })();
    return this.stopping;
  }
}
