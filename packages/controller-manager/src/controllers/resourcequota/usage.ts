// quota.CalculateUsage and the status the controller writes (syncResourceQuota), as pure functions.
import type { KubeObject } from '@kube-ts/client/types';
import type { Evaluator } from './evaluators.js';
import { addLists, equalLists, formatQuantity, zero, type ResourceList } from './quantity.js';
import type { ResourceQuota, ScopedResourceSelectorRequirement } from './types.js';

/** generic.CalculateUsageStats: zero for each tracked resource, plus the usage of every object matching all scopes. */
export function usageStats(ev: Evaluator, resources: string[], items: readonly KubeObject[], quota: ResourceQuota, nowMs: number): ResourceList {
  let used: ResourceList = Object.fromEntries(resources.map((r) => [r, zero()]));
  const scopes = quota.spec?.scopes ?? [];
  const selectors: ScopedResourceSelectorRequirement[] = quota.spec?.scopeSelector?.matchExpressions ?? [];
  for (const item of items) {
    let matches = true;
    for (const s of scopes) if (!ev.matchesScope({ scopeName: s, operator: 'Exists' }, item)) matches = false;
    for (const s of selectors) matches = matches && ev.matchesScope(s, item);
    if (matches) used = addLists(used, ev.usage(item, nowMs));
  }
  return used;
}

/** quota.CalculateUsage: the usage of the resources in `hard` that some evaluator tracks, masked to them. */
export function calculateUsage(quota: ResourceQuota, evaluators: Evaluator[], listFor: (ev: Evaluator) => readonly KubeObject[], nowMs: number): ResourceList {
  const hard = Object.keys(quota.spec?.hard ?? {});
  const matched = new Set(evaluators.flatMap((e) => e.matchingResources(hard)).filter((r) => hard.includes(r)));
  let used: ResourceList = {};
  for (const ev of evaluators) {
    const mine = ev.matchingResources([...matched]);
    if (mine.length === 0) continue;
    used = addLists(used, usageStats(ev, mine, listFor(ev), quota, nowMs));
  }
  return Object.fromEntries(Object.entries(used).filter(([k]) => matched.has(k)));
}

/**
 * The status syncResourceQuota writes: hard = spec.hard, used = the previous used values updated
 * with the new usage, masked to the hard resources. `dirty` says whether it must be written.
 */
export function quotaStatus(quota: ResourceQuota, newUsage: ResourceList): { status: { hard: Record<string, string | number>; used: Record<string, string | number> }; dirty: boolean } {
  const hard = { ...(quota.spec?.hard ?? {}) };
  const prev = quota.status;
  const used: Record<string, string | number> = {};
  for (const k of Object.keys(hard)) {
    if (newUsage[k]) used[k] = formatQuantity(newUsage[k]!);
    else if (prev?.used?.[k] !== undefined) used[k] = prev.used[k]!;
  }
  const dirty = !prev?.hard || !prev.used || !equalLists(hard, prev.hard) || !equalLists(used, prev.used);
  return { status: { hard, used }, dirty };
}
