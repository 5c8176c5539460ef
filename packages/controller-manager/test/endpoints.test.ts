// Endpoints and EndpointSlice controllers end to end: kube-apiserver + FakeKubelet, the
// controllers (and the garbage collector, which removes a deleted Service's slices) in-process,
// objects driven and read back with the real kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoints, EndpointSlice } from '@kube-ts/client/services';
import type { KubeList, Pod } from '@kube-ts/client/types';
import type { Cluster } from '../../apiserver/test/support/cluster.js';
import { initEndpoints } from '../src/controllers/endpoints/index.js';
import { initEndpointSlice } from '../src/controllers/endpointslice/index.js';
import { initGarbageCollector } from '../src/controllers/garbagecollector/index.js';
import { startControllerTestCluster, type ControllerTestCluster } from './support/controllercluster.js';
import { eventually } from './support/harness.js';

const podManifest = (name: string, node = 'node-1'): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, labels: {app: web}}
spec:
  nodeName: ${node}
  containers: [{name: c, image: nginx, ports: [{name: http, containerPort: 8080}]}]
`;

const SERVICE = `apiVersion: v1
kind: Service
metadata: {name: web, labels: {tier: front}}
spec:
  selector: {app: web}
  ports: [{name: web, port: 80, targetPort: http}]
