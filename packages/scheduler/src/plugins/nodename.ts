// NodeName (upstream plugins/nodename): a pod with spec.nodeName only fits that node.
import type { Node, Pod } from '@kube-ts/client/types';
import type { CycleState } from '../framework/cyclestate.js';
import type { ClusterEventWithHint, QueueingHint } from '../framework/events.js';
import { ActionType } from '../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, Handle, PluginFactory, PreFilterExtensions, PreFilterPlugin, PreFilterResult } from '../framework/interface.js';
import type { NodeInfo } from '../framework/nodeinfo.js';
import { Status, type MaybeStatus } from '../framework/status.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

/** Whether the pod names no node or names this one. */
export function fits(pod: Pod, node: Node | undefined): boolean {
  const want = pod.spec.nodeName;
  return !want || want === node?.metadata.name;
}

export class NodeName implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  /** Narrows the cycle to the named node; with no nodeName there is nothing to check. */
  preFilter(_state: CycleState, pod: Pod): { result?: PreFilterResult; status: MaybeStatus } {
    const want = pod.spec.nodeName;
    if (!want) return { status: Status.skip() };
    return { result: { nodeNames: new Set([want]) }, status: null };
  }

  preFilterExtensions(): PreFilterExtensions | null { return null; }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    return fits(pod, nodeInfo.node) ? null : Status.unresolvable(ERR_REASON);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' }, hint: (pod, _o, n) => afterNodeAdd(pod, n) }];
  }
}

function afterNodeAdd(pod: Pod, newObj: unknown): QueueingHint {
  return fits(pod, newObj as Node | undefined) ? 'Queue' : 'QueueSkip';
}

export const NodeNameFactory: PluginFactory = (_args: Record<string, unknown> | undefined, _handle: Handle) => new NodeName();
