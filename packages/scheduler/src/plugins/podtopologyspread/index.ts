// PodTopologySpread plugin (upstream pkg/scheduler/framework/plugins/podtopologyspread): the
// extension points, args (defaultConstraints / defaultingType) and queueing hints.
import type { Node, Pod, TopologySpreadConstraint } from '@kube-ts/client/types';
import type { CycleState } from '../../framework/cyclestate.js';
import { ActionType, type ClusterEventWithHint, type QueueingHint } from '../../framework/events.js';
import type {
  EnqueueExtensions, FilterPlugin, Handle, NodeScore, PluginFactory, PreFilterExtensions, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScoreExtensions, ScorePlugin,
} from '../../framework/interface.js';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import type { PodInfo } from '../../framework/podinfo.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import { aggregateMessage, fieldError, fieldPath, qualifiedNameErrors } from '../nodeaffinity.js';
import { ConstraintSource, LABEL_HOSTNAME, LABEL_TOPOLOGY_ZONE, nodeLabelsMatchSpreadConstraints, selectorMatches, type OwnerSelectorLister, type SpreadConstraint } from './common.js';
import { calPreFilterState, filterNode, PreFilterState, updateWithPod } from './filtering.js';
import { calPreScoreState, normalizeScores, PreScoreState, scoreNode } from './scoring.js';

export type { OwnerSelectorLister, SpreadConstraint } from './common.js';
export { ErrReasonConstraintsNotMatch, ErrReasonNodeLabelNotMatch } from './filtering.js';

export const POD_TOPOLOGY_SPREAD_NAME = 'PodTopologySpread';
const PRE_FILTER_KEY = `PreFilter${POD_TOPOLOGY_SPREAD_NAME}`;
const PRE_SCORE_KEY = `PreScore${POD_TOPOLOGY_SPREAD_NAME}`;

/** Used with defaultingType System (the v1 default). */
export const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_TOPOLOGY_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

export class PodTopologySpread implements PreFilterPlugin, PreFilterExtensions, FilterPlugin, PreScorePlugin, ScorePlugin, ScoreExtensions, EnqueueExtensions {
  readonly name = POD_TOPOLOGY_SPREAD_NAME;
  private readonly source: ConstraintSource;

  constructor(
    private readonly handle: Pick<Handle, 'snapshot'>,
    defaultConstraints: TopologySpreadConstraint[],
    /** System defaults do not require every topology key on a node when scoring. */
    private readonly systemDefaulted: boolean,
    lister: OwnerSelectorLister | undefined,
  ) {
    this.source = new ConstraintSource(defaultConstraints, lister);
  }

  // ---- filtering ----

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: MaybeStatus } {
    const constraints = this.source.constraintsFor(pod, 'DoNotSchedule');
    if (constraints.length === 0) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, calPreFilterState(pod, constraints, nodes));
    return { status: null };
  }

  preFilterExtensions(): PreFilterExtensions { return this; }

  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    return this.update(state, podToSchedule, podInfoToAdd, nodeInfo, 1);
  }

  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    return this.update(state, podToSchedule, podInfoToRemove, nodeInfo, -1);
  }

  private update(state: CycleState, podToSchedule: Pod, pi: PodInfo, nodeInfo: NodeInfo, delta: number): MaybeStatus {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.error(`reading "${PRE_FILTER_KEY}" from cycleState: not found`);
    updateWithPod(s, pi.pod, podToSchedule, nodeInfo.node, delta);
    return null;
  }

  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.error(`reading "${PRE_FILTER_KEY}" from cycleState: not found`);
    return filterNode(s, pod, nodeInfo);
  }

  // ---- scoring ----

  preScore(state: CycleState, pod: Pod, filteredNodes: NodeInfo[]): MaybeStatus {
    const allNodes = this.handle.snapshot().list();
    if (filteredNodes.length === 0 || allNodes.length === 0) return Status.skip();
    const constraints = this.source.constraintsFor(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return Status.skip();
    const requireAllTopologies = (pod.spec.topologySpreadConstraints ?? []).length > 0 || !this.systemDefaulted;
    state.write(PRE_SCORE_KEY, calPreScoreState(pod, constraints, filteredNodes, allNodes, requireAllTopologies));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus } {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) return { score: 0, status: Status.error(`reading "${PRE_SCORE_KEY}" from cycleState: not found`) };
    return { score: scoreNode(s, pod, nodeInfo), status: null };
  }

  scoreExtensions(): ScoreExtensions { return this; }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): MaybeStatus {
    const s = state.read<PreScoreState>(PRE_SCORE_KEY);
    if (!s) return Status.error(`reading "${PRE_SCORE_KEY}" from cycleState: not found`);
    normalizeScores(s, scores);
    return null;
  }

  // ---- queueing ----

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      {
        event: { resource: 'Pod', actionType: ActionType.Add | ActionType.UpdatePodLabel | ActionType.UpdatePodTolerations | ActionType.Delete, label: 'PodAdd|UpdatePodLabel|UpdatePodTolerations|Delete' },
        hint: (pod, o, n) => this.isSchedulableAfterPodChange(pod, o as Pod | undefined, n as Pod | undefined),
      },
      {
        event: { resource: 'Node', actionType: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint, label: 'NodeAdd|Delete|UpdateNodeLabel|UpdateNodeTaint' },
        hint: (pod, o, n) => this.isSchedulableAfterNodeChange(pod, o as Node | undefined, n as Node | undefined),
      },
    ];
  }

  private isSchedulableAfterPodChange(pod: Pod, original: Pod | undefined, modified: Pod | undefined): QueueingHint {
    // Only the pod itself or assigned pods in its namespace take part in its spreading.
    const involved = (p: Pod): boolean => p.metadata.uid === pod.metadata.uid || (!!p.spec.nodeName && p.metadata.namespace === pod.metadata.namespace);
    if ((modified && !involved(modified)) || (original && !involved(original))) return 'QueueSkip';
    const constraints = this.source.constraintsFor(pod, 'DoNotSchedule');
    const matchesAny = (p: Pod): boolean => constraints.some((c) => selectorMatches(c, p.metadata.labels));
    if (modified && original) {
      if (pod.metadata.uid === modified.metadata.uid && !sameJson(modified.spec.tolerations, original.spec.tolerations)
        && constraints.some((c) => c.nodeTaintsPolicy === 'Honor')) return 'Queue';
      if (sameJson(modified.metadata.labels ?? {}, original.metadata.labels ?? {})) return 'QueueSkip';
      return constraints.some((c) => selectorMatches(c, original.metadata.labels) !== selectorMatches(c, modified.metadata.labels)) ? 'Queue' : 'QueueSkip';
    }
    if (modified) return matchesAny(modified) ? 'Queue' : 'QueueSkip';
    return original && matchesAny(original) ? 'Queue' : 'QueueSkip';
  }

  private isSchedulableAfterNodeChange(pod: Pod, original: Node | undefined, modified: Node | undefined): QueueingHint {
    const constraints = this.source.constraintsFor(pod, 'DoNotSchedule');
    const originalMatching = !!original && nodeLabelsMatchSpreadConstraints(original.metadata.labels, constraints);
    const modifiedMatching = !!modified && nodeLabelsMatchSpreadConstraints(modified.metadata.labels, constraints);
    if (original && modified) {
      if (originalMatching !== modifiedMatching) return 'Queue';
      if (modifiedMatching && (topologyLabelsChanged(original, modified, constraints) || !sameJson(original.spec?.taints ?? [], modified.spec?.taints ?? []))) return 'Queue';
      return 'QueueSkip';
    }
    if (modified) return modifiedMatching ? 'Queue' : 'QueueSkip';
    return originalMatching ? 'Queue' : 'QueueSkip';
  }
}

