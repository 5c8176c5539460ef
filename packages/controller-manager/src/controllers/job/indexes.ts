// Completion indexes of Indexed Jobs (indexed_job_utils.go): sorted, merged intervals of indexes,
// printed as status.completedIndexes ("1,3-5"; two adjacent indexes print as "1,2"), the
// batch.kubernetes.io/job-completion-index annotation, and which indexes still need a pod.
import type { Pod } from '@kube-ts/client/types';
import { compareForDeletion } from '../../util/pods.js';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const UNKNOWN_INDEX = -1;

export interface Interval { first: number; last: number }
export type Intervals = Interval[];

export function total(iv: Intervals): number {
  return iv.reduce((n, i) => n + i.last - i.first + 1, 0);
}

export function formatIntervals(iv: Intervals): string {
  return iv.map((i) => (i.last === i.first ? `${i.first}` : `${i.first}${i.last === i.first + 1 ? ',' : '-'}${i.last}`)).join(',');
}

/** Whether index `ix` is in the intervals (binary search). */
export function hasIndex(iv: Intervals, ix: number): boolean {
  let lo = 0; let hi = iv.length;
  while (hi > lo) {
    const mid = lo + ((hi - lo) >> 1);
    if (iv[mid]!.last >= ix) hi = mid; else lo = mid + 1;
  }
  return hi < iv.length && iv[hi]!.first <= ix;
}

/** A new list with `sorted` (increasing) indexes merged in. */
export function withOrderedIndexes(iv: Intervals, sorted: number[]): Intervals {
  const out: Intervals = [];
  const push = (x: Interval): void => {
    const last = out[out.length - 1];
    if (!last || x.first > last.last + 1) out.push({ ...x });
    else if (last.last < x.last) last.last = x.last;
  };
  let i = 0; let j = 0;
  while (i < iv.length && j < sorted.length) {
    if (iv[i]!.first < sorted[j]!) push(iv[i++]!);
    else { push({ first: sorted[j]!, last: sorted[j]! }); j++; }
  }
  while (i < iv.length) push(iv[i++]!);
  while (j < sorted.length) { push({ first: sorted[j]!, last: sorted[j]! }); j++; }
  return out;
}

const atoi = (s: string | undefined): number | undefined => (s !== undefined && /^[+-]?\d+$/.test(s) ? Number(s) : undefined);

/** parseIndexesFromString: corrupt parts are skipped, indexes >= completions dropped. */
export function parseIntervals(s: string | undefined, completions: number): Intervals {
  if (!s) return [];
  const out: Intervals = [];
  for (const part of s.split(',')) {
    const limits = part.split('-');
    const first = atoi(limits[0]);
    if (first === undefined) continue;
    if (first >= completions) break;
    let last = first;
    if (limits.length > 1) {
      const l = atoi(limits[1]);
      if (l === undefined) continue;
      last = Math.min(l, completions - 1);
    }
    const prev = out[out.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else out.push({ first, last });
  }
  return out;
}

export function completionIndex(p: Pod): number {
  const v = p.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION];
  const n = atoi(v);
  return n === undefined || n < 0 ? UNKNOWN_INDEX : n;
}

/** The first `count` indexes below `completions` held by neither an active pod nor a success. */
export function firstPendingIndexes(activePods: Pod[], succeeded: Intervals, count: number, completions: number): number[] {
  if (count === 0) return [];
  const active = [...new Set(activePods.map(completionIndex).filter((i) => i !== UNKNOWN_INDEX))].sort((a, b) => a - b);
  const nonPending = withOrderedIndexes(succeeded, active);
  const out: number[] = [];
  let candidate = 0;
  for (const iv of nonPending) {
    for (; candidate < completions && out.length < count && candidate < iv.first; candidate++) out.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && out.length < count; candidate++) out.push(candidate);
  return out;
}

/**
 * Active pods to remove for an Indexed Job (appendDuplicatedIndexPodsForRemoval): pods without an
 * index or with one out of range, and all but the best-ranked pod of a repeated index.
 */
export function duplicatedIndexPodsForRemoval(pods: Pod[], completions: number): { rm: Pod[]; left: Pod[] } {
  const rm: Pod[] = []; const left: Pod[] = [];
  // Stable sort by index: pods without one (-1) first, out-of-range ones last.
  const sorted = [...pods].sort((a, b) => completionIndex(a) - completionIndex(b));
  const flush = (same: Pod[], ix: number): void => {
    if (same.length === 0) return;
    if (ix === UNKNOWN_INDEX) { rm.push(...same); return; }
    if (same.length === 1) { left.push(same[0]!); return; }
    const ranked = [...same].sort((a, b) => compareForDeletion(a, b));
    rm.push(...ranked.slice(0, -1));
    left.push(ranked[ranked.length - 1]!);
  };
  let group: Pod[] = [];
  let last = UNKNOWN_INDEX;
  for (const [i, p] of sorted.entries()) {
    const ix = completionIndex(p);
    if (ix >= completions) { flush(group, last); group = []; rm.push(...sorted.slice(i)); break; }
    if (ix !== last) { flush(group, last); group = []; last = ix; }
    group.push(p);
  }
  flush(group, last);
  return { rm, left };
}

/** generateName `<job>-<index>-`, trimmed as the apiserver's name generator would need. */
export function podGenerateNameWithIndex(jobName: string, index: number): string {
  const append = `-${index}-`;
  const prefix = jobName + append;
  const MAX_GENERATED_NAME_LENGTH = 58;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? prefix.slice(0, MAX_GENERATED_NAME_LENGTH - append.length) + append : prefix;
}
