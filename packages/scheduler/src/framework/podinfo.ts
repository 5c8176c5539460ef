// framework.PodInfo: a pod plus what plugins need from it again and again, computed once when
// the pod enters the queue or the cache: its requests and its inter-pod affinity terms with the
// namespaces they apply to (matchLabelKeys / mismatchLabelKeys folded into the selectors).
import type { LabelSelector, Pod, PodAffinityTerm } from '@kube-ts/client/types';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { podRequests, type Resource } from './resource.js';

export interface AffinityTerm {
  /** Explicit namespaces (the pod's own when neither namespaces nor namespaceSelector is set). */
  namespaces: Set<string>;
  selector: LabelSelector;
  topologyKey: string;
  /** When set, namespaces whose labels match are included too ({} = all namespaces). */
  namespaceSelector?: LabelSelector;
}

export interface WeightedAffinityTerm extends AffinityTerm { weight: number }

/** Whether `pod` (with its namespace's labels) is selected by the term. */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: Record<string, string> | undefined): boolean {
  const ns = pod.metadata.namespace ?? '';
  const nsOk = term.namespaces.has(ns) || (term.namespaceSelector !== undefined && labelSelectorMatches(term.namespaceSelector, nsLabels));
  return nsOk && labelSelectorMatches(term.selector, pod.metadata.labels);
}

function toTerm(owner: Pod, t: PodAffinityTerm): AffinityTerm {
  const selector: LabelSelector = { matchLabels: { ...(t.labelSelector?.matchLabels ?? {}) }, matchExpressions: [...(t.labelSelector?.matchExpressions ?? [])] };
  const labels = owner.metadata.labels ?? {};
  // matchLabelKeys / mismatchLabelKeys only apply when a labelSelector is given.
  if (t.labelSelector) {
    for (const k of t.matchLabelKeys ?? []) if (k in labels) selector.matchExpressions!.push({ key: k, operator: 'In', values: [labels[k]!] });
    for (const k of t.mismatchLabelKeys ?? []) if (k in labels) selector.matchExpressions!.push({ key: k, operator: 'NotIn', values: [labels[k]!] });
  }
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && !t.namespaceSelector) namespaces.add(owner.metadata.namespace ?? '');
  const term: AffinityTerm = {
    namespaces,
    // A nil labelSelector selects nothing (as upstream's LabelSelectorAsSelector(nil)).
    selector: t.labelSelector ? selector : { matchExpressions: [{ key: '', operator: 'In', values: [] }] },
    topologyKey: t.topologyKey,
  };
  if (t.namespaceSelector) term.namespaceSelector = t.namespaceSelector;
  return term;
}

export class PodInfo {
  readonly requiredAffinityTerms: AffinityTerm[];
  readonly requiredAntiAffinityTerms: AffinityTerm[];
  readonly preferredAffinityTerms: WeightedAffinityTerm[];
  readonly preferredAntiAffinityTerms: WeightedAffinityTerm[];
  private req: Resource | undefined;
  private nonZeroReq: Resource | undefined;

  constructor(readonly pod: Pod) {
    const a = pod.spec.affinity;
    this.requiredAffinityTerms = (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toTerm(pod, t));
    this.requiredAntiAffinityTerms = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => toTerm(pod, t));
    this.preferredAffinityTerms = (a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...toTerm(pod, w.podAffinityTerm), weight: w.weight }));
    this.preferredAntiAffinityTerms = (a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ ...toTerm(pod, w.podAffinityTerm), weight: w.weight }));
  }

  /** Effective requests (containers, init containers, overhead). */
  get requests(): Resource { return (this.req ??= podRequests(this.pod)); }
  /** Requests with cpu/memory defaults for containers that set none (scoring only). */
  get nonZeroRequests(): Resource { return (this.nonZeroReq ??= podRequests(this.pod, true)); }

  get key(): string { return `${this.pod.metadata.namespace ?? ''}/${this.pod.metadata.name ?? ''}`; }
  get uid(): string { return this.pod.metadata.uid ?? this.key; }

  hasAffinity(): boolean {
    return this.requiredAffinityTerms.length + this.requiredAntiAffinityTerms.length + this.preferredAffinityTerms.length + this.preferredAntiAffinityTerms.length > 0;
  }
}

/** A pod in the scheduling queue. */
export interface QueuedPodInfo {
  podInfo: PodInfo;
  /** When it was (last) added to the queue (ms). */
  timestamp: number;
  /** Scheduling attempts so far. */
  attempts: number;
  /** When it first entered the queue (e2e latency). */
  initialAttemptTimestamp?: number;
  /** Plugins that rejected it in the last attempt (what cluster events can help). */
  unschedulablePlugins: Set<string>;
  /** Plugins that returned Pending. */
  pendingPlugins: Set<string>;
}

export function priorityOf(pod: Pod): number { return pod.spec.priority ?? 0; }
