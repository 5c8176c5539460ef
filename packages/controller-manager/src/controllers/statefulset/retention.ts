// persistentVolumeClaimRetentionPolicy (StatefulSetAutoDeletePVC, on by default in 1.32): the
// claims' ownerReferences say who deletes them. Retain/Retain: no refs; whenDeleted=Delete: the
// set is the claim's controller; whenScaled=Delete: a scaled-down pod is, so the garbage collector
// removes the claim with it. Claims with stale refs or another controller are left alone.
import type { OwnerReference, Pod } from '@kube-ts/client/types';
import type { PersistentVolumeClaim, StatefulSet } from '@kube-ts/client/workloads';
import { podInOrdinalRange } from './identity.js';

type Policy = 'Retain' | 'Delete';

export function retentionPolicy(set: StatefulSet): { whenDeleted: Policy; whenScaled: Policy } {
  const p = set.spec.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

const SET_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };

function matchesRef(ref: OwnerReference, name: string | undefined, gvk: { apiVersion: string; kind: string }): boolean {
  return ref.apiVersion === gvk.apiVersion && ref.kind === gvk.kind && ref.name === name;
}

const refs = (c: PersistentVolumeClaim): OwnerReference[] => c.metadata.ownerReferences ?? [];
const hasOwnerRef = (c: PersistentVolumeClaim, uid: string | undefined): boolean => refs(c).some((r) => r.uid === uid);

/** hasStaleOwnerRef: a ref naming the object whose uid is not the object's. */
export function hasStaleOwnerRef(c: PersistentVolumeClaim, name: string | undefined, uid: string | undefined, gvk: { apiVersion: string; kind: string }): boolean {
  const r = refs(c).find((x) => matchesRef(x, name, gvk));
  return r !== undefined && r.uid !== uid;
}

function hasUnexpectedController(c: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const p = retentionPolicy(set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return false;
  for (const r of refs(c)) {
    if (matchesRef(r, set.metadata.name, SET_KIND)) { if (r.uid !== set.metadata.uid) return true; continue; }
    if (matchesRef(r, pod.metadata.name, POD_KIND)) { if (r.uid !== pod.metadata.uid) return true; continue; }
    if (r.controller) return true;
  }
  return false;
}

function hasNonControllerOwner(c: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  return refs(c).some((r) => (r.uid === set.metadata.uid || r.uid === pod.metadata.uid) && !r.controller);
}

/** isClaimOwnerUpToDate. */
export function claimOwnerUpToDate(c: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  if (hasStaleOwnerRef(c, set.metadata.name, set.metadata.uid, SET_KIND) || hasStaleOwnerRef(c, pod.metadata.name, pod.metadata.uid, POD_KIND)) return true;
  if (hasUnexpectedController(c, set, pod)) return !(hasOwnerRef(c, set.metadata.uid) || hasOwnerRef(c, pod.metadata.uid));
  if (hasNonControllerOwner(c, set, pod)) return false;
  const p = retentionPolicy(set);
  const setRef = hasOwnerRef(c, set.metadata.uid);
  const podRef = hasOwnerRef(c, pod.metadata.uid);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (p.whenScaled === 'Delete' && p.whenDeleted === 'Delete') return scaledDown !== setRef && scaledDown === podRef;
  if (p.whenScaled === 'Delete') return !setRef && scaledDown === podRef;
  if (p.whenDeleted === 'Delete') return setRef && !podRef;
  return !setRef && !podRef;
}

/** updateClaimOwnerRefForSetAndPod: the refs the policy asks for (ours scrubbed first). */
export function claimOwnerRefsFor(c: PersistentVolumeClaim, set: StatefulSet, pod: Pod): OwnerReference[] {
  const unexpected = hasUnexpectedController(c, set, pod);
  const out = refs(c).filter((r) => !matchesRef(r, set.metadata.name, SET_KIND) && !matchesRef(r, pod.metadata.name, POD_KIND));
  if (unexpected) return out;
  const add = (name: string, uid: string, gvk: { apiVersion: string; kind: string }): void => {
    if (!out.some((r) => r.uid === uid)) out.push({ ...gvk, name, uid, controller: true, blockOwnerDeletion: true });
  };
  const p = retentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (p.whenScaled === 'Delete' && scaledDown) add(pod.metadata.name!, pod.metadata.uid!, POD_KIND);
  if (p.whenDeleted === 'Delete' && (p.whenScaled === 'Retain' || !scaledDown)) add(set.metadata.name!, set.metadata.uid!, SET_KIND);
  return out;
}

export { POD_KIND };
