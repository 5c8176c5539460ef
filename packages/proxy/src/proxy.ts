// The kube-proxy daemon (upstream cmd/kube-proxy/app server.go Run + the proxiers' sync loop):
// informers on Services, EndpointSlices and this Node feed the change tracker; each change asks
// the BoundedFrequencyRunner for a sync; a sync takes the tracker's state, programs it through
// the mode's Proxier, clears stale UDP/SCTP conntrack entries, and updates the metrics and the
// healthz timestamps. Rules stay in place when the daemon stops, as upstream.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EndpointSlice, Node, RestClient, Service } from '@kube-ts/client';
import { realClock, type Clock } from '@kube-ts/client/clock';
import { SharedInformerFactory } from '@kube-ts/client/factory';
import { unwrapTombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import { effectiveConfig } from './config/effective.js';
import type { KubeProxyConfiguration } from './config/types.js';
import { ConntrackCleaner, staleConntrackFilters, type ConntrackFilter } from './conntrack.js';
import { execRunner } from './exec.js';
import { IptablesProxier } from './iptables/proxier.js';
import { ProxyMetrics } from './metrics.js';
import { ProxyTracker, type TakeResult } from './model/tracker.js';
import { NftablesProxier } from './nftables/proxier.js';
import { detectNodeIPs, nodeHostIPs, nodeName as getNodeName, waitForNodeIPs } from './nodeip.js';
import { BoundedFrequencyRunner } from './runner.js';
import { ProxyHealth } from './server/health.js';
import { listenHttp, notFound, type HttpListener } from './server/http.js';
import { metricsHandler } from './server/metrics.js';
import { categorizeEndpoints } from './topology.js';
import type { CommandRunner, Proxier, ProxierOptions, ProxyState } from './types.js';

/** The label selector of upstream's informers: no alternative service proxy, no headless services. */
export const PROXY_LABEL_SELECTOR = '!service.kubernetes.io/headless,!service.kubernetes.io/service-proxy-name';
/** proxyutil.FullSyncPeriod: a partial-sync proxier still rewrites everything this often. */
export const FULL_SYNC_PERIOD_MS = 3_600_000;
/** Syncs allowed back to back before minSyncPeriod applies (upstream burstSyncs). */
export const BURST_SYNCS = 2;

/** What the sync loop needs from the change tracker. */
export interface StateSource { hasPending(): boolean; take(): TakeResult }

export interface SyncLoopOptions {
  source: StateSource;
  proxier: Proxier;
  conntrack: { clear(filters: ConntrackFilter[]): Promise<void> };
  metrics: ProxyMetrics;
  health: ProxyHealth;
  logger: Logger;
  minSyncPeriodMs: number;
  syncPeriodMs: number;
  /** Longest time between full syncs (upstream FullSyncPeriod, 1 h). */
  fullSyncPeriodMs?: number;
  clock?: Clock;
  /** staleConntrackFilters (tests may replace it). */
  staleFilters?: (prev: ProxyState | undefined, next: ProxyState) => ConntrackFilter[];
}

/**
 * One proxier's sync loop. queued() is what upstream's Sync() does on every change (healthz
 * QueuedUpdate, the last-queued timestamp, a runner request); each run is one syncProxyRules.
 * A sync is full when it is the first, after a failure (the taken changes are gone), or when
 * the last full one is older than fullSyncPeriod; a failure is retried within syncPeriod.
 */
export class SyncLoop {
  readonly runner: BoundedFrequencyRunner;
  private readonly clock: Clock;
  private prevState: ProxyState | undefined;
  private needFull = true;
  private lastFullSync = 0;
  private started = false;
  /** Service / service-port keys with changes not yet taken, for the *_pending gauges. */
  readonly pendingServices = new Set<string>();
  readonly pendingEndpoints = new Set<string>();

  constructor(private readonly o: SyncLoopOptions) {
    this.clock = o.clock ?? realClock;
    this.runner = new BoundedFrequencyRunner({
      name: 'sync-runner', fn: () => this.syncProxyRules(), minIntervalMs: o.minSyncPeriodMs,
      maxIntervalMs: Math.max(o.syncPeriodMs, o.minSyncPeriodMs), burstRuns: BURST_SYNCS, clock: this.clock,
      onError: (err) => o.logger.error({ err }, 'sync loop failed'),
    });
  }

  /** Counts one Service event (upstream ServiceChangeTracker.Update). */
  serviceChanged(key: string): void {
    this.o.metrics.serviceChangesTotal.inc();
    this.pendingServices.add(key);
    this.o.metrics.serviceChangesPending.set(this.pendingServices.size);
  }

  /** Counts one EndpointSlice event. */
  endpointsChanged(key: string): void {
    this.o.metrics.endpointChangesTotal.inc();
    this.pendingEndpoints.add(key);
    this.o.metrics.endpointChangesPending.set(this.pendingEndpoints.size);
  }

  /** A change needs programming (upstream Proxier.Sync); ignored until start(). */
  queued(): void {
    if (!this.started) return;
    this.o.health.queuedUpdate();
    this.o.metrics.syncProxyRulesLastQueuedTimestamp.set(this.clock.now() / 1000);
    this.runner.run();
  }

  /** Forces the next sync to be full (e.g. the Node went away). */
  requireFullSync(): void { this.needFull = true; }

  /** Caches are synced: healthy from now, first sync at once, then the periodic loop. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.o.health.updated();
    this.runner.start();
    this.runner.run();
  }

  async stop(): Promise<void> {
    this.runner.stop();
    await this.runner.idle();
  }

  private async syncProxyRules(): Promise<void> {
    const { o } = this;
    const start = this.clock.now();
    const full = this.needFull || start - this.lastFullSync >= (o.fullSyncPeriodMs ?? FULL_SYNC_PERIOD_MS);
    const taken = o.source.take();
    this.pendingServices.clear();
    this.pendingEndpoints.clear();
    o.metrics.serviceChangesPending.set(0);
    o.metrics.endpointChangesPending.set(0);
    let doneFull = full;
    try {
      let result;
      try {
        result = await o.proxier.sync(taken.state, { full, changed: taken.changes.changed });
      } catch (err) {
        // The taken changes are lost with this attempt: only a full sync can catch up.
        o.logger.error({ err, retryingTimeMs: o.syncPeriodMs }, 'Sync failed');
        o.metrics.syncFailed(!full);
        this.needFull = true;
        this.runner.retryAfter(o.syncPeriodMs);
        return;
      }
      doneFull = result.full;
      const now = this.clock.now();
      if (result.full) this.lastFullSync = start;
      this.needFull = false;
      o.health.updated();
      o.metrics.syncProxyRulesLastTimestamp.set(now / 1000);
      o.metrics.setRuleCounts(result.full, result.ruleCounts);
      for (const t of taken.triggerTimes) o.metrics.networkProgrammingLatency.observe(Math.max(0, now - t.getTime()) / 1000);
      this.countNoLocalEndpoints(taken.state);
      const prev = this.prevState;
      this.prevState = taken.state;
      await o.conntrack.clear((o.staleFilters ?? staleConntrackFilters)(prev, taken.state));
      o.logger.debug({ full: result.full, changed: taken.changes.changed.size, serviceChanges: taken.serviceChanges, endpointChanges: taken.endpointChanges }, 'SyncProxyRules complete');
    } finally {
      o.metrics.observeSync((this.clock.now() - start) / 1000, doneFull);
    }
  }

  private countNoLocalEndpoints(state: ProxyState): void {
    let internal = 0;
    let external = 0;
    for (const [name, svc] of state.services) {
      if (!svc.internalPolicyLocal && !svc.externalPolicyLocal) continue;
      const cat = categorizeEndpoints(state.endpoints.get(name) ?? [], svc, state.nodeLabels);
      if ((cat.localEndpoints ?? []).length > 0) continue;
      if (svc.internalPolicyLocal) internal++;
      if (svc.externalPolicyLocal) external++;
    }
    this.o.metrics.noLocalEndpointsTotal.set({ traffic_policy: 'internal' }, internal);
    this.o.metrics.noLocalEndpointsTotal.set({ traffic_policy: 'external' }, external);
  }
}

export interface StartProxyOptions {
  /** A complete configuration (loadProxySettings) — defaults applied; not validated here. */
  config: KubeProxyConfiguration;
  rest: RestClient;
  logger: Logger;
  /** Where iptables/nft/conntrack run (tests: execRunner(netns)); default: this host. */
  runner?: CommandRunner;
  /** Replaces the mode's proxier (tests). */
  proxier?: Proxier;
  /** Replaces the proxier of the other mode, whose leftovers are removed at startup. */
  otherProxier?: Proxier | null;
  registry?: Registry;
  clock?: Clock;
  /** Stops the daemon when aborted. */
  signal?: AbortSignal;
  /** Back-off steps while waiting for the Node (default upstream's 1,2,4,8,16 s). */
  nodeWaitStepsMs?: number[];
  fullSyncPeriodMs?: number;
}

export interface RunningProxy {
  nodeName: string;
  nodeIPs: string[];
  mode: string;
  /** Bound ports (undefined: server disabled or not bound yet). */
  healthzPort: number | undefined;
  metricsPort: number | undefined;
  metrics: ProxyMetrics;
  health: ProxyHealth;
  syncLoop: SyncLoop;
  proxier: Proxier;
  /** Stops informers, the sync loop and the servers; the rules stay. */
  stop(): Promise<void>;
}

/** The nodePortAddresses the proxier gets: "primary" becomes the node IP/32 (none for loopback). */
export function resolveNodePortAddresses(addrs: string[] | null, nodeIPs: string[]): string[] {
  if (addrs && addrs.length === 1 && addrs[0] === 'primary') {
    const ip = nodeIPs[0];
    return ip && !ip.startsWith('127.') ? [`${ip}/32`] : [];
  }
  return addrs ?? [];
}

/** The mode's proxier and the other one (for leftover cleanup), from the configuration. */
export function createProxiers(config: KubeProxyConfiguration, base: Omit<ProxierOptions, 'masqueradeBit' | 'masqueradeAll'>): { proxier: Proxier; other: Proxier } {
  const eff = effectiveConfig(config);
  const ipt = new IptablesProxier({
    ...base, masqueradeBit: config.iptables.masqueradeBit ?? 14, masqueradeAll: config.iptables.masqueradeAll,
    localhostNodePorts: config.iptables.localhostNodePorts ?? true,
  });
  const nft = new NftablesProxier({ ...base, masqueradeBit: config.nftables.masqueradeBit ?? 14, masqueradeAll: config.nftables.masqueradeAll });
  return eff.mode === 'nftables' ? { proxier: nft, other: ipt } : { proxier: ipt, other: nft };
}

export async function startProxy(o: StartProxyOptions): Promise<RunningProxy> {
  const { config, logger, rest } = o;
  const clock = o.clock ?? realClock;
  const eff = effectiveConfig(config);
  const ctl = new AbortController();
  const onAbort = (): void => { void running.stop(); };
  const name = getNodeName(config.hostnameOverride);
  let nodeIPs = detectNodeIPs(await waitForNodeIPs(rest, name, { logger, clock, stepsMs: o.nodeWaitStepsMs, signal: o.signal }), config.bindAddress, logger);
  const runner = o.runner ?? execRunner();
  const base = { runner, logger, clusterCIDRs: eff.clusterCIDRs, nodePortAddresses: resolveNodePortAddresses(config.nodePortAddresses, nodeIPs) };
  let proxier = o.proxier;
  let other = o.otherProxier;
  if (!proxier || other === undefined) {
    const made = createProxiers(config, base);
    proxier ??= made.proxier;
    if (other === undefined) other = made.other;
  }
  logger.info({ mode: eff.mode, nodeName: name, nodeIPs }, `Using ${eff.mode} Proxier`);
  // platformCleanup: leftovers of the other mode go (best effort, as upstream).
  if (other) await other.cleanup().catch((err: unknown) => logger.info({ err: (err as Error).message }, 'cleanup of the other proxy mode left something behind'));

  const metrics = new ProxyMetrics(eff.mode, o.registry);
  const health = new ProxyHealth(2 * eff.syncPeriodMs, { clock, healthz: { inc: (c) => metrics.proxyHealthzTotal.inc({ code: c }) }, livez: { inc: (c) => metrics.proxyLivezTotal.inc({ code: c }) } });
  const tracker = new ProxyTracker({ nodeName: name, nodeIPs });
  const loop = new SyncLoop({
    source: tracker, proxier, conntrack: new ConntrackCleaner(runner, logger), metrics, health, logger, clock,
    minSyncPeriodMs: eff.minSyncPeriodMs, syncPeriodMs: eff.syncPeriodMs, fullSyncPeriodMs: o.fullSyncPeriodMs,
  });

  const listeners: HttpListener[] = [];
  let healthzPort: number | undefined;
  let metricsPort: number | undefined;
  const retryTimers = new Set<NodeJS.Timeout>();
  // Upstream retries a failed bind every 5 s unless bindAddressHardFail makes it fatal.
  const serve = async (what: string, addr: string, handler: Parameters<typeof listenHttp>[1], bound: (port: number) => void): Promise<void> => {
    try {
      const l = await listenHttp(addr, handler);
      if (ctl.signal.aborted) { await l.close(); return; }
      listeners.push(l);
      bound(l.port);
    } catch (err) {
      if (config.bindAddressHardFail) throw new Error(`${what} server failed: ${(err as Error).message}`);
      logger.error({ err: (err as Error).message, address: addr }, `Starting ${what} server failed; retrying in 5s`);
      const t = setTimeout(() => { retryTimers.delete(t); void serve(what, addr, handler, bound); }, 5000);
      retryTimers.add(t);
    }
  };
  if (config.healthzBindAddress) {
    await serve('healthz', config.healthzBindAddress, (req, res) => { if (!health.handle(req, res)) notFound(res); }, (p) => { healthzPort = p; });
  }
  if (config.metricsBindAddress) {
    await serve('metrics', config.metricsBindAddress, metricsHandler({ registry: metrics.registry, mode: eff.mode, configz: config }), (p) => { metricsPort = p; });
  }

  const factory = new SharedInformerFactory(rest, { resyncMs: eff.configSyncPeriodMs, logger, clock });
  const keyOf = (ns: string | undefined, n: string | undefined): string => `${ns ?? ''}/${n ?? ''}`;
  const services = factory.informerFor<Service>(R.services, { labelSelector: PROXY_LABEL_SELECTOR });
  services.addEventHandler({
    add: (s) => { tracker.updateService(s); loop.serviceChanged(keyOf(s.metadata.namespace, s.metadata.name)); loop.queued(); },
    update: (prev, s) => {
      if (prev === s) return; // resync: nothing new
      tracker.updateService(s); loop.serviceChanged(keyOf(s.metadata.namespace, s.metadata.name)); loop.queued();
    },
    delete: (x) => { const s = unwrapTombstone(x); tracker.deleteService(s); loop.serviceChanged(keyOf(s.metadata.namespace, s.metadata.name)); loop.queued(); },
  });
  const slices = factory.informerFor<EndpointSlice>(R.endpointslices, { labelSelector: PROXY_LABEL_SELECTOR });
  const sliceService = (s: EndpointSlice): string => keyOf(s.metadata.namespace, s.metadata.labels?.['kubernetes.io/service-name'] ?? s.metadata.name);
  slices.addEventHandler({
    add: (s) => { tracker.updateEndpointSlice(s); loop.endpointsChanged(sliceService(s)); loop.queued(); },
    update: (prev, s) => {
      if (prev === s) return;
      tracker.updateEndpointSlice(s); loop.endpointsChanged(sliceService(s)); loop.queued();
    },
    delete: (x) => { const s = unwrapTombstone(x); tracker.deleteEndpointSlice(s); loop.endpointsChanged(sliceService(s)); loop.queued(); },
  });

  // This node: topology labels, addresses, and healthz eligibility.
  let labelsKey = '{}';
  const onNode = (n: Node): void => {
    health.syncNode(n);
    const labels = n.metadata.labels ?? {};
    const lk = JSON.stringify(Object.entries(labels).sort());
    let changed = false;
    if (lk !== labelsKey) { labelsKey = lk; tracker.setNodeLabels(labels); changed = true; }
    const raw = nodeHostIPs(n);
    if (raw.length > 0) {
      const ips = detectNodeIPs(raw, config.bindAddress);
      if (ips.join(',') !== nodeIPs.join(',')) { nodeIPs = ips; tracker.setNodeIPs(ips); changed = true; }
    }
    if (changed) loop.queued();
  };
  const nodes = factory.informerFor<Node>(R.nodes, { fieldSelector: `metadata.name=${name}` });
  nodes.addEventHandler({
    add: onNode,
    update: (prev, n) => { if (prev !== n) onNode(n); },
    delete: (x) => {
      health.syncNode(unwrapTombstone(x));
      labelsKey = '{}';
      tracker.setNodeLabels({});
      loop.requireFullSync();
      loop.queued();
    },
  });

  let stopped: Promise<void> | undefined;
  const running: RunningProxy = {
    nodeName: name,
    get nodeIPs() { return nodeIPs; },
    mode: eff.mode,
    get healthzPort() { return healthzPort; },
    get metricsPort() { return metricsPort; },
    metrics, health, syncLoop: loop, proxier,
    stop() {
      stopped ??= (async () => {
        o.signal?.removeEventListener('abort', onAbort);
        ctl.abort();
        for (const t of retryTimers) clearTimeout(t);
        await loop.stop();
        await Promise.all(listeners.map((l) => l.close()));
        await factory.shutdown();
        logger.info('kube-proxy stopped; rules stay in place');
      })();
      return stopped;
    },
  };
  if (o.signal?.aborted) { await running.stop(); return running; }
  o.signal?.addEventListener('abort', onAbort, { once: true });

  factory.start(ctl.signal);
  // Upstream syncs once both Services and EndpointSlices have synced (setInitialized).
  void Promise.all([services.waitForSync(ctl.signal), slices.waitForSync(ctl.signal)]).then(([a, b]) => {
    if (a && b && !ctl.signal.aborted) loop.start();
  });
  return running;
}
