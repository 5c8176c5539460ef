// kube-controller-manager's node-lifecycle-controller (pkg/controller/nodelifecycle): every
// --node-monitor-period it checks each node's heartbeats (Ready lastHeartbeatTime, kube-node-lease
// renewTime), marks silent nodes' conditions Unknown, marks their pods NotReady and queues the
// NoExecute not-ready/unreachable taint that taint eviction acts on, rate limited per zone. Node
// events keep the NoSchedule condition taints (TaintNodesByCondition) and beta OS/arch labels.
import type { EventRecorder } from '@kube-ts/client/events';
import { isNotFound } from '@kube-ts/client/errors';
import { unwrapTombstone, type SharedIndexInformer } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { Lease, Node, NodeCondition, Pod } from '@kube-ts/client/types';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import { NodeHealthMap, nodeCondition, type HealthResult } from './health.js';
import { removeNodeTaints, swapNodeTaints } from './nodeapi.js';
import { ensureNodeNameIndex, podsOnNode } from './podindex.js';
import { markPodsNotReady } from './podstatus.js';
import { desiredNoScheduleTaints, managedNoScheduleTaints, NOT_READY_NOEXECUTE, taintExists, taintSetDiff, UNREACHABLE_NOEXECUTE } from './taints.js';
import { DEFAULT_EVICTION_RATES, LABEL_EXCLUDE_DISRUPTION, zoneKey, Zones, type EvictionRates } from './zones.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** scheduler.NodeEvictionPeriod: how often queued nodes are tainted. */
const NODE_EVICTION_PERIOD_MS = 100;
/** scheduler.NodeHealthUpdateRetry. */
const NODE_HEALTH_UPDATE_RETRY = 5;
/** nodeUpdateWorkerSize: nodes checked in parallel per monitor pass. */
const NODE_UPDATE_WORKERS = 8;
const POD_UPDATE_WORKERS = 4;

/** labelReconcileInfo: the beta labels kept in step with the GA ones. */
const LABEL_RECONCILE: Array<[primary: string, secondary: string]> = [
  ['kubernetes.io/os', 'beta.kubernetes.io/os'],
  ['kubernetes.io/arch', 'beta.kubernetes.io/arch'],
];

export interface NodeLifecycleConfig extends EvictionRates {
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
}

