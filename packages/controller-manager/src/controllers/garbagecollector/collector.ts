// The garbage collector's decisions (upstream garbagecollector.go): attemptToDelete verifies an
// object's owners live (a GET by name, compared by uid, remembered in the absent-owner cache) and
// deletes it when none remains, drops references to absent owners when some remain, deletes in
// the foreground when an owner waits on it and it has dependents itself, and finishes foreground
// deletions; attemptToOrphan strips an owner from its dependents and removes its orphan finalizer.
import { isConflict, isNotFound } from '@kube-ts/client/errors';
import type { DeleteOptions } from '@kube-ts/client/rest';
import type { KubeObject, OwnerReference } from '@kube-ts/client/types';
import type { Logger } from 'pino';
import type { ApiResource } from '../../discovery.js';
import type { AbsentOwnerCache } from './absentcache.js';
import type { GcApi } from './api.js';
import { FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN } from './graphbuilder.js';
import { identityString, type Graph, type GraphNode, type ObjectIdentity } from './graph.js';

/** A virtual delete event was queued for the graph; the item needs no requeue. */
export class EnqueuedVirtualDeleteEvent extends Error {
  constructor() { super('enqueued virtual delete event'); }
}

/** A cluster-scoped object names a namespaced owner: never resolves, no requeue. */
export class NamespacedOwnerOfClusterScopedObject extends Error {
  constructor() { super('cluster-scoped objects cannot refer to namespaced owners'); }
}

/** The apiVersion/kind is not (yet) served: retried, as it may be a CRD discovery has not seen. */
export class RestMappingError extends Error {
  constructor(readonly apiVersion: string, readonly kind: string) {
    super(`unable to get REST mapping for ${apiVersion}/${kind}.`);
  }
}

export type WorkResult = 'forget' | 'requeue';

const UPDATE_MAX_RETRIES = 5;

export class Collector {
  constructor(
    private readonly api: GcApi,
    private readonly graph: Graph,
    private readonly absent: AbsentOwnerCache,
    private readonly enqueueVirtualDelete: (i: ObjectIdentity) => void,
    private readonly enqueueAttemptToDelete: (n: GraphNode) => void,
    private readonly logger?: Logger,
  ) {}

