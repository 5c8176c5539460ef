// A StatefulSet pod's stable identity (stateful_set_utils.go): `<set>-<ordinal>` names, the
// pod-name and pod-index labels, hostname/subdomain, one PVC per volumeClaimTemplate named
// `<claim>-<set>-<ordinal>`, and the revision label that says which template the pod runs.
import type { OwnerReference, Pod } from '@kube-ts/client/types';
import type { PersistentVolumeClaim, StatefulSet } from '@kube-ts/client/workloads';
import { podFromTemplate } from '../../util/podcontrol.js';
import { isPodAvailable, isPodReady } from '../../util/pods.js';
import { REVISION_HASH_LABEL } from '../history/revisions.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

const POD_NAME_RE = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: the parent set's name and the ordinal, or ordinal -1. */
export function parentAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = POD_NAME_RE.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  // ParseInt(.., 10, 32): out-of-range ordinals do not parse.
  return { parent: m[1]!, ordinal: Number.isSafeInteger(n) && n <= 2147483647 ? n : -1 };
}

export const getOrdinal = (pod: Pod): number => parentAndOrdinal(pod).ordinal;
export const isMemberOf = (set: StatefulSet, pod: Pod): boolean => parentAndOrdinal(pod).parent === set.metadata.name;
export const replicasOf = (set: StatefulSet): number => set.spec.replicas ?? 1;
export const startOrdinal = (set: StatefulSet): number => set.spec.ordinals?.start ?? 0;
export const endOrdinal = (set: StatefulSet): number => startOrdinal(set) + replicasOf(set) - 1;
export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = getOrdinal(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export function claimName(set: StatefulSet, claim: PersistentVolumeClaim, ordinal: number): string {
  return `${claim.metadata.name}-${set.metadata.name}-${ordinal}`;
}

export const getPodRevision = (pod: Pod): string => pod.metadata.labels?.[REVISION_HASH_LABEL] ?? '';

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [REVISION_HASH_LABEL]: revision };
}

/** identityMatches: name, namespace and the pod-name label agree with the ordinal. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name;
}

interface PvcVolume { name: string; persistentVolumeClaim?: { claimName?: string; readOnly?: boolean } }

/** storageMatches: every claim template is mounted from the pod's own PVC. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const vols = new Map((pod.spec.volumes ?? []).map((v) => [String(v.name), v as unknown as PvcVolume]));
  return (set.spec.volumeClaimTemplates ?? []).every((c) => vols.get(c.metadata.name!)?.persistentVolumeClaim?.claimName === claimName(set, c, ordinal));
}

/** getPersistentVolumeClaims: template name -> the claim this pod uses. */
export function podClaims(set: StatefulSet, pod: Pod): Map<string, PersistentVolumeClaim> {
  const ordinal = getOrdinal(pod);
  const out = new Map<string, PersistentVolumeClaim>();
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const c = structuredClone(t);
    c.metadata = { ...c.metadata, name: claimName(set, t, ordinal), namespace: set.metadata.namespace };
    c.metadata.labels = { ...(c.metadata.labels ?? {}), ...(set.spec.selector.matchLabels ?? {}) };
    delete c.status;
    out.set(t.metadata.name!, c);
  }
  return out;
}

/** updateStorage: mount each claim (replacing same-named volumes), keep the other volumes. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = podClaims(set, pod);
  const vols: Array<Record<string, unknown>> = [];
  for (const [name, c] of claims) vols.push({ name, persistentVolumeClaim: { claimName: c.metadata.name } });
  for (const v of pod.spec.volumes ?? []) if (!claims.has(String(v.name))) vols.push(v);
  pod.spec.volumes = vols;
}

/** updateIdentity: name, namespace, pod-name and pod-index labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** newStatefulSetPod: the template's pod with its identity, hostname/subdomain and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number, ref: OwnerReference): Pod {
  const pod = podFromTemplate(set.spec.template, set, ref);
  pod.metadata.name = podName(set, ordinal);
  updateIdentity(set, pod);
  // Hostname and subdomain are immutable: set only at creation.
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or, with no rollingUpdate, below the
 * current replica count) are created at the current revision, the rest at the update revision.
 * The condition keeps upstream's operator precedence.
 */
export function newVersionedPod(currentSet: StatefulSet, updateSet: StatefulSet, currentRevision: string, updateRevision: string, ordinal: number, ref: OwnerReference): Pod {
  const us = currentSet.spec.updateStrategy;
  const start = startOrdinal(currentSet);
  const useCurrent = (us?.type === 'RollingUpdate' && !us.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (!!us?.rollingUpdate && ordinal < start + (us.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(useCurrent ? currentSet : updateSet, ordinal, ref);
  setPodRevision(pod, useCurrent ? currentRevision : updateRevision);
  return pod;
}

// ---- pod state as the StatefulSet controller judges it ----

/** isCreated: the apiserver has the pod (it carries a phase or at least a uid). */
export const isCreated = (p: Pod): boolean => !!p.status?.phase || !!p.metadata.uid;
export const isPending = (p: Pod): boolean => p.status?.phase === 'Pending';
export const isFailed = (p: Pod): boolean => p.status?.phase === 'Failed';
export const isSucceeded = (p: Pod): boolean => p.status?.phase === 'Succeeded';
export const isTerminating = (p: Pod): boolean => !!p.metadata.deletionTimestamp;
export const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
export const isRunningAndAvailable = (p: Pod, minReadySeconds: number, now: number): boolean => isPodAvailable(p, minReadySeconds, now);
export const isHealthy = (p: Pod): boolean => isRunningAndReady(p) && !isTerminating(p);
export const allowsBurst = (set: StatefulSet): boolean => set.spec.podManagementPolicy === 'Parallel';
