// The replica calculator (pkg/controller/podautoscaler/replica_calculator.go and
// metrics/utilization.go) as pure functions: pods are grouped into ready, unready, missing
// (no metrics) and ignored; the usage ratio against the target decides the replica count, with a
// tolerance band, and unready/missing pods are counted so as to dampen the change, never flip it.
import { milliValue } from '@kube-ts/client/quantity';
import type { Pod } from '@kube-ts/client/types';

/** --horizontal-pod-autoscaler-tolerance, -cpu-initialization-period, -initial-readiness-delay defaults. */
export const DEFAULT_TOLERANCE = 0.1;
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const DELAY_OF_INITIAL_READINESS_STATUS_MS = 30_000;

/** Go's zero time.Time, which unset timestamps compare as. */
export const GO_ZERO_TIME_MS = -62135596800000; // 0001-01-01T00:00:00Z

export interface PodMetric { timestampMs: number; windowMs: number; value: number }
export type PodMetricsInfo = Map<string, PodMetric>;

export interface CalcOptions {
  tolerance?: number;
  cpuInitializationPeriodMs?: number;
  delayOfInitialReadinessStatusMs?: number;
  nowMs: number;
}

export interface PodGroups { readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> }

/** groupPods. */
export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, o: CalcOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  const init = o.cpuInitializationPeriodMs ?? CPU_INITIALIZATION_PERIOD_MS;
  const delay = o.delayOfInitialReadinessStatusMs ?? DELAY_OF_INITIAL_READINESS_STATUS_MS;
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') { g.ignored.add(name); continue; }
    if (pod.status?.phase === 'Pending') { g.unready.add(name); continue; }
    const metric = metrics.get(name);
    if (!metric) { g.missing.add(name); continue; }
    if (resource === 'cpu') {
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : NaN;
      let unready: boolean;
      if (!cond || Number.isNaN(start)) unready = true;
      else {
        const t = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : NaN;
        const transition = Number.isNaN(t) ? GO_ZERO_TIME_MS : t;
        if (start + init > o.nowMs) {
          // Within the initialization period: ignore unready pods and samples from before the last transition.
          unready = cond.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // Afterwards only pods that have never been ready are ignored.
          unready = cond.status === 'False' && start + delay > transition;
        }
      }
      if (unready) { g.unready.add(name); continue; }
    }
    g.readyPodCount++;
  }
  return g;
}

/** calculatePodRequests: milli-units of `resource` requested by each pod (all containers, or one). */
export function calculatePodRequests(pods: readonly Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    const cs = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    for (const c of cs) {
      if (container && c.name !== container) continue;
      const req = c.resources?.requests?.[resource];
      if (req === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name ?? ''}`);
      sum += milliValue(req);
    }
    out.set(pod.metadata.name!, sum);
  }
  return out;
}

/** GetResourceUtilizationRatio. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new Error('no metrics returned matched known pods');
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / n) };
}

/** GetMetricUsageRatio. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

const removeAll = (m: PodMetricsInfo, names: Set<string>): void => { for (const n of names) m.delete(n); };

export interface ResourceReplicasResult { replicas: number; utilization: number; rawUtilization: number }

/** GetResourceReplicas (after fetching metrics): the replica count for a utilization target. */
export function resourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, container: string, podsIn: readonly Pod[], metricsIn: PodMetricsInfo, o: CalcOptions): ResourceReplicasResult {
  const tol = o.tolerance ?? DEFAULT_TOLERANCE;
  if (podsIn.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(metricsIn);
  const g = groupPods(podsIn, metrics, resource, o);
  removeAll(metrics, g.ignored);
  removeAll(metrics, g.unready);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = calculatePodRequests(podsIn, container, resource);
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const result = (replicas: number): ResourceReplicasResult => ({ replicas, utilization, rawUtilization: rawAverage });

  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= tol) return result(currentReplicas);
    return result(Math.ceil(ratio * g.readyPodCount));
  }
  if (g.missing.size > 0 && ratio !== 1.0) {
    // Scale-down: missing pods use 100% of their request; scale-up: 0%.
    for (const name of g.missing) metrics.set(name, { timestampMs: 0, windowMs: 0, value: ratio < 1.0 ? (requests.get(name) ?? 0) : 0 });
  }
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestampMs: 0, windowMs: 0, value: 0 });
  const next = resourceUtilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1.0 - next) <= tol || (ratio < 1.0 && next > 1.0) || (ratio > 1.0 && next < 1.0)) return result(currentReplicas);
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1.0 && replicas > currentReplicas) || (next > 1.0 && replicas < currentReplicas)) return result(currentReplicas);
  return result(replicas);
}

/** calcPlainMetricReplicas: the replica count for an average value target (milli-units). */
export function plainMetricReplicas(currentReplicas: number, targetUsage: number, resource: string, podsIn: readonly Pod[], metricsIn: PodMetricsInfo, o: CalcOptions): { replicas: number; usage: number } {
  const tol = o.tolerance ?? DEFAULT_TOLERANCE;
  if (podsIn.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const metrics = new Map(metricsIn);
  const g = groupPods(podsIn, metrics, resource, o);
  removeAll(metrics, g.ignored);
  removeAll(metrics, g.unready);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= tol) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage };
  }
  if (g.missing.size > 0) for (const name of g.missing) metrics.set(name, { timestampMs: 0, windowMs: 0, value: ratio < 1.0 ? targetUsage : 0 });
  if (scaleUpWithUnready) for (const name of g.unready) metrics.set(name, { timestampMs: 0, windowMs: 0, value: 0 });
  const next = metricUsageRatio(metrics, targetUsage).ratio;
  if (Math.abs(1.0 - next) <= tol || (ratio < 1.0 && next > 1.0) || (ratio > 1.0 && next < 1.0)) return { replicas: currentReplicas, usage };
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1.0 && replicas > currentReplicas) || (next > 1.0 && replicas < currentReplicas)) return { replicas: currentReplicas, usage };
  return { replicas, usage };
}
