// The HPA's pure parts against upstream's tables: replica_calculator_test.go (resource and pods
// metrics, unready/hot/missing/failed/deleted pods, tolerance) and horizontal_test.go's
// normalization rules (min/max, 2x scale-up limit, stabilization window, behavior policies).
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import { setHPACondition } from '../../src/controllers/hpa/conditions.js';
import { milliQuantity } from '../../src/controllers/hpa/controller.js';
import { describeMetricsError, parseGoDuration, podMetricsInfo } from '../../src/controllers/hpa/metrics.js';
import { calculateScaleUpLimit, convertDesiredReplicasWithRules, ReplicaNormalizer, scaleDownLimitWithRules, scaleUpLimitWithRules } from '../../src/controllers/hpa/normalize.js';
import { GO_ZERO_TIME_MS, plainMetricReplicas, resourceReplicas, type PodMetricsInfo } from '../../src/controllers/hpa/replicas.js';
import { parseSelector } from '../../src/controllers/hpa/selector.js';
import type { HorizontalPodAutoscaler } from '../../src/controllers/hpa/types.js';
import { ApiError } from '@kube-ts/client/errors';

const NOW = Date.UTC(2024, 0, 1, 12);
const HOT = NOW; // hotCPUCreationTime
const COOL = NOW - 3 * 60_000; // coolCPUCreationTime
const opts = { tolerance: 0.1, cpuInitializationPeriodMs: 2 * 60_000, delayOfInitialReadinessStatusMs: 10_000, nowMs: NOW };
const iso = (ms: number): string => new Date(ms).toISOString();

interface Case {
  current: number;
  expected?: number;
  error?: string;
  readiness?: Array<'True' | 'False'>;
  start?: number[];
  phase?: Array<'Running' | 'Pending' | 'Failed'>;
  deleting?: boolean[];
  requests: string[];
  levels: number[][];
  podNames?: string[];
  container?: string;
  target: number;
  utilization?: number;
  value?: number;
}

/** Pods and metrics as replica_calculator_test.go's fakes build them: two containers per pod. */
function fixture(c: Case): { pods: Pod[]; metrics: PodMetricsInfo } {
  const n = Math.max(c.current, c.phase?.length ?? 0);
  const pods: Pod[] = Array.from({ length: n }, (_, i) => {
    const req = c.requests[i];
    const res = req ? { requests: { cpu: req } } : {};
    return {
      metadata: { name: `test-pod-${i}`, namespace: 'ns', labels: { name: 'test-pod' }, ...(c.deleting?.[i] ? { deletionTimestamp: iso(NOW) } : {}) },
      spec: { containers: [{ name: 'container1', resources: res }, { name: 'container2', resources: res }] },
      status: { phase: c.phase?.[i] ?? 'Running', startTime: iso(c.start?.[i] ?? GO_ZERO_TIME_MS), conditions: [{ type: 'Ready', status: c.readiness?.[i] ?? 'True' }] },
    };
  });
  const items = c.levels.map((lv, i) => ({
    metadata: { name: c.podNames?.[i] ?? `test-pod-${i}`, namespace: 'ns' },
    timestamp: iso(GO_ZERO_TIME_MS), window: '1m0s',
    containers: lv.map((m, j) => ({ name: `container${j + 1}`, usage: { cpu: `${m}m` } })),
  }));
  return { pods, metrics: podMetricsInfo(items, 'cpu', c.container ?? '') };
}
const levels = (...v: number[]): number[][] => v.map((x) => [x, x]);
const ones = (n: number): string[] => Array<string>(n).fill('1.0');

