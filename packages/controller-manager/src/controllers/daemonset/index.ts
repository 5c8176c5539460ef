// kube-controller-manager's DaemonSet controller (pkg/controller/daemon): one pod per eligible
// node, pinned there by required node affinity on metadata.name (the scheduler binds it);
// failed pods are replaced with backoff, excess and misscheduled ones deleted, and templates
// rolled out with maxUnavailable/maxSurge (or OnDelete), tracked by ControllerRevisions.
import { isConflict } from '@kube-ts/client/errors';
import { unwrapTombstone, type SharedIndexInformer, type Tombstone } from '@kube-ts/client/informer';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { R } from '@kube-ts/client/resources';
import { objectKey, splitKey, type KubeObject, type Node, type OwnerReference, type Pod } from '@kube-ts/client/types';
import type { ControllerRevision, DaemonSet, DaemonSetStatus } from '@kube-ts/client/workloads';
import type { ControllerContext, ControllerInit } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { claimObjects } from '../../util/controllerref.js';
import { ControllerExpectations } from '../../util/expectations.js';
import { PodControl } from '../../util/podcontrol.js';
import { controllerRefOf, isPodReady, isPodTerminal, newControllerRef } from '../../util/pods.js';
import { REVISION_HASH_LABEL } from '../history/revisions.js';
import { Backoff } from './backoff.js';
import { computeStatus, planRollingUpdate, podsShouldBeOnNode, unscheduledPodsWithoutNode, type NodeActions } from './decisions.js';
import { cleanupHistory, constructHistory, type HistoryClients } from './dshistory.js';
import { daemonPodTemplate, nodeShouldRunDaemonPod, replaceNodeNameAffinity, targetNodeName } from './eligibility.js';

const KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
/** Upstream's BurstReplicas: at most this many creations (and deletions) per sync. */
const BURST_REPLICAS = 250;
const STATUS_UPDATE_RETRIES = 1;

export const initDaemonSet: ControllerInit = (ctx) => new DaemonSetController(ctx).queue;

class DaemonSetController {
  readonly queue: QueueController;
  private readonly dss: SharedIndexInformer<DaemonSet>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly revisions: SharedIndexInformer<ControllerRevision>;
  private readonly clients: HistoryClients;
  private readonly podControl: PodControl;
  private readonly expectations: ControllerExpectations;
  private readonly backoff: Backoff;
  private readonly recorder;

  constructor(private readonly ctx: ControllerContext) {
    this.dss = ctx.informers.informerFor<DaemonSet>(R.daemonsets);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.nodes = ctx.informers.informerFor<Node>(R.nodes);
    this.revisions = ctx.informers.informerFor<ControllerRevision>(R.controllerrevisions);
    this.clients = {
      revisions: ctx.rest.resource<ControllerRevision>(R.controllerrevisions),
      daemonsets: ctx.rest.resource<DaemonSet>(R.daemonsets),
      pods: ctx.rest.resource<Pod>(R.pods),
    };
    this.recorder = ctx.recorder('daemonset-controller');
    this.podControl = new PodControl(ctx.rest, this.recorder, KIND);
    this.expectations = new ControllerExpectations(ctx.clock);
    this.backoff = new Backoff(ctx.clock);
    this.queue = new QueueController({
      name: 'daemonset', ctx, sync: (k) => this.sync(k), caches: [this.dss, this.pods, this.nodes, this.revisions],
    });
    this.dss.addEventHandler({
      add: (d) => this.queue.enqueue(d),
      update: (_o, d) => this.queue.enqueue(d),
      delete: (d) => { this.queue.enqueue(d); },
    });
    this.pods.addEventHandler({ add: (p) => this.onPodAdd(p), update: (o, p) => this.onPodUpdate(o, p), delete: (p) => this.onPodDelete(p) });
    this.nodes.addEventHandler({ add: (n) => this.onNodeAdd(n), update: (o, n) => this.onNodeUpdate(o, n) });
    this.revisions.addEventHandler({
      add: (r) => this.onOwned(r),
      update: (o, r) => { if (controllerRefOf(o)?.uid !== controllerRefOf(r)?.uid) this.onOwned(o); this.onOwned(r); },
      delete: (r) => this.onOwned(unwrapTombstone(r), true),
    });
  }

