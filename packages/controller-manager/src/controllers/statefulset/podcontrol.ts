// StatefulPodControl (stateful_pod_control.go): creates a pod's claims before the pod, keeps a
// pod's identity and storage, sets the claims' ownerRefs for the retention policy, and records
// upstream's events ("create Pod web-0 in StatefulSet web successful", ...).
import type { EventRecorder } from '@kube-ts/client/events';
import { isAlreadyExists, isConflict, isNotFound } from '@kube-ts/client/errors';
import type { SharedIndexInformer } from '@kube-ts/client/informer';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { Pod } from '@kube-ts/client/types';
import type { PersistentVolumeClaim, StatefulSet } from '@kube-ts/client/workloads';
import { claimName, getOrdinal, identityMatches, podClaims, storageMatches, updateIdentity, updateStorage } from './identity.js';
import { claimOwnerRefsFor, claimOwnerUpToDate, hasStaleOwnerRef, POD_KIND, retentionPolicy } from './retention.js';

/** What the update algorithm asks of the world; unit tests substitute a recording fake. */
export interface StatefulPodOps {
  createStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  /** Creates the pod's missing claims (a Pending pod may be waiting for one). */
  createMissingClaims(set: StatefulSet, pod: Pod): Promise<void>;
  /** A claim still owned by an earlier pod of this name (the GC has not removed it yet). */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean;
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean;
  updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void>;
  event(set: StatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

const title = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class StatefulPodControl implements StatefulPodOps {
  constructor(
    private readonly pods: ResourceClient<Pod>,
    private readonly pvcs: ResourceClient<PersistentVolumeClaim>,
    private readonly pvcCache: SharedIndexInformer<PersistentVolumeClaim>,
    private readonly recorder: EventRecorder,
  ) {}

  event(set: StatefulSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.recorder.event({ ...set, kind: 'StatefulSet', apiVersion: 'apps/v1' }, type, reason, message);
  }

  private podEvent(verb: string, set: StatefulSet, pod: Pod, err?: unknown): void {
    if (err === undefined) this.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.event(set, 'Warning', `Failed${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errText(err)}`);
  }

  private claimEvent(verb: string, set: StatefulSet, pod: Pod, claim: string, err?: unknown): void {
    if (err === undefined) this.event(set, 'Normal', `Successful${title(verb)}`, `${verb} Claim ${claim} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else this.event(set, 'Warning', `Failed${title(verb)}`, `${verb} Claim ${claim} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${errText(err)}`);
  }

  private cachedClaim(ns: string | undefined, name: string): PersistentVolumeClaim | undefined {
    return this.pvcCache.store.get(`${ns}/${name}`);
  }

  /** createPersistentVolumeClaims: create what the cache lacks; a claim being deleted is an error. */
  private async createClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errs: string[] = [];
    for (const claim of podClaims(set, pod).values()) {
      const name = claim.metadata.name!;
      const cur = this.cachedClaim(claim.metadata.namespace, name);
      if (cur) {
        if (cur.metadata.deletionTimestamp) errs.push(`pvc ${name} is being deleted`);
        continue;
      }
      try {
        await this.pvcs.create(claim);
        this.claimEvent('create', set, pod, name);
      } catch (e) {
        if (isAlreadyExists(e)) continue;
        errs.push(`failed to create PVC ${name}: ${errText(e)}`);
        this.claimEvent('create', set, pod, name, e);
      }
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }

  async createMissingClaims(set: StatefulSet, pod: Pod): Promise<void> { await this.createClaims(set, pod); }

  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createClaims(set, pod);
    } catch (e) {
      this.podEvent('create', set, pod, e);
      throw e;
    }
    let created: Pod;
    try {
      created = await this.pods.create(pod);
    } catch (e) {
      // An existing pod is not an event: the cache was behind.
      if (!isAlreadyExists(e)) this.podEvent('create', set, pod, e);
      throw e;
    }
    try {
      await this.updateClaimsForRetentionPolicy(set, created);
    } catch (e) {
      this.podEvent('update', set, pod, e);
      throw e;
    }
    this.podEvent('create', set, pod);
  }

  async updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    let cur = structuredClone(pod);
    let attempted = false;
    let lastErr: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      let consistent = true;
      if (!identityMatches(set, cur)) { updateIdentity(set, cur); consistent = false; }
      if (!storageMatches(set, cur)) {
        updateStorage(set, cur);
        consistent = false;
        try { await this.createClaims(set, cur); } catch (e) { this.podEvent('update', set, cur, e); throw e; }
      }
      if (!this.claimsMatchRetentionPolicy(set, cur)) {
        try { await this.updateClaimsForRetentionPolicy(set, cur); } catch (e) { this.podEvent('update', set, cur, e); throw e; }
      }
      if (consistent) return;
      attempted = true;
      try {
        await this.pods.update(cur);
        this.podEvent('update', set, cur);
        return;
      } catch (e) {
        lastErr = e;
        if (!isConflict(e)) break;
        cur = await this.pods.get(cur.metadata.name!, cur.metadata.namespace);
      }
    }
    if (attempted) this.podEvent('update', set, cur, lastErr);
    throw lastErr;
  }

  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      // The uid precondition keeps a stale cache from deleting a recreated pod of the same name.
      await this.pods.delete(pod.metadata.name!, pod.metadata.namespace, pod.metadata.uid ? { preconditions: { uid: pod.metadata.uid } } : {});
      this.podEvent('delete', set, pod);
    } catch (e) {
      if (isNotFound(e) || isConflict(e)) return;
      this.podEvent('delete', set, pod, e);
      throw e;
    }
  }

  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const claim of podClaims(set, pod).values()) {
      const cur = this.cachedClaim(claim.metadata.namespace, claim.metadata.name!);
      if (cur && hasStaleOwnerRef(cur, pod.metadata.name, pod.metadata.uid, POD_KIND)) return true;
    }
    return false;
  }

  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    const ordinal = getOrdinal(pod);
    for (const t of set.spec.volumeClaimTemplates ?? []) {
      const cur = this.cachedClaim(set.metadata.namespace, claimName(set, t, ordinal));
      if (cur && !claimOwnerUpToDate(cur, set, pod)) return false;
    }
    return true;
  }

  async updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    const ordinal = getOrdinal(pod);
    for (const t of set.spec.volumeClaimTemplates ?? []) {
      const name = claimName(set, t, ordinal);
      const cur = this.cachedClaim(set.metadata.namespace, name);
      if (!cur || claimOwnerUpToDate(cur, set, pod)) continue;
      const next = structuredClone(cur);
      next.metadata.ownerReferences = claimOwnerRefsFor(cur, set, pod);
      try {
        await this.pvcs.update(next);
      } catch (e) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${errText(e)}`);
      }
    }
  }
}
