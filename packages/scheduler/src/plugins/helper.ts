// Helpers several plugins share (upstream framework/plugins/helper).
import type { NodeScore } from '../framework/interface.js';
import type { MaybeStatus } from '../framework/status.js';

/** helper.DefaultNormalizeScore: scale to [0, maxPriority] by the highest score, optionally reversed. */
export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): MaybeStatus {
  const maxCount = scores.reduce((m, s) => Math.max(m, s.score), 0);
  if (maxCount === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return null;
  }
  for (const s of scores) {
    const v = Math.trunc((maxPriority * s.score) / maxCount);
    s.score = reverse ? maxPriority - v : v;
  }
  return null;
}