describe('GetResourceReplicas (replica_calculator_test.go)', () => {
  it.each<[string, Case]>([
    ['DisjointResourcesMetrics', { current: 1, error: 'no metrics returned matched known pods', requests: ones(1), levels: levels(100), podNames: ['an-older-pod-name'], target: 100 }],
    ['ScaleUp', { current: 3, expected: 5, requests: ones(3), levels: levels(300, 500, 700), target: 30, utilization: 50, value: 1000 }],
    ['ContainerScaleUp', { current: 3, expected: 5, requests: ones(3), levels: [[1000, 300], [1000, 500], [1000, 700]], container: 'container2', target: 30, utilization: 50, value: 500 }],
    ['ScaleUpUnreadyLessScale', { current: 3, expected: 4, readiness: ['False', 'True', 'True'], requests: ones(3), levels: levels(300, 500, 700), target: 30, utilization: 60, value: 1200 }],
    ['ScaleUpHotCpuLessScale', { current: 3, expected: 4, start: [HOT, COOL, COOL], requests: ones(3), levels: levels(300, 500, 700), target: 30, utilization: 60, value: 1200 }],
    ['ScaleUpUnreadyNoScale', { current: 3, expected: 3, readiness: ['True', 'False', 'False'], requests: ones(3), levels: levels(400, 500, 700), target: 30, utilization: 40, value: 800 }],
    ['ScaleHotCpuNoScale', { current: 3, expected: 3, readiness: ['True', 'False', 'False'], start: [COOL, HOT, HOT], requests: ones(3), levels: levels(400, 500, 700), target: 30, utilization: 40, value: 800 }],
    ['ScaleUpIgnoresFailedPods', { current: 2, expected: 4, readiness: ['True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Failed', 'Failed'], requests: ones(4), levels: levels(500, 700), target: 30, utilization: 60, value: 1200 }],
    ['ScaleUpIgnoresDeletionPods', { current: 2, expected: 4, readiness: ['True', 'True', 'False', 'False'], phase: ['Running', 'Running', 'Running', 'Running'], deleting: [false, false, true, true], requests: ones(4), levels: levels(500, 700), target: 30, utilization: 60, value: 1200 }],
    ['ScaleDown', { current: 5, expected: 3, requests: ones(5), levels: levels(100, 300, 500, 250, 250), target: 50, utilization: 28, value: 560 }],
    ['ContainerScaleDown', { current: 5, expected: 3, requests: ones(5), levels: [[1000, 100], [1000, 300], [1000, 500], [1000, 250], [1000, 250]], container: 'container2', target: 50, utilization: 28, value: 280 }],
    ['ScaleDownExcludeUnreadyPods', { current: 5, expected: 2, readiness: ['True', 'True', 'True', 'False', 'False'], requests: ones(5), levels: levels(100, 300, 500, 250, 250), target: 50, utilization: 30, value: 600 }],
    ['ScaleDownExcludeUnscheduledPods', { current: 5, expected: 1, readiness: ['True', 'False', 'False', 'False', 'False'], phase: ['Running', 'Pending', 'Pending', 'Pending', 'Pending'], requests: ones(5), levels: levels(100), target: 50, utilization: 10, value: 200 }],
    ['Tolerance', { current: 3, expected: 3, requests: ['0.9', '1.0', '1.1'], levels: levels(1010, 1030, 1020), target: 100, utilization: 102, value: 2040 }],
    ['MissingMetricsNoChangeEq', { current: 2, expected: 2, requests: ones(2), levels: levels(1000), target: 100, utilization: 100, value: 2000 }],
    ['MissingMetricsNoChangeGt', { current: 2, expected: 2, requests: ones(2), levels: levels(1900), target: 100, utilization: 190, value: 3800 }],
    ['MissingMetricsNoChangeLt', { current: 2, expected: 2, requests: ones(2), levels: levels(600), target: 100, utilization: 60, value: 1200 }],
    ['MissingMetricsUnreadyChange', { current: 3, expected: 3, readiness: ['False', 'True', 'True'], requests: ones(3), levels: levels(100, 450), target: 50, utilization: 45, value: 900 }],
    ['MissingMetricsUnreadyScaleUp', { current: 3, expected: 4, readiness: ['False', 'True', 'True'], requests: ones(3), levels: levels(100, 2000), target: 50, utilization: 200, value: 4000 }],
    ['MissingMetricsUnreadyScaleDown', { current: 4, expected: 3, readiness: ['False', 'True', 'True', 'True'], requests: ones(4), levels: levels(100, 100, 100), target: 50, utilization: 10, value: 200 }],
    ['DuringRollingUpdateWithMaxSurge', { current: 2, expected: 2, phase: ['Running', 'Running', 'Running'], requests: ones(3), levels: levels(100, 100), target: 50, utilization: 10, value: 200 }],
    ['NoRequests', { current: 3, error: 'missing request for cpu in container container1 of Pod test-pod-0', requests: [], levels: levels(400, 500, 700), target: 100 }],
  ])('%s', (_n, c) => {
    const { pods, metrics } = fixture(c);
    const run = (): ReturnType<typeof resourceReplicas> => resourceReplicas(c.current, c.target, 'cpu', c.container ?? '', pods, metrics, opts);
    if (c.error) { expect(run).toThrow(c.error); return; }
    expect(run()).toEqual({ replicas: c.expected, utilization: c.utilization, rawUtilization: c.value });
  });
});

