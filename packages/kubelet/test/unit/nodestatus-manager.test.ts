// NodeStatusManager and NodeLeaseController against an in-memory API (nodes, leases) and a fake
// CRI runtime on a FakeClock: registration and its reconcile path, change-only status patches,
// the report period, podCIDR hand-off, the fast update to Ready, and the Lease heartbeat.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { ApiError, FakeClock, type KubeObject, type Lease, type Node, type RestClient, type ResourceType } from '@kube-ts/client';
import { loadKubeletSettings, type KubeletSettings } from '../../src/config/index.js';
import { NodeLeaseController, NodeStatusManager, type MachineInfo } from '../../src/nodestatus/index.js';
import type { ImageService, RuntimeCondition, RuntimeService, StatusResponse } from '../../src/cri/types.js';

const log = pino({ level: 'silent' });
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The strategic merge patch subset the kubelet sends (lists keyed by type, $setElementOrder, $patch delete). */
function strategic(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return patch;
  const out: Obj = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$setElementOrder/')) continue;
    if (v === null) { delete out[k]; continue; }
    if (Array.isArray(v) && (k === 'conditions' || k === 'addresses')) {
      const list = [...((out[k] as Obj[] | undefined) ?? [])];
      for (const item of v as Obj[]) {
        const i = list.findIndex((x) => x.type === item.type);
        if (item.$patch === 'delete') { if (i >= 0) list.splice(i, 1); continue; }
        if (i >= 0) list[i] = strategic(list[i], item) as Obj; else list.push(item);
      }
      const order = patch[`$setElementOrder/${k}`] as Obj[] | undefined;
      out[k] = order ? order.map((o) => list.find((x) => x.type === o.type)).filter(Boolean) : list;
      continue;
    }
    out[k] = strategic(out[k], v);
  }
  return out;
}

function apiError(code: number, reason: string, message: string): ApiError {
  return new ApiError({ kind: 'Status', status: 'Failure', code, reason, message }, code);
}

/** Nodes and Leases in memory, with resourceVersions and the calls made. */
class FakeApi {
  readonly objects = new Map<string, KubeObject>();
  readonly calls: string[] = [];
  readonly patches: Obj[] = [];
  private rv = 1;
  failNext = 0;

  private key(t: ResourceType, ns: string | undefined, name: string): string { return `${t.plural}/${ns ?? ''}/${name}`; }
  private stamp<T extends KubeObject>(o: T): T {
    o.metadata.resourceVersion = String(++this.rv);
    o.metadata.uid ??= `uid-${o.metadata.name}`;
    return structuredClone(o);
  }
  private check(): void {
    if (this.failNext > 0) { this.failNext--; throw new Error('connect ECONNREFUSED'); }
  }

  rest(): RestClient {
    const resource = (t: ResourceType) => ({
      get: async (name: string, ns?: string) => {
        this.calls.push(`GET ${t.plural}/${name}`);
        this.check();
        const o = this.objects.get(this.key(t, ns, name));
        if (!o) throw apiError(404, 'NotFound', `${t.plural} "${name}" not found`);
        return structuredClone(o);
      },
      create: async (obj: KubeObject) => {
        this.calls.push(`POST ${t.plural}/${obj.metadata.name}`);
        this.check();
        const k = this.key(t, obj.metadata.namespace, obj.metadata.name!);
        if (this.objects.has(k)) throw apiError(409, 'AlreadyExists', `${t.plural} "${obj.metadata.name}" already exists`);
        const o = this.stamp(structuredClone(obj));
        this.objects.set(k, o);
        return structuredClone(o);
      },
      update: async (obj: KubeObject) => {
        this.calls.push(`PUT ${t.plural}/${obj.metadata.name}`);
        this.check();
        const k = this.key(t, obj.metadata.namespace, obj.metadata.name!);
        const cur = this.objects.get(k);
        if (!cur) throw apiError(404, 'NotFound', 'not found');
        if (obj.metadata.resourceVersion !== cur.metadata.resourceVersion) throw apiError(409, 'Conflict', 'the object has been modified');
        const o = this.stamp(structuredClone(obj));
        this.objects.set(k, o);
        return structuredClone(o);
      },
      patch: async (name: string, ns: string | undefined, patch: Obj, type: string, opts: { subresource?: string }) => {
        this.calls.push(`PATCH ${t.plural}/${name}/${opts.subresource ?? ''} ${type}`);
        this.check();
        this.patches.push(patch);
        const k = this.key(t, ns, name);
        const cur = this.objects.get(k);
        if (!cur) throw apiError(404, 'NotFound', 'not found');
        const o = this.stamp(strategic(cur, patch) as KubeObject);
        this.objects.set(k, o);
        return structuredClone(o);
      },
    });
    return { resource } as unknown as RestClient;
  }

