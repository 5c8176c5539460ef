// Quota usage as upstream's evaluators compute it (pods_test.go, services_test.go,
// persistent_volume_claims_test.go, resource_quota_controller_test.go cases), quantity printing
// and the status the controller writes.
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import type { Service } from '@kube-ts/client/services';
import type { PersistentVolumeClaim } from '@kube-ts/client/workloads';
import { isBestEffort, legacyEvaluators, objectCountEvaluator, parseObjectCountName, podEvaluator, podMatchesScope, podUsage, pvcUsage, quotaV1Pod, serviceUsage } from '../../src/controllers/resourcequota/evaluators.js';
import { addQ, formatQuantity, parseQuantity, type ResourceList } from '../../src/controllers/resourcequota/quantity.js';
import type { ResourceQuota } from '../../src/controllers/resourcequota/types.js';
import { calculateUsage, quotaStatus } from '../../src/controllers/resourcequota/usage.js';

const NOW = Date.UTC(2024, 0, 1, 12);
const print = (l: ResourceList): Record<string, string> => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, formatQuantity(v)]).sort(([a], [b]) => a.localeCompare(b)));
const sorted = (o: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

type Res = { requests?: Record<string, string>; limits?: Record<string, string> };
const pod = (o: { name?: string; containers?: Res[]; init?: Array<Res & { restartPolicy?: string }>; phase?: Pod['status'] extends infer S ? S extends { phase?: infer P } ? P : never : never; spec?: Partial<Pod['spec']>; meta?: Partial<Pod['metadata']> } = {}): Pod => ({
  metadata: { name: o.name ?? 'p', namespace: 'ns', ...(o.meta ?? {}) },
  spec: {
    containers: (o.containers ?? [{}]).map((r, i) => ({ name: `c${i}`, resources: r })),
    ...(o.init ? { initContainers: o.init.map((r, i) => ({ name: `i${i}`, resources: { requests: r.requests, limits: r.limits }, ...(r.restartPolicy ? { restartPolicy: r.restartPolicy } : {}) })) } : {}),
    ...(o.spec ?? {}),
  },
  status: { phase: o.phase ?? 'Running' },
});

describe('quantities', () => {
  it.each<[string, string]>([
    ['100m', '100m'], ['1000m', '1'], ['1500m', '1500m'], ['2', '2'], ['1000', '1k'], ['64Mi', '64Mi'], ['1Gi', '1Gi'],
    ['1536Mi', '1536Mi'], ['0.5', '500m'], ['1e3', '1e3'], ['512', '512'],
  ])('%s prints as %s', (i, o) => { expect(formatQuantity(parseQuantity(i))).toBe(o); });
  it('sums keep the first non-zero format', () => {
    expect(formatQuantity(addQ(parseQuantity('64Mi'), parseQuantity('64Mi')))).toBe('128Mi');
    expect(formatQuantity(addQ(parseQuantity('0'), parseQuantity('1Ki')))).toBe('1Ki');
    expect(formatQuantity(addQ(parseQuantity('1Gi'), parseQuantity('1G')))).toBe('2073741824');
    expect(formatQuantity(addQ(parseQuantity('100m'), parseQuantity('900m')))).toBe('1');
  });
});

describe('pod usage (TestPodEvaluatorUsage)', () => {
  it.each<[string, Pod, Record<string, string>]>([
    ['init container CPU', pod({ init: [{ requests: { cpu: '1m' }, limits: { cpu: '2m' } }] }),
      { 'count/pods': '1', pods: '1', cpu: '1m', 'requests.cpu': '1m', 'limits.cpu': '2m' }],
    ['init container MEM', pod({ init: [{ requests: { memory: '1m' }, limits: { memory: '2m' } }] }),
      { 'count/pods': '1', pods: '1', memory: '1m', 'requests.memory': '1m', 'limits.memory': '2m' }],
    ['container CPU and memory', pod({ containers: [{ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } }] }),
      { 'count/pods': '1', pods: '1', cpu: '100m', 'requests.cpu': '100m', 'limits.cpu': '200m', memory: '64Mi', 'requests.memory': '64Mi', 'limits.memory': '128Mi' }],
    ['init container maximums override sum of containers', pod({
      init: [{ requests: { cpu: '4', memory: '100M' }, limits: { cpu: '8', memory: '200M' } }, { requests: { cpu: '1', memory: '50M' }, limits: { cpu: '2', memory: '100M' } }],
      containers: [{ requests: { cpu: '1', memory: '50M' }, limits: { cpu: '2', memory: '100M' } }, { requests: { cpu: '2', memory: '25M' }, limits: { cpu: '5', memory: '50M' } }],
    }), { 'count/pods': '1', pods: '1', cpu: '4', 'requests.cpu': '4', 'limits.cpu': '8', memory: '100M', 'requests.memory': '100M', 'limits.memory': '200M' }],
    ['sidecar (restartable init) containers add to the containers', pod({
      init: [{ requests: { cpu: '1' }, restartPolicy: 'Always' }, { requests: { cpu: '2' } }],
      containers: [{ requests: { cpu: '1' } }],
    }), { 'count/pods': '1', pods: '1', cpu: '3', 'requests.cpu': '3' }],
    ['limits only: requests default to limits', pod({ containers: [{ limits: { cpu: '1', memory: '1Gi' } }] }),
      { 'count/pods': '1', pods: '1', cpu: '1', 'requests.cpu': '1', 'limits.cpu': '1', memory: '1Gi', 'requests.memory': '1Gi', 'limits.memory': '1Gi' }],
    ['extended resource', pod({ containers: [{ requests: { 'example.com/dongle': '3' }, limits: { 'example.com/dongle': '3' } }] }),
      { 'count/pods': '1', pods: '1', 'requests.example.com/dongle': '3' }],
    ['hugepages', pod({ containers: [{ requests: { 'hugepages-2Mi': '100Mi' }, limits: { 'hugepages-2Mi': '100Mi' } }] }),
      { 'count/pods': '1', pods: '1', 'hugepages-2Mi': '100Mi', 'requests.hugepages-2Mi': '100Mi' }],
    ['pod overhead', pod({ containers: [{ requests: { cpu: '1' }, limits: { cpu: '2' } }], spec: { overhead: { cpu: '250m', memory: '100Mi' } } }),
      { 'count/pods': '1', pods: '1', cpu: '1250m', 'requests.cpu': '1250m', 'limits.cpu': '2250m', memory: '100Mi', 'requests.memory': '100Mi' }],
    ['terminal pods count only in count/pods', pod({ phase: 'Succeeded', containers: [{ requests: { cpu: '1' } }] }), { 'count/pods': '1' }],
  ])('%s', (_n, p, want) => { expect(print(podUsage(p, NOW))).toEqual(sorted(want)); });

  it('stops charging pods stuck terminating past their grace period (QuotaV1Pod)', () => {
    const dt = new Date(NOW - 60_000).toISOString();
    expect(quotaV1Pod(pod({ meta: { deletionTimestamp: dt, deletionGracePeriodSeconds: 30 } }), NOW)).toBe(false);
    expect(quotaV1Pod(pod({ meta: { deletionTimestamp: dt, deletionGracePeriodSeconds: 120 } }), NOW)).toBe(true);
    expect(quotaV1Pod(pod({ phase: 'Failed' }), NOW)).toBe(false);
  });
});

