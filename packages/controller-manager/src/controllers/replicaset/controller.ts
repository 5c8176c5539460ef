// The ReplicaSet controller (pkg/controller/replicaset), also run for ReplicationControllers: keeps
// spec.replicas active pods matching the selector, adopting orphans and releasing pods that stop
// matching. Creations and deletions are recorded as expectations so a sync never acts on a cache
// that has not yet seen its own writes.
import { isConflict, isNamespaceTerminating, isNotFound } from '@kube-ts/client/errors';
import { unwrapTombstone, type SharedIndexInformer, type Tombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { ResourceClient } from '@kube-ts/client/rest';
import { objectKey, type Pod } from '@kube-ts/client/types';
import type { ReplicaSetStatus } from '@kube-ts/client/workloads';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { slowStartBatch } from '../../util/batch.js';
import { claimObjects } from '../../util/controllerref.js';
import { ControllerExpectations } from '../../util/expectations.js';
import { PodControl } from '../../util/podcontrol.js';
import { controllerRefOf, isPodActive, isPodReady, newControllerRef } from '../../util/pods.js';
import { podsToDelete } from './deletion.js';
import type { ReplicaKind, ReplicaOwner } from './kinds.js';
import { calculateStatus, statusUnchanged } from './status.js';

/** Upstream's BurstReplicas: at most this many creations or deletions per sync. */
export const BURST_REPLICAS = 500;

export class ReplicaSetController implements Controller {
  readonly name: string;
  readonly queue: QueueController;
  readonly expectations: ControllerExpectations;
  readonly owners: SharedIndexInformer<ReplicaOwner>;
  readonly pods: SharedIndexInformer<Pod>;
  private readonly client: ResourceClient<ReplicaOwner>;
  private readonly podControl: PodControl;

  constructor(private readonly ctx: ControllerContext, private readonly kind: ReplicaKind, private readonly burst = BURST_REPLICAS) {
    this.name = kind.name;
    this.expectations = new ControllerExpectations(ctx.clock);
    this.owners = ctx.informers.informerFor<ReplicaOwner>(kind.resource);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.client = ctx.rest.resource<ReplicaOwner>(kind.resource);
    this.podControl = new PodControl(ctx.rest, ctx.recorder(kind.component), { apiVersion: kind.apiVersion, kind: kind.kind });
    this.queue = new QueueController({ name: kind.name, ctx, caches: [this.owners, this.pods], sync: (k) => this.sync(k) });

    this.owners.addEventHandler({
      add: (rs) => this.queue.enqueue(rs),
      update: (_old, cur) => this.queue.enqueue(cur),
      delete: (obj) => {
        const key = objectKey(unwrapTombstone(obj));
        this.expectations.delete(key);
        this.queue.enqueueKey(key);
      },
    });
    this.pods.addEventHandler({
      add: (p) => this.addPod(p),
      update: (o, n) => this.updatePod(o, n),
      delete: (p) => this.deletePod(p),
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> { return this.queue.run(workers, signal); }

  /** The owner named by the pod's controllerRef, if it is of our kind and still the same object. */
  private resolve(p: Pod): ReplicaOwner | undefined {
    const ref = controllerRefOf(p);
    if (!ref || ref.kind !== this.kind.kind) return undefined;
    const rs = this.owners.store.get(`${p.metadata.namespace}/${ref.name}`);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** Owners whose selector matches an orphan pod (GetPodReplicaSets). */
  private matchingOwners(p: Pod): ReplicaOwner[] {
    return this.owners.store.byIndex('namespace', p.metadata.namespace ?? '').filter((rs) => this.kind.selects(rs, p.metadata.labels, true));
  }

  private addPod(p: Pod): void {
    if (p.metadata.deletionTimestamp) { this.deletePod(p); return; }
    if (controllerRefOf(p)) {
      const rs = this.resolve(p);
      if (!rs) return;
      this.expectations.creationObserved(objectKey(rs));
      this.queue.enqueue(rs);
      return;
    }
    for (const rs of this.matchingOwners(p)) this.queue.enqueue(rs);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const labelChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // A graceful delete: the pod is on its way out, count it as deleted now.
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const oldRef = controllerRefOf(old); const curRef = controllerRefOf(cur);
    const refChanged = oldRef?.uid !== curRef?.uid || oldRef?.name !== curRef?.name;
    if (refChanged && oldRef) {
      const rs = this.resolve(old);
      if (rs) this.queue.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolve(cur);
      if (!rs) return;
      this.queue.enqueue(rs);
      // Availability flips minReadySeconds after readiness; look again then.
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.queue.enqueueAfter(objectKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.matchingOwners(cur)) this.queue.enqueue(rs);
  }

  private deletePod(obj: Pod | Tombstone<Pod>): void {
    const p = unwrapTombstone(obj);
    const rs = this.resolve(p);
    if (!rs) return;
    const key = objectKey(rs);
    this.expectations.deletionObserved(key, objectKey(p));
    this.queue.enqueueKey(key);
  }

  async sync(key: string): Promise<SyncResult | void> {
    const rs = this.owners.store.get(key);
    if (!rs) { this.expectations.delete(key); return; }
    const needsSync = this.expectations.satisfied(key);
    const ns = rs.metadata.namespace ?? '';
    const active = this.pods.store.byIndex('namespace', ns).filter(isPodActive);
    const pods = await claimObjects(active, {
      owner: rs, ownerApiVersion: this.kind.apiVersion, ownerKind: this.kind.kind,
      matches: (p) => this.kind.selects(rs, p.metadata.labels),
      client: this.podControl.pods,
      getOwner: () => this.client.get(rs.metadata.name!, ns),
    });

    let manageError: { message: string; diff: number; err: unknown } | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(pods, rs, key);
      } catch (err) {
        manageError = { message: (err as Error).message ?? String(err), diff: pods.length - (rs.spec.replicas ?? 1), err };
      }
    }
    const status = calculateStatus(rs, pods, this.ctx.clock.now(), manageError);
    const updated = await this.updateStatus(rs, status);
    if (manageError) throw manageError.err;
    const replicas = rs.spec.replicas ?? 1;
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0 && updated.readyReplicas === replicas && updated.availableReplicas !== replicas) return { requeueAfterMs: minReady * 1000 };
  }

  private async manageReplicas(pods: Pod[], rs: ReplicaOwner, key: string): Promise<void> {
    const ns = rs.metadata.namespace ?? '';
    const diff = pods.length - (rs.spec.replicas ?? 1);
    if (diff < 0) {
      const n = Math.min(-diff, this.burst);
      const template = rs.spec.template;
      if (!template) throw new Error('spec.template is missing');
      // Expect first: the informer may report the new pods before the calls return.
      this.expectations.expectCreations(key, n);
      const ref = newControllerRef(rs, this.kind.apiVersion, this.kind.kind);
      const { successes, error } = await slowStartBatch(n, 1, async () => {
        try {
          await this.podControl.createPod(ns, template, rs, ref);
        } catch (err) {
          // Pods cannot be created in a terminating namespace; nothing to retry.
          if (isNamespaceTerminating(err)) return;
          throw err;
        }
      });
      // Creations that failed or were never tried will not be observed.
      for (let i = successes; i < n; i++) this.expectations.creationObserved(key);
      if (error !== undefined) throw error;
    } else if (diff > 0) {
      const n = Math.min(diff, this.burst);
      const victims = podsToDelete(pods, this.relatedPods(rs), n, this.ctx.clock.now());
      this.expectations.expectDeletions(key, victims.map((p) => objectKey(p)));
      const results = await Promise.allSettled(victims.map(async (p) => {
        try {
          if (!(await this.podControl.deletePod(ns, p.metadata.name!, rs))) this.expectations.deletionObserved(key, objectKey(p));
        } catch (err) {
          this.expectations.deletionObserved(key, objectKey(p));
          if (!isNotFound(err)) throw err;
        }
      }));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
  }

  /** Pods of every ReplicaSet sharing this one's controller (getIndirectlyRelatedPods). */
  private relatedPods(rs: ReplicaOwner): Pod[] {
    const ns = rs.metadata.namespace ?? '';
    const ref = controllerRefOf(rs);
    const uids = new Set(ref
      ? this.owners.store.byIndex('namespace', ns).filter((o) => controllerRefOf(o)?.uid === ref.uid).map((o) => o.metadata.uid)
      : [rs.metadata.uid]);
    uids.add(rs.metadata.uid);
    return this.pods.store.byIndex('namespace', ns).filter((p) => uids.has(controllerRefOf(p)?.uid));
  }

  /** Writes the status unless unchanged; one retry on a fresh copy after a conflict (statusUpdateRetries). */
  private async updateStatus(rs: ReplicaOwner, status: ReplicaSetStatus): Promise<ReplicaSetStatus> {
    if (statusUnchanged(rs, status)) return rs.status!;
    const write = (base: ReplicaOwner): Promise<ReplicaOwner> => this.client.updateStatus({
      ...base, status: { ...status, observedGeneration: base.metadata.generation },
    } as ReplicaOwner);
    try {
      return (await write(rs)).status ?? status;
    } catch (err) {
      if (!isConflict(err)) throw err;
      const fresh = await this.client.get(rs.metadata.name!, rs.metadata.namespace);
      return (await write(fresh)).status ?? status;
    }
  }
}
