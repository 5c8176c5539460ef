// Recreate (recreate.go): all old pods go before any new pod is created.
import type { Deployment, ReplicaSet } from '@kube-ts/client/workloads';
import type { DeploymentSync, PodMap } from './sync.js';
import { deploymentComplete, filterActive, replicasOf, sumActual } from './util.js';

export async function rolloutRecreate(s: DeploymentSync, d: Deployment, rsList: ReplicaSet[], podMap: PodMap): Promise<number | undefined> {
  let { newRS, oldRSs } = await s.allReplicaSetsAndSyncRevision(d, rsList, false);
  let all: Array<ReplicaSet | undefined> = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await s.scaleAndRecord(rs, 0, d)).scaled) scaledDown = true;
  }
  if (scaledDown) return s.syncRolloutStatus(all, newRS, d);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return s.syncRolloutStatus(all, newRS, d);
  if (!newRS) {
    ({ newRS, oldRSs } = await s.allReplicaSetsAndSyncRevision(d, rsList, true));
    all = [...oldRSs, newRS];
  }
  await s.scaleAndRecord(newRS!, replicasOf(d), d);
  if (deploymentComplete(d, d.status ?? {})) await s.cleanup(oldRSs, d);
  return s.syncRolloutStatus(all, newRS, d);
}

/** Any old pod not yet terminal (Unknown counts as running: it may still be). */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: PodMap): boolean {
  if (sumActual(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}
