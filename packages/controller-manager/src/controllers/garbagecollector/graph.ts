// The ownership graph (upstream garbagecollector/graph.go): one node per object uid, its owner
// references and the nodes that name it as owner. Owners not seen yet are "virtual" nodes, whose
// existence the collector verifies against the apiserver.
import type { OwnerReference } from '@kube-ts/client/types';

/** An object's coordinates: what an ownerReference names, plus the namespace it was looked up in. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  /** '' for cluster-scoped objects (or virtual owners whose scope is not known yet). */
  namespace: string;
}

/** upstream objectReference.String(). */
export function identityString(i: ObjectIdentity): string {
  return `[${i.apiVersion}/${i.kind}, namespace: ${i.namespace}, name: ${i.name}, uid: ${i.uid}]`;
}

export function sameIdentity(a: ObjectIdentity, b: ObjectIdentity): boolean {
  return a.apiVersion === b.apiVersion && a.kind === b.kind && a.name === b.name && a.uid === b.uid && a.namespace === b.namespace;
}

export function identityKey(i: ObjectIdentity): string {
  return `${i.apiVersion}|${i.kind}|${i.namespace}|${i.name}|${i.uid}`;
}

/** The coordinates of a reference (without controller/blockOwnerDeletion). */
export function refCoordinates(r: OwnerReference): Omit<ObjectIdentity, 'namespace'> {
  return { apiVersion: r.apiVersion, kind: r.kind, name: r.name, uid: r.uid };
}

export class GraphNode {
  readonly dependents = new Set<GraphNode>();
  owners: OwnerReference[] = [];
  /** The object is being deleted and carries foregroundDeletion. */
  deletingDependents = false;
  beingDeleted = false;
  /** Seen through an informer; false for "virtual" nodes only named by dependents. */
  observed: boolean;

  constructor(public identity: ObjectIdentity, virtual = false) {
    this.observed = !virtual;
  }

  get virtual(): boolean { return !this.observed; }

  /** A copy with the same dependents and owners (for replacing a virtual node's identity). */
  clone(): GraphNode {
    const c = new GraphNode({ ...this.identity }, this.virtual);
    for (const d of this.dependents) c.dependents.add(d);
    c.owners = this.owners;
    c.deletingDependents = this.deletingDependents;
    c.beingDeleted = this.beingDeleted;
    c.observed = this.observed;
    return c;
  }

  isDeletingDependents(): boolean { return this.deletingDependents; }
  isBeingDeleted(): boolean { return this.beingDeleted; }

  /** Dependents whose reference to this node has blockOwnerDeletion=true. */
  blockingDependents(): GraphNode[] {
    return [...this.dependents].filter((d) => d.owners.some((r) => r.uid === this.identity.uid && r.blockOwnerDeletion === true));
  }

  /** Owner references with blockOwnerDeletion turned off (upstream unblockOwnerReferences). */
  unblockedOwnerReferences(): OwnerReference[] {
    return this.owners.map((r) => (r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
  }

  toString(): string { return identityString(this.identity); }
}

export class Graph {
  private readonly byUid = new Map<string, GraphNode>();

  read(uid: string): GraphNode | undefined { return this.byUid.get(uid); }
  write(n: GraphNode): void { this.byUid.set(n.identity.uid, n); }
  delete(uid: string): void { this.byUid.delete(uid); }
  size(): number { return this.byUid.size; }
  nodes(): IterableIterator<GraphNode> { return this.byUid.values(); }
}

/**
 * Splits dependents into those whose reference to `owner` matches its coordinates and those whose
 * does not (a dependent in another namespace than a namespaced owner never matches); dependents
 * with no reference to the uid are in neither.
 */
export function partitionDependents(deps: Iterable<GraphNode>, owner: ObjectIdentity): { matching: GraphNode[]; nonmatching: GraphNode[] } {
  const ownerNamespaced = owner.namespace !== '';
  const matching: GraphNode[] = [];
  const nonmatching: GraphNode[] = [];
  for (const dep of deps) {
    let match = false;
    let mismatch = false;
    if (ownerNamespaced && owner.namespace !== dep.identity.namespace) {
      mismatch = true;
    } else {
      for (const r of dep.owners) {
        if (r.uid !== owner.uid) continue;
        if (r.apiVersion === owner.apiVersion && r.kind === owner.kind && r.name === owner.name) match = true;
        else mismatch = true;
      }
    }
    if (match) matching.push(dep);
    if (mismatch) nonmatching.push(dep);
  }
  return { matching, nonmatching };
}
