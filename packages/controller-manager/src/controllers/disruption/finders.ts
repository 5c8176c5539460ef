// podControllerFinders (disruption.go finders): the scale of a pod's controller, found through the
// caches. A ReplicaSet owned by a Deployment counts as the Deployment; each finder answers only
// for its own kind (and only when the cached object has the referenced uid).
import type { KubeObject } from '@kube-ts/client/types';
import type { Deployment, ReplicaSet, ReplicationController, StatefulSet } from '@kube-ts/client/workloads';
import { controllerRefOf } from '../../util/pods.js';
import { verifyGroupKind, type ScaleFinder } from './budget.js';

const APPS = ['apps', 'extensions'];

export interface ControllerLookup {
  replicaSet(ns: string, name: string): ReplicaSet | undefined;
  deployment(ns: string, name: string): Deployment | undefined;
  replicationController(ns: string, name: string): ReplicationController | undefined;
  statefulSet(ns: string, name: string): StatefulSet | undefined;
}

function replicas(o: KubeObject): number {
  const r = (o.spec as { replicas?: number } | undefined)?.replicas;
  return r ?? 1;
}

export function scaleFinders(get: ControllerLookup): ScaleFinder[] {
  const ownRs = (ref: Parameters<ScaleFinder>[0], ns: string): ReplicaSet | undefined => {
    if (!verifyGroupKind(ref, 'ReplicaSet', APPS)) return undefined;
    const rs = get.replicaSet(ns, ref.name);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  };
  return [
    // getPodReplicaSet: a ReplicaSet with no Deployment above it.
    (ref, ns) => {
      const rs = ownRs(ref, ns);
      if (!rs || controllerRefOf(rs)?.kind === 'Deployment') return undefined;
      return { uid: rs.metadata.uid!, scale: replicas(rs) };
    },
    // getPodDeployment.
    (ref, ns) => {
      const rs = ownRs(ref, ns);
      const dref = rs && controllerRefOf(rs);
      if (!dref || !verifyGroupKind(dref, 'Deployment', APPS)) return undefined;
      const d = get.deployment(ns, dref.name);
      if (!d || d.metadata.uid !== dref.uid) return undefined;
      return { uid: d.metadata.uid!, scale: replicas(d) };
    },
    // getPodReplicationController.
    (ref, ns) => {
      if (!verifyGroupKind(ref, 'ReplicationController', [''])) return undefined;
      const rc = get.replicationController(ns, ref.name);
      if (!rc || rc.metadata.uid !== ref.uid) return undefined;
      return { uid: rc.metadata.uid!, scale: replicas(rc) };
    },
    // getPodStatefulSet.
    (ref, ns) => {
      if (!verifyGroupKind(ref, 'StatefulSet', APPS)) return undefined;
      const ss = get.statefulSet(ns, ref.name);
      if (!ss || ss.metadata.uid !== ref.uid) return undefined;
      return { uid: ss.metadata.uid!, scale: replicas(ss) };
    },
  ];
}
