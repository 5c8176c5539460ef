// successPolicy for Indexed Jobs (success_policy.go): the first rule whose succeededIndexes are
// all done, or whose succeededCount is reached (within those indexes, if listed), declares success.
import type { JobSpec } from '@kube-ts/client/workloads';
import { parseIntervals, total, type Intervals } from './indexes.js';

function matchSucceededIndexesRule(rule: Intervals, succeeded: Intervals, succeededCount: number | undefined): boolean {
  let contains = 0; let s = 0; let r = 0;
  while (r < rule.length && s < succeeded.length) {
    const overlap = Math.min(rule[r]!.last, succeeded[s]!.last) - Math.max(rule[r]!.first, succeeded[s]!.first) + 1;
    if (overlap > 0) contains += overlap;
    if (succeeded[s]!.last < rule[r]!.last) s++;
    else if (succeeded[s]!.last > rule[r]!.last) r++;
    else { s++; r++; }
  }
  return contains === total(rule) || (succeededCount !== undefined && contains >= succeededCount);
}

/** The SuccessCriteriaMet message ("Matched rules at index N"), or undefined. */
export function matchSuccessPolicy(policy: JobSpec['successPolicy'], completions: number, succeeded: Intervals): string | undefined {
  if (!policy || succeeded.length === 0) return undefined;
  for (const [index, rule] of policy.rules.entries()) {
    const count = rule.succeededCount ?? undefined;
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = parseIntervals(rule.succeededIndexes, completions);
      if (required.length === 0) continue;
      if (matchSucceededIndexesRule(required, succeeded, count)) return `Matched rules at index ${index}`;
    } else if (count !== undefined && total(succeeded) >= count) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
