// NodeResourcesFit (upstream plugins/noderesources/fit.go): Filter rejects nodes without room for
// the pod's requests; Score ranks nodes by the configured strategy (LeastAllocated by default).
import type { Node, Pod } from '@kube-ts/client/types';
import type { CycleState, StateData } from '../../framework/cyclestate.js';
import type { ClusterEventWithHint, QueueingHint } from '../../framework/events.js';
import { ActionType } from '../../framework/events.js';
import type {
  EnqueueExtensions, FilterPlugin, Handle, PluginFactory, PreFilterExtensions, PreFilterPlugin, PreFilterResult, PreScorePlugin, ScoreExtensions, ScorePlugin,
} from '../../framework/interface.js';
import { NodeInfo } from '../../framework/nodeinfo.js';
import { podRequests, type Resource } from '../../framework/resource.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import { parseFitArgs, type NodeResourcesFitArgs } from './args.js';
import { leastResourceScorer } from './least_allocated.js';
import { mostResourceScorer } from './most_allocated.js';
import { requestedToCapacityRatioScorer } from './requested_to_capacity_ratio.js';
import { isExtendedResourceName, isScalarResourceName, ResourceAllocationScorer, type ScorerFn } from './resource_allocation.js';

export const NAME = 'NodeResourcesFit';
const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

class PreFilterState implements StateData {
  constructor(readonly request: Resource) {}
  clone(): StateData { return this; } // read-only after PreFilter
}

class PreScoreState implements StateData {
  constructor(readonly podRequests: number[]) {}
  clone(): StateData { return this; }
}

export interface InsufficientResource {
  resourceName: string;
  reason: string;
  requested: number;
  used: number;
  capacity: number;
}

/** What the pod asks for that the node lacks (empty = fits). Ignored sets apply to extended resources only. */
export function fitsRequest(req: Resource, nodeInfo: NodeInfo, ignored: ReadonlySet<string> = new Set(), ignoredGroups: ReadonlySet<string> = new Set()): InsufficientResource[] {
  const out: InsufficientResource[] = [];
  const alloc = nodeInfo.allocatable;
  const used = nodeInfo.requested;
  if (nodeInfo.pods.length + 1 > alloc.allowedPodNumber) {
    out.push({ resourceName: 'pods', reason: 'Too many pods', requested: 1, used: nodeInfo.pods.length, capacity: alloc.allowedPodNumber });
  }
  let anyScalar = false;
  for (const v of req.scalar.values()) if (v !== 0) anyScalar = true;
  if (req.milliCPU === 0 && req.memory === 0 && req.ephemeralStorage === 0 && !anyScalar) return out;

  const check = (name: string, want: number, have: number, inUse: number): void => {
    if (want > 0 && want > have - inUse) out.push({ resourceName: name, reason: `Insufficient ${name}`, requested: want, used: inUse, capacity: have });
  };
  check('cpu', req.milliCPU, alloc.milliCPU, used.milliCPU);
  check('memory', req.memory, alloc.memory, used.memory);
  check('ephemeral-storage', req.ephemeralStorage, alloc.ephemeralStorage, used.ephemeralStorage);
  for (const [name, want] of req.scalar) {
    if (want === 0) continue;
    if (isExtendedResourceName(name) && (ignored.has(name) || ignoredGroups.has(name.split('/')[0]!))) continue;
    // A node without the resource at all has allocatable 0, so any request is Insufficient.
    check(name, want, alloc.scalar.get(name) ?? 0, used.scalar.get(name) ?? 0);
  }
  return out;
}

/** Whether `pod` fits `nodeInfo` by resources alone (used by the queueing hint and by other components). */
export function fits(pod: Pod, nodeInfo: NodeInfo): InsufficientResource[] {
  return fitsRequest(podRequests(pod), nodeInfo);
}