describe('pod scopes (TestPodEvaluatorMatchesScopes)', () => {
  const be = pod();
  const burstable = pod({ containers: [{ requests: { cpu: '100m' } }] });
  const terminating = pod({ spec: { activeDeadlineSeconds: 60 } });
  const high = pod({ spec: { priorityClassName: 'high' } });
  const cross = pod({ spec: { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'k', namespaces: ['other'] }] } } } });
  it.each<[string, Pod, string, 'In' | 'NotIn' | 'Exists' | 'DoesNotExist', string[] | undefined, boolean]>([
    ['best effort', be, 'BestEffort', 'Exists', undefined, true],
    ['best effort vs NotBestEffort', be, 'NotBestEffort', 'Exists', undefined, false],
    ['burstable', burstable, 'NotBestEffort', 'Exists', undefined, true],
    ['terminating', terminating, 'Terminating', 'Exists', undefined, true],
    ['not terminating', be, 'NotTerminating', 'Exists', undefined, true],
    ['terminating vs NotTerminating', terminating, 'NotTerminating', 'Exists', undefined, false],
    ['priority class In', high, 'PriorityClass', 'In', ['high', 'low'], true],
    ['priority class In, other class', high, 'PriorityClass', 'In', ['low'], false],
    ['priority class NotIn', high, 'PriorityClass', 'NotIn', ['low'], true],
    ['no priority class NotIn', be, 'PriorityClass', 'NotIn', ['low'], true],
    ['priority class Exists', high, 'PriorityClass', 'Exists', undefined, true],
    ['no priority class Exists', be, 'PriorityClass', 'Exists', undefined, false],
    ['no priority class DoesNotExist', be, 'PriorityClass', 'DoesNotExist', undefined, true],
    ['cross-namespace affinity', cross, 'CrossNamespacePodAffinity', 'Exists', undefined, true],
  ])('%s', (_n, p, scopeName, operator, values, want) => {
    expect(podMatchesScope({ scopeName, operator, ...(values ? { values } : {}) }, p)).toBe(want);
  });
  it('QoS class from status wins', () => {
    expect(isBestEffort({ ...burstable, status: { qosClass: 'BestEffort' } })).toBe(true);
  });
});

