// HorizontalPodAutoscaler end to end without metrics.k8s.io (not served): min/max replicas are
// enforced through the Deployment's scale subresource, and within range the HPA reports the
// missing resource metrics API exactly as upstream does (conditions, events, kubectl describe).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { initHorizontalPodAutoscaler } from '../src/controllers/hpa/index.js';
import { eventually, runControllers, type Harness } from './support/harness.js';

interface HPA { status?: { currentReplicas?: number; desiredReplicas?: number; lastScaleTime?: string; conditions?: Array<{ type: string; status: string; reason: string; message: string }> } }

const METRICS_ERR = 'failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';

describe('horizontalpodautoscaler controller', () => {
  let c: Cluster;
  let h: Harness;
  beforeAll(async () => {
    c = await startCluster('raftkv');
    h = await runControllers(c, [initHorizontalPodAutoscaler], { options: { hpaSyncPeriodMs: 500 } });
    await c.kubectlOk(['create', 'deployment', 'web', '--image=nginx', '--replicas=1']);
  });
  afterAll(async () => { await h?.stop(); await c?.teardown(); });

  const hpa = async (): Promise<HPA> => JSON.parse(await c.kubectlOk(['get', 'hpa', 'web', '-o', 'json'])) as HPA;
  const replicas = async (): Promise<number> => Number(await c.kubectlOk(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']));
  const events = async (): Promise<Array<{ reason: string; message: string; type: string; source?: { component?: string } }>> =>
    (JSON.parse(await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler', '-o', 'json'])) as { items: Array<{ reason: string; message: string; type: string; source?: { component?: string } }> }).items;

  it('scales a target below minReplicas up to it', async () => {
    await c.kubectlOk(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=50']);
    await eventually(async () => (await replicas()) === 2, 10_000, 'scaled to 2');
    await eventually(async () => (await events()).some((e) => e.reason === 'SuccessfulRescale' && e.message === 'New size: 2; reason: Current number of replicas below Spec.MinReplicas'), 10_000, 'SuccessfulRescale event');
    const s = await eventually(async () => { const x = await hpa(); return x.status?.lastScaleTime ? x : undefined; }, 10_000, 'lastScaleTime');
    expect(s.status?.desiredReplicas).toBe(2);
  });

  it('within range, reports the missing resource metrics API as upstream', async () => {
    const s = await eventually(async () => {
      const x = await hpa();
      return x.status?.conditions?.find((k) => k.type === 'ScalingActive')?.reason === 'FailedGetResourceMetric' ? x : undefined;
    }, 10_000, 'ScalingActive False');
    expect(s.status?.conditions?.find((k) => k.type === 'AbleToScale')).toMatchObject({ status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
    expect(s.status?.conditions?.find((k) => k.type === 'ScalingActive')).toMatchObject({ status: 'False', message: `the HPA was unable to compute the replica count: ${METRICS_ERR}` });
    expect(s.status?.currentReplicas).toBe(2);
    const ev = await eventually(async () => { const e = await events(); return e.some((x) => x.reason === 'FailedComputeMetricsReplicas') ? e : undefined; }, 10_000, 'events');
    expect(ev.find((x) => x.reason === 'FailedGetResourceMetric')).toMatchObject({ type: 'Warning', message: METRICS_ERR, source: { component: 'horizontal-pod-autoscaler' } });
    expect(ev.find((x) => x.reason === 'FailedComputeMetricsReplicas')?.message).toBe(`invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${METRICS_ERR}`);
    expect(await replicas()).toBe(2);
    const d = await c.kubectlOk(['describe', 'hpa', 'web']);
    expect(d).toMatch(/ScalingActive\s+False\s+FailedGetResourceMetric/);
    expect(d).toMatch(/Min replicas:\s+2/);
    expect(await c.kubectlOk(['get', 'hpa', 'web', '--no-headers'])).toMatch(/cpu: <unknown>\/50%\s+2\s+5\s+2/);
  });

  it('scales a target above maxReplicas down to it', async () => {
    await c.kubectlOk(['scale', 'deployment', 'web', '--replicas=9']);
    await eventually(async () => (await replicas()) === 5, 10_000, 'scaled to 5');
    await eventually(async () => (await events()).some((e) => e.message === 'New size: 5; reason: Current number of replicas above Spec.MaxReplicas'), 10_000, 'rescale event');
  });

  it('reports a missing scale target', async () => {
    await c.kubectlOk(['create', '-f', '-'], JSON.stringify({
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'ghost' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'ghost' }, minReplicas: 1, maxReplicas: 3 },
    }));
    const x = await eventually(async () => {
      const o = JSON.parse(await c.kubectlOk(['get', 'hpa', 'ghost', '-o', 'json'])) as HPA;
      return o.status?.conditions?.find((k) => k.type === 'AbleToScale' && k.reason === 'FailedGetScale');
    }, 10_000, 'FailedGetScale');
    expect(x.status).toBe('False');
    expect(x.message).toMatch(/^the HPA controller was unable to get the target's current scale: deployments.apps "ghost" not found/);
  });
});
