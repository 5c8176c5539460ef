// kube-controller-manager's garbage collector: one informer ("monitor") per deletable resource
// found by discovery (re-read every 30 s, so new resources such as CRDs join), their events fed
// one at a time into the graph builder, and workers for the attemptToDelete and attemptToOrphan
// queues. Workers start once every monitor has synced, so decisions see a complete graph.
import { unwrapTombstone } from '@kube-ts/client/informer';
import { prometheusQueueMetricsProvider } from '@kube-ts/client/queuemetrics';
import type { KubeObject } from '@kube-ts/client/types';
import { WorkQueue } from '@kube-ts/client/workqueue';
import type { SharedIndexInformer } from '@kube-ts/client/informer';
import type { Controller, ControllerContext } from '../../context.js';
import { apiVersionOfResource, ResourceDiscovery, supportsAllVerbs, type ApiResource } from '../../discovery.js';
import { AbsentOwnerCache } from './absentcache.js';
import { restGcApi, type GcApi } from './api.js';
import { Collector } from './collector.js';
import { Graph, type GraphNode, type ObjectIdentity } from './graph.js';
import { GraphBuilder, type GraphEvent } from './graphbuilder.js';

/** Resources the collector never watches (upstream DefaultIgnoredResources). */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

export interface GarbageCollectorOptions {
  /** How often discovery is re-read for new resources (upstream: 30 s). */
  resyncPeriodMs?: number;
  /** Replaces the REST-backed API (tests). */
  api?: GcApi;
}

interface Monitor { resource: ApiResource; informer: SharedIndexInformer<KubeObject>; remove(): void }

export function deletableResources(resources: ApiResource[]): ApiResource[] {
  return resources.filter((r) => supportsAllVerbs(r, ['delete', 'list', 'watch']) && !IGNORED.has(`${r.group}/${r.plural}`));
}

const resourceKey = (r: ApiResource): string => `${r.group}/${r.version}/${r.plural}`;

export class GarbageCollector implements Controller {
  readonly name = 'garbagecollector';
  readonly graph = new Graph();
  readonly builder: GraphBuilder;
  readonly collector: Collector;
  private readonly attemptToDelete: WorkQueue<GraphNode>;
  private readonly attemptToOrphan: WorkQueue<GraphNode>;
  private readonly graphChanges: WorkQueue<GraphEvent>;
  private readonly monitors = new Map<string, Monitor>();
  private readonly discovery: ResourceDiscovery;

  constructor(private readonly ctx: ControllerContext, private readonly o: GarbageCollectorOptions = {}) {
    const metrics = prometheusQueueMetricsProvider(ctx.metrics);
    this.attemptToDelete = new WorkQueue<GraphNode>({ name: 'garbage_collector_attempt_to_delete', clock: ctx.clock, metrics });
    this.attemptToOrphan = new WorkQueue<GraphNode>({ name: 'garbage_collector_attempt_to_orphan', clock: ctx.clock, metrics });
    this.graphChanges = new WorkQueue<GraphEvent>({ name: 'garbage_collector_graph_changes', clock: ctx.clock, metrics });
    this.discovery = new ResourceDiscovery(ctx.rest, ctx.clock, o.resyncPeriodMs ?? 30_000);
    const absent = new AbsentOwnerCache();
    this.builder = new GraphBuilder(this.graph, absent, {
      attemptToDelete: (n, rateLimited) => (rateLimited ? this.attemptToDelete.addRateLimited(n) : this.attemptToDelete.add(n)),
      attemptToOrphan: (n) => this.attemptToOrphan.add(n),
    }, ctx.recorder('garbage-collector-controller'));
    this.collector = new Collector(o.api ?? restGcApi(ctx.rest, this.discovery), this.graph, absent,
      (i) => this.enqueueVirtualDelete(i), (n) => this.attemptToDelete.add(n), ctx.logger.child({ controller: 'garbagecollector' }));
  }

  private enqueueVirtualDelete(i: ObjectIdentity): void {
    this.graphChanges.add({ type: 'delete', virtual: true, apiVersion: i.apiVersion, kind: i.kind, obj: { metadata: { name: i.name, namespace: i.namespace || undefined, uid: i.uid } } });
  }