`;

describe('endpoints and endpointslice controllers e2e', () => {
  let t: ControllerTestCluster;
  let c: Cluster;

  beforeAll(async () => {
    t = await startControllerTestCluster([initEndpoints, initEndpointSlice, initGarbageCollector], { nodes: ['node-1'] });
    ({ cluster: c } = t);
  });

  afterAll(() => t?.teardown());

  const json = async <T>(args: string[]): Promise<T> => JSON.parse(await c.kubectlOk([...args, '-o', 'json'])) as T;
  const slices = async (): Promise<EndpointSlice[]> => (await json<KubeList<EndpointSlice>>(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web'])).items;
  const ipOf = async (pod: string): Promise<string> => eventually(async () => (await json<Pod>(['get', 'pod', pod])).status?.podIP, 20_000, `${pod} IP`);

  it('publishes ready pods, moves a not-ready pod aside and drops the objects with the Service', async () => {
    await c.kubectlOk(['apply', '-f', '-'], ['web-0', 'web-1', 'web-2'].map((n) => podManifest(n)).join('---\n'));
    await c.kubectlOk(['apply', '-f', '-'], SERVICE);
    const ips = await Promise.all(['web-0', 'web-1', 'web-2'].map(ipOf));

    // kubectl get endpoints: ip:port of every ready pod (the named targetPort resolved to 8080).
    const line = await eventually(async () => {
      const out = await c.kubectlOk(['get', 'endpoints', 'web', '--no-headers']);
      return ips.every((ip) => out.includes(`${ip}:8080`)) ? out : undefined;
    }, 20_000, 'endpoints list all pods');
    expect(line).toMatch(/^web\s+\S+:8080,\S+:8080,\S+:8080/);
    const ep = await json<Endpoints>(['get', 'endpoints', 'web']);
    expect(ep.metadata.labels).toEqual({ tier: 'front' });
    expect(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(ep.subsets).toHaveLength(1);
    expect(ep.subsets![0]!.ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    expect(ep.subsets![0]!.addresses!.map((a) => a.ip)).toEqual([...ips].sort());
    expect(ep.subsets![0]!.addresses![0]).toMatchObject({ nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default' } });

    const [slice] = await eventually(async () => {
      const s = await slices();
      return s.length === 1 && (s[0]!.endpoints ?? []).length === 3 ? s : undefined;
    }, 20_000, 'one slice with three endpoints');
    expect(slice!.metadata.name).toMatch(/^web-[a-z0-9]{5}$/);
    expect(slice!.addressType).toBe('IPv4');
    expect(slice!.metadata.labels).toEqual({ tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    expect(slice!.metadata.ownerReferences).toMatchObject([{ apiVersion: 'v1', kind: 'Service', name: 'web', controller: true, blockOwnerDeletion: true }]);
    expect(slice!.ports).toEqual([{ name: 'web', port: 8080, protocol: 'TCP' }]);
    for (const e of slice!.endpoints!) {
      expect(e.conditions).toEqual({ ready: true, serving: true, terminating: false });
      expect(e).toMatchObject({ nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'default' } });
    }

    // web-1 stops being ready: not-ready address / ready=false, serving=false.
    await c.kubectlOk(['patch', 'pod', 'web-1', '--subresource=status', '-p', JSON.stringify({ status: { conditions: [{ type: 'Ready', status: 'False' }] } })]);
    const notReady = await eventually(async () => {
      const e = await json<Endpoints>(['get', 'endpoints', 'web']);
      return e.subsets?.[0]?.notReadyAddresses?.length === 1 ? e : undefined;
    }, 20_000, 'web-1 not ready in endpoints');
    expect(notReady.subsets![0]!.notReadyAddresses![0]!.ip).toBe(ips[1]);
    expect(notReady.subsets![0]!.addresses!.map((a) => a.ip)).toEqual([ips[0], ips[2]].sort());
    await eventually(async () => {
      const e = (await slices())[0]?.endpoints?.find((x) => x.targetRef?.name === 'web-1');
      return e?.conditions?.ready === false && e.conditions.serving === false && e.conditions.terminating === false;
    }, 20_000, 'web-1 not ready in the slice');
    expect((await slices()).length).toBe(1);

    // A terminating pod (no kubelet confirms on node-2): out of Endpoints, terminating in the slice.
    await c.kubectlOk(['apply', '-f', '-'], 'apiVersion: v1\nkind: Node\nmetadata: {name: node-2, labels: {topology.kubernetes.io/zone: zone-b}}\n');
    await c.kubectlOk(['apply', '-f', '-'], podManifest('web-t', 'node-2'));
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await c.kubectlOk(['patch', 'pod', 'web-t', '--subresource=status', '--type=merge', '-p', JSON.stringify({
      status: { phase: 'Running', podIP: '10.201.0.9', podIPs: [{ ip: '10.201.0.9' }], conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] },
    })]);
    await eventually(async () => (await slices())[0]?.endpoints?.find((x) => x.targetRef?.name === 'web-t')?.zone === 'zone-b', 20_000, 'web-t in the slice with its zone');
    await c.kubectlOk(['delete', 'pod', 'web-t', '--wait=false']);
    await eventually(async () => {
      const e = (await slices())[0]?.endpoints?.find((x) => x.targetRef?.name === 'web-t');
      return e?.conditions?.ready === false && e.conditions.serving === true && e.conditions.terminating === true;
    }, 20_000, 'web-t terminating in the slice');
    const withTerminating = await json<Endpoints>(['get', 'endpoints', 'web']);
    const all = (withTerminating.subsets ?? []).flatMap((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])]).map((a) => a.ip);
    expect(all).not.toContain('10.201.0.9');
    await c.kubectlOk(['delete', 'pod', 'web-t', '--force', '--grace-period=0']);

    // A Service without a selector keeps the Endpoints its owner wrote.
    await c.kubectlOk(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: manual}\nspec:\n  ports: [{port: 80}]\n---\n'
      + 'apiVersion: v1\nkind: Endpoints\nmetadata: {name: manual}\nsubsets: [{addresses: [{ip: 10.9.9.9}], ports: [{port: 80}]}]\n');

    // Deleting the Service removes its Endpoints (controller) and its slices (garbage collector).
    await c.kubectlOk(['delete', 'service', 'web']);
    await eventually(async () => (await c.kubectl(['get', 'endpoints', 'web'])).code !== 0, 20_000, 'endpoints deleted');
    await eventually(async () => (await slices()).length === 0, 30_000, 'slices deleted');
    const manual = await json<Endpoints>(['get', 'endpoints', 'manual']);
    expect(manual.subsets?.[0]?.addresses?.[0]?.ip).toBe('10.9.9.9');
    expect((await json<KubeList<EndpointSlice>>(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=manual'])).items).toEqual([]);
  });

  it('keeps a placeholder slice for a headless service that selects nothing', async () => {
    await c.kubectlOk(['apply', '-f', '-'], 'apiVersion: v1\nkind: Service\nmetadata: {name: empty}\nspec:\n  clusterIP: None\n  selector: {app: none}\n  ports: [{port: 80}]\n');
    const [s] = await eventually(async () => {
      const l = (await json<KubeList<EndpointSlice>>(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=empty'])).items;
      return l.length === 1 ? l : undefined;
    }, 20_000, 'placeholder slice');
    expect(s!.endpoints ?? []).toEqual([]);
    expect(s!.metadata.labels?.['service.kubernetes.io/headless']).toBe('');
    const ep = await eventually(async () => (await c.kubectl(['get', 'endpoints', 'empty', '-o', 'json'])).code === 0, 20_000, 'endpoints for empty');
    expect(ep).toBe(true);
    const e = await json<Endpoints>(['get', 'endpoints', 'empty']);
    expect(e.metadata.labels).toEqual({ 'service.kubernetes.io/headless': '' });
    expect(e.subsets ?? []).toEqual([]);
  });
});
