// TaintToleration plugin (upstream pkg/scheduler/framework/plugins/tainttoleration): a pod may
// not land on a node with a NoSchedule/NoExecute taint it does not tolerate, and prefers nodes
// with fewer untolerated PreferNoSchedule taints.
import type { Node, Pod, Taint, Toleration } from '@kube-ts/client/types';
import { findUntoleratedTaint, toleratesTaint } from '@kube-ts/client/labels';
import type { CycleState, StateData } from '../framework/cyclestate.js';
import { ActionType, type ClusterEventWithHint, type QueueingHint } from '../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, NodeScore, PluginFactory, PreScorePlugin, ScoreExtensions, ScorePlugin } from '../framework/interface.js';
import type { NodeInfo } from '../framework/nodeinfo.js';
import { MAX_NODE_SCORE, Status, type MaybeStatus } from '../framework/status.js';
import { defaultNormalizeScore } from './helper.js';

export const TAINT_TOLERATION_NAME = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${TAINT_TOLERATION_NAME}`;

/** helper.DoNotScheduleTaintsFilterFunc: the effects that keep pods off a node. */
export const DO_NOT_SCHEDULE_EFFECTS: Taint['effect'][] = ['NoSchedule', 'NoExecute'];

/** The first NoSchedule/NoExecute taint of `node` the pod does not tolerate. */
export function untoleratedTaint(node: Node | undefined, pod: Pod): Taint | undefined {
  return findUntoleratedTaint(node?.spec?.taints, pod.spec.tolerations, DO_NOT_SCHEDULE_EFFECTS);
}

class PreScoreState implements StateData {
  constructor(readonly tolerationsPreferNoSchedule: Toleration[]) {}
  clone(): StateData { return this; }
}

/** Tolerations that can tolerate PreferNoSchedule taints (an empty effect means all effects). */
function preferNoScheduleTolerations(tolerations: Toleration[] | undefined): Toleration[] {
  return (tolerations ?? []).filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
}

function countIntolerablePreferNoSchedule(taints: Taint[] | undefined, tolerations: Toleration[]): number {
  let n = 0;
  for (const taint of taints ?? []) {
    if (taint.effect !== 'PreferNoSchedule') continue;
    if (!tolerations.some((t) => toleratesTaint(t, taint))) n++;
  }
  return n;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions, EnqueueExtensions {
  readonly name = TAINT_TOLERATION_NAME;

  eventsToRegister(): ClusterEventWithHint[] {
    // Queueing hints are on (1.32 default): no preCheck, so node label updates need not be registered.
    return [
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeTaint, label: 'NodeAdd|UpdateNodeTaint' }, hint: (pod, o, n) => isSchedulableAfterNodeChange(pod, o, n) },
      { event: { resource: 'UnscheduledPod', actionType: ActionType.UpdatePodTolerations, label: 'UnscheduledPodUpdateTolerations' }, hint: (pod, _o, n) => isSchedulableAfterPodTolerationChange(pod, n) },
    ];
  }

  filter(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const node = nodeInfo.node;
    if (!node) return Status.error('invalid nodeInfo');
    const taint = untoleratedTaint(node, pod);
    if (!taint) return null;
    return Status.unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`);
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    state.write(PRE_SCORE_KEY, new PreScoreState(preferNoScheduleTolerations(pod.spec.tolerations)));
    return null;
  }

  score(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus } {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) return { score: 0, status: Status.error(`reading "${PRE_SCORE_KEY}" from cycleState: not found`) };
    return { score: countIntolerablePreferNoSchedule(nodeInfo.node?.spec?.taints, s.tolerationsPreferNoSchedule), status: null };
  }

  scoreExtensions(): ScoreExtensions { return this; }

  /** Fewer intolerable taints is better: DefaultNormalizeScore reversed. */
  normalizeScore(_state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    return defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}

/** Queue only when the node went from untolerated (or absent) to tolerated. */
function isSchedulableAfterNodeChange(pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint {
  const modified = newObj as Node | undefined;
  if (!modified) return 'Queue';
  const original = oldObj as Node | undefined;
  const wasUntolerated = original ? untoleratedTaint(original, pod) !== undefined : true;
  const isUntolerated = untoleratedTaint(modified, pod) !== undefined;
  return wasUntolerated && !isUntolerated ? 'Queue' : 'QueueSkip';
}

/** Only the rejected pod's own new tolerations can change this plugin's verdict. */
function isSchedulableAfterPodTolerationChange(pod: Pod, newObj: unknown): QueueingHint {
  const modified = newObj as Pod | undefined;
  if (!modified) return 'Queue';
  return modified.metadata.uid === pod.metadata.uid ? 'Queue' : 'QueueSkip';
}

/** TaintToleration has no args. */
export const TaintTolerationFactory: PluginFactory = () => new TaintToleration();
