// deployment/util (deployment_util.go): the annotations a Deployment keeps on its ReplicaSets, the
// rolling-update arithmetic (maxSurge/maxUnavailable, the new ReplicaSet's size, proportional
// scaling) and the completeness/progress/timeout tests behind the Progressing condition.
import type { PodTemplateSpec, Deployment, DeploymentStatus, ReplicaSet } from '@kube-ts/client/workloads';
import { canonicalJson } from '../../util/hash.js';
import { scaledValue } from '../../util/intstr.js';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
export const POD_TEMPLATE_HASH = 'pod-template-hash';
/** Longest revision-history annotation kept (maxRevHistoryLengthInChars). */
export const MAX_REV_HISTORY_CHARS = 2000;
/** ProgressDeadlineSeconds meaning "no deadline". */
export const MAX_INT32 = 2147483647;

/** Deployment annotations never copied to its ReplicaSets (annotationsToSkip). */
const SKIPPED_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration', REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

export const replicasOf = (o: { spec: { replicas?: number } } | undefined): number => o?.spec.replicas ?? 1;
const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec.replicas ?? 0;

export function isRollingUpdate(d: Deployment): boolean { return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate'; }

/**
 * ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down; both zero would stall a
 * rollout, so maxUnavailable becomes 1.
 */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): { surge: number; unavailable: number } {
  const surge = scaledValue(maxSurge, desired, true);
  let unavailable = scaledValue(maxUnavailable, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

const ru = (d: Deployment): { maxSurge?: number | string; maxUnavailable?: number | string } => d.spec.strategy?.rollingUpdate ?? {};

export function maxUnavailable(d: Deployment): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const { unavailable } = resolveFenceposts(ru(d).maxSurge ?? '25%', ru(d).maxUnavailable ?? '25%', replicas);
  return Math.min(unavailable, replicas);
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return resolveFenceposts(ru(d).maxSurge ?? '25%', ru(d).maxUnavailable ?? '25%', replicasOf(d)).surge;
}

export function minAvailable(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return replicasOf(d) - maxUnavailable(d);
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== MAX_INT32;
}

// ---- annotations ----

/** The revision annotation as a number; 0 when absent, NaN when malformed. */
export function revisionOf(o: { metadata: { annotations?: Record<string, string> } }): number {
  const v = o.metadata.annotations?.[REVISION];
  if (v === undefined) return 0;
  return /^-?\d+$/.test(v) ? Number(v) : NaN;
}

export function maxRevision(rss: ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) { const v = revisionOf(rs); if (!Number.isNaN(v) && v > max) max = v; }
  return max;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export const desiredReplicasAnnotation = (rs: ReplicaSet): number | undefined => intAnnotation(rs, DESIRED_REPLICAS);

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

/** Sets desired/max-replicas on `rs` (mutates); true when something changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) { a[DESIRED_REPLICAS] = String(desired); changed = true; }
  if (a[MAX_REPLICAS] !== String(max)) { a[MAX_REPLICAS] = String(max); changed = true; }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations (mutates rs): copies the Deployment's annotations, raises the
 * revision to `newRevision` (keeping the old one in revision-history: a rollback), and for a
 * ReplicaSet about to be created sets desired/max-replicas.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean, historyLimitChars = MAX_REV_HISTORY_CHARS): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (SKIPPED_ANNOTATIONS.has(k) || a[k] === v) continue;
    a[k] = v; changed = true;
  }
  const oldRevision = a[REVISION];
  const had = oldRevision !== undefined;
  let oldInt = 0;
  if (had && oldRevision !== '') {
    if (!/^-?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (oldInt < newRevision) {
    a[REVISION] = String(newRevision);
    changed = true;
    if (had) {
      const history = a[REVISION_HISTORY] ?? '';
      if (history === '') a[REVISION_HISTORY] = oldRevision;
      else {
        const parts = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > historyLimitChars && start < parts.length) { total -= parts[start]!.length + 1; start++; }
        if (total <= historyLimitChars) a[REVISION_HISTORY] = [...parts.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

// ---- finding ReplicaSets ----

/** Drops empty values so templates compare as Go's DeepEqual does after JSON (omitempty) decoding. */
function prune(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? undefined : v.map((x) => prune(x) ?? null);
  if (v === null || typeof v !== 'object') return v === null ? undefined : v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = prune(x);
    if (p !== undefined) out[k] = p;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

/** EqualIgnoreHash: equal pod templates once the pod-template-hash label is ignored. */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): string => {
    const c = structuredClone(t ?? { spec: { containers: [] } });
    if (c.metadata?.labels) delete c.metadata.labels[POD_TEMPLATE_HASH];
    return canonicalJson(prune(c) ?? null);
  };
  return strip(a) === strip(b);
}

