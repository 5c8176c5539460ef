// Node status end to end: a real kube-apiserver (raftkv), the NodeStatusManager with a fake CRI
// runtime (no containerd needed), read back with the real kubectl: registration with capacity,
// allocatable, nodeInfo, addresses and conditions; `kubectl describe node`; the node Lease
// renewing with its owner reference; Ready turning False with upstream's message when the
// runtime's network is not ready, and back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { EventBroadcaster, eventSinkFromRest, loadKubeconfig, RestClient, type Lease, type Node } from '@kube-ts/client';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { loadKubeletSettings } from '../src/config/index.js';
import { KUBELET_VERSION, NodeStatusManager } from '../src/nodestatus/index.js';
import type { ImageService, RuntimeCondition, RuntimeService, StatusResponse } from '../src/cri/types.js';

const NODE = 'kts-e2e-node';

class FakeRuntime {
  network: RuntimeCondition = { type: 'NetworkReady', status: true, reason: '', message: '' };
  async version() { return { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: 'v1.6.20', runtimeApiVersion: 'v1' }; }
  async status(): Promise<StatusResponse> {
    return { status: { conditions: [{ type: 'RuntimeReady', status: true, reason: '', message: '' }, { ...this.network }] }, info: {} };
  }
  async listImages() {
    return [{ id: 'sha256:1', repoTags: ['kube-ts.local/busybox:1.35'], repoDigests: ['kube-ts.local/busybox@sha256:aa'], size: '1200000', username: '', pinned: false }];
  }
  asRuntime(): RuntimeService & ImageService { return this as unknown as RuntimeService & ImageService; }
}