const STRATEGIES: Record<string, (a: NodeResourcesFitArgs) => ScorerFn> = {
  LeastAllocated: (a) => leastResourceScorer(a.scoringStrategy.resources),
  MostAllocated: (a) => mostResourceScorer(a.scoringStrategy.resources),
  RequestedToCapacityRatio: (a) => requestedToCapacityRatioScorer(a.scoringStrategy.resources, a.scoringStrategy.requestedToCapacityRatio?.shape ?? []),
};

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  private readonly ignored: Set<string>;
  private readonly ignoredGroups: Set<string>;
  readonly scorer: ResourceAllocationScorer;

  constructor(readonly args: NodeResourcesFitArgs) {
    this.ignored = new Set(args.ignoredResources);
    this.ignoredGroups = new Set(args.ignoredResourceGroups);
    const make = STRATEGIES[args.scoringStrategy.type];
    if (!make) throw new Error(`scoring strategy ${args.scoringStrategy.type} is not supported`);
    this.scorer = new ResourceAllocationScorer(args.scoringStrategy.type, args.scoringStrategy.resources, make(args), false);
  }

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult; status: MaybeStatus } {
    state.write(PRE_FILTER_KEY, new PreFilterState(podRequests(pod)));
    return { status: null };
  }

  preFilterExtensions(): PreFilterExtensions | null { return null; }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.error(`error reading "${PRE_FILTER_KEY}" from cycleState: not found`);
    const insufficient = fitsRequest(s.request, nodeInfo, this.ignored, this.ignoredGroups);
    return insufficient.length ? Status.unschedulable(...insufficient.map((r) => r.reason)) : null;
  }

  preScore(state: CycleState, pod: Pod): MaybeStatus {
    state.write(PRE_SCORE_KEY, new PreScoreState(this.scorer.podRequestList(pod)));
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus } {
    const reqs = state.read<PreScoreState>(PRE_SCORE_KEY)?.podRequests ?? this.scorer.podRequestList(pod);
    return { score: this.scorer.score(nodeInfo, reqs), status: null };
  }

  scoreExtensions(): ScoreExtensions | null { return null; }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // Deleting or shrinking a pod frees room.
      { event: { resource: 'Pod', actionType: ActionType.Delete | ActionType.UpdatePodScaleDown, label: 'PodDeleteOrScaleDown' }, hint: (p, o, n) => this.afterPodEvent(p, o, n) },
      // New nodes or more allocatable.
      { event: { resource: 'Node', actionType: ActionType.Add | ActionType.UpdateNodeAllocatable, label: 'NodeAddOrUpdateAllocatable' }, hint: (p, o, n) => this.afterNodeChange(p, o, n) },
    ];
  }

  private afterPodEvent(pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint {
    const original = oldObj as Pod | undefined;
    const modified = (newObj ?? undefined) as Pod | undefined;
    if (!modified) return original?.spec.nodeName ? 'Queue' : 'QueueSkip';
    return original && scaledDownForPod(pod, original, modified) ? 'Queue' : 'QueueSkip';
  }

  private afterNodeChange(pod: Pod, oldObj: unknown, newObj: unknown): QueueingHint {
    const modified = newObj as Node | undefined;
    if (!modified) return 'QueueSkip';
    const ni = new NodeInfo(modified);
    if (fitsRequest(podRequests(pod), ni, this.ignored, this.ignoredGroups).length) return 'QueueSkip';
    const original = (oldObj ?? undefined) as Node | undefined;
    if (!original) return 'Queue';
    return requestedResourcesIncreased(pod, original, modified) ? 'Queue' : 'QueueSkip';
  }
}

/** The target pod itself shrank, or a scheduled pod released some of a resource the target requests. */
function scaledDownForPod(target: Pod, original: Pod, modified: Pod): boolean {
  if (modified.metadata.uid === target.metadata.uid) return true;
  if (!modified.spec.nodeName) return false;
  const before = podRequests(original);
  const after = podRequests(modified);
  const want = podRequests(target);
  for (const name of want.names()) {
    if (name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || isScalarResourceName(name)) {
      if (before.get(name) > after.get(name)) return true;
    }
  }
  return false;
}

/** Whether the node update grew the pod count or any resource the pod requests. */
function requestedResourcesIncreased(pod: Pod, original: Node, modified: Node): boolean {
  const req = podRequests(pod);
  const a = new NodeInfo(original).allocatable;
  const b = new NodeInfo(modified).allocatable;
  if (b.allowedPodNumber > a.allowedPodNumber) return true;
  return req.names().some((name) => b.get(name) > a.get(name));
}

export const NodeResourcesFitFactory: PluginFactory = (args: Record<string, unknown> | undefined, _handle: Handle) =>
  new NodeResourcesFit(parseFitArgs(args));
