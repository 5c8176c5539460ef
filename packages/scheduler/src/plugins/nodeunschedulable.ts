// NodeUnschedulable (upstream plugins/nodeunschedulable): cordoned nodes (spec.unschedulable) only
// take pods tolerating node.kubernetes.io/unschedulable:NoSchedule.
import { toleratesTaint } from '@kube-ts/client/labels';
import type { Node, Pod, Taint } from '@kube-ts/client/types';
import type { CycleState } from '../framework/cyclestate.js';
import type { ClusterEventWithHint, QueueingHint } from '../framework/events.js';
import { ActionType } from '../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, Handle, PluginFactory } from '../framework/interface.js';
import type { NodeInfo } from '../framework/nodeinfo.js';
import { Status, type MaybeStatus } from '../framework/status.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNKNOWN_CONDITION = 'node(s) had unknown conditions';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };

function toleratesUnschedulable(pod: Pod): boolean {
  return (pod.spec.tolerations ?? []).some((t) => toleratesTaint(t, UNSCHEDULABLE_TAINT));
}

export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const node = nodeInfo.node;
    if (!node) return Status.unresolvable(ERR_REASON_UNKNOWN_CONDITION);
    if (!node.spec?.unschedulable || toleratesUnschedulable(pod)) return null;
    return Status.unresolvable(ERR_REASON_UNSCHEDULABLE);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint, label: 'NodeAddOrUpdateTaint' }, hint: (pod, o, n) => afterNodeChange(pod, o, n) },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations, label: 'UnscheduledPodUpdateTolerations' }, hint: (pod, o, n) => afterPodTolerationChange(pod, o, n) },
    ];
  }
}

/** Queue when a node is added schedulable or gets uncordoned. */
function afterNodeChange(_pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint {
  const original = (oldObj ?? undefined) as Node | undefined;
  const modified = newObj as Node | undefined;
  if (!modified) return 'QueueSkip';
  const nowSchedulable = !modified.spec?.unschedulable;
  if (original === undefined) return nowSchedulable ? 'Queue' : 'QueueSkip';
  return original.spec?.unschedulable && nowSchedulable ? 'Queue' : 'QueueSkip';
}

/** The rejected pod itself gained a toleration for the unschedulable taint. */
function afterPodTolerationChange(pod: Pod, _oldObj: unknown, newObj: unknown): QueueingHint {
  const modified = newObj as Pod | undefined;
  if (!modified || modified.metadata.uid !== pod.metadata.uid) return 'QueueSkip';
  return toleratesUnschedulable(modified) ? 'Queue' : 'QueueSkip';
}

export const NodeUnschedulableFactory: PluginFactory = (_args: Record<string, unknown> | undefined, _handle: Handle) => new NodeUnschedulable();
