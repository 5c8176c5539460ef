// Cluster events that can make an unschedulable pod schedulable. Plugins declare which ones
// matter to them (EnqueueExtensions); the queue moves a pod rejected by plugin P out of the
// unschedulable pool only on an event P registered, optionally confirmed by P's queueing hint.
import type { Pod } from '@kube-ts/client/types';

export type EventResource = 'Pod' | 'AssignedPod' | 'UnscheduledPod' | 'Node' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass' | 'CSINode' | 'Namespace' | 'PodDisruptionBudget' | '*';

export const ActionType = {
  Add: 1,
  Delete: 2,
  UpdateNodeAllocatable: 4,
  UpdateNodeLabel: 8,
  UpdateNodeTaint: 16,
  UpdateNodeCondition: 32,
  UpdateNodeAnnotation: 64,
  UpdatePodLabel: 128,
  UpdatePodScaleDown: 256,
  UpdatePodTolerations: 512,
  UpdatePodSchedulingGatesEliminated: 1024,
  /** Any other update. */
  UpdateOther: 2048,
  Update: 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024 | 2048,
  All: 0xffff,
} as const;

export interface ClusterEvent {
  resource: EventResource;
  /** A bitmask of ActionType values. */
  actionType: number;
  /** A label for logs and metrics, e.g. "NodeAdd". */
  label?: string;
}

export type QueueingHint = 'Queue' | 'QueueSkip';

/** Decides whether this particular event may make `pod` schedulable (old/new are the changed object). */
export type QueueingHintFn = (pod: Pod, oldObj: unknown, newObj: unknown) => QueueingHint;

export interface ClusterEventWithHint {
  event: ClusterEvent;
  hint?: QueueingHintFn;
}

/** Whether a registered event covers an observed one. */
export function eventMatches(registered: ClusterEvent, observed: ClusterEvent): boolean {
  const resOk = registered.resource === '*' || registered.resource === observed.resource
    || (registered.resource === 'Pod' && (observed.resource === 'AssignedPod' || observed.resource === 'UnscheduledPod'));
  return resOk && (registered.actionType & observed.actionType) !== 0;
}
