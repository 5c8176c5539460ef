// kube-controller-manager's StatefulSet controller (pkg/controller/statefulset): watches sets,
// their pods and claims; each sync claims the set's revisions and pods, runs one round of the
// update algorithm and writes the status kubectl's rollout status reads.
import { isConflict } from '@kube-ts/client/errors';
import { unwrapTombstone, type SharedIndexInformer, type Tombstone } from '@kube-ts/client/informer';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { R } from '@kube-ts/client/resources';
import type { ResourceClient } from '@kube-ts/client/rest';
import { splitKey, type Pod } from '@kube-ts/client/types';
import type { ControllerRevision, PersistentVolumeClaim, StatefulSet, StatefulSetStatus } from '@kube-ts/client/workloads';
import type { ControllerContext, ControllerInit } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { claimObjects } from '../../util/controllerref.js';
import { controllerRefOf, isPodReady, newControllerRef } from '../../util/pods.js';
import { completeRollingUpdate, inconsistentStatus, StatusError, updateStatefulSet } from './control.js';
import { isMemberOf, replicasOf } from './identity.js';
import { StatefulPodControl } from './podcontrol.js';
import { setRevisions, truncateHistory } from './sethistory.js';

const KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

export const initStatefulSet: ControllerInit = (ctx) => new StatefulSetController(ctx).queue;

class StatefulSetController {
  readonly queue: QueueController;
  private readonly sets: SharedIndexInformer<StatefulSet>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly revisions: SharedIndexInformer<ControllerRevision>;
  private readonly setClient: ResourceClient<StatefulSet>;
  private readonly podClient: ResourceClient<Pod>;
  private readonly revClient: ResourceClient<ControllerRevision>;
  private readonly podControl: StatefulPodControl;

  constructor(private readonly ctx: ControllerContext) {
    this.sets = ctx.informers.informerFor<StatefulSet>(R.statefulsets);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.revisions = ctx.informers.informerFor<ControllerRevision>(R.controllerrevisions);
    const pvcs = ctx.informers.informerFor<PersistentVolumeClaim>(R.persistentvolumeclaims);
    this.setClient = ctx.rest.resource<StatefulSet>(R.statefulsets);
    this.podClient = ctx.rest.resource<Pod>(R.pods);
    this.revClient = ctx.rest.resource<ControllerRevision>(R.controllerrevisions);
    this.podControl = new StatefulPodControl(this.podClient, ctx.rest.resource<PersistentVolumeClaim>(R.persistentvolumeclaims), pvcs, ctx.recorder('statefulset-controller'));
    this.queue = new QueueController({
      name: 'statefulset', ctx, sync: (k) => this.sync(k), caches: [this.sets, this.pods, this.revisions, pvcs],
    });
    this.sets.addEventHandler({
      add: (s) => this.queue.enqueue(s),
      update: (_o, s) => this.queue.enqueue(s),
      delete: (s) => this.queue.enqueue(s),
    });
    this.pods.addEventHandler({
      add: (p) => this.onPod(p),
      update: (o, p) => this.onPodUpdate(o, p),
      delete: (p) => this.onPodDelete(p),
    });
  }

  /** The set a controllerRef points at, if it is in the cache with that uid. */
  private resolve(ns: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): StatefulSet | undefined {
    if (!ref || ref.kind !== 'StatefulSet') return undefined;
    const s = this.sets.store.get(`${ns}/${ref.name}`);
    return s?.metadata.uid === ref.uid ? s : undefined;
  }

  /** getStatefulSetsForPod: sets in the pod's namespace whose selector matches it. */
  private setsForPod(p: Pod): StatefulSet[] {
    return this.sets.store.byIndex('namespace', p.metadata.namespace ?? '').filter((s) => labelSelectorMatches(s.spec.selector, p.metadata.labels));
  }

  private onPod(p: Pod): void {
    if (p.metadata.deletionTimestamp) { this.onPodDelete(p); return; }
    const ref = controllerRefOf(p);
    if (ref) { const s = this.resolve(p.metadata.namespace, ref); if (s) this.queue.enqueue(s); return; }
    for (const s of this.setsForPod(p)) this.queue.enqueue(s);
  }

  private onPodUpdate(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    const oldRef = controllerRefOf(old); const curRef = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid;
    if (refChanged && oldRef) { const s = this.resolve(old.metadata.namespace, oldRef); if (s) this.queue.enqueue(s); }
    if (curRef) {
      const s = this.resolve(cur.metadata.namespace, curRef);
      if (!s) return;
      this.queue.enqueue(s);
      // A pod that just became ready is available minReadySeconds later: look again then.
      const mrs = s.spec.minReadySeconds ?? 0;
      if (mrs > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.enqueueAfter(keyOf(s), mrs * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const s of this.setsForPod(cur)) this.queue.enqueue(s);
  }

  private onPodDelete(obj: Pod | Tombstone<Pod>): void {
    const p = unwrapTombstone(obj);
    const s = this.resolve(p.metadata.namespace, controllerRefOf(p));
    if (s) this.queue.enqueue(s);
  }

  private async sync(key: string): Promise<SyncResult | void> {
    const cached = this.sets.store.get(key);
    if (!cached) return;
    const set = structuredClone(cached);
    if (!set.spec.selector) return;
    const { namespace, name } = splitKey(key);
    const ref = newControllerRef(set, KIND.apiVersion, KIND.kind);
    const getOwner = async (): Promise<StatefulSet> => this.setClient.get(name, namespace);
    const matches = (o: { metadata: { labels?: Record<string, string> } }): boolean => labelSelectorMatches(set.spec.selector, o.metadata.labels);

    const revisions = await claimObjects<ControllerRevision>(this.revisions.store.byIndex('namespace', namespace ?? ''), {
      owner: set, ownerApiVersion: KIND.apiVersion, ownerKind: KIND.kind, client: this.revClient, getOwner, matches,
    });
    const pods = await claimObjects<Pod>(this.pods.store.byIndex('namespace', namespace ?? ''), {
      owner: set, ownerApiVersion: KIND.apiVersion, ownerKind: KIND.kind, client: this.podClient, getOwner,
      matches: (p) => matches(p) && isMemberOf(set, p),
    });

    const { current, update, collisionCount } = await setRevisions(this.revClient, set, ref, revisions);
    let status: StatefulSetStatus;
    let failure: unknown;
    try {
      status = await updateStatefulSet({ set, currentRevision: current, updateRevision: update, collisionCount, pods, ops: this.podControl, now: this.ctx.clock.now(), ref });
    } catch (e) {
      if (!(e instanceof StatusError)) throw e;
      status = e.status;
      failure = e.error;
    }
    await this.writeStatus(set, status);
    await truncateHistory(this.revClient, set, pods, revisions, current, update);
    if (failure !== undefined) throw failure;
    const mrs = set.spec.minReadySeconds ?? 0;
    if (mrs > 0 && (status.availableReplicas ?? 0) !== replicasOf(set)) return { requeueAfterMs: mrs * 1000 };
  }

  /** updateStatefulSetStatus: complete a finished rollout, write only a changed status. */
  private async writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return;
    let cur = set;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.setClient.updateStatus({ ...cur, status: { ...status, ...(cur.status?.conditions ? { conditions: cur.status.conditions } : {}) } });
        return;
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
        cur = await this.setClient.get(set.metadata.name!, set.metadata.namespace);
      }
    }
  }
}

const keyOf = (s: StatefulSet): string => `${s.metadata.namespace}/${s.metadata.name}`;