function sameJson(a: unknown, b: unknown): boolean { return JSON.stringify(a) === JSON.stringify(b); }

function topologyLabelsChanged(a: Node, b: Node, constraints: SpreadConstraint[]): boolean {
  return constraints.some((c) => a.metadata.labels?.[c.topologyKey] !== b.metadata.labels?.[c.topologyKey]);
}

// ---- args ----

export interface PodTopologySpreadArgs {
  defaultConstraints?: TopologySpreadConstraint[];
  /** 'System' (v1 default) or 'List'. */
  defaultingType?: string;
  /** Internal: owner selectors for default constraints (absent = no selector = no defaults apply). */
  __lister?: OwnerSelectorLister;
}

/** validation.ValidatePodTopologySpreadArgs messages; empty when valid. */
export function validatePodTopologySpreadArgs(args: PodTopologySpreadArgs): string[] {
  const errs: string[] = [];
  const constraints = args.defaultConstraints ?? [];
  const dt = args.defaultingType;
  if (dt !== 'System' && dt !== 'List') errs.push(fieldError.notSupported('defaultingType', dt, ['System', 'List']));
  else if (dt === 'System' && constraints.length > 0) errs.push(fieldError.invalid('defaultingType', dt, 'when .defaultConstraints are not empty'));
  constraints.forEach((c, i) => {
    const p = fieldPath.index('defaultConstraints', i);
    if (!(c.maxSkew > 0)) errs.push(fieldError.invalid(fieldPath.child(p, 'maxSkew'), c.maxSkew ?? 0, 'not in valid range (0, inf)'));
    const kp = fieldPath.child(p, 'topologyKey');
    if (!c.topologyKey) errs.push(fieldError.required(kp, 'can not be empty'));
    else for (const e of qualifiedNameErrors(c.topologyKey)) errs.push(fieldError.invalid(kp, c.topologyKey, e));
    const wp = fieldPath.child(p, 'whenUnsatisfiable');
    if (!c.whenUnsatisfiable) errs.push(fieldError.required(wp, 'can not be empty'));
    else if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') errs.push(fieldError.notSupported(wp, c.whenUnsatisfiable, ['DoNotSchedule', 'ScheduleAnyway']));
    if (c.labelSelector !== undefined) errs.push(fieldError.forbidden(fieldPath.child(p, 'labelSelector'), 'constraint must not define a selector, as they deduced for each pod'));
    if (constraints.slice(0, i).some((o) => o.topologyKey === c.topologyKey && o.whenUnsatisfiable === c.whenUnsatisfiable)) {
      errs.push(fieldError.duplicate(p, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    }
  });
  return errs;
}

export const PodTopologySpreadFactory: PluginFactory = (raw, handle) => {
  const args: PodTopologySpreadArgs = { ...(raw ?? {}) };
  args.defaultingType ||= 'System';
  const errs = validatePodTopologySpreadArgs(args);
  if (errs.length) throw new Error(aggregateMessage(errs));
  const system = args.defaultingType === 'System';
  return new PodTopologySpread(handle, system ? SYSTEM_DEFAULT_CONSTRAINTS : args.defaultConstraints ?? [], system, args.__lister);
};