export class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle-controller';
  readonly health = new NodeHealthMap();
  readonly zones: Zones;
  readonly nodeQueue: QueueController;
  readonly podQueue: QueueController;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly leases: SharedIndexInformer<Lease>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly recorder: EventRecorder;
  private readonly known = new Map<string, Node>();
  private readonly nodesToRetry = new Set<string>();
  private readonly cfg: NodeLifecycleConfig;

  constructor(private readonly ctx: ControllerContext, cfg: Partial<NodeLifecycleConfig> = {}) {
    const o = ctx.options;
    this.cfg = {
      ...DEFAULT_EVICTION_RATES,
      nodeMonitorPeriodMs: o.nodeMonitorPeriodMs, nodeMonitorGracePeriodMs: o.nodeMonitorGracePeriodMs, nodeStartupGracePeriodMs: o.nodeStartupGracePeriodMs,
      ...cfg,
    };
    this.zones = new Zones(this.cfg, ctx.clock);
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.informers.informerFor<Node>(R.nodes);
    this.leases = ctx.informers.informerFor<Lease>(R.leases, { namespace: NODE_LEASE_NAMESPACE });
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    ensureNodeNameIndex(this.pods);
    const caches = [this.nodes, this.leases, this.pods];
    this.nodeQueue = new QueueController({ name: this.name, queueName: 'node_lifecycle_controller', ctx, caches, sync: (k) => this.syncNode(k) });
    this.podQueue = new QueueController({ name: this.name, queueName: 'node_lifecycle_controller_pods', ctx, caches, sync: (k) => this.syncPod(k), maxRetries: 15 });

    this.nodes.addEventHandler({
      add: (n) => this.nodeQueue.enqueue(n),
      update: (_o, n) => this.nodeQueue.enqueue(n),
      delete: (n) => { this.nodesToRetry.delete(unwrapTombstone(n).metadata.name!); },
    });
    this.pods.addEventHandler({
      add: (p) => { if (p.spec.nodeName) this.podQueue.enqueue(p); },
      update: (old, p) => { if (p.spec.nodeName && p.spec.nodeName !== old.spec.nodeName) this.podQueue.enqueue(p); },
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    for (const c of [this.nodes, this.leases, this.pods]) if (!(await c.waitForSync(signal))) return;
    await Promise.all([
      this.nodeQueue.run(Math.max(workers, 1), signal),
      this.podQueue.run(POD_UPDATE_WORKERS, signal),
      this.loop(NODE_EVICTION_PERIOD_MS, signal, () => this.doNoExecuteTaintingPass()),
      this.loop(this.cfg.nodeMonitorPeriodMs, signal, () => this.monitorNodeHealth()),
    ]);
  }

  private async loop(periodMs: number, signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    while (!signal.aborted) {
      try { await fn(); } catch (err) { this.ctx.logger.error({ err: String(err), controller: this.name }, 'node lifecycle pass failed'); }
      await this.ctx.clock.sleep(periodMs, signal);
    }
  }

  private nodeRef(n: Node): { kind: string; apiVersion: string; name: string; uid?: string } {
    return { kind: 'Node', apiVersion: 'v1', name: n.metadata.name!, uid: n.metadata.uid };
  }

  // ---- NoSchedule taints and labels (node events) ------------------------------------------

  /** doNoScheduleTaintingPass + reconcileNodeLabels for one node. */
  async syncNode(name: string): Promise<void> {
    const node = this.nodes.store.get(name);
    if (!node) return;
    const { add, remove } = taintSetDiff(desiredNoScheduleTaints(node), managedNoScheduleTaints(node));
    if (add.length || remove.length) await swapNodeTaints(this.ctx.rest, node, add, remove, this.ctx.clock.now());
    const labels = node.metadata.labels;
    if (!labels) return;
    const update: Record<string, string> = {};
    for (const [primary, secondary] of LABEL_RECONCILE) {
      const v = labels[primary];
      if (v !== undefined && labels[secondary] !== v) update[secondary] = v;
    }
    if (Object.keys(update).length === 0) return;
    try {
      await this.ctx.rest.resource<Node>(R.nodes).patch(name, undefined, { metadata: { labels: update } }, 'merge');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  // ---- pods bound to unready nodes (pod events) --------------------------------------------

  /** processPod: a pod newly bound to a node that is not Ready is marked NotReady at once. */
  async syncPod(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    if (!pod?.spec.nodeName) return;
    const h = this.health.get(pod.spec.nodeName);
    if (!h || !this.nodes.store.get(pod.spec.nodeName)) return;
    const ready = nodeCondition(h.status, 'Ready');
    if (!ready || ready.status === 'True') return;
    await markPodsNotReady(this.ctx.rest, this.recorder, [pod], pod.spec.nodeName, this.ctx.clock.now());
  }

  // ---- the monitor pass ----------------------------------------------------------------------

  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodes.store.list();
    const present = new Set(nodes.map((n) => n.metadata.name!));
    for (const n of nodes) {
      const name = n.metadata.name!;
      if (this.known.has(name)) { this.zones.ensure(zoneKey(n)); continue; }
      this.recorder.event(this.nodeRef(n), 'Normal', 'RegisteredNode', `Registered Node ${name} in Controller`);
      this.known.set(name, n);
      this.zones.ensure(zoneKey(n));
      await this.markNodeAsReachable(n).catch((err: unknown) => this.logErr(err, name, 'Failed to remove taints from node'));
    }
    for (const [name, n] of [...this.known]) {
      if (present.has(name)) continue;
      this.recorder.event(this.nodeRef(n), 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
      this.known.delete(name);
      this.health.delete(name);
    }

    const zoneConditions = new Map<string, Array<NodeCondition | undefined>>();
    await parallelize(nodes, NODE_UPDATE_WORKERS, (n) => this.updateNode(n, zoneConditions));

    const action = this.zones.handleDisruption(zoneConditions);
    if (action.markAllReachable) {
      this.ctx.logger.info({ controller: this.name }, 'Controller detected that all Nodes are not-Ready. Entering master disruption mode');
      for (const n of nodes) await this.markNodeAsReachable(n).catch((err: unknown) => this.logErr(err, n.metadata.name!, 'Failed to remove taints from Node'));
    }
    if (action.resetProbes) {
      this.ctx.logger.info({ controller: this.name }, 'Controller detected that some Nodes are Ready. Exiting master disruption mode');
      this.health.resetProbes(present, this.ctx.clock.now());
    }
  }

  private async updateNode(cached: Node, zoneConditions: Map<string, Array<NodeCondition | undefined>>): Promise<void> {
    const name = cached.metadata.name!;
    const client = this.ctx.rest.resource<Node>(R.nodes);
    let node = cached;
    let res: HealthResult | undefined;
    for (let i = 0; i < NODE_HEALTH_UPDATE_RETRY && !res; i++) {
      const now = this.ctx.clock.now();
      const r = this.health.evaluate(node, this.leases.store.getByName(NODE_LEASE_NAMESPACE, name), now, {
        gracePeriodMs: this.cfg.nodeMonitorGracePeriodMs, startupGracePeriodMs: this.cfg.nodeStartupGracePeriodMs,
      });
      if (!r.update) { res = r; break; }
      try {
        const written = await client.updateStatus(r.update);
        this.health.written(name, written.status ?? r.update.status ?? {}, now);
        node = { ...node, status: r.update.status };
        res = r;
      } catch (err) {
        this.logErr(err, name, 'Error updating node');
        try {
          node = await client.get(name);
        } catch (e) {
          this.logErr(e, name, 'Failed while getting a Node to retry updating node health. Probably Node was deleted');
          return;
        }
      }
    }
    if (!res) { this.ctx.logger.error({ node: name }, 'Update health of Node from Controller error, Skipping - no pods will be evicted'); return; }

    if (node.metadata.labels?.[LABEL_EXCLUDE_DISRUPTION] === undefined) {
      const z = zoneKey(node);
      const list = zoneConditions.get(z) ?? [];
      list.push(res.current);
      zoneConditions.set(z, list);
    }
    if (res.current) {
      const pods = podsOnNode(this.pods, name);
      await this.processTaintBaseEviction(node, res.observed);
      const transitioned = res.current.status !== 'True' && res.observed.status === 'True';
      if (transitioned) this.recorder.event(this.nodeRef(node), 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      if (transitioned || (this.nodesToRetry.has(name) && res.observed.status !== 'True')) {
        try {
          await markPodsNotReady(this.ctx.rest, this.recorder, pods, name, this.ctx.clock.now());
        } catch (err) {
          this.logErr(err, name, 'unable to mark all pods NotReady on node; queuing for retry');
          this.nodesToRetry.add(name);
          return;
        }
      }
    }
    this.nodesToRetry.delete(name);
  }

  private async processTaintBaseEviction(node: Node, observed: NodeCondition): Promise<void> {
    const now = this.ctx.clock.now();
    const taints = node.spec?.taints;
    try {
      if (observed.status === 'False') {
        if (taintExists(taints, UNREACHABLE_NOEXECUTE)) await swapNodeTaints(this.ctx.rest, node, [NOT_READY_NOEXECUTE], [UNREACHABLE_NOEXECUTE], now);
        else this.markNodeForTainting(node, 'False');
      } else if (observed.status === 'Unknown') {
        if (taintExists(taints, NOT_READY_NOEXECUTE)) await swapNodeTaints(this.ctx.rest, node, [UNREACHABLE_NOEXECUTE], [NOT_READY_NOEXECUTE], now);
        else this.markNodeForTainting(node, 'Unknown');
      } else if (observed.status === 'True') {
        await this.markNodeAsReachable(node);
      }
    } catch (err) {
      this.logErr(err, node.metadata.name!, 'Failed to update NoExecute taints; will try again in the next cycle');
    }
  }

  private markNodeForTainting(node: Node, status: 'False' | 'Unknown'): boolean {
    const q = this.zones.tainter(zoneKey(node));
    const name = node.metadata.name!;
    const taint = status === 'False' ? NOT_READY_NOEXECUTE : UNREACHABLE_NOEXECUTE;
    if (!taintExists(node.spec?.taints, taint)) q.remove(name);
    return q.add(name, node.metadata.uid ?? '');
  }

  private async markNodeAsReachable(node: Node): Promise<boolean> {
    await removeNodeTaints(this.ctx.rest, node, [UNREACHABLE_NOEXECUTE, NOT_READY_NOEXECUTE]);
    return this.zones.tainter(zoneKey(node)).remove(node.metadata.name!);
  }

  /** doNoExecuteTaintingPass: taints queued nodes as their zone's limiter allows. */
  async doNoExecuteTaintingPass(): Promise<void> {
    for (const q of [...this.zones.tainters.values()]) {
      await q.try(async (v) => {
        const node = this.nodes.store.get(v.value);
        if (!node) return { done: true };
        const ready = nodeCondition(node.status, 'Ready');
        if (!ready) return { done: false, retryAfterMs: 50 };
        // not-ready and unreachable mirror Ready=False/Unknown, so they exclude each other.
        let add; let opposite;
        if (ready.status === 'False') { add = NOT_READY_NOEXECUTE; opposite = UNREACHABLE_NOEXECUTE; }
        else if (ready.status === 'Unknown') { add = UNREACHABLE_NOEXECUTE; opposite = NOT_READY_NOEXECUTE; }
        else return { done: true };
        try {
          return { done: await swapNodeTaints(this.ctx.rest, node, [add], [opposite], this.ctx.clock.now()) };
        } catch (err) {
          this.logErr(err, v.value, 'Failed to swap NoExecute taints');
          return { done: false };
        }
      });
    }
  }

  private logErr(err: unknown, node: string, msg: string): void {
    this.ctx.logger.warn({ controller: this.name, node, err: String(err) }, msg);
  }
}

/** workqueue.ParallelizeUntil: `fn` over `items` with at most `n` in flight. */
async function parallelize<T>(items: readonly T[], n: number, fn: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const t = items[next++]!;
      await fn(t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
