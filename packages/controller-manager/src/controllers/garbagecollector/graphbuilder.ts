// Turns informer events into graph changes (upstream graph_builder.go processGraphChanges): nodes
// and their owner links, virtual owner nodes for owners not seen yet (queued for verification),
// and the transitions that start work: deletion with foregroundDeletion (delete the dependents
// first) or with orphan (strip the owner from its dependents), and owners unblocked or deleted.
import type { EventRecorder } from '@kube-ts/client/events';
import type { KubeObject, OwnerReference } from '@kube-ts/client/types';
import type { AbsentOwnerCache } from './absentcache.js';
import { Graph, GraphNode, identityString, partitionDependents, sameIdentity, type ObjectIdentity } from './graph.js';

export const FINALIZER_ORPHAN = 'orphan';
export const FINALIZER_DELETE_DEPENDENTS = 'foregroundDeletion';

export type GraphEventType = 'add' | 'update' | 'delete';

export interface GraphEvent {
  type: GraphEventType;
  obj: KubeObject;
  oldObj?: KubeObject;
  /** apiVersion and kind of the informer the event came from (objects often lack them). */
  apiVersion: string;
  kind: string;
  /** Made up by the collector after a GET found the object absent. */
  virtual?: boolean;
}

/** Where the builder sends work; the collector's queues in production. */
export interface GraphQueues {
  attemptToDelete(n: GraphNode, rateLimited?: boolean): void;
  attemptToOrphan(n: GraphNode): void;
}

const beingDeleted = (o: KubeObject): boolean => !!o.metadata.deletionTimestamp;
const hasFinalizer = (o: KubeObject, f: string): boolean => (o.metadata.finalizers ?? []).includes(f);

function deletionStartsWithFinalizer(oldObj: KubeObject | undefined, obj: KubeObject, f: string): boolean {
  if (!beingDeleted(obj) || !hasFinalizer(obj, f)) return false;
  if (!oldObj) return true;
  return !beingDeleted(oldObj) || !hasFinalizer(oldObj, f);
}

export function identityFromEvent(e: GraphEvent): ObjectIdentity {
  const m = e.obj.metadata;
  return { apiVersion: e.apiVersion, kind: e.kind, name: m.name ?? '', uid: m.uid ?? '', namespace: m.namespace ?? '' };
}

function refsEqual(a: OwnerReference, b: OwnerReference): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.uid === b.uid
    && a.controller === b.controller && a.blockOwnerDeletion === b.blockOwnerDeletion;
}

/** Owner references added, removed, and changed (same uid, other fields differ). */
export function referencesDiffs(old: OwnerReference[], next: OwnerReference[]): { added: OwnerReference[]; removed: OwnerReference[]; changed: Array<{ oldRef: OwnerReference; newRef: OwnerReference }> } {
  const oldByUid = new Map(old.map((r) => [r.uid, r]));
  const added: OwnerReference[] = [];
  const changed: Array<{ oldRef: OwnerReference; newRef: OwnerReference }> = [];
  for (const r of next) {
    const o = oldByUid.get(r.uid);
    if (o) {
      if (!refsEqual(o, r)) changed.push({ oldRef: o, newRef: r });
      oldByUid.delete(r.uid);
    } else {
      added.push(r);
    }
  }
  return { added, removed: [...oldByUid.values()], changed };
}

export class GraphBuilder {
  constructor(
    readonly graph: Graph,
    private readonly absent: AbsentOwnerCache,
    private readonly queues: GraphQueues,
    private readonly recorder?: EventRecorder,
  ) {}