  /**
   * Starts informers for deletable resources not watched yet; stops handling ones gone from
   * discovery, unless discovery was partial (a failing group must not lose its monitors).
   */
  syncMonitors(resources: ApiResource[], partial = false): boolean {
    const want = new Map(deletableResources(resources).map((r) => [resourceKey(r), r]));
    let changed = false;
    for (const [k, m] of this.monitors) {
      if (want.has(k) || partial) continue;
      m.remove();
      this.monitors.delete(k);
      changed = true;
    }
    for (const [k, r] of want) {
      if (this.monitors.has(k)) continue;
      const informer = this.ctx.informers.informerFor<KubeObject>(r);
      const apiVersion = apiVersionOfResource(r);
      const push = (type: GraphEvent['type'], obj: KubeObject, oldObj?: KubeObject): void => {
        this.graphChanges.add({ type, obj, ...(oldObj ? { oldObj } : {}), apiVersion, kind: r.kind });
      };
      const reg = informer.addEventHandler({
        add: (obj) => push('add', obj),
        update: (oldObj, obj) => push('update', obj, oldObj),
        delete: (obj) => push('delete', unwrapTombstone(obj)),
      }, 0);
      this.monitors.set(k, { resource: r, informer, remove: () => reg.remove() });
      changed = true;
    }
    return changed;
  }

  isSynced(): boolean {
    return [...this.monitors.values()].every((m) => m.informer.hasSynced());
  }

  private async waitForSync(signal: AbortSignal): Promise<boolean> {
    while (!signal.aborted) {
      if (this.isSynced()) return true;
      await this.ctx.clock.sleep(100, signal);
    }
    return false;
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const log = this.ctx.logger;
    const shutDown = (): void => { this.attemptToDelete.shutDown(); this.attemptToOrphan.shutDown(); this.graphChanges.shutDown(); };
    signal.addEventListener('abort', shutDown, { once: true });
    if (signal.aborted) shutDown();
    // Discovery must work once before anything can be watched.
    while (!signal.aborted) {
      try {
        const d = await this.discovery.refresh();
        if (d.error) log.warn({ err: d.error.message }, 'garbage collector: partial discovery');
        this.syncMonitors(d.preferred, !!d.error);
        break;
      } catch (e) {
        log.warn({ err: String(e) }, 'garbage collector: discovery failed; retrying');
        await this.ctx.clock.sleep(1000, signal);
      }
    }
    const loops: Promise<void>[] = [this.graphChangesLoop()];
    if (await this.waitForSync(signal)) {
      log.info({ controller: this.name, workers, monitors: this.monitors.size }, 'Starting controller');
      for (let i = 0; i < Math.max(1, workers); i++) loops.push(this.attemptToDeleteLoop(), this.attemptToOrphanLoop());
      loops.push(this.resyncLoop(signal));
    }
    await Promise.all(loops);
    log.info({ controller: this.name }, 'Shutting down controller');
  }

  private async resyncLoop(signal: AbortSignal): Promise<void> {
    const period = this.o.resyncPeriodMs ?? 30_000;
    while (!signal.aborted) {
      await this.ctx.clock.sleep(period, signal);
      if (signal.aborted) break;
      try {
        const d = await this.discovery.refresh();
        if (this.syncMonitors(d.preferred, !!d.error)) this.ctx.logger.info({ monitors: this.monitors.size }, 'garbage collector: resources changed; monitors synced');
      } catch (e) {
        this.ctx.logger.warn({ err: String(e) }, 'garbage collector: discovery failed');
      }
    }
  }

  private async graphChangesLoop(): Promise<void> {
    for (;;) {
      const r = await this.graphChanges.get();
      if (r.shutdown) return;
      try { this.builder.process(r.item); } catch (e) { this.ctx.logger.error({ err: String(e) }, 'garbage collector: graph change failed'); }
      this.graphChanges.done(r.item);
    }
  }

  private async attemptToDeleteLoop(): Promise<void> {
    for (;;) {
      const r = await this.attemptToDelete.get();
      if (r.shutdown) return;
      const res = await this.collector.processAttemptToDelete(r.item);
      if (res === 'forget') this.attemptToDelete.forget(r.item); else this.attemptToDelete.addRateLimited(r.item);
      this.attemptToDelete.done(r.item);
    }
  }

  private async attemptToOrphanLoop(): Promise<void> {
    for (;;) {
      const r = await this.attemptToOrphan.get();
      if (r.shutdown) return;
      const res = await this.collector.processAttemptToOrphan(r.item);
      if (res === 'forget') this.attemptToOrphan.forget(r.item); else this.attemptToOrphan.addRateLimited(r.item);
      this.attemptToOrphan.done(r.item);
    }
  }
}
