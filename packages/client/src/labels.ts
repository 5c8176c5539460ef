// Selector semantics shared by every component: metav1.LabelSelector (matchLabels +
// matchExpressions), the string form used in list/watch queries, core/v1 NodeSelector terms
// (node affinity, with Gt/Lt and matchFields on metadata.name), and taint toleration.
import type { LabelSelector, LabelSelectorRequirement, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm, Taint, Toleration } from './types.js';

export type Labels = Record<string, string> | undefined;

function requirementMatches(r: LabelSelectorRequirement, labels: Labels): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = has ? labels![r.key]! : undefined;
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(v!);
    case 'NotIn': return !has || !(r.values ?? []).includes(v!);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    default: return false;
  }
}

/**
 * Whether a LabelSelector matches. As metav1.LabelSelectorAsSelector: an empty selector ({})
 * matches everything; a missing selector (undefined) matches nothing.
 */
export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Labels): boolean {
  if (!sel) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels?.[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) if (!requirementMatches(r, labels)) return false;
  return true;
}

/** The string form of a LabelSelector for list/watch `labelSelector=` queries. */
export function formatLabelSelector(sel: LabelSelector | undefined): string {
  if (!sel) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...(r.values ?? [])].sort().join(',');
    if (r.operator === 'In') parts.push(`${r.key} in (${vals})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${vals})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

/** Matches a plain map selector (Service.spec.selector, nodeSelector): every pair must be present. */
export function mapSelectorMatches(sel: Record<string, string> | undefined, labels: Labels): boolean {
  for (const [k, v] of Object.entries(sel ?? {})) if (labels?.[k] !== v) return false;
  return true;
}

function nodeRequirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In': return has && (r.values ?? []).includes(value);
    case 'NotIn': return !has || !(r.values ?? []).includes(value);
    case 'Exists': return has;
    case 'DoesNotExist': return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || (r.values ?? []).length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(r.values![0]!, 10);
      if (!/^-?\d+$/.test(value) || !/^-?\d+$/.test(r.values![0]!)) return false;
      return r.operator === 'Gt' ? a > b : a < b;
    }
    default: return false;
  }
}

/** One NodeSelectorTerm: all expressions and fields must match; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, nodeLabels: Labels, nodeName: string): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!nodeRequirementMatches(r, nodeLabels?.[r.key])) return false;
  for (const r of fields) {
    // metadata.name is the only supported field; only In/NotIn with exactly one value parse.
    if (r.key !== 'metadata.name') return false;
    if ((r.operator !== 'In' && r.operator !== 'NotIn') || (r.values ?? []).length !== 1) return false;
    if (!nodeRequirementMatches(r, nodeName)) return false;
  }
  return true;
}

/** NodeSelector: the terms are ORed. */
export function nodeSelectorMatches(sel: NodeSelector, nodeLabels: Labels, nodeName: string): boolean {
  return sel.nodeSelectorTerms.some((t) => nodeSelectorTermMatches(t, nodeLabels, nodeName));
}

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  const op = t.operator || 'Equal';
  if (op === 'Exists') return true;
  if (op === 'Equal') return (t.value ?? '') === (taint.value ?? '');
  return false;
}

/** The first taint (with one of `effects`, all when empty) no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, effects: Taint['effect'][] = []): Taint | undefined {
  for (const taint of taints ?? []) {
    if (effects.length && !effects.includes(taint.effect)) continue;
    if (!(tolerations ?? []).some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}