  process(event: GraphEvent): void {
    const uid = event.obj.metadata.uid;
    if (!uid) return;
    let existing = this.graph.read(uid);
    if (existing && !event.virtual && !existing.observed) {
      // A virtual node's coordinates came from a dependent's reference; now the object is seen.
      const observed = identityFromEvent(event);
      if (!sameIdentity(observed, existing.identity)) {
        const { nonmatching } = partitionDependents(existing.dependents, observed);
        for (const dep of nonmatching) {
          if (observed.namespace !== '' && dep.identity.namespace !== observed.namespace) this.reportInvalidNamespaceOwnerRef(dep, uid);
          this.queues.attemptToDelete(dep);
        }
        existing = existing.clone();
        existing.identity = observed;
        this.graph.write(existing);
      }
      existing.observed = true;
    }
    if (event.type !== 'delete') {
      const owners = event.obj.metadata.ownerReferences ?? [];
      if (!existing) {
        const n = new GraphNode(identityFromEvent(event));
        n.owners = owners;
        n.beingDeleted = beingDeleted(event.obj);
        n.deletingDependents = n.beingDeleted && hasFinalizer(event.obj, FINALIZER_DELETE_DEPENDENTS);
        this.graph.write(n);
        this.addDependentToOwners(n, owners);
        this.processTransitions(event.oldObj, event.obj, n);
        return;
      }
      const { added, removed, changed } = referencesDiffs(existing.owners, owners);
      if (added.length || removed.length || changed.length) {
        this.addUnblockedOwnersToDeleteQueue(removed, changed);
        existing.owners = owners;
        this.addDependentToOwners(existing, added);
        this.removeDependentFromOwners(existing, removed);
      }
      if (beingDeleted(event.obj)) existing.beingDeleted = true;
      this.processTransitions(event.oldObj, event.obj, existing);
      return;
    }
    if (!existing) return;
    let remove = true;
    if (event.virtual) {
      const deleted = identityFromEvent(event);
      if (existing.virtual) {
        // Dependents may disagree on a virtual owner's coordinates; only those matching the
        // verified-absent identity are garbage.
        const { matching, nonmatching } = partitionDependents(existing.dependents, deleted);
        if (nonmatching.length > 0) {
          remove = false;
          if (matching.length > 0) {
            this.absent.add(deleted);
            for (const dep of matching) this.queues.attemptToDelete(dep);
          }
          if (sameIdentity(existing.identity, deleted)) {
            const alt = alternateOwnerIdentity(nonmatching, deleted);
            if (alt) {
              const replacement = existing.clone();
              replacement.identity = alt;
              this.graph.write(replacement);
              this.queues.attemptToDelete(replacement, true);
            }
          }
        }
      } else if (!sameIdentity(existing.identity, deleted)) {
        // A real node is never removed by a virtual event with other coordinates.
        remove = false;
        const { matching } = partitionDependents(existing.dependents, deleted);
        if (matching.length > 0) {
          this.absent.add(deleted);
          for (const dep of matching) this.queues.attemptToDelete(dep);
        }
      }
    }
    if (!remove) return;
    this.graph.delete(uid);
    this.removeDependentFromOwners(existing, existing.owners);
    if (existing.dependents.size > 0) this.absent.add(identityFromEvent(event));
    for (const dep of existing.dependents) this.queues.attemptToDelete(dep);
    for (const ref of existing.owners) {
      const owner = this.graph.read(ref.uid);
      // An owner deleting in the foreground may now have no blocking dependents left.
      if (owner?.isDeletingDependents()) this.queues.attemptToDelete(owner);
    }
  }

  private processTransitions(oldObj: KubeObject | undefined, obj: KubeObject, n: GraphNode): void {
    if (deletionStartsWithFinalizer(oldObj, obj, FINALIZER_ORPHAN)) {
      this.queues.attemptToOrphan(n);
      return;
    }
    if (deletionStartsWithFinalizer(oldObj, obj, FINALIZER_DELETE_DEPENDENTS)) {
      n.deletingDependents = true;
      for (const dep of n.dependents) this.queues.attemptToDelete(dep);
      this.queues.attemptToDelete(n);
    }
  }