  node(name: string): Node { return this.objects.get(`nodes//${name}`) as Node; }
  lease(name: string): Lease | undefined { return this.objects.get(`leases/kube-node-lease/${name}`) as Lease | undefined; }
  count(prefix: string): number { return this.calls.filter((c) => c.startsWith(prefix)).length; }
}

class FakeRuntime {
  conditions: RuntimeCondition[] = [
    { type: 'RuntimeReady', status: true, reason: '', message: '' },
    { type: 'NetworkReady', status: true, reason: '', message: '' },
  ];
  cidrs: string[] = [];
  async version() { return { version: '0.1.0', runtimeName: 'containerd', runtimeVersion: 'v1.6.20', runtimeApiVersion: 'v1' }; }
  async status(): Promise<StatusResponse> { return { status: { conditions: this.conditions.map((c) => ({ ...c })) }, info: {} }; }
  async listImages() { return [{ id: 'sha256:p', repoTags: ['kube-ts.local/pause:3.10'], repoDigests: [], size: '700000', username: '', pinned: true }]; }
  asRuntime(): RuntimeService & ImageService { return this as unknown as RuntimeService & ImageService; }
}

const MACHINE: MachineInfo = {
  numCores: 2, memoryCapacity: 4 * 2 ** 30, hugePages: { 'hugepages-2Mi': 0 }, machineID: 'm', systemUUID: 'u', bootID: 'b',
  kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', rootfsCapacity: 100 * 2 ** 30,
};

async function setup(argv: string[] = [], api = new FakeApi()) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const settings: KubeletSettings = await loadKubeletSettings(['--hostname-override=n1', '--node-ip=10.0.0.9', ...argv]);
  const runtime = new FakeRuntime();
  const events: string[] = [];
  const cidrs: string[] = [];
  const m = new NodeStatusManager({
    rest: api.rest(), settings, runtime: runtime.asRuntime(), clock, logger: log, kubeletPort: 10250,
    recorder: { event: (_o, _t, reason, message) => { events.push(`${reason}: ${message}`); } },
    onPodCIDR: (c) => { cidrs.push(c); },
    machineInfo: async () => MACHINE,
    random: () => 0.5,
  });
  return { api, clock, settings, runtime, events, cidrs, m };
}

