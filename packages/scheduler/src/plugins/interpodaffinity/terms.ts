// Term matching and topology-pair counting shared by InterPodAffinity's filtering and scoring.
import type { LabelSelector, Node, Pod } from '@kube-ts/client/types';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { termMatches, type AffinityTerm } from '../../framework/podinfo.js';

export type NsLabels = Record<string, string> | undefined;
export type NsLabelsFn = (namespace: string) => NsLabels;

/** An empty ({}) selector selects everything (labels.Everything), unlike a missing one. */
export function isEmptySelector(s: LabelSelector): boolean {
  return Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0;
}

/**
 * Whether a term of the pod being scheduled selects `pod`. Upstream unrolls the namespaceSelector
 * of the incoming pod's terms into namespaces via the namespace lister, so a non-empty selector only
 * matches namespaces that exist; we look the namespace up instead, with the same result.
 */
export function incomingTermMatches(term: AffinityTerm, pod: Pod, nsLabelsOf: NsLabelsFn): boolean {
  const ns = pod.metadata.namespace ?? '';
  let nsOk = term.namespaces.has(ns);
  if (!nsOk && term.namespaceSelector) {
    if (isEmptySelector(term.namespaceSelector)) nsOk = true;
    else {
      const labels = nsLabelsOf(ns);
      nsOk = labels !== undefined && labelSelectorMatches(term.namespaceSelector, labels);
    }
  }
  return nsOk && labelSelectorMatches(term.selector, pod.metadata.labels);
}

/** True iff `pod` matches every one of the incoming pod's terms (false for no terms). */
export function podMatchesAllAffinityTerms(terms: AffinityTerm[], pod: Pod, nsLabelsOf: NsLabelsFn): boolean {
  if (terms.length === 0) return false;
  return terms.every((t) => incomingTermMatches(t, pod, nsLabelsOf));
}

/** Whether an existing pod's term selects the incoming pod, given the incoming pod's namespace labels. */
export function existingTermMatches(term: AffinityTerm, incoming: Pod, incomingNsLabels: NsLabels): boolean {
  return termMatches(term, incoming, incomingNsLabels);
}

/** Caches namespace label lookups for one scheduling cycle. */
export function memoNsLabels(lookup: NsLabelsFn): NsLabelsFn {
  const cache = new Map<string, NsLabels>();
  return (ns) => {
    if (!cache.has(ns)) cache.set(ns, lookup(ns));
    return cache.get(ns);
  };
}

export function nodeLabels(node: Node | undefined): Record<string, string> {
  return node?.metadata.labels ?? {};
}

// Label keys and values cannot contain NUL, so it separates the pair unambiguously.
const pairKey = (key: string, value: string): string => `${key}\u0000${value}`;

/** topologyToMatchedTermCount: (topologyKey, value) pair -> number of matching pods. */
export class TopologyCounts {
  private readonly m = new Map<string, number>();

  get size(): number { return this.m.size; }

  get(key: string, value: string): number { return this.m.get(pairKey(key, value)) ?? 0; }

  /** Adds `value` to the pair of the node's label `key`; entries that drop to zero are removed. */
  update(node: Node | undefined, key: string, value: number): void {
    const tv = nodeLabels(node)[key];
    if (tv === undefined) return;
    const k = pairKey(key, tv);
    const n = (this.m.get(k) ?? 0) + value;
    if (n === 0) this.m.delete(k);
    else this.m.set(k, n);
  }

  clone(): TopologyCounts {
    const c = new TopologyCounts();
    for (const [k, v] of this.m) c.m.set(k, v);
    return c;
  }
}
