// Node status pieces without an apiserver: quantity formatting and allocatable math, the setters
// (conditions and their transitions on a fake clock, events), change detection and the status
// patch, and the runtime state behind the Ready condition.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock, type Node, type NodeCondition } from '@kube-ts/client';
import {
  allocatableReservation, computeAllocatable, DEFAULT_SETTERS, formatBinarySI, formatDecimalSIMilli, KUBELET_VERSION,
  nodeStatusHasChanged, nodeStatusPatch, RuntimeState, updateRuntimeUp, type KubeletNodeStatus, type MachineInfo, type StatusInputs,
} from '../../src/nodestatus/index.js';
import type { RuntimeCondition } from '../../src/cri/types.js';

const log = pino({ level: 'silent' });

describe('quantities', () => {
  it.each([[0, '0'], [1024, '1Ki'], [1536, '1536'], [8343773184, '8148216Ki'], [2 ** 30, '1Gi'], [3 * 2 ** 40, '3Ti'], [94633493143, '94633493143']])('binary %d -> %s', (b, s) => {
    expect(formatBinarySI(b)).toBe(s);
  });
  it.each([[0, '0'], [2000, '2'], [1700, '1700m'], [110_000, '110'], [1_000_000, '1k'], [250, '250m']])('decimal milli %d -> %s', (m, s) => {
    expect(formatDecimalSIMilli(m)).toBe(s);
  });

  const capacity = { cpu: '2', memory: '8148216Ki', pods: '110', 'ephemeral-storage': '102683912Ki', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' };
  const defaults = { 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%' };
  it.each<[string, Record<string, string>, Record<string, string>, Record<string, string>, Record<string, string | number>, Record<string, string>]>([
    ['default eviction thresholds', {}, {}, defaults, capacity,
      { cpu: '2', memory: '8045816Ki', pods: '110', 'ephemeral-storage': '94633493143', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' }],
    ['reservations add up', { cpu: '100m', memory: '100Mi' }, { cpu: '200m', memory: '100Mi', 'ephemeral-storage': '1Gi' }, { 'memory.available': '100Mi' }, capacity,
      { cpu: '1700m', memory: '7841016Ki', pods: '110', 'ephemeral-storage': '101635336Ki', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' }],
    ['hugepages come out of memory', {}, {}, {}, { ...capacity, 'hugepages-2Mi': '1Gi' },
      { cpu: '2', memory: '7099640Ki', pods: '110', 'ephemeral-storage': '102683912Ki', 'hugepages-2Mi': '1Gi', 'hugepages-1Gi': '0' }],
    ['never negative', { cpu: '3' }, {}, { 'memory.available': '100Gi' }, capacity,
      { cpu: '0', memory: '0', pods: '110', 'ephemeral-storage': '102683912Ki', 'hugepages-2Mi': '0', 'hugepages-1Gi': '0' }],
    ['percentage of memory', {}, {}, { 'memory.available': '50%' }, { memory: '2Gi' }, { memory: '1Gi' }],
  ])('%s', (_name, systemReserved, kubeReserved, evictionHard, cap, want) => {
    expect(computeAllocatable(cap, allocatableReservation(cap, { systemReserved, kubeReserved, evictionHard }))).toEqual(want);
  });
});

const MACHINE: MachineInfo = {
  numCores: 2, memoryCapacity: 8343773184, hugePages: { 'hugepages-1Gi': 0, 'hugepages-2Mi': 0 },
  machineID: 'm-1', systemUUID: 'u-1', bootID: 'b-1', kernelVersion: '6.1.0-test', osImage: 'Debian GNU/Linux 12 (bookworm)', rootfsCapacity: 105148325888,
};

interface Recorded { type: string; reason: string; message: string }

function inputs(clock: FakeClock, events: Recorded[], over: Partial<StatusInputs> = {}): StatusInputs {
  return {
    now: clock.now(), nodeName: 'n1', hostname: 'n1', nodeIPs: ['10.0.0.7'], machine: MACHINE, maxPods: 110, podsPerCore: 0,
    reservation: { systemReserved: {}, kubeReserved: {}, evictionHard: { 'memory.available': '100Mi', 'nodefs.available': '10%' } },
    localStorageCapacityIsolation: true, runtime: { name: 'containerd', version: 'v1.6.20' }, images: [], maxImages: 50, kubeletPort: 10250,
    pressure: { memory: false, disk: false, pid: false }, readyErrors: [],
    record: (type, reason, message) => { events.push({ type, reason, message }); },
    ...over,
  };
}

function apply(node: Node, inp: StatusInputs): Node {
  for (const set of DEFAULT_SETTERS) { try { set(node, inp); } catch { /* as setNodeStatus: logged, the others still run */ } }
  return node;
}
const cond = (n: Node, type: string): NodeCondition | undefined => n.status?.conditions?.find((c) => c.type === type);

describe('setters', () => {
  it('fill addresses, capacity, allocatable, nodeInfo, daemon endpoints, images and the four conditions in order', () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 10));
    const events: Recorded[] = [];
    const images = [
      { id: 'sha256:a', repoTags: ['busybox:1.35'], repoDigests: ['busybox@sha256:1'], size: '100', username: '', pinned: false },
      { id: 'sha256:b', repoTags: ['big:1', 'big:2', 'big:3', 'big:4', 'big:5'], repoDigests: ['big@sha256:2'], size: '5000', username: '', pinned: false },
    ];
    const node = apply({ metadata: { name: 'n1' } }, inputs(clock, events, { images, readyErrors: ['container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized'] }));
    const st = node.status as KubeletNodeStatus;
    expect(st.addresses).toEqual([{ type: 'InternalIP', address: '10.0.0.7' }, { type: 'Hostname', address: 'n1' }]);
    expect(st.capacity).toEqual({ cpu: '2', memory: '8148216Ki', pods: '110', 'ephemeral-storage': '102683912Ki', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
    expect(st.allocatable).toEqual({ cpu: '2', memory: '8045816Ki', pods: '110', 'ephemeral-storage': '94633493143', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0' });
    expect(st.nodeInfo).toEqual({
      machineID: 'm-1', systemUUID: 'u-1', bootID: 'b-1', kernelVersion: '6.1.0-test', osImage: 'Debian GNU/Linux 12 (bookworm)',
      containerRuntimeVersion: 'containerd://v1.6.20', kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch,
    });
    expect(st.daemonEndpoints).toEqual({ kubeletEndpoint: { Port: 10250 } });
    // Largest first, at most five names (digests before tags).
    expect(st.images).toEqual([
      { names: ['big@sha256:2', 'big:1', 'big:2', 'big:3', 'big:4'], sizeBytes: 5000 },
      { names: ['busybox@sha256:1', 'busybox:1.35'], sizeBytes: 100 },
    ]);
    const t = '2026-01-01T10:00:00Z';
    expect(st.conditions).toEqual([
      { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', lastHeartbeatTime: t, lastTransitionTime: t },
      { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', lastHeartbeatTime: t, lastTransitionTime: t },
      { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', lastHeartbeatTime: t, lastTransitionTime: t },
      { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni plugin not initialized', lastHeartbeatTime: t, lastTransitionTime: t },
    ]);
    expect(events).toEqual([
      { type: 'Normal', reason: 'NodeHasSufficientMemory', message: 'Node n1 status is now: NodeHasSufficientMemory' },
      { type: 'Normal', reason: 'NodeHasNoDiskPressure', message: 'Node n1 status is now: NodeHasNoDiskPressure' },
      { type: 'Normal', reason: 'NodeHasSufficientPID', message: 'Node n1 status is now: NodeHasSufficientPID' },
    ]);
  });

  it('move heartbeats every pass but transition times and events only on a change', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 10));
    const events: Recorded[] = [];
    const node = apply({ metadata: { name: 'n1' } }, inputs(clock, events, { readyErrors: ['x'] }));
    events.length = 0;
    await clock.step(10_000);
    apply(node, inputs(clock, events, { readyErrors: ['x'] }));
    expect(cond(node, 'Ready')).toMatchObject({ status: 'False', lastHeartbeatTime: '2026-01-01T10:00:10Z', lastTransitionTime: '2026-01-01T10:00:00Z' });
    expect(cond(node, 'MemoryPressure')).toMatchObject({ lastHeartbeatTime: '2026-01-01T10:00:10Z', lastTransitionTime: '2026-01-01T10:00:00Z' });
    expect(events).toEqual([]);

    await clock.step(10_000);
    apply(node, inputs(clock, events, { pressure: { memory: true, disk: false, pid: true } }));
    expect(cond(node, 'Ready')).toEqual({ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2026-01-01T10:00:20Z', lastTransitionTime: '2026-01-01T10:00:20Z' });
    expect(cond(node, 'MemoryPressure')).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available', lastTransitionTime: '2026-01-01T10:00:20Z' });
    expect(cond(node, 'PIDPressure')).toMatchObject({ status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' });
    expect(cond(node, 'DiskPressure')).toMatchObject({ status: 'False', lastTransitionTime: '2026-01-01T10:00:00Z' });
    expect(events.map((e) => e.message)).toEqual([
      'Node n1 status is now: NodeHasInsufficientMemory', 'Node n1 status is now: NodeHasInsufficientPID', 'Node n1 status is now: NodeReady',
    ]);
    expect(node.status?.conditions?.map((c) => c.type)).toEqual(['MemoryPressure', 'DiskPressure', 'PIDPressure', 'Ready']);

    events.length = 0;
    await clock.step(10_000);
    apply(node, inputs(clock, events, { readyErrors: ['container runtime is down', 'PLEG is not healthy: x'] }));
    expect(cond(node, 'Ready')).toMatchObject({ status: 'False', reason: 'KubeletNotReady', message: '[container runtime is down, PLEG is not healthy: x]', lastTransitionTime: '2026-01-01T10:00:30Z' });
    expect(events.map((e) => e.reason)).toEqual(['NodeHasSufficientMemory', 'NodeHasSufficientPID', 'NodeNotReady']);
  });

  it('report missing capacity, a runtime version failure and a reboot', () => {
    const clock = new FakeClock();
    const events: Recorded[] = [];
    const node = apply({ metadata: { name: 'n1' } }, inputs(clock, events, { machine: undefined, runtime: undefined }));
    expect(node.status?.capacity).toEqual({ cpu: '0', memory: '0', pods: '110' });
    expect(cond(node, 'Ready')?.message).toBe('missing node capacity for resources: ephemeral-storage');
    expect((node.status as KubeletNodeStatus).nodeInfo?.containerRuntimeVersion).toBe('containerd://Unknown');
    apply(node, inputs(clock, events, { machine: MACHINE }));
    events.length = 0;
    apply(node, inputs(clock, events, { machine: { ...MACHINE, bootID: 'b-2' } }));
    expect(events).toEqual([{ type: 'Warning', reason: 'NodeRebooted', message: 'Node n1 has been rebooted, boot id: b-2' }]);
  });

  it('caps pods by podsPerCore and the image list by nodeStatusMaxImages', () => {
    const clock = new FakeClock();
    const imgs = Array.from({ length: 4 }, (_, i) => ({ id: `i${i}`, repoTags: [`t${i}`], repoDigests: [], size: String(i), username: '', pinned: false }));
    const node = apply({ metadata: { name: 'n1' } }, inputs(clock, [], { podsPerCore: 3, images: imgs, maxImages: 2 }));
    expect(node.status?.capacity?.pods).toBe('6');
    expect(node.status?.images?.map((i) => i.names?.[0])).toEqual(['t3', 't2']);
  });
});

describe('change detection and the status patch', () => {
  const base = (): Node => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1));
    return apply({ metadata: { name: 'n1', labels: { a: 'b' } } }, inputs(clock, []));
  };

  it('ignores heartbeats, quantity spelling and empty fields', () => {
    const a = base();
    const b: Node = structuredClone(a);
    for (const c of b.status!.conditions!) c.lastHeartbeatTime = '2030-01-01T00:00:00Z';
    b.status!.capacity!.memory = String(8343773184);
    delete b.status!.images;
    expect(nodeStatusHasChanged(a.status, b.status)).toBe(false);
    b.status!.conditions![3]!.message = 'other';
    expect(nodeStatusHasChanged(a.status, b.status)).toBe(true);
    const c: Node = structuredClone(a);
    c.status!.allocatable!.cpu = '1';
    expect(nodeStatusHasChanged(a.status, c.status)).toBe(true);
  });

  it('patches only what changed, lists by type with their order', () => {
    const a = base();
    const b: Node = structuredClone(a);
    b.metadata.labels = { a: 'c' };
    b.status!.conditions![3] = { ...b.status!.conditions![3]!, status: 'False', reason: 'KubeletNotReady', message: 'm' };
    delete b.status!.capacity!['hugepages-1Gi'];
    expect(nodeStatusPatch(a, b)).toEqual({
      metadata: { labels: { a: 'c' } },
      status: {
        capacity: { 'hugepages-1Gi': null },
        '$setElementOrder/conditions': [{ type: 'MemoryPressure' }, { type: 'DiskPressure' }, { type: 'PIDPressure' }, { type: 'Ready' }],
        conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'm' }],
      },
    });
    expect(nodeStatusPatch(a, structuredClone(a))).toBeUndefined();
    const c: Node = structuredClone(a);
    c.status!.conditions = c.status!.conditions!.filter((x) => x.type !== 'PIDPressure');
    expect(nodeStatusPatch(a, c)?.status).toEqual({
      '$setElementOrder/conditions': [{ type: 'MemoryPressure' }, { type: 'DiskPressure' }, { type: 'Ready' }],
      conditions: [{ type: 'PIDPressure', $patch: 'delete' }],
    });
  });
});

describe('runtime state', () => {
  const runtime = (conds: RuntimeCondition[] | Error) => ({
    status: async () => { if (conds instanceof Error) throw conds; return { status: { conditions: conds }, info: {} }; },
  });
  const ok: RuntimeCondition[] = [{ type: 'RuntimeReady', status: true, reason: '', message: '' }, { type: 'NetworkReady', status: true, reason: '', message: '' }];

  it('reports no check yet, network not ready, runtime not ready, and a runtime that went away', async () => {
    const clock = new FakeClock();
    const st = new RuntimeState(clock);
    expect(st.runtimeErrors()).toEqual(['container runtime status check may not have completed yet']);
    await updateRuntimeUp(runtime(ok), st, clock, log);
    expect([...st.runtimeErrors(), ...st.networkErrors()]).toEqual([]);
    await updateRuntimeUp(runtime([ok[0]!, { type: 'NetworkReady', status: false, reason: 'NetworkPluginNotReady', message: 'Network plugin returns error: cni plugin not initialized' }]), st, clock, log);
    expect(st.networkErrors()).toEqual(['container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized']);
    await updateRuntimeUp(runtime([]), st, clock, log);
    expect(st.networkErrors()).toEqual(['container runtime network not ready: <nil>']);
    expect(st.runtimeErrors()).toEqual(['container runtime not ready: <nil>']);
    await updateRuntimeUp(runtime(ok), st, clock, log);
    expect(st.runtimeErrors()).toEqual([]);
    await updateRuntimeUp(runtime(new Error('connection refused')), st, clock, log);
    await clock.step(29_000);
    expect(st.runtimeErrors()).toEqual([]);
    await clock.step(1000);
    expect(st.runtimeErrors()).toEqual(['container runtime is down']);
  });
});