  private async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    const r = await this.api.resourceFor(apiVersion, kind);
    if (!r) throw new RestMappingError(apiVersion, kind);
    return r;
  }

  private async getObject(i: ObjectIdentity): Promise<KubeObject> {
    const r = await this.resource(i.apiVersion, i.kind);
    if (r.namespaced && !i.namespace) {
      // A namespaced kind looked up without a namespace cannot exist.
      throw Object.assign(new Error(`${r.plural} "${i.name}" not found`), { notFound: true });
    }
    return this.api.get(r, r.namespaced ? i.namespace : undefined, i.name);
  }

  /** One attemptToDelete queue item, as upstream's processAttemptToDeleteWorker. */
  async processAttemptToDelete(n: GraphNode): Promise<WorkResult> {
    if (!n.observed) {
      const fromGraph = this.graph.read(n.identity.uid);
      // Requeued virtual nodes may have been removed or observed meanwhile.
      if (!fromGraph || fromGraph.observed) return 'forget';
    }
    try {
      await this.attemptToDeleteItem(n);
    } catch (e) {
      if (e instanceof EnqueuedVirtualDeleteEvent || e instanceof NamespacedOwnerOfClusterScopedObject) return 'forget';
      this.logger?.info({ item: identityString(n.identity), err: String(e) }, 'error syncing item');
      return 'requeue';
    }
    // A virtual node for an object added and removed while watches re-established must not stick.
    return n.observed ? 'forget' : 'requeue';
  }

  async attemptToDeleteItem(item: GraphNode): Promise<void> {
    // Being deleted is a one-way trip: wait for the final delete, then process the dependents.
    if (item.isBeingDeleted() && !item.isDeletingDependents()) return;
    let latest: KubeObject;
    try {
      latest = await this.getObject(item.identity);
    } catch (e) {
      if (isNotFound(e) || (e as { notFound?: boolean }).notFound) {
        this.enqueueVirtualDelete(item.identity);
        throw new EnqueuedVirtualDeleteEvent();
      }
      throw e;
    }
    if (latest.metadata.uid !== item.identity.uid) {
      this.enqueueVirtualDelete(item.identity);
      throw new EnqueuedVirtualDeleteEvent();
    }
    if (item.isDeletingDependents()) return this.processDeletingDependentsItem(item);

    const ownerReferences = latest.metadata.ownerReferences ?? [];
    if (ownerReferences.length === 0) return;
    const { solid, dangling, waiting } = await this.classifyReferences(item, ownerReferences);
    this.logger?.debug({ item: identityString(item.identity), solid: solid.length, dangling: dangling.length, waiting: waiting.length }, 'classified references');

    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // References to owners waiting on their dependents must go, or those owners never finish.
      const uids = new Set([...dangling, ...waiting].map((r) => r.uid));
      await this.patchOwnerReferences(item, (refs) => refs.filter((r) => !uids.has(r.uid)));
      return;
    }
    if (waiting.length > 0 && item.dependents.size > 0) {
      for (const dep of item.dependents) {
        if (dep.isDeletingDependents()) {
          // Possible cycle: unblock our owners before deleting in the foreground ourselves.
          await this.patchOwnerReferences(item, (refs) => refs.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r)));
          break;
        }
      }
      // Our own dependents go first; processDeletingDependentsItem finishes us afterwards.
      await this.deleteObject(item.identity, latest, 'Foreground');
      return;
    }
    const fins = latest.metadata.finalizers ?? [];
    const policy = fins.includes(FINALIZER_ORPHAN) ? 'Orphan' : fins.includes(FINALIZER_DELETE_DEPENDENTS) ? 'Foreground' : 'Background';
    this.logger?.info({ item: identityString(item.identity), propagationPolicy: policy }, 'Deleting item');
    await this.deleteObject(item.identity, latest, policy);
  }

  /** Owners that exist (solid), are absent (dangling), or are deleting in the foreground (waiting). */
  async classifyReferences(item: GraphNode, refs: OwnerReference[]): Promise<{ solid: OwnerReference[]; dangling: OwnerReference[]; waiting: OwnerReference[] }> {
    const solid: OwnerReference[] = [];
    const dangling: OwnerReference[] = [];
    const waiting: OwnerReference[] = [];
    for (const ref of refs) {
      const { isDangling, owner } = await this.isDangling(ref, item);
      if (isDangling) { dangling.push(ref); continue; }
      if (owner?.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_DELETE_DEPENDENTS)) waiting.push(ref);
      else solid.push(ref);
    }
    return { solid, dangling, waiting };
  }

  private async isDangling(ref: OwnerReference, item: GraphNode): Promise<{ isDangling: boolean; owner?: KubeObject }> {
    const key: ObjectIdentity = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: '' };
    if (this.absent.has(key)) return { isDangling: true };
    const nsKey = { ...key, namespace: item.identity.namespace };
    if (this.absent.has(nsKey)) return { isDangling: true };
    const r = await this.resource(ref.apiVersion, ref.kind);
    const cacheKey = r.namespaced ? nsKey : key;
    if (item.identity.namespace === '' && r.namespaced) throw new NamespacedOwnerOfClusterScopedObject();
    let owner: KubeObject;
    try {
      owner = await this.api.get(r, r.namespaced ? item.identity.namespace : undefined, ref.name);
    } catch (e) {
      if (isNotFound(e)) { this.absent.add(cacheKey); return { isDangling: true }; }
      throw e;
    }
    if (owner.metadata.uid !== ref.uid) { this.absent.add(cacheKey); return { isDangling: true }; }
    return { isDangling: false, owner };
  }

  /** An owner deleting in the foreground: done once no dependent blocks it, else push them along. */
  private async processDeletingDependentsItem(item: GraphNode): Promise<void> {
    const blocking = item.blockingDependents();
    if (blocking.length === 0) {
      await this.removeFinalizer(item, FINALIZER_DELETE_DEPENDENTS);
      return;
    }
    for (const dep of blocking) if (!dep.isDeletingDependents()) this.enqueueAttemptToDelete(dep);
  }

  /** Deletes with uid and resourceVersion preconditions; retried at the new version if only unrelated fields changed. */
  async deleteObject(i: ObjectIdentity, latest: KubeObject, policy: NonNullable<DeleteOptions['propagationPolicy']>): Promise<void> {
    const r = await this.resource(i.apiVersion, i.kind);
    const ns = r.namespaced ? i.namespace : undefined;
    const rv = latest.metadata.resourceVersion;
    try {
      await this.api.delete(r, ns, i.name, { preconditions: { uid: i.uid, ...(rv ? { resourceVersion: rv } : {}) }, propagationPolicy: policy });
    } catch (e) {
      if (!isConflict(e) || !rv) throw e;
      let live: KubeObject;
      try { live = await this.api.get(r, ns, i.name); } catch (ge) { if (isNotFound(ge)) return; throw e; }
      if (live.metadata.uid === i.uid && live.metadata.resourceVersion !== rv
        && JSON.stringify(live.metadata.ownerReferences ?? []) === JSON.stringify(latest.metadata.ownerReferences ?? [])) {
        await this.api.delete(r, ns, i.name, { preconditions: { uid: i.uid, resourceVersion: live.metadata.resourceVersion }, propagationPolicy: policy });
        return;
      }
      throw e;
    }
  }

  /** Rewrites an object's ownerReferences with a resourceVersion-guarded merge patch; missing objects are fine. */
  private async patchOwnerReferences(item: GraphNode, edit: (refs: OwnerReference[]) => OwnerReference[]): Promise<void> {
    const r = await this.resource(item.identity.apiVersion, item.identity.kind);
    const ns = r.namespaced ? item.identity.namespace : undefined;
    for (let attempt = 0; ; attempt++) {
      let cur: KubeObject;
      try { cur = await this.api.get(r, ns, item.identity.name); } catch (e) { if (isNotFound(e)) return; throw e; }
      if (cur.metadata.uid !== item.identity.uid) return;
      const refs = cur.metadata.ownerReferences ?? [];
      const next = edit(refs);
      if (JSON.stringify(next) === JSON.stringify(refs)) return;
      try {
        await this.api.patch(r, ns, item.identity.name, { metadata: { resourceVersion: cur.metadata.resourceVersion, ownerReferences: next.length ? next : null } });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e) || attempt >= UPDATE_MAX_RETRIES) throw e;
      }
    }
  }

  async removeFinalizer(owner: GraphNode, finalizer: string): Promise<void> {
    const r = await this.resource(owner.identity.apiVersion, owner.identity.kind);
    const ns = r.namespaced ? owner.identity.namespace : undefined;
    for (let attempt = 0; ; attempt++) {
      let cur: KubeObject;
      try { cur = await this.api.get(r, ns, owner.identity.name); } catch (e) { if (isNotFound(e)) return; throw new Error(`cannot finalize owner ${identityString(owner.identity)}, because cannot get it: ${String(e)}. The garbage collector will retry later`); }
      const fins = cur.metadata.finalizers ?? [];
      if (!fins.includes(finalizer)) return;
      try {
        await this.api.patch(r, ns, owner.identity.name, { metadata: { resourceVersion: cur.metadata.resourceVersion, finalizers: fins.filter((f) => f !== finalizer) } });
        return;
      } catch (e) {
        if (isNotFound(e)) return;
        if (!isConflict(e)) throw e;
        if (attempt >= UPDATE_MAX_RETRIES) throw new Error(`updateMaxRetries(${UPDATE_MAX_RETRIES}) has reached. The garbage collector will retry later for owner ${identityString(owner.identity)}`);
      }
    }
  }

  /** One attemptToOrphan item: remove the owner from every dependent, then its orphan finalizer. */
  async processAttemptToOrphan(owner: GraphNode): Promise<WorkResult> {
    const deps = [...owner.dependents];
    const results = await Promise.allSettled(deps.map((d) => this.patchOwnerReferences(d, (refs) => refs.filter((r) => r.uid !== owner.identity.uid))));
    const failed = results.filter((x): x is PromiseRejectedResult => x.status === 'rejected');
    if (failed.length > 0) {
      this.logger?.info({ owner: identityString(owner.identity), err: String(failed[0]!.reason) }, 'orphanDependents failed');
      return 'requeue';
    }
    try {
      await this.removeFinalizer(owner, FINALIZER_ORPHAN);
    } catch (e) {
      this.logger?.info({ owner: identityString(owner.identity), err: String(e) }, 'removeOrphanFinalizer failed');
      return 'requeue';
    }
    return 'forget';
  }
}
