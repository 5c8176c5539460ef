// The scheduling framework's extension points (one small interface each, as upstream's
// framework/interface.go) and the Handle through which plugins see the cluster. A plugin class
// implements the interfaces of the points it extends; the runtime discovers them by method name.
import type { Pod, PodDisruptionBudget, PriorityClass } from '@kube-ts/client/types';
import type { CycleState } from './cyclestate.js';
import type { ClusterEventWithHint } from './events.js';
import type { NodeInfo } from './nodeinfo.js';
import type { PodInfo, QueuedPodInfo } from './podinfo.js';
import type { MaybeStatus, Status } from './status.js';

export interface Plugin { readonly name: string }

export interface QueueSortPlugin extends Plugin {
  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean;
}

/** Narrowing by PreFilter: only these nodes are worth filtering (undefined = all). */
export interface PreFilterResult { nodeNames?: Set<string> }

/** Incremental updates of PreFilter state when preemption adds or removes pods on a node. */
export interface PreFilterExtensions {
  addPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  removePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
}

export interface PreFilterPlugin extends Plugin {
  /** Returns Skip to have this plugin's Filter skipped for the cycle. */
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: MaybeStatus };
  preFilterExtensions?(): PreFilterExtensions | null;
}

export interface FilterPlugin extends Plugin {
  filter(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus;
}

/** Why each node was rejected (node name -> status), input to PostFilter and to the FitError message. */
export type NodeToStatusMap = Map<string, Status>;

export interface PostFilterResult { nominatedNodeName?: string }

export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, filteredNodeStatusMap: NodeToStatusMap): Promise<{ result: PostFilterResult | null; status: MaybeStatus }>;
}

export interface PreScorePlugin extends Plugin {
  /** Returns Skip to have this plugin's Score skipped for the cycle. */
  preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus;
}

export interface NodeScore { name: string; score: number }

export interface ScoreExtensions {
  /** Rescales raw scores into [MIN_NODE_SCORE, MAX_NODE_SCORE] in place. */
  normalizeScore(state: CycleState, pod: Pod, scores: NodeScore[]): MaybeStatus;
}

export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus };
  scoreExtensions?(): ScoreExtensions | null;
}

export interface ReservePlugin extends Plugin {
  reserve(state: CycleState, pod: Pod, nodeName: string): MaybeStatus;
  unreserve(state: CycleState, pod: Pod, nodeName: string): void;
}

export interface PermitPlugin extends Plugin {
  /** Success, Unschedulable (reject) or Wait with a timeout. */
  permit(state: CycleState, pod: Pod, nodeName: string): { status: MaybeStatus; timeoutMs: number };
}

export interface PreBindPlugin extends Plugin {
  preBind(state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus>;
}

export interface BindPlugin extends Plugin {
  /** Returns Skip to let the next Bind plugin handle the pod. */
  bind(state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus>;
}

export interface PostBindPlugin extends Plugin {
  postBind(state: CycleState, pod: Pod, nodeName: string): void;
}

/** Plugins that can reject pods declare the cluster events that may make those pods schedulable. */
export interface EnqueueExtensions {
  eventsToRegister(): ClusterEventWithHint[];
}

/** The current cycle's view of all nodes (a snapshot of the scheduler cache). */
export interface NodeInfoLister {
  list(): NodeInfo[];
  get(nodeName: string): NodeInfo | undefined;
  havePodsWithAffinityList(): NodeInfo[];
  havePodsWithRequiredAntiAffinityList(): NodeInfo[];
}

/** Writes plugins make through the API (preemption, binding); faked in unit tests. */
export interface ClusterApi {
  /** POST pods/binding. */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Marks the victim with a DisruptionTarget condition, then deletes it. */
  preemptPod(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
  /** Clears status.nominatedNodeName of a pod that lost its nomination. */
  clearNominatedNodeName(pod: Pod): Promise<void>;
}

export interface EventRecorderLike {
  event(obj: { metadata: Pod['metadata']; kind?: string; apiVersion?: string }, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface Handle {
  snapshot(): NodeInfoLister;
  api: ClusterApi;
  recorder: EventRecorderLike;
  /** Pods nominated to run on a node after preemption (higher or equal priority ones count in Filter). */
  nominatedPodsForNode(nodeName: string): PodInfo[];
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus;
  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus;
  /** Informer-backed listers. */
  pdbs(): PodDisruptionBudget[];
  priorityClass(name: string): PriorityClass | undefined;
  namespaceLabels(namespace: string): Record<string, string> | undefined;
  /** How many nodes per-node work may run on at once (upstream default 16; informational here: JS runs it in one thread). */
  parallelism: number;
}

/** Builds a plugin from its pluginConfig args (already defaulted) and the framework handle. */
export type PluginFactory = (args: Record<string, unknown> | undefined, handle: Handle) => Plugin;
