// Turning a metric proposal into the replica count to set (horizontal.go): stabilization over
// recent recommendations, min/max bounds, and, with spec.behavior, scaling policies over recent
// scale events. The per-HPA history lives here; callers pass the time.
import type { HPAScalingRules, HorizontalPodAutoscaler } from './types.js';

/** --horizontal-pod-autoscaler-downscale-stabilization default. */
export const DOWNSCALE_STABILIZATION_WINDOW_MS = 5 * 60_000;
const SCALE_UP_LIMIT_FACTOR = 2.0;
const SCALE_UP_LIMIT_MINIMUM = 4.0;

interface Recommendation { recommendation: number; timestamp: number }
interface ScaleEvent { replicaChange: number; timestamp: number; outdated: boolean }

export interface Limited { replicas: number; reason: string; message: string }

/** A condition to set on the HPA: [type, status, reason, message]. */
export type CondSet = ['AbleToScale' | 'ScalingLimited', 'True' | 'False', string, string];

export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM));
}

/** convertDesiredReplicasWithRules (no behavior): the min/max and 2x scale-up limits. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): Limited {
  const scaleUpLimit = calculateScaleUpLimit(current);
  let maxAllowed: number; let reason: string; let message: string;
  if (max > scaleUpLimit) {
    maxAllowed = scaleUpLimit; reason = 'ScaleUpLimit'; message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maxAllowed = max; reason = 'TooManyReplicas'; message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < min) return { replicas: min, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  if (desired > maxAllowed) return { replicas: maxAllowed, reason, message };
  return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
}

function replicasChangePerPeriod(periodSeconds: number, events: readonly ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  return events.reduce((n, e) => (e.timestamp > cutoff ? n + e.replicaChange : n), 0);
}

/** calculateScaleUpLimitWithScalingRules. */
export function scaleUpLimitWithRules(current: number, up: readonly ScaleEvent[], down: readonly ScaleEvent[], rules: HPAScalingRules, nowMs: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - replicasChangePerPeriod(p.periodSeconds, up, nowMs) + replicasChangePerPeriod(p.periodSeconds, down, nowMs);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = select === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** calculateScaleDownLimitWithBehaviors. */
export function scaleDownLimitWithRules(current: number, up: readonly ScaleEvent[], down: readonly ScaleEvent[], rules: HPAScalingRules, nowMs: number): number {
  const select = rules.selectPolicy ?? 'Max';
  if (select === 'Disabled') return current;
  let result = select === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const start = current - replicasChangePerPeriod(p.periodSeconds, up, nowMs) + replicasChangePerPeriod(p.periodSeconds, down, nowMs);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = select === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

/** Upstream's generated defaults for behavior rules (GenerateHPAScaleUpRules / ScaleDownRules). */
export function scaleUpRules(r: HPAScalingRules | undefined): HPAScalingRules {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? 0, selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies ?? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}
export function scaleDownRules(r: HPAScalingRules | undefined, defaultWindowMs: number): HPAScalingRules {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? Math.trunc(defaultWindowMs / 1000), selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

const longestPolicyPeriod = (r: HPAScalingRules): number => Math.max(0, ...(r.policies ?? []).map((p) => p.periodSeconds));

/** Per-HPA recommendation and scale-event history (the controller's maps keyed by HPA key). */
export class ReplicaNormalizer {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();
  constructor(private readonly downscaleWindowMs = DOWNSCALE_STABILIZATION_WINDOW_MS) {}

  forget(key: string): void { this.recommendations.delete(key); this.scaleUpEvents.delete(key); this.scaleDownEvents.delete(key); }

  /** recordInitialRecommendation. */
  recordInitial(key: string, currentReplicas: number, nowMs: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ recommendation: currentReplicas, timestamp: nowMs }]);
  }

  /** stabilizeRecommendation: the highest recommendation within the downscale window. */
  private stabilize(key: string, desired: number, nowMs: number): number {
    const recs = this.recommendations.get(key) ?? [];
    let max = desired;
    let oldIndex = -1;
    const cutoff = nowMs - this.downscaleWindowMs;
    recs.forEach((r, i) => {
      if (r.timestamp < cutoff) oldIndex = i;
      else if (r.recommendation > max) max = r.recommendation;
    });
    if (oldIndex >= 0) recs[oldIndex] = { recommendation: desired, timestamp: nowMs };
    else recs.push({ recommendation: desired, timestamp: nowMs });
    this.recommendations.set(key, recs);
    return max;
  }

  /** normalizeDesiredReplicas (no behavior). */
  normalize(key: string, hpa: HorizontalPodAutoscaler, current: number, desired: number, min: number, nowMs: number): { replicas: number; conditions: CondSet[] } {
    const stabilized = this.stabilize(key, desired, nowMs);
    const conditions: CondSet[] = [stabilized !== desired
      ? ['AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation']
      : ['AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size']];
    const l = convertDesiredReplicasWithRules(current, stabilized, min, hpa.spec.maxReplicas);
    conditions.push(['ScalingLimited', l.replicas === stabilized ? 'False' : 'True', l.reason, l.message]);
    return { replicas: l.replicas, conditions };
  }

  /** stabilizeRecommendationWithBehaviors. */
  private stabilizeWithBehaviors(key: string, current: number, desired: number, up: HPAScalingRules, down: HPAScalingRules, nowMs: number): { replicas: number; reason: string; message: string } {
    const upCutoff = nowMs - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = nowMs - (down.stabilizationWindowSeconds ?? 0) * 1000;
    let upRec = desired;
    let downRec = desired;
    let oldIndex = -1;
    const recs = this.recommendations.get(key) ?? [];
    recs.forEach((r, i) => {
      if (r.timestamp > upCutoff) upRec = Math.min(r.recommendation, upRec);
      if (r.timestamp > downCutoff) downRec = Math.max(r.recommendation, downRec);
      if (r.timestamp < upCutoff && r.timestamp < downCutoff) oldIndex = i;
    });
    let rec = current;
    if (rec < upRec) rec = upRec;
    if (rec > downRec) rec = downRec;
    if (oldIndex >= 0) recs[oldIndex] = { recommendation: desired, timestamp: nowMs };
    else recs.push({ recommendation: desired, timestamp: nowMs });
    this.recommendations.set(key, recs);
    return desired >= current
      ? { replicas: rec, reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
      : { replicas: rec, reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
  }

  /** convertDesiredReplicasWithBehaviorRate. */
  private behaviorRate(key: string, current: number, desired: number, min: number, max: number, up: HPAScalingRules, down: HPAScalingRules, nowMs: number): Limited {
    const ups = this.scaleUpEvents.get(key) ?? [];
    const downs = this.scaleDownEvents.get(key) ?? [];
    if (desired > current) {
      let limit = scaleUpLimitWithRules(current, ups, downs, up, nowMs);
      if (limit < current) limit = current;
      let maxAllowed = max; let reason = 'TooManyReplicas'; let message = 'the desired replica count is more than the maximum replica count';
      if (maxAllowed > limit) { maxAllowed = limit; reason = 'ScaleUpLimit'; message = 'the desired replica count is increasing faster than the maximum scale rate'; }
      if (desired > maxAllowed) return { replicas: maxAllowed, reason, message };
    } else if (desired < current) {
      let limit = scaleDownLimitWithRules(current, ups, downs, down, nowMs);
      if (limit > current) limit = current;
      let minAllowed = min; let reason = 'TooFewReplicas'; let message = 'the desired replica count is less than the minimum replica count';
      if (minAllowed < limit) { minAllowed = limit; reason = 'ScaleDownLimit'; message = 'the desired replica count is decreasing faster than the maximum scale rate'; }
      if (desired < minAllowed) return { replicas: minAllowed, reason, message };
    }
    return { replicas: desired, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  normalizeWithBehaviors(key: string, hpa: HorizontalPodAutoscaler, current: number, desired: number, min: number, nowMs: number): { replicas: number; conditions: CondSet[] } {
    const up = scaleUpRules(hpa.spec.behavior?.scaleUp);
    const down = scaleDownRules(hpa.spec.behavior?.scaleDown, this.downscaleWindowMs);
    const s = this.stabilizeWithBehaviors(key, current, desired, up, down, nowMs);
    const conditions: CondSet[] = [s.replicas !== desired
      ? ['AbleToScale', 'True', s.reason, s.message]
      : ['AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size']];
    const l = this.behaviorRate(key, current, s.replicas, min, hpa.spec.maxReplicas, up, down, nowMs);
    conditions.push(['ScalingLimited', l.replicas === s.replicas ? 'False' : 'True', l.reason, l.message]);
    return { replicas: l.replicas, conditions };
  }

  /** storeScaleEvent: remembered only with spec.behavior (the policies read them). */
  storeScaleEvent(key: string, hpa: HorizontalPodAutoscaler, prev: number, next: number, nowMs: number): void {
    const b = hpa.spec.behavior;
    if (!b) return;
    const upward = next > prev;
    const rules = upward ? scaleUpRules(b.scaleUp) : scaleDownRules(b.scaleDown, this.downscaleWindowMs);
    const map = upward ? this.scaleUpEvents : this.scaleDownEvents;
    const events = map.get(key) ?? [];
    const cutoff = nowMs - longestPolicyPeriod(rules) * 1000;
    let oldIndex = -1;
    events.forEach((e, i) => { if (e.timestamp < cutoff) e.outdated = true; if (e.outdated) oldIndex = i; });
    const ev = { replicaChange: Math.abs(next - prev), timestamp: nowMs, outdated: false };
    if (oldIndex >= 0) events[oldIndex] = ev; else events.push(ev);
    map.set(key, events);
  }
}