describe('plain (average value) metrics (TestReplicaCalc*CM)', () => {
  const pods = (n: number, readiness: Array<'True' | 'False'> = [], start: number[] = []): Pod[] => Array.from({ length: n }, (_, i) => ({
    metadata: { name: `test-pod-${i}`, namespace: 'ns' }, spec: { containers: [{ name: 'c' }] },
    status: { phase: 'Running', startTime: iso(start[i] ?? GO_ZERO_TIME_MS), conditions: [{ type: 'Ready', status: readiness[i] ?? 'True' }] },
  }));
  const m = (lv: number[]): PodMetricsInfo => new Map(lv.map((v, i) => [`test-pod-${i}`, { timestampMs: GO_ZERO_TIME_MS, windowMs: 60_000, value: v }]));
  it.each<[string, number, number, number[], number, number, Array<'True' | 'False'>?, number[]?]>([
    ['ScaleUpCM', 3, 4, [20000, 10000, 30000], 15000, 20000],
    ['ScaleUpCMUnreadyHotCpuNoLessScale', 3, 6, [50000, 10000, 30000], 15000, 30000, ['True', 'True', 'False'], [COOL, COOL, HOT]],
    ['ScaleUpCMUnreadyHotCpuScaleWouldScaleDown', 3, 7, [50000, 15000, 30000], 15000, 31666, ['False', 'True', 'False'], [HOT, COOL, HOT]],
    ['ScaleDownCM', 5, 3, [12000, 12000, 12000, 12000, 12000], 20000, 12000],
  ])('%s', (_n, current, expected, lv, target, usage, readiness, start) => {
    // Custom metrics are not cpu: readiness is ignored.
    expect(plainMetricReplicas(current, target, '', pods(current, readiness, start), m(lv), opts)).toEqual({ replicas: expected, usage });
  });
});