  private resolve(ns: string | undefined, ref: OwnerReference | undefined): DaemonSet | undefined {
    if (!ref || ref.kind !== 'DaemonSet') return undefined;
    const d = this.dss.store.get(`${ns}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  private matching(o: KubeObject): DaemonSet[] {
    return this.dss.store.byIndex('namespace', o.metadata.namespace ?? '').filter((d) => labelSelectorMatches(d.spec.selector, o.metadata.labels));
  }

  /** A pod or revision changed: its owner (or, for orphans, every DaemonSet selecting it) syncs. */
  private onOwned(o: KubeObject, deleted = false): void {
    const ref = controllerRefOf(o);
    if (ref) { const d = this.resolve(o.metadata.namespace, ref); if (d) this.queue.enqueue(d); return; }
    if (!deleted) for (const d of this.matching(o)) this.queue.enqueue(d);
  }

  private onPodAdd(p: Pod): void {
    if (p.metadata.deletionTimestamp) { this.onPodDelete(p); return; }
    const ref = controllerRefOf(p);
    if (ref) {
      const d = this.resolve(p.metadata.namespace, ref);
      if (!d) return;
      this.expectations.creationObserved(objectKey(d));
      this.queue.enqueue(d);
      return;
    }
    for (const d of this.matching(p)) this.queue.enqueue(d);
  }

  private onPodUpdate(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = controllerRefOf(old); const curRef = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) { const d = this.resolve(old.metadata.namespace, oldRef); if (d) this.queue.enqueue(d); }
    if (curRef) {
      const d = this.resolve(cur.metadata.namespace, curRef);
      if (!d) return;
      this.queue.enqueue(d);
      const mrs = d.spec.minReadySeconds ?? 0;
      if (mrs > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.enqueueAfter(objectKey(d), mrs * 1000 + 1000);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const d of this.matching(cur)) this.queue.enqueue(d);
  }

  private onPodDelete(obj: Pod | Tombstone<Pod>): void {
    const p = unwrapTombstone(obj);
    const d = this.resolve(p.metadata.namespace, controllerRefOf(p));
    if (!d) return;
    this.expectations.deletionObserved(objectKey(d));
    this.queue.enqueue(d);
  }

  private onNodeAdd(n: Node): void {
    for (const d of this.dss.store.list()) if (nodeShouldRunDaemonPod(n, d).shouldRun) this.queue.enqueue(d);
  }

  private onNodeUpdate(old: Node, cur: Node): void {
    if (ignoreNodeUpdate(old, cur)) return;
    for (const d of this.dss.store.list()) {
      const a = nodeShouldRunDaemonPod(old, d); const b = nodeShouldRunDaemonPod(cur, d);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.queue.enqueue(d);
    }
  }

  private async sync(key: string): Promise<SyncResult | void> {
    const cached = this.dss.store.get(key);
    if (!cached) { this.expectations.delete(key); return; }
    const ds = structuredClone(cached);
    const nodes = this.nodes.store.list();
    const sel = ds.spec.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      this.recorder.event({ ...ds, ...KIND }, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    // A DaemonSet being deleted may have lost its history to the garbage collector: leave it.
    if (ds.metadata.deletionTimestamp) return;
    const { namespace, name } = splitKey(key);
    const ref = newControllerRef(ds, KIND.apiVersion, KIND.kind);
    const getOwner = async (): Promise<DaemonSet> => this.clients.daemonsets.get(name, namespace);
    const matches = (o: KubeObject): boolean => labelSelectorMatches(sel, o.metadata.labels);
    const revs = await claimObjects<ControllerRevision>(this.revisions.store.byIndex('namespace', namespace ?? ''), {
      owner: ds, ownerApiVersion: KIND.apiVersion, ownerKind: KIND.kind, client: this.clients.revisions, getOwner, matches,
    });
    const pods = await claimObjects<Pod>(this.pods.store.byIndex('namespace', namespace ?? ''), {
      owner: ds, ownerApiVersion: KIND.apiVersion, ownerKind: KIND.kind, client: this.clients.pods, getOwner, matches,
    });
    const { cur, old } = await constructHistory(this.clients, ds, ref, revs, pods);
    const hash = cur.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
    const now = this.ctx.clock.now();
    const nodeToPods = nodeToDaemonPods(pods);

    if (!this.expectations.satisfied(key)) {
      // Only the status: observedGeneration stays until this generation is acted on.
      await this.writeStatus(ds, nodes, nodeToPods, hash, now, false);
      return;
    }
    let failure: unknown;
    let requeueAfterMs: number | undefined;
    try {
      requeueAfterMs = await this.manage(ds, nodes, nodeToPods, hash, now);
      if (this.expectations.satisfied(key) && ds.spec.updateStrategy?.type === 'RollingUpdate') {
        const plan = planRollingUpdate(ds, nodes, nodeToPods, hash, now);
        await this.syncNodes(ds, plan.podsToDelete, plan.nodesToCreate, hash);
      }
    } catch (e) { failure = e; }
    await cleanupHistory(this.clients, ds, old, pods);
    await this.writeStatus(ds, nodes, nodeToPods, hash, now, true);
    if (failure !== undefined) throw failure;
    this.backoff.gc(now);
    const mrs = ds.spec.minReadySeconds ?? 0;
    const s = computeStatus(ds, nodes, nodeToPods, hash, now);
    if (mrs > 0 && s.numberReady !== s.numberAvailable) requeueAfterMs = Math.min(requeueAfterMs ?? mrs * 1000, mrs * 1000);
    if (requeueAfterMs !== undefined) return { requeueAfterMs };
  }

  /** manage: per-node creations and deletions, plus unbound pods aimed at vanished nodes. */
  private async manage(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, now: number): Promise<number | undefined> {
    const out: NodeActions = { nodesNeedingPods: [], podsToDelete: [], events: [] };
    for (const n of nodes) podsShouldBeOnNode(n, nodeToPods.get(n.metadata.name!), ds, hash, this.backoff, now, out);
    for (const e of out.events) this.recorder.event({ ...ds, ...KIND }, e.type, e.reason, e.message);
    out.podsToDelete.push(...unscheduledPodsWithoutNode(nodes, nodeToPods));
    await this.syncNodes(ds, out.podsToDelete, out.nodesNeedingPods, hash);
    return out.requeueAfterMs;
  }

  /** syncNodes: create pods for nodes (slow start), delete pods by name, under expectations. */
  private async syncNodes(ds: DaemonSet, podsToDelete: string[], nodesNeeding: string[], hash: string): Promise<void> {
    const key = objectKey(ds);
    const createDiff = Math.min(nodesNeeding.length, BURST_REPLICAS);
    const deleteDiff = Math.min(podsToDelete.length, BURST_REPLICAS);
    this.expectations.setExpectations(key, createDiff, deleteDiff);
    const template = daemonPodTemplate(ds, hash);
    const ref = newControllerRef(ds, KIND.apiVersion, KIND.kind);
    const errors: unknown[] = [];

    let next = 0; let created = 0;
    for (let batch = Math.min(1, createDiff); batch > 0; batch = Math.min(2 * batch, createDiff - next)) {
      const targets = nodesNeeding.slice(next, next + batch);
      next += batch;
      const res = await Promise.allSettled(targets.map((node) => this.podControl.createPod(ds.metadata.namespace!, template, ds, ref, (p) => {
        p.spec.affinity = replaceNodeNameAffinity(p.spec.affinity, node);
      })));
      for (const r of res) { if (r.status === 'fulfilled') created++; else errors.push(r.reason); }
      if (res.some((r) => r.status === 'rejected')) break;
    }
    // Failed and skipped creations will never be observed.
    if (createDiff - created > 0) this.expectations.lower(key, createDiff - created, 0);

    const dels = await Promise.allSettled(podsToDelete.slice(0, deleteDiff).map((n) => this.podControl.deletePod(ds.metadata.namespace!, n, ds)));
    for (const r of dels) {
      if (r.status === 'fulfilled' && r.value) continue;
      this.expectations.deletionObserved(key);
      if (r.status === 'rejected') errors.push(r.reason);
    }
    if (errors.length) throw errors[0];
  }

  /** storeDaemonSetStatus: write only changed counts (or a newer observedGeneration). */
  private async writeStatus(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, now: number, updateObservedGen: boolean): Promise<void> {
    const counts = computeStatus(ds, nodes, nodeToPods, hash, now);
    const s = ds.status;
    const same = s !== undefined && (Object.keys(counts) as Array<keyof typeof counts>).every((k) => (s[k] ?? 0) === counts[k]);
    if (same && (s.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)) return;
    let cur = ds;
    for (let i = 0; ; i++) {
      const status: DaemonSetStatus = { ...(cur.status ?? {}), ...counts };
      if (updateObservedGen) status.observedGeneration = ds.metadata.generation;
      try {
        await this.clients.daemonsets.updateStatus({ ...cur, status });
        return;
      } catch (e) {
        // Retry once with a fresh read (more often on conflicts); then the queue's backoff takes over.
        if (i >= (isConflict(e) ? 3 : STATUS_UPDATE_RETRIES)) throw e;
        cur = await this.clients.daemonsets.get(ds.metadata.name!, ds.metadata.namespace);
      }
    }
  }
}

/** getNodesToDaemonPods: claimed pods by target node, without terminal pods being deleted. */
function nodeToDaemonPods(pods: Pod[]): Map<string, Pod[]> {
  const m = new Map<string, Pod[]>();
  for (const p of pods) {
    if (isPodTerminal(p) && p.metadata.deletionTimestamp) continue;
    const node = targetNodeName(p);
    if (!node) continue;
    const list = m.get(node);
    if (list) list.push(p); else m.set(node, [p]);
  }
  return m;
}

/** shouldIgnoreNodeUpdate: only labels, taints, cordon and condition statuses matter here. */
function ignoreNodeUpdate(a: Node, b: Node): boolean {
  const conds = (n: Node): string => JSON.stringify((n.status?.conditions ?? []).map((c) => [c.type, c.status]).sort());
  return JSON.stringify(a.metadata.labels ?? {}) === JSON.stringify(b.metadata.labels ?? {}) &&
    JSON.stringify(a.spec?.taints ?? []) === JSON.stringify(b.spec?.taints ?? []) &&
    !!a.spec?.unschedulable === !!b.spec?.unschedulable && conds(a) === conds(b);
}