const created = (rs: ReplicaSet): number => Date.parse(rs.metadata.creationTimestamp ?? '') || 0;

/** ReplicaSetsByCreationTimestamp: older first, then by name. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: larger first, older first on ties (which to scale down first). */
export const bySizeOlder = (a: ReplicaSet, b: ReplicaSet): number => (specReplicas(a) !== specReplicas(b) ? specReplicas(b) - specReplicas(a) : byCreation(a, b));

/** ReplicaSetsBySizeNewer: larger first, newer first on ties (which to scale up first). */
export const bySizeNewer = (a: ReplicaSet, b: ReplicaSet): number => (specReplicas(a) !== specReplicas(b) ? specReplicas(b) - specReplicas(a) : byCreation(b, a));

/** ReplicasetsByRevision: lower revision first, then older. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a); const rb = revisionOf(b);
  const va = Number.isNaN(ra) ? 0 : ra; const vb = Number.isNaN(rb) ? 0 : rb;
  return va !== vb ? va - vb : byCreation(a, b);
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreation).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** FindOldReplicaSets: every ReplicaSet but the new one, and those of them with replicas. */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): { old: ReplicaSet[]; allOld: ReplicaSet[] } {
  const n = findNewReplicaSet(d, rss);
  const allOld = rss.filter((rs) => !n || rs.metadata.uid !== n.metadata.uid);
  return { old: allOld.filter((rs) => specReplicas(rs) !== 0), allOld };
}

export const filterActive = (rss: Array<ReplicaSet | undefined>): ReplicaSet[] => rss.filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const sortedOld = [...oldRSs].sort((a, b) => byCreation(b, a));
  const active = filterActive([...sortedOld, newRS]);
  if (active.length === 0) return newRS ?? sortedOld[0];
  return active.length === 1 ? active[0] : undefined;
}

export const sumReplicas = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + specReplicas(rs), 0);
export const sumActual = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + (rs?.status?.replicas ?? 0), 0);
export const sumReady = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + (rs?.status?.readyReplicas ?? 0), 0);
export const sumAvailable = (rss: Array<ReplicaSet | undefined>): number => rss.reduce((s, rs) => s + (rs?.status?.availableReplicas ?? 0), 0);

// ---- sizes ----

/** NewRSNewReplicas: how big the new ReplicaSet may be now. */
export function newRSNewReplicas(d: Deployment, allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet): number {
  const replicas = replicasOf(d);
  const strategy = d.spec.strategy?.type ?? 'RollingUpdate';
  if (strategy === 'Recreate') return replicas;
  if (strategy !== 'RollingUpdate') throw new Error(`deployment type ${strategy} isn't supported`);
  const surge = scaledValue(ru(d).maxSurge ?? '25%', replicas, true);
  const current = sumReplicas(allRSs);
  const maxTotal = replicas + surge;
  if (current >= maxTotal) return specReplicas(newRS);
  const up = Math.min(maxTotal - current, replicas - specReplicas(newRS));
  return specReplicas(newRS) + up;
}

/** IsSaturated: the new ReplicaSet is at full size for the current spec and fully available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  const r = replicasOf(d);
  return specReplicas(rs) === r && desired === r && (rs.status?.availableReplicas ?? 0) === r;
}

/** getReplicaSetFraction: this ReplicaSet's share of a resize, from its max-replicas annotation. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -specReplicas(rs);
  const deploymentMax = replicasOf(d) + maxSurge(d);
  const annotated = intAnnotation(rs, MAX_REPLICAS) ?? d.status?.replicas ?? 0;
  // Go: float division, then RoundToInt32 (floor(x + 0.5)); 0/0 cannot occur for a non-empty RS.
  const size = (specReplicas(rs) * deploymentMax) / annotated;
  return Math.floor(size + 0.5) - specReplicas(rs);
}

/** GetProportion: how much of `toAdd` this ReplicaSet takes, given `added` so far. */
export function proportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

// ---- progress ----

/** DeploymentComplete: every replica updated and available, for the current generation. */
export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const r = replicasOf(d);
  return (s.updatedReplicas ?? 0) === r && (s.replicas ?? 0) === r && (s.availableReplicas ?? 0) === r && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated/ready/available pods, or fewer old ones, than last time. */
export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const o = d.status ?? {};
  const oldOld = (o.replicas ?? 0) - (o.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (o.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (o.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (o.availableReplicas ?? 0);
}