describe('normalization without behavior (convertDesiredReplicasWithRules, stabilizeRecommendation)', () => {
  it.each<[number, number, number, number, number, string]>([
    [3, 10, 1, 20, 6, 'ScaleUpLimit'],
    [1, 10, 1, 3, 3, 'TooManyReplicas'],
    [1, 10, 1, 20, 4, 'ScaleUpLimit'],
    [5, 0, 2, 10, 2, 'TooFewReplicas'],
    [5, 7, 2, 10, 7, 'DesiredWithinRange'],
  ])('current %i desired %i in [%i,%i] -> %i %s', (cur, des, min, max, want, reason) => {
    const r = convertDesiredReplicasWithRules(cur, des, min, max);
    expect([r.replicas, r.reason]).toEqual([want, reason]);
  });
  it('scale-up limit is max(2x, 4)', () => {
    expect([calculateScaleUpLimit(1), calculateScaleUpLimit(3), calculateScaleUpLimit(10)]).toEqual([4, 6, 20]);
  });
  it('keeps the highest recommendation of the last 5 minutes', () => {
    const n = new ReplicaNormalizer();
    const hpa = { metadata: {}, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, maxReplicas: 10 } } as HorizontalPodAutoscaler;
    n.recordInitial('k', 5, NOW);
    const a = n.normalize('k', hpa, 5, 2, 1, NOW + 60_000);
    expect(a.replicas).toBe(5);
    expect(a.conditions[0]).toEqual(['AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation']);
    expect(a.conditions[1]).toEqual(['ScalingLimited', 'False', 'DesiredWithinRange', 'the desired count is within the acceptable range']);
    const b = n.normalize('k', hpa, 5, 2, 1, NOW + 6 * 60_000);
    expect(b.replicas).toBe(2);
    expect(b.conditions[0]![2]).toBe('ReadyForNewScale');
    const c = n.normalize('k', hpa, 2, 30, 1, NOW + 7 * 60_000);
    expect(c.replicas).toBe(4);
    expect(c.conditions[1]).toEqual(['ScalingLimited', 'True', 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
  });
});

describe('behavior (calculateScaleUpLimitWithScalingRules, stabilizeRecommendationWithBehaviors)', () => {
  const ev = (change: number, agoMs: number) => ({ replicaChange: change, timestamp: NOW - agoMs, outdated: false });
  it.each<[string, number, ReturnType<typeof ev>[], ReturnType<typeof ev>[], Parameters<typeof scaleUpLimitWithRules>[3], number]>([
    ['default policies: max(+4 pods, +100%)', 10, [], [], { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] }, 20],
    ['Min policy', 10, [], [], { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] }, 14],
    ['recent scale-up counts against the period', 20, [ev(10, 5000)], [], { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] }, 20],
    ['old events do not', 20, [ev(10, 20_000)], [], { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] }, 40],
    ['percent rounds up', 3, [], [], { policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }] }, 4],
    ['disabled', 7, [], [], { selectPolicy: 'Disabled', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }] }, 7],
  ])('scale up: %s', (_n, cur, up, down, rules, want) => { expect(scaleUpLimitWithRules(cur, up, down, rules, NOW)).toBe(want); });

  it.each<[string, number, ReturnType<typeof ev>[], Parameters<typeof scaleDownLimitWithRules>[3], number]>([
    ['100% per 15s', 10, [], { policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] }, 0],
    ['50% truncates', 5, [], { policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] }, 2],
    ['pods with a recent scale-down', 8, [ev(2, 10_000)], { policies: [{ type: 'Pods', value: 3, periodSeconds: 60 }] }, 7],
    ['Min picks the smallest change', 10, [], { selectPolicy: 'Min', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] }, 9],
  ])('scale down: %s', (_n, cur, down, rules, want) => { expect(scaleDownLimitWithRules(cur, [], down, rules, NOW)).toBe(want); });

  it('stabilizes, limits by policies and remembers scale events', () => {
    const n = new ReplicaNormalizer();
    const hpa = { metadata: {}, spec: { scaleTargetRef: { kind: 'Deployment', name: 'd' }, maxReplicas: 100, behavior: { scaleDown: { stabilizationWindowSeconds: 60, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } } } as HorizontalPodAutoscaler;
    n.recordInitial('k', 10, NOW);
    const up = n.normalizeWithBehaviors('k', hpa, 10, 50, 1, NOW);
    expect(up.replicas).toBe(20);
    expect(up.conditions[1]).toEqual(['ScalingLimited', 'True', 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
    n.storeScaleEvent('k', hpa, 10, 20, NOW);
    expect(n.normalizeWithBehaviors('k', hpa, 20, 50, 1, NOW + 5000).replicas).toBe(20);
    expect(n.normalizeWithBehaviors('k', hpa, 20, 50, 1, NOW + 16_000).replicas).toBe(40);
    // Scale-down within the 60s window keeps the highest recent recommendation.
    const down = n.normalizeWithBehaviors('k', hpa, 40, 5, 1, NOW + 30_000);
    expect(down.replicas).toBe(40);
    expect(down.conditions[0]![2]).toBe('ScaleDownStabilized');
    // After the window, one pod per minute.
    const later = n.normalizeWithBehaviors('k', hpa, 40, 5, 1, NOW + 200_000);
    expect(later.replicas).toBe(39);
    expect(later.conditions[1]).toEqual(['ScalingLimited', 'True', 'ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate']);
  });
});

describe('helpers', () => {
  it('parses Scale selectors', () => {
    expect(parseSelector('app=web,tier!=db,env in (a, b),!legacy,has')).toEqual([
      { key: 'app', operator: 'In', values: ['web'] }, { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'env', operator: 'In', values: ['a', 'b'] }, { key: 'legacy', operator: 'DoesNotExist' }, { key: 'has', operator: 'Exists' },
    ]);
    expect(() => parseSelector('a=b,,c')).toThrow();
  });
  it('prints milli quantities as NewMilliQuantity(DecimalSI)', () => {
    expect([milliQuantity(250), milliQuantity(1000), milliQuantity(1500), milliQuantity(2_000_000)]).toEqual(['250m', '1', '1500m', '2k']);
  });
  it('reads metrics windows and errors as client-go does', () => {
    expect(parseGoDuration('1m0s')).toBe(60_000);
    expect(parseGoDuration('30.5s')).toBe(30_500);
    expect(describeMetricsError(new ApiError({ kind: 'Status', code: 404, message: 'x' }, 404))).toBe('the server could not find the requested resource (get pods.metrics.k8s.io)');
  });
  it('pods missing the resource in a container have no metric', () => {
    const m = podMetricsInfo([
      { metadata: { name: 'a' }, containers: [{ name: 'c', usage: { cpu: '100m' } }, { name: 'd', usage: { memory: '1Mi' } }] },
      { metadata: { name: 'b' }, containers: [{ name: 'c', usage: { cpu: '1' } }] },
    ], 'cpu', '');
    expect([...m.keys()]).toEqual(['b']);
  });
  it('moves lastTransitionTime only when the status changes', () => {
    const hpa = { metadata: {}, spec: { scaleTargetRef: { kind: 'D', name: 'd' }, maxReplicas: 1 } } as HorizontalPodAutoscaler;
    setHPACondition(hpa, 'AbleToScale', 'True', 'A', 'a', 't1');
    setHPACondition(hpa, 'AbleToScale', 'True', 'B', 'b', 't2');
    expect(hpa.status?.conditions).toEqual([{ type: 'AbleToScale', status: 'True', reason: 'B', message: 'b', lastTransitionTime: 't1' }]);
    setHPACondition(hpa, 'AbleToScale', 'False', 'C', 'c', 't3');
    expect(hpa.status?.conditions?.[0]?.lastTransitionTime).toBe('t3');
  });
});
