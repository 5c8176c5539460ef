// Shared PodTopologySpread pieces (upstream podtopologyspread/common.go): the internal form of a
// constraint, node inclusion policies, default constraints and counting matching pods.
import type { LabelSelector, LabelSelectorRequirement, Node, Pod, TopologySpreadConstraint } from '@kube-ts/client/types';
import { labelSelectorMatches, type Labels } from '@kube-ts/client/labels';
import type { PodInfo } from '../../framework/podinfo.js';
import type { RequiredNodeAffinity } from '../nodeaffinity.js';
import { untoleratedTaint } from '../tainttoleration.js';

export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';

export type UnsatisfiableAction = TopologySpreadConstraint['whenUnsatisfiable'];
export type NodeInclusionPolicy = 'Honor' | 'Ignore';

/**
 * Selectors of the Services, ReplicationControllers, ReplicaSets and StatefulSets that select a
 * pod (upstream helper.DefaultSelector's listers). Default constraints use all of them ANDed.
 */
export interface OwnerSelectorLister {
  selectorsFor(pod: Pod): LabelSelector[];
}

/** A constraint with upstream's nil defaults applied and matchLabelKeys folded into its selector. */
export interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  /** undefined selects nothing (a constraint without labelSelector). */
  selector: LabelSelector | undefined;
  minDomains: number;
  nodeAffinityPolicy: NodeInclusionPolicy;
  nodeTaintsPolicy: NodeInclusionPolicy;
}

export function selectorMatches(c: SpreadConstraint, labels: Labels): boolean {
  return labelSelectorMatches(c.selector, labels);
}

/** Whether the node counts for the constraint under its nodeAffinityPolicy / nodeTaintsPolicy. */
export function matchNodeInclusionPolicies(c: SpreadConstraint, pod: Pod, node: Node, required: RequiredNodeAffinity): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !required.match(node)) return false;
  if (c.nodeTaintsPolicy === 'Honor' && untoleratedTaint(node, pod) !== undefined) return false;
  return true;
}

/** Whether the node has every constraint's topology key. */
export function nodeLabelsMatchSpreadConstraints(labels: Labels, constraints: SpreadConstraint[]): boolean {
  return constraints.every((c) => labels !== undefined && Object.prototype.hasOwnProperty.call(labels, c.topologyKey));
}

/** matchLabelKeys: the pod's values of those keys become extra `In` requirements (ANDed). */
function withMatchLabelKeys(sel: LabelSelector | undefined, keys: string[] | undefined, podLabels: Labels): LabelSelector | undefined {
  const extra: LabelSelectorRequirement[] = [];
  for (const k of keys ?? []) {
    if (podLabels && Object.prototype.hasOwnProperty.call(podLabels, k)) extra.push({ key: k, operator: 'In', values: [podLabels[k]!] });
  }
  if (extra.length === 0) return sel;
  // As upstream, a missing selector merged with match labels selects by those labels alone.
  return { matchLabels: { ...(sel?.matchLabels ?? {}) }, matchExpressions: [...(sel?.matchExpressions ?? []), ...extra] };
}

/** The pod's constraints with the given whenUnsatisfiable, in internal form. */
export function filterConstraints(constraints: TopologySpreadConstraint[], podLabels: Labels, action: UnsatisfiableAction): SpreadConstraint[] {
  return constraints.filter((c) => c.whenUnsatisfiable === action).map((c) => ({
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector: withMatchLabelKeys(c.labelSelector, c.matchLabelKeys, podLabels),
    minDomains: c.minDomains ?? 1,
    nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
    nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
  }));
}

/** ANDs the owners' selectors; undefined when nothing constrains (upstream's selector.Empty()). */
export function defaultSelector(pod: Pod, lister: OwnerSelectorLister | undefined): LabelSelector | undefined {
  const exprs: LabelSelectorRequirement[] = [];
  for (const s of lister?.selectorsFor(pod) ?? []) {
    // matchLabels become expressions so two owners' selectors on one key cannot overwrite each other.
    for (const [k, v] of Object.entries(s.matchLabels ?? {})) exprs.push({ key: k, operator: 'In', values: [v] });
    exprs.push(...(s.matchExpressions ?? []));
  }
  return exprs.length ? { matchExpressions: exprs } : undefined;
}

/** Source of a pod's constraints: its own, else the profile's defaults with an owner-derived selector. */
export class ConstraintSource {
  constructor(readonly defaults: TopologySpreadConstraint[], private readonly lister: OwnerSelectorLister | undefined) {}

  constraintsFor(pod: Pod, action: UnsatisfiableAction): SpreadConstraint[] {
    const own = pod.spec.topologySpreadConstraints ?? [];
    if (own.length > 0) return filterConstraints(own, pod.metadata.labels, action);
    const constraints = filterConstraints(this.defaults, pod.metadata.labels, action);
    if (constraints.length === 0) return [];
    const selector = defaultSelector(pod, this.lister);
    if (!selector) return [];
    return constraints.map((c) => ({ ...c, selector }));
  }
}

/** Matching pods in the pod's namespace; terminating pods do not count (upstream #87621). */
export function countPodsMatchSelector(pods: PodInfo[], c: SpreadConstraint, ns: string): number {
  let n = 0;
  for (const p of pods) {
    const m = p.pod.metadata;
    if (m.deletionTimestamp || (m.namespace ?? '') !== ns) continue;
    if (selectorMatches(c, m.labels)) n++;
  }
  return n;
}
