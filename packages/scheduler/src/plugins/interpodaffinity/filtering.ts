// InterPodAffinity PreFilter/Filter (upstream interpodaffinity/filtering.go): PreFilter counts,
// per topology pair, the existing pods whose required anti-affinity selects the incoming pod and
// the existing pods selected by the incoming pod's required (anti-)affinity; Filter then checks a
// node's topology values against those counts. AddPod/RemovePod keep the counts right while
// preemption simulates removing victims.
import type { Node, Pod } from '@kube-ts/client/types';
import type { CycleState, StateData } from '../../framework/cyclestate.js';
import type { NodeInfo } from '../../framework/nodeinfo.js';
import { PodInfo, type AffinityTerm } from '../../framework/podinfo.js';
import { Status, type MaybeStatus } from '../../framework/status.js';
import {
  TopologyCounts, existingTermMatches, incomingTermMatches, nodeLabels, podMatchesAllAffinityTerms,
  type NsLabels, type NsLabelsFn,
} from './terms.js';

export const PRE_FILTER_STATE_KEY = 'PreFilterInterPodAffinity';

export const ErrReasonExistingAntiAffinityRulesNotMatch = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
export const ErrReasonAntiAffinityRulesNotMatch = "node(s) didn't match pod anti-affinity rules";

export class PreFilterState implements StateData {
  constructor(
    /** Existing pods whose required anti-affinity terms select the incoming pod. */
    public existingAntiAffinityCounts: TopologyCounts,
    /** Existing pods matching all of the incoming pod's required affinity terms. */
    public affinityCounts: TopologyCounts,
    /** Existing pods matching the incoming pod's required anti-affinity terms. */
    public antiAffinityCounts: TopologyCounts,
    readonly podInfo: PodInfo,
    /** The incoming pod's namespace labels (for existing pods' namespaceSelectors). */
    readonly namespaceLabels: NsLabels,
    readonly nsLabelsOf: NsLabelsFn,
  ) {}

  clone(): PreFilterState {
    return new PreFilterState(this.existingAntiAffinityCounts.clone(), this.affinityCounts.clone(), this.antiAffinityCounts.clone(),
      this.podInfo, this.namespaceLabels, this.nsLabelsOf);
  }

  /** Adds (1) or removes (-1) the contribution of `pi` running on `node`. */
  updateWithPod(pi: PodInfo, node: Node | undefined, multiplier: 1 | -1): void {
    const incoming = this.podInfo;
    for (const t of pi.requiredAntiAffinityTerms) {
      if (existingTermMatches(t, incoming.pod, this.namespaceLabels)) this.existingAntiAffinityCounts.update(node, t.topologyKey, multiplier);
    }
    addAffinity(this.affinityCounts, incoming.requiredAffinityTerms, pi.pod, node, multiplier, this.nsLabelsOf);
    addAntiAffinity(this.antiAffinityCounts, incoming.requiredAntiAffinityTerms, pi.pod, node, multiplier, this.nsLabelsOf);
  }
}

function addAffinity(m: TopologyCounts, terms: AffinityTerm[], pod: Pod, node: Node | undefined, value: number, ns: NsLabelsFn): void {
  if (!podMatchesAllAffinityTerms(terms, pod, ns)) return;
  for (const t of terms) m.update(node, t.topologyKey, value);
}

function addAntiAffinity(m: TopologyCounts, terms: AffinityTerm[], pod: Pod, node: Node | undefined, value: number, ns: NsLabelsFn): void {
  for (const t of terms) if (incomingTermMatches(t, pod, ns)) m.update(node, t.topologyKey, value);
}

/** Builds the PreFilter state; null when nothing constrains the pod (PreFilter returns Skip). */
export function computePreFilterState(
  pod: Pod, allNodes: NodeInfo[], nodesWithRequiredAntiAffinityPods: NodeInfo[], nsLabelsOf: NsLabelsFn,
): PreFilterState | null {
  const podInfo = new PodInfo(pod);
  const namespaceLabels = nsLabelsOf(pod.metadata.namespace ?? '');
  const existing = new TopologyCounts();
  for (const ni of nodesWithRequiredAntiAffinityPods) {
    for (const ep of ni.podsWithRequiredAntiAffinity) {
      for (const t of ep.requiredAntiAffinityTerms) {
        if (existingTermMatches(t, pod, namespaceLabels)) existing.update(ni.node, t.topologyKey, 1);
      }
    }
  }
  const affinity = new TopologyCounts();
  const anti = new TopologyCounts();
  if (podInfo.requiredAffinityTerms.length > 0 || podInfo.requiredAntiAffinityTerms.length > 0) {
    for (const ni of allNodes) {
      for (const ep of ni.pods) {
        addAffinity(affinity, podInfo.requiredAffinityTerms, ep.pod, ni.node, 1, nsLabelsOf);
        addAntiAffinity(anti, podInfo.requiredAntiAffinityTerms, ep.pod, ni.node, 1, nsLabelsOf);
      }
    }
  }
  if (existing.size === 0 && podInfo.requiredAffinityTerms.length === 0 && podInfo.requiredAntiAffinityTerms.length === 0) return null;
  return new PreFilterState(existing, affinity, anti, podInfo, namespaceLabels, nsLabelsOf);
}

export function getPreFilterState(state: CycleState): PreFilterState | Status {
  const s = state.read<PreFilterState>(PRE_FILTER_STATE_KEY);
  if (!(s instanceof PreFilterState)) return Status.error(`error reading "${PRE_FILTER_STATE_KEY}" from cycleState: not found`);
  return s;
}

function satisfyExistingPodsAntiAffinity(s: PreFilterState, node: Node): boolean {
  if (s.existingAntiAffinityCounts.size === 0) return true;
  for (const [k, v] of Object.entries(nodeLabels(node))) if (s.existingAntiAffinityCounts.get(k, v) > 0) return false;
  return true;
}

function satisfyPodAntiAffinity(s: PreFilterState, node: Node): boolean {
  if (s.antiAffinityCounts.size === 0) return true;
  const labels = nodeLabels(node);
  for (const t of s.podInfo.requiredAntiAffinityTerms) {
    const v = labels[t.topologyKey];
    if (v !== undefined && s.antiAffinityCounts.get(t.topologyKey, v) > 0) return false;
  }
  return true;
}

function satisfyPodAffinity(s: PreFilterState, node: Node): boolean {
  const labels = nodeLabels(node);
  let podsExist = true;
  for (const t of s.podInfo.requiredAffinityTerms) {
    const v = labels[t.topologyKey];
    // Every topology key must be present on the node.
    if (v === undefined) return false;
    if (s.affinityCounts.get(t.topologyKey, v) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: no pod anywhere matches yet, but the pod
  // matches its own terms, so it may go to any node carrying the topology keys.
  return s.affinityCounts.size === 0 && podMatchesAllAffinityTerms(s.podInfo.requiredAffinityTerms, s.podInfo.pod, s.nsLabelsOf);
}

export function filterNode(s: PreFilterState, nodeInfo: NodeInfo): MaybeStatus {
  const node = nodeInfo.node;
  if (!node) return Status.error('node not found');
  if (!satisfyPodAffinity(s, node)) return Status.unresolvable(ErrReasonAffinityRulesNotMatch);
  if (!satisfyPodAntiAffinity(s, node)) return Status.unschedulable(ErrReasonAntiAffinityRulesNotMatch);
  if (!satisfyExistingPodsAntiAffinity(s, node)) return Status.unschedulable(ErrReasonExistingAntiAffinityRulesNotMatch);
  return null;
}
