// RollingUpdate (rolling.go): grow the new ReplicaSet within maxSurge, shrink old ones while
// keeping at least replicas - maxUnavailable available, unhealthy old replicas first.
import type { Deployment, ReplicaSet } from '@kube-ts/client/workloads';
import type { DeploymentSync } from './sync.js';
import { byCreation, deploymentComplete, filterActive, maxUnavailable, newRSNewReplicas, replicasOf, sumAvailable, sumReplicas } from './util.js';

/** rolloutRolling; returns when to recheck the progress deadline. */
export async function rolloutRolling(s: DeploymentSync, d: Deployment, rsList: ReplicaSet[]): Promise<number | undefined> {
  const { newRS, oldRSs } = await s.allReplicaSetsAndSyncRevision(d, rsList, true);
  const all = [...oldRSs, newRS];
  if (await reconcileNewReplicaSet(s, all, newRS!, d)) return s.syncRolloutStatus(all, newRS, d);
  if (await reconcileOldReplicaSets(s, all, filterActive(oldRSs), newRS!, d)) return s.syncRolloutStatus(all, newRS, d);
  if (deploymentComplete(d, d.status ?? {})) await s.cleanup(oldRSs, d);
  return s.syncRolloutStatus(all, newRS, d);
}

/** Scales the new ReplicaSet toward spec.replicas within maxSurge; true when it scaled. */
export async function reconcileNewReplicaSet(s: DeploymentSync, allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  const want = replicasOf(d); const have = newRS.spec.replicas ?? 0;
  if (have === want) return false;
  if (have > want) return (await s.scaleAndRecord(newRS, want, d)).scaled;
  return (await s.scaleAndRecord(newRS, newRSNewReplicas(d, allRSs, newRS), d)).scaled;
}

/** Scales old ReplicaSets down as far as availability allows; true when anything scaled. */
export async function reconcileOldReplicaSets(s: DeploymentSync, allRSs: Array<ReplicaSet | undefined>, oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
  if (sumReplicas(oldRSs) === 0) return false;
  const allPods = sumReplicas(allRSs);
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const newUnavailable = (newRS.spec.replicas ?? 0) - (newRS.status?.availableReplicas ?? 0);
  // Pods that may go: everything above minAvailable, not counting new pods that are not yet
  // available (deleting old pods for them could leave too few available).
  const maxScaledDown = allPods - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return false;
  const cleaned = await cleanupUnhealthyReplicas(s, oldRSs, d, maxScaledDown);
  const scaledDown = await scaleDownOldReplicaSetsForRollingUpdate(s, [...cleaned.oldRSs, newRS], cleaned.oldRSs, d);
  return cleaned.count + scaledDown > 0;
}

/** Removes old replicas that are not available (oldest ReplicaSets first), at most maxCleanup. */
export async function cleanupUnhealthyReplicas(s: DeploymentSync, oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
  const list = [...oldRSs].sort(byCreation);
  let total = 0;
  for (let i = 0; i < list.length; i++) {
    if (total >= maxCleanup) break;
    const rs = list[i]!;
    const replicas = rs.spec.replicas ?? 0; const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const n = Math.min(maxCleanup - total, replicas - available);
    const next = replicas - n;
    if (next > replicas) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicas} -> ${next}`);
    list[i] = (await s.scaleAndRecord(rs, next, d)).rs;
    total += n;
  }
  return { oldRSs: list, count: total };
}

/** Scales old ReplicaSets down by what availability above minAvailable allows (oldest first). */
export async function scaleDownOldReplicaSetsForRollingUpdate(s: DeploymentSync, allRSs: Array<ReplicaSet | undefined>, oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
  const minAvailable = replicasOf(d) - maxUnavailable(d);
  const available = sumAvailable(allRSs);
  if (available <= minAvailable) return 0;
  const totalDown = available - minAvailable;
  let done = 0;
  for (const rs of [...oldRSs].sort(byCreation)) {
    if (done >= totalDown) break;
    const replicas = rs.spec.replicas ?? 0;
    if (replicas === 0) continue;
    const n = Math.min(replicas, totalDown - done);
    const next = replicas - n;
    if (next > replicas) throw new Error(`when scaling down old replica set, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicas} -> ${next}`);
    await s.scaleAndRecord(rs, next, d);
    done += n;
  }
  return done;
}