describe('services and PVCs', () => {
  const svc = (type: 'ClusterIP' | 'NodePort' | 'LoadBalancer', ports: number, extra: Record<string, unknown> = {}): Service => ({
    metadata: { name: 's', namespace: 'ns' }, spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i, ...(i === 0 ? { nodePort: 30000 } : {}) })), ...extra },
  });
  it.each<[string, Service, Record<string, string>]>([
    ['ClusterIP', svc('ClusterIP', 1), { 'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '0' }],
    ['NodePort', svc('NodePort', 2), { 'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '2' }],
    ['LoadBalancer', svc('LoadBalancer', 2), { 'count/services': '1', services: '1', 'services.loadbalancers': '1', 'services.nodeports': '2' }],
    ['LoadBalancer without node ports', svc('LoadBalancer', 2, { allocateLoadBalancerNodePorts: false }), { 'count/services': '1', services: '1', 'services.loadbalancers': '1', 'services.nodeports': '1' }],
  ])('service %s', (_n, s, want) => { expect(print(serviceUsage(s))).toEqual(sorted(want)); });

  it('PVC storage, per storage class, rounded to whole bytes', () => {
    const pvc: PersistentVolumeClaim = { metadata: { name: 'c', namespace: 'ns' }, spec: { storageClassName: 'gold', resources: { requests: { storage: '10Gi' } } } };
    expect(print(pvcUsage(pvc))).toEqual(sorted({
      persistentvolumeclaims: '1', 'count/persistentvolumeclaims': '1', 'requests.storage': '10Gi',
      'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'gold.storageclass.storage.k8s.io/requests.storage': '10Gi',
    }));
    const bigger = { ...pvc, status: { allocatedResources: { storage: '20Gi' } } };
    expect(formatQuantity(pvcUsage(bigger)['requests.storage']!)).toBe('20Gi');
  });

  it('count/<resource>.<group> names', () => {
    expect(parseObjectCountName('count/deployments.apps')).toEqual({ group: 'apps', resource: 'deployments' });
    expect(parseObjectCountName('count/pods')).toEqual({ group: '', resource: 'pods' });
    expect(parseObjectCountName('pods')).toBeUndefined();
    expect(objectCountEvaluator('apps', 'deployments').matchingResources(['count/deployments.apps', 'pods'])).toEqual(['count/deployments.apps']);
  });
});

describe('CalculateUsage and status (TestSyncResourceQuota)', () => {
  const q = (spec: ResourceQuota['spec'], status?: ResourceQuota['status']): ResourceQuota => ({ metadata: { name: 'q', namespace: 'ns' }, spec, ...(status ? { status } : {}) });
  const pods = [
    pod({ name: 'a', containers: [{ requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '2Gi' } }] }),
    pod({ name: 'b', containers: [{ requests: { cpu: '100m', memory: '1Gi' }, limits: { cpu: '200m', memory: '2Gi' } }], spec: { activeDeadlineSeconds: 30 } }),
    pod({ name: 'done', phase: 'Failed', containers: [{ requests: { cpu: '1' } }] }),
    pod({ name: 'be' }),
  ];
  const svcs: Service[] = [{ metadata: { name: 's', namespace: 'ns' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }];
  const evs = legacyEvaluators();
  const list = (ev: { groupResource: string }) => (ev.groupResource === 'pods' ? pods : ev.groupResource === 'services' ? svcs : []);

  it('counts compute resources of non-terminal pods and tracked objects, zero for the rest', () => {
    const quota = q({ hard: { cpu: '3', memory: '100Gi', pods: '5', 'count/pods': '10', services: '2', 'services.nodeports': '1', 'services.loadbalancers': '1', secrets: '4', 'limits.cpu': '4' } });
    expect(print(calculateUsage(quota, evs, list, NOW))).toEqual(sorted({
      cpu: '200m', memory: '2Gi', pods: '3', 'count/pods': '4', services: '1', 'services.nodeports': '1', 'services.loadbalancers': '0', secrets: '0', 'limits.cpu': '400m',
    }));
  });

  it('applies scopes to pods; scoped quotas see no services', () => {
    const terminating = q({ hard: { pods: '5', cpu: '3' }, scopes: ['Terminating'] });
    expect(print(calculateUsage(terminating, evs, list, NOW))).toEqual(sorted({ pods: '1', cpu: '100m' }));
    const be = q({ hard: { pods: '5' }, scopes: ['BestEffort'] });
    expect(print(calculateUsage(be, evs, list, NOW))).toEqual({ pods: '1' });
    const scopedSvc = q({ hard: { services: '5' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'Exists' }] } });
    expect(print(calculateUsage(scopedSvc, evs, list, NOW))).toEqual({ services: '0' });
  });

  it('writes hard = spec.hard and used masked to it; unchanged status is not rewritten', () => {
    const quota = q({ hard: { cpu: '3', pods: '5' } }, { hard: { cpu: '3', pods: '5', memory: '1Gi' }, used: { cpu: '0', pods: '0', memory: '1' } });
    const usage = calculateUsage(quota, evs, list, NOW);
    const r = quotaStatus(quota, usage);
    expect(r).toEqual({ status: { hard: { cpu: '3', pods: '5' }, used: { cpu: '200m', pods: '3' } }, dirty: true });
    const again = quotaStatus({ ...quota, status: { hard: { cpu: '3000m', pods: '5' }, used: { cpu: '0.2', pods: '3' } } }, usage);
    expect(again.dirty).toBe(false);
    expect(quotaStatus(q({ hard: { pods: '1' } }), {}).status).toEqual({ hard: { pods: '1' }, used: {} });
  });

  it('does not track resources no evaluator knows', () => {
    expect(podEvaluator.matchingResources(['pods', 'foo', 'requests.example.com/x', 'requests.kubernetes.io/x'])).toEqual(['pods', 'requests.example.com/x']);
  });
});