async function eventually<T>(fn: () => Promise<T | undefined | false>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try { const v = await fn(); if (v !== undefined && v !== false) return v; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('node status e2e', () => {
  let c: Cluster;
  let rest: RestClient;
  let mgr: NodeStatusManager;
  let events: EventBroadcaster;
  const runtime = new FakeRuntime();
  const dir = mkdtempSync(join(tmpdir(), 'kubelet-nodestatus-'));

  const getJSON = async <T>(args: string[]): Promise<T> => JSON.parse(await c.kubectlOk([...args, '-o', 'json'])) as T;
  const ready = async (): Promise<Node['status']> => (await getJSON<Node>(['get', 'node', NODE])).status;

  const newManager = async (): Promise<NodeStatusManager> => {
    const cfg = join(dir, 'kubelet.yaml');
    writeFileSync(cfg, 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nnodeStatusUpdateFrequency: 1s\nnodeLeaseDurationSeconds: 4\nsystemReserved: {cpu: 100m}\n');
    const settings = await loadKubeletSettings([`--config=${cfg}`, `--hostname-override=${NODE}`, `--root-dir=${join(dir, 'root')}`, '--node-labels=node.kubernetes.io/pool=e2e']);
    return new NodeStatusManager({ rest, settings, runtime: runtime.asRuntime(), logger: pino({ level: 'silent' }), recorder: events.newRecorder(), kubeletPort: 10250 });
  };

  beforeAll(async () => {
    c = await startCluster('raftkv');
    rest = new RestClient(loadKubeconfig(c.kubeconfig));
    events = new EventBroadcaster({ sink: eventSinkFromRest(rest), component: 'kubelet', host: NODE });
    mgr = await newManager();
    await mgr.register();
    mgr.start();
  });

  afterAll(async () => {
    await mgr?.stop();
    await events?.shutdown();
    rest?.close();
    await c?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers the node with capacity, allocatable, nodeInfo, addresses and conditions', async () => {
    const node = await getJSON<Node & { status: { nodeInfo: Record<string, string>; daemonEndpoints: unknown } }>(['get', 'node', NODE]);
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': NODE, 'kubernetes.io/os': 'linux', 'beta.kubernetes.io/os': 'linux', 'node.kubernetes.io/pool': 'e2e' });
    const st = node.status;
    const memKi = Number(/^MemTotal:\s+(\d+) kB/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1]);
    expect(st.capacity).toMatchObject({ cpu: String(cpus().length), memory: `${memKi}Ki`, pods: '110' });
    expect(st.capacity?.['ephemeral-storage']).toMatch(/^\d+(Ki|Mi|Gi)?$/);
    expect(st.allocatable).toMatchObject({ cpu: `${cpus().length * 1000 - 100}m`, memory: `${memKi - 100 * 1024}Ki`, pods: '110' });
    expect(st.nodeInfo).toMatchObject({
      bootID: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      containerRuntimeVersion: 'containerd://v1.6.20', kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux', osImage: /^PRETTY_NAME="?(.*?)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))![1],
    });
    expect(st.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    expect(st.addresses?.map((a) => a.type)).toEqual(['InternalIP', 'Hostname']);
    expect(st.addresses?.[1]?.address).toBe(NODE);
    expect(st.images).toEqual([{ names: ['kube-ts.local/busybox@sha256:aa', 'kube-ts.local/busybox:1.35'], sizeBytes: 1200000 }]);
    expect(st.conditions?.map((x) => [x.type, x.status, x.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'True', 'KubeletReady'],
    ]);
    const table = await c.kubectlOk(['get', 'nodes', NODE, '--no-headers']);
    expect(table).toMatch(new RegExp(`^${NODE}\\s+Ready\\s+<none>\\s+\\S+\\s+${KUBELET_VERSION}`));
  });

  it('kubectl describe node shows conditions, capacity, system info and the kubelet events', async () => {
    const out = await eventually(async () => {
      const d = await c.kubectlOk(['describe', 'node', NODE]);
      return d.includes('NodeHasSufficientMemory') ? d : undefined;
    }, 10_000, 'node events in describe');
    expect(out).toMatch(/Ready\s+True\s+.*KubeletReady\s+kubelet is posting ready status/);
    expect(out).toMatch(/MemoryPressure\s+False\s+.*KubeletHasSufficientMemory\s+kubelet has sufficient memory available/);
    expect(out).toMatch(/Kubelet Version:\s+v1\.32\.0-kube-ts/);
    expect(out).toMatch(/Container Runtime Version:\s+containerd:\/\/v1\.6\.20/);
    expect(out).toMatch(/Capacity:\s*\n\s+cpu:\s+\d+/);
    expect(out).toMatch(/Normal\s+NodeHasSufficientMemory\s+.*kubelet\s+Node kts-e2e-node status is now: NodeHasSufficientMemory/);
  });

  it('renews the node Lease, owned by the Node', async () => {
    const node = await rest.resource<Node>({ group: '', version: 'v1', plural: 'nodes', kind: 'Node', namespaced: false }).get(NODE);
    const first = await eventually(() => getJSON<Lease>(['get', 'lease', '-n', 'kube-node-lease', NODE]), 10_000, 'lease');
    expect(first.spec).toMatchObject({ holderIdentity: NODE, leaseDurationSeconds: 4 });
    expect(first.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: NODE, uid: node.metadata.uid }]);
    const later = await eventually(async () => {
      const l = await getJSON<Lease>(['get', 'lease', '-n', 'kube-node-lease', NODE]);
      return Date.parse(l.spec!.renewTime!) > Date.parse(first.spec!.renewTime!) ? l : undefined;
    }, 10_000, 'lease renewal');
    expect(later.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
  });

  it('turns Ready False with upstream message when the runtime network is not ready, then Ready again', async () => {
    runtime.network = { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' };
    const notReady = await eventually(async () => (await ready())?.conditions?.find((x) => x.type === 'Ready' && x.status === 'False'), 15_000, 'Ready False');
    expect(notReady).toMatchObject({
      reason: 'KubeletNotReady',
      message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    });
    expect(await c.kubectlOk(['get', 'nodes', NODE, '--no-headers'])).toMatch(/\sNotReady\s/);
    runtime.network = { type: 'NetworkReady', status: true, reason: '', message: '' };
    const back = await eventually(async () => (await ready())?.conditions?.find((x) => x.type === 'Ready' && x.status === 'True'), 15_000, 'Ready True');
    expect(Date.parse(back.lastTransitionTime!)).toBeGreaterThanOrEqual(Date.parse(notReady.lastTransitionTime!));
    const ev = await eventually(async () => {
      const out = await c.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${NODE}`, '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
      return out.includes('NodeNotReady') && out.includes('NodeReady') ? out : undefined;
    }, 10_000, 'NodeNotReady/NodeReady events');
    expect(ev).toContain('NodeHasNoDiskPressure');
  });

  it('a restarted kubelet finds its node registered and puts its default labels back', async () => {
    const before = await getJSON<Node>(['get', 'node', NODE]);
    await mgr.stop();
    await c.kubectlOk(['label', 'node', NODE, 'kubernetes.io/hostname=stale', 'custom=kept', '--overwrite']);
    mgr = await newManager();
    const node = await mgr.register();
    expect(node.metadata.uid).toBe(before.metadata.uid);
    const after = await getJSON<Node>(['get', 'node', NODE]);
    expect(after.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': NODE, custom: 'kept' });
  });
});
