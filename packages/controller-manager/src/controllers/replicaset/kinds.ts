// ReplicaSet and ReplicationController differ only in their API group, kind, selector shape and
// event source; upstream runs the ReplicaSet controller over converted RCs. This adapter is that
// conversion: the controller code sees one shape.
import { labelSelectorMatches, mapSelectorMatches } from '@kube-ts/client/labels';
import { R, type ResourceType } from '@kube-ts/client/resources';
import type { KubeObject } from '@kube-ts/client/types';
import type { PodTemplateSpec, ReplicaSet, ReplicaSetStatus, ReplicationController } from '@kube-ts/client/workloads';

/** What the controller reads and writes of either kind. */
export interface ReplicaOwner extends KubeObject {
  spec: { replicas?: number; minReadySeconds?: number; template?: PodTemplateSpec };
  status?: ReplicaSetStatus;
}

export interface ReplicaKind {
  /** Controller name (queue, metrics, --concurrent-*-syncs key). */
  name: 'replicaset' | 'replicationcontroller';
  resource: ResourceType;
  apiVersion: string;
  kind: string;
  /** Upstream event source. */
  component: string;
  /** Whether the owner's selector selects these labels; `orphanLookup` treats an empty selector as matching nothing. */
  selects(owner: ReplicaOwner, labels: Record<string, string> | undefined, orphanLookup?: boolean): boolean;
}

export const REPLICASET: ReplicaKind = {
  name: 'replicaset', resource: R.replicasets, apiVersion: 'apps/v1', kind: 'ReplicaSet', component: 'replicaset-controller',
  selects(owner, labels, orphanLookup) {
    const sel = (owner as ReplicaSet).spec.selector;
    if (orphanLookup && (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0))) return false;
    return labelSelectorMatches(sel, labels);
  },
};

export const REPLICATIONCONTROLLER: ReplicaKind = {
  name: 'replicationcontroller', resource: R.replicationcontrollers, apiVersion: 'v1', kind: 'ReplicationController',
  component: 'replication-controller',
  selects(owner, labels, orphanLookup) {
    const sel = (owner as ReplicationController).spec.selector;
    if (!sel || Object.keys(sel).length === 0) return !orphanLookup;
    return mapSelectorMatches(sel, labels);
  },
};
