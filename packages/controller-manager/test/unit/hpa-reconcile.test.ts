// One HPA reconcile against a stub API that does serve metrics.k8s.io: the controller reads the
// scale, computes the replica count from pod metrics, writes the scale and the status, and records
// upstream's event; with too little usage it holds the highest recent recommendation.
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kube-ts/client/clock';
import type { RequestOptions } from '@kube-ts/client/rest';
import type { KubeObject, Pod } from '@kube-ts/client/types';
import { DEFAULT_OPTIONS, type ControllerContext } from '../../src/context.js';
import { HorizontalController } from '../../src/controllers/hpa/controller.js';
import type { HorizontalPodAutoscaler, Scale } from '../../src/controllers/hpa/types.js';

function stub(pods: Pod[], usage: () => string[]) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  let scale: Scale = { metadata: { name: 'web', namespace: 'ns' }, spec: { replicas: 3 }, status: { replicas: 3, selector: 'app=web' } };
  const events: string[] = [];
  const statuses: HorizontalPodAutoscaler[] = [];
  const store = (items: KubeObject[]) => ({
    store: { get: () => undefined, list: () => items, byIndex: (_i: string, ns: string) => items.filter((o) => o.metadata.namespace === ns) },
    addEventHandler: () => ({ remove() {}, hasSynced: () => true }), waitForSync: async () => true,
  });
  const request = async (o: RequestOptions): Promise<unknown> => {
    if (o.path === '/apis/apps/v1/namespaces/ns/deployments/web/scale') {
      if (o.method === 'PUT') { scale = { ...scale, spec: (o.body as Scale).spec }; return scale; }
      return structuredClone(scale);
    }
    if (o.path === '/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods') {
      expect(o.query?.labelSelector).toBe('app=web');
      return { items: pods.map((p, i) => ({ metadata: { name: p.metadata.name }, timestamp: new Date(clock.now()).toISOString(), window: '30s', containers: [{ name: 'c', usage: { cpu: usage()[i] } }] })) };
    }
    throw new Error(`unexpected ${o.method ?? 'GET'} ${o.path}`);
  };
  const ctx = {
    rest: { request, resource: () => ({ updateStatus: async (h: HorizontalPodAutoscaler) => { statuses.push(structuredClone(h)); return h; } }) },
    informers: { informerFor: (t: { plural: string }) => store(t.plural === 'pods' ? pods : []) },
    clock, logger: pino({ level: 'silent' }), options: { ...DEFAULT_OPTIONS }, metrics: new Registry(),
    recorder: () => ({ event: (_o: unknown, type: string, reason: string, message: string) => { events.push(`${type} ${reason} ${message}`); } }),
  } as unknown as ControllerContext;
  return { ctx, clock, events, statuses, scale: () => scale };
}

const pods = ['a', 'b', 'c'].map((n): Pod => ({
  metadata: { name: n, namespace: 'ns', labels: { app: 'web' } },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu: '1' } } }] },
  status: { phase: 'Running', startTime: '2025-12-31T00:00:00Z', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2025-12-31T00:01:00Z' }] },
}));

const hpa = (): HorizontalPodAutoscaler => ({
  metadata: { name: 'web', namespace: 'ns' },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 10, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
});

describe('HPA reconcile with resource metrics', () => {
  it('scales up from pod metrics and records status, conditions and the event', async () => {
    let level = ['800m', '800m', '800m'];
    const s = stub(pods, () => level);
    const c = new HorizontalController(s.ctx);
    await c.reconcile(hpa(), 'ns/web');
    expect(s.scale().spec?.replicas).toBe(5);
    expect(s.events).toEqual(['Normal SuccessfulRescale New size: 5; reason: cpu resource utilization (percentage of request) above target']);
    const st = s.statuses.at(-1)!.status!;
    expect(st).toMatchObject({ currentReplicas: 3, desiredReplicas: 5, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 80, averageValue: '800m' } } }] });
    expect(st.lastScaleTime).toBe('2026-01-01T00:00:00Z');
    expect(st.conditions?.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['AbleToScale', 'True', 'SucceededRescale'], ['ScalingActive', 'True', 'ValidMetricFound'], ['ScalingLimited', 'False', 'DesiredWithinRange'],
    ]);
    expect(st.conditions?.[1]?.message).toBe('the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');

    // Usage drops right away: the 5-minute downscale stabilization keeps 5.
    level = ['100m', '100m', '100m', '100m', '100m'];
    const five = [...pods, ...['d', 'e'].map((n) => ({ ...structuredClone(pods[0]!), metadata: { name: n, namespace: 'ns', labels: { app: 'web' } } }))];
    pods.splice(0, pods.length, ...five);
    await s.clock.step(15_000);
    await c.reconcile({ ...hpa(), status: s.statuses.at(-1)!.status }, 'ns/web');
    expect(s.scale().spec?.replicas).toBe(5);
    expect(s.statuses.at(-1)!.status?.conditions?.find((x) => x.type === 'AbleToScale')?.reason).toBe('ScaleDownStabilized');
    // After the window it scales down to ceil(0.2 * 5) = 1.
    await s.clock.step(5 * 60_000 + 1000);
    await c.reconcile({ ...hpa(), status: s.statuses.at(-1)!.status }, 'ns/web');
    expect(s.scale().spec?.replicas).toBe(1);
    expect(s.events.at(-1)).toBe('Normal SuccessfulRescale New size: 1; reason: All metrics below target');
  });
});