describe('NodeStatusManager', () => {
  it('registers the node with labels, taints, the attach/detach annotation and a full status', async () => {
    const { api, m, events } = await setup(['--node-labels=role=worker', '--register-with-taints=dedicated=x:NoSchedule']);
    const node = await m.register();
    expect(api.calls).toEqual(['POST nodes/n1']);
    expect(node.metadata.labels).toEqual({
      'kubernetes.io/hostname': 'n1', 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': expect.any(String),
      'beta.kubernetes.io/os': 'linux', 'beta.kubernetes.io/arch': expect.any(String), role: 'worker',
    });
    expect(node.metadata.annotations).toEqual({ 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' });
    expect(node.spec?.taints).toEqual([{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }]);
    expect(node.status?.capacity).toEqual({ cpu: '2', memory: '4Gi', pods: '110', 'ephemeral-storage': '100Gi', 'hugepages-2Mi': '0' });
    expect(node.status?.allocatable).toEqual({ cpu: '2', memory: '3996Mi', pods: '110', 'ephemeral-storage': '96636764000', 'hugepages-2Mi': '0' });
    expect(node.status?.addresses).toEqual([{ type: 'InternalIP', address: '10.0.0.9' }, { type: 'Hostname', address: 'n1' }]);
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady' });
    expect(m.node()?.metadata.uid).toBe('uid-n1');
    expect(events).toContain('NodeHasSufficientMemory: Node n1 status is now: NodeHasSufficientMemory');
  });

  it('reconciles an existing node: default labels and the annotation, nothing else', async () => {
    const api = new FakeApi();
    api.objects.set('nodes//n1', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', uid: 'old', resourceVersion: '1', labels: { 'kubernetes.io/hostname': 'stale', custom: 'keep' } }, status: {} });
    const { m } = await setup([], api);
    const node = await m.register();
    expect(api.calls).toEqual(['POST nodes/n1', 'GET nodes/n1', 'PATCH nodes/n1/status strategic']);
    expect(node.metadata.uid).toBe('old');
    expect(node.metadata.labels).toMatchObject({ 'kubernetes.io/hostname': 'n1', custom: 'keep', 'kubernetes.io/os': 'linux' });
    expect(node.metadata.annotations?.['volumes.kubernetes.io/controller-managed-attach-detach']).toBe('true');
  });

  it('retries registration with backoff until the apiserver answers', async () => {
    const api = new FakeApi();
    api.failNext = 3;
    const { m, clock } = await setup([], api);
    let done = false;
    const p = m.register().then(() => { done = true; });
    await clock.step(100 + 200);
    expect(done).toBe(false);
    await clock.step(400);
    await p;
    expect(api.count('POST nodes/n1')).toBe(4);
  });

  it('patches status only when it changed or the report period passed', async () => {
    const { api, m, clock, runtime } = await setup(['--node-status-update-frequency=10s']);
    await m.register();
    api.calls.length = 0;
    await clock.step(10_000);
    await m.syncNow();
    expect(api.calls).toEqual(['GET nodes/n1']);

    runtime.conditions[1] = { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' };
    await m.syncNow();
    expect(api.count('PATCH')).toBe(1);
    const patch = api.patches.at(-1) as { status: { conditions: Obj[] } };
    expect(Object.keys(patch.status).sort()).toEqual(['$setElementOrder/conditions', 'conditions']);
    const ready = api.node('n1').status?.conditions?.find((c) => c.type === 'Ready');
    expect(ready).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' });

    // Unchanged: no patch until the report frequency (5m, plus the fixed jitter: 0 at random 0.5) passes.
    api.calls.length = 0;
    await clock.step(60_000);
    await m.syncNow();
    expect(api.count('PATCH')).toBe(0);
    await clock.step(240_000);
    await m.syncNow();
    expect(api.count('PATCH')).toBe(1);
    expect(api.node('n1').status?.conditions?.[0]?.lastHeartbeatTime).toBe('2026-01-01T00:05:10Z');
  });

  it('hands a new podCIDR to the runtime once and patches for it', async () => {
    const { api, m, cidrs, clock } = await setup();
    await m.register();
    api.node('n1').spec = { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] };
    api.calls.length = 0;
    await clock.step(1000);
    await m.syncNow();
    await clock.step(1000);
    await m.syncNow();
    expect(cidrs).toEqual(['10.244.1.0/24']);
    expect(api.count('PATCH')).toBe(1);
  });

  it('turns Ready quickly after start once the runtime is ready, then keeps the status loop going', async () => {
    const { api, m, clock, runtime } = await setup(['--node-status-update-frequency=10s']);
    runtime.conditions[1] = { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'cni plugin not initialized' };
    await m.register();
    expect(api.node('n1').status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
    m.start();
    await clock.step(1000);
    runtime.conditions[1] = { type: 'NetworkReady', status: true, reason: '', message: '' };
    await clock.step(300);
    expect(api.node('n1').status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    const before = api.count('GET nodes/n1');
    await clock.step(10_500);
    expect(api.count('GET nodes/n1')).toBeGreaterThan(before);
    await m.stop();
    const after = api.calls.length;
    await clock.step(60_000);
    expect(api.calls.length).toBe(after);
  });
});

describe('NodeLeaseController', () => {
  it('creates the Lease with an owner reference, renews it, and recovers from conflicts', async () => {
    const api = new FakeApi();
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const c = new NodeLeaseController({ rest: api.rest(), nodeName: 'n1', leaseDurationSeconds: 40, clock, logger: log, random: () => 0 });
    // No Node yet: the owner reference cannot be set, so nothing is created this round.
    await c.sync();
    expect(api.lease('n1')).toBeUndefined();
    api.objects.set('nodes//n1', { metadata: { name: 'n1', uid: 'node-uid' } });
    await c.sync();
    const lease = api.lease('n1')!;
    expect(lease.spec).toEqual({ holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: '2026-01-01T00:00:00.000000Z' });
    expect(lease.metadata.ownerReferences).toEqual([{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid' }]);

    c.start();
    await clock.step(10_000);
    expect(api.lease('n1')!.spec?.renewTime).toBe('2026-01-01T00:00:10.000000Z');
    // Someone else wrote the lease: the PUT conflicts, the controller re-reads and renews.
    const other = api.lease('n1')!;
    other.metadata.resourceVersion = '999';
    await clock.step(10_000);
    expect(api.lease('n1')!.spec?.renewTime).toBe('2026-01-01T00:00:20.000000Z');
    expect(api.calls.filter((x) => x === 'GET leases/n1').length).toBeGreaterThanOrEqual(2);
    await c.stop();
  });

  it('backs off while the apiserver is unreachable', async () => {
    const api = new FakeApi();
    api.objects.set('nodes//n1', { metadata: { name: 'n1', uid: 'u' } });
    api.failNext = 3;
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    const c = new NodeLeaseController({ rest: api.rest(), nodeName: 'n1', leaseDurationSeconds: 40, clock, logger: log });
    const p = c.sync();
    await clock.step(200 + 400);
    expect(api.lease('n1')).toBeUndefined();
    await clock.step(800);
    await p;
    expect(api.lease('n1')?.spec?.holderIdentity).toBe('n1');
    expect(api.count('GET leases/n1')).toBe(4);
  });
});