  private addDependentToOwners(n: GraphNode, owners: OwnerReference[]): void {
    let potentiallyInvalid = false;
    for (const ref of owners) {
      let owner = this.graph.read(ref.uid);
      const known = !!owner;
      if (!owner) {
        // The owner may not be observed yet: a virtual node, verified by the collector.
        owner = new GraphNode({ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: n.identity.namespace }, true);
        this.graph.write(owner);
      }
      owner.dependents.add(n);
      if (!known) {
        this.queues.attemptToDelete(owner);
      } else if (!potentiallyInvalid) {
        const ownerNamespaced = owner.identity.namespace !== '';
        if (ownerNamespaced && owner.identity.namespace !== n.identity.namespace) {
          if (owner.observed) this.reportInvalidNamespaceOwnerRef(n, ref.uid);
          potentiallyInvalid = true;
        } else if (ref.apiVersion !== owner.identity.apiVersion || ref.kind !== owner.identity.kind || ref.name !== owner.identity.name) {
          potentiallyInvalid = true;
        } else if (!ownerNamespaced && owner.identity.namespace !== n.identity.namespace && !owner.observed) {
          // A virtual cluster-scoped owner named from a namespace: possibly a missing namespaced owner.
          potentiallyInvalid = true;
        }
      }
    }
    if (potentiallyInvalid) this.queues.attemptToDelete(n);
  }

  private removeDependentFromOwners(n: GraphNode, owners: OwnerReference[]): void {
    for (const ref of owners) this.graph.read(ref.uid)?.dependents.delete(n);
  }

  /** Owners whose blocking reference was removed or unblocked may finish a foreground deletion. */
  private addUnblockedOwnersToDeleteQueue(removed: OwnerReference[], changed: Array<{ oldRef: OwnerReference; newRef: OwnerReference }>): void {
    for (const ref of removed) {
      if (ref.blockOwnerDeletion !== true) continue;
      const owner = this.graph.read(ref.uid);
      if (owner) this.queues.attemptToDelete(owner);
    }
    for (const c of changed) {
      if (c.oldRef.blockOwnerDeletion === true && c.newRef.blockOwnerDeletion !== true) {
        const owner = this.graph.read(c.newRef.uid);
        if (owner) this.queues.attemptToDelete(owner);
      }
    }
  }

  private reportInvalidNamespaceOwnerRef(n: GraphNode, ownerUid: string): void {
    const ref = n.owners.find((r) => r.uid === ownerUid);
    if (!ref || !this.recorder) return;
    const invalid: ObjectIdentity = { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, namespace: n.identity.namespace };
    this.recorder.event(
      { kind: n.identity.kind, apiVersion: n.identity.apiVersion, namespace: n.identity.namespace, name: n.identity.name, uid: n.identity.uid },
      'Warning', 'OwnerRefInvalidNamespace',
      `ownerRef ${identityString(invalid)} does not resolve to an item in namespace ${n.identity.namespace}`,
    );
  }
}

/** Another identity the dependents use for a uid verified absent under `absent` (upstream getAlternateOwnerIdentity). */
export function alternateOwnerIdentity(deps: GraphNode[], absent: ObjectIdentity): ObjectIdentity | undefined {
  const clusterScoped = absent.namespace === '';
  const seen = new Set<string>([identityString(absent)]);
  const sorted = [...deps].sort((a, b) => identityString(a.identity).localeCompare(identityString(b.identity)));
  for (const dep of sorted) {
    for (const r of dep.owners) {
      if (r.uid !== absent.uid) continue;
      const sameCoords = r.apiVersion === absent.apiVersion && r.kind === absent.kind && r.name === absent.name;
      if (sameCoords && (clusterScoped || absent.namespace === dep.identity.namespace)) continue;
      const alt: ObjectIdentity = { apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid, namespace: dep.identity.namespace };
      // A cluster-scoped apiVersion/kind stays cluster-scoped.
      if (clusterScoped && alt.apiVersion === absent.apiVersion && alt.kind === absent.kind) alt.namespace = '';
      const k = identityString(alt);
      if (seen.has(k)) continue;
      return alt;
    }
  }
  return undefined;
}
