// The Deployment controller (pkg/controller/deployment): claims ReplicaSets by selector and
// drives them with the Deployment's strategy, reporting rollout progress in status.
import { unwrapTombstone, type SharedIndexInformer, type Tombstone } from '@kube-ts/client/informer';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { R } from '@kube-ts/client/resources';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { Pod } from '@kube-ts/client/types';
import type { Deployment, ReplicaSet } from '@kube-ts/client/workloads';
import type { EventRecorder } from '@kube-ts/client/events';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { claimObjects } from '../../util/controllerref.js';
import { controllerRefOf } from '../../util/pods.js';
import { rolloutRecreate } from './recreate.js';
import { rolloutRolling } from './rolling.js';
import { DeploymentSync, type DeploymentOps, type PodMap } from './sync.js';

/** Upstream's maxRetries for a Deployment key. */
const MAX_RETRIES = 15;

const isEmptySelector = (d: Deployment): boolean => {
  const s = d.spec.selector;
  return !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
};

export class DeploymentController implements Controller {
  readonly name = 'deployment';
  readonly queue: QueueController;
  readonly deployments: SharedIndexInformer<Deployment>;
  readonly replicaSets: SharedIndexInformer<ReplicaSet>;
  readonly pods: SharedIndexInformer<Pod>;
  private readonly dClient: ResourceClient<Deployment>;
  private readonly rsClient: ResourceClient<ReplicaSet>;
  private readonly recorder: EventRecorder;
  private readonly syncer: DeploymentSync;

  constructor(ctx: ControllerContext) {
    this.deployments = ctx.informers.informerFor<Deployment>(R.deployments);
    this.replicaSets = ctx.informers.informerFor<ReplicaSet>(R.replicasets);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.dClient = ctx.rest.resource<Deployment>(R.deployments);
    this.rsClient = ctx.rest.resource<ReplicaSet>(R.replicasets);
    this.recorder = ctx.recorder('deployment-controller');
    const ops: DeploymentOps = {
      now: () => ctx.clock.now(),
      createRS: (rs) => this.rsClient.create(rs),
      updateRS: (rs) => this.rsClient.update(rs),
      deleteRS: async (rs) => { await this.rsClient.delete(rs.metadata.name!, rs.metadata.namespace); },
      cachedRS: (ns, name) => this.replicaSets.store.get(`${ns}/${name}`),
      updateStatus: (d) => this.dClient.updateStatus(d),
      event: (d, type, reason, msg) => this.recorder.event({ ...d, kind: 'Deployment', apiVersion: 'apps/v1' }, type, reason, msg),
    };
    this.syncer = new DeploymentSync(ops);
    this.queue = new QueueController({
      name: 'deployment', ctx, maxRetries: MAX_RETRIES,
      caches: [this.deployments, this.replicaSets, this.pods], sync: (k) => this.sync(k),
    });

    this.deployments.addEventHandler({
      add: (d) => this.queue.enqueue(d),
      update: (_o, d) => this.queue.enqueue(d),
      delete: (d) => this.queue.enqueue(d),
    });
    this.replicaSets.addEventHandler({
      add: (rs) => this.addReplicaSet(rs),
      update: (o, n) => this.updateReplicaSet(o, n),
      delete: (rs) => this.deleteReplicaSet(rs),
    });
    this.pods.addEventHandler({ delete: (p) => this.deletePod(p) });
  }

  run(workers: number, signal: AbortSignal): Promise<void> { return this.queue.run(workers, signal); }

  private resolve(ns: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.deployments.store.get(`${ns}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose selector matches an orphan ReplicaSet (getDeploymentsForReplicaSet). */
  private deploymentsFor(rs: ReplicaSet): Deployment[] {
    return this.deployments.store.byIndex('namespace', rs.metadata.namespace ?? '')
      .filter((d) => !isEmptySelector(d) && labelSelectorMatches(d.spec.selector, rs.metadata.labels));
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) { this.deleteReplicaSet(rs); return; }
    const ref = controllerRefOf(rs);
    if (ref) {
      const d = this.resolve(rs.metadata.namespace, ref);
      if (d) this.queue.enqueue(d);
      return;
    }
    for (const d of this.deploymentsFor(rs)) this.queue.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const oldRef = controllerRefOf(old); const curRef = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) {
      const d = this.resolve(old.metadata.namespace, oldRef);
      if (d) this.queue.enqueue(d);
    }
    if (curRef) {
      const d = this.resolve(cur.metadata.namespace, curRef);
      if (d) this.queue.enqueue(d);
      return;
    }
    const labelChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelChanged || refChanged) for (const d of this.deploymentsFor(cur)) this.queue.enqueue(d);
  }

  private deleteReplicaSet(obj: ReplicaSet | Tombstone<ReplicaSet>): void {
    const rs = unwrapTombstone(obj);
    const d = this.resolve(rs.metadata.namespace, controllerRefOf(rs));
    if (d) this.queue.enqueue(d);
  }

  /** A Recreate rollout waits for old pods to be gone; their deletion may unblock it. */
  private deletePod(obj: Pod | Tombstone<Pod>): void {
    const p = unwrapTombstone(obj);
    const ref = controllerRefOf(p);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.replicaSets.store.get(`${p.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolve(rs.metadata.namespace, controllerRefOf(rs));
    if (d?.spec.strategy?.type === 'Recreate') this.queue.enqueue(d);
  }

  /** getReplicaSetsForDeployment: claims (adopts/releases) by selector. */
  private async replicaSetsFor(d: Deployment): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? '';
    return claimObjects(this.replicaSets.store.byIndex('namespace', ns), {
      owner: d, ownerApiVersion: 'apps/v1', ownerKind: 'Deployment',
      matches: (rs) => labelSelectorMatches(d.spec.selector, rs.metadata.labels),
      client: this.rsClient,
      getOwner: () => this.dClient.get(d.metadata.name!, ns),
    });
  }

  /** getPodMapForDeployment: selected pods grouped by owning ReplicaSet UID. */
  private podMapFor(d: Deployment, rsList: ReplicaSet[]): PodMap {
    const m: PodMap = new Map(rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const p of this.pods.store.byIndex('namespace', d.metadata.namespace ?? '')) {
      if (!labelSelectorMatches(d.spec.selector, p.metadata.labels)) continue;
      const uid = controllerRefOf(p)?.uid;
      if (uid && m.has(uid)) m.get(uid)!.push(p);
    }
    return m;
  }

  async sync(key: string): Promise<SyncResult | void> {
    const cached = this.deployments.store.get(key);
    if (!cached) return;
    const d = structuredClone(cached);
    const s = this.syncer;
    if (isEmptySelector(d)) {
      this.recorder.event({ ...d, kind: 'Deployment', apiVersion: 'apps/v1' }, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await this.dClient.updateStatus(d);
      }
      return;
    }
    const rsList = await this.replicaSetsFor(d);
    const podMap = this.podMapFor(d, rsList);
    if (d.metadata.deletionTimestamp) { await s.syncStatusOnly(d, rsList); return; }

    await s.checkPausedConditions(d);
    if (d.spec.paused) { await s.sync(d, rsList); return; }
    if (await s.isScalingEvent(d, rsList)) { await s.sync(d, rsList); return; }

    const after = d.spec.strategy?.type === 'Recreate'
      ? await rolloutRecreate(s, d, rsList, podMap)
      : await rolloutRolling(s, d, rsList);
    return after === undefined ? undefined : { requeueAfterMs: after };
  }
}

