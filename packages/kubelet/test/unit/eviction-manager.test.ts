import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock, metaTime, type Container, type EventRecorder, type KubeObject, type ObjectReference, type Pod, type PodCondition } from '@kube-ts/client';
import { EvictionManager, type EvictionConfig } from '../../src/eviction/index.js';
import type { PodStats, Summary } from '../../src/stats/types.js';

const Mi = 2 ** 20;
const Gi = 2 ** 30;

function pod(name: string, prio: number, requests: Record<string, string>, limits: Record<string, string>, extra: Partial<Pod['spec']> = {}): Pod {
  const c: Container = { name, resources: { requests, limits } };
  return { metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [c], priority: prio, ...extra } };
}

interface Recorded { ref: string; type: string; reason: string; message: string }
interface Evicted { pod: string; grace: number; reason: string; message: string; conditions?: PodCondition[] }

/** A summary source the test drives: node memory/disk and per-pod usage. */
class FakeStats {
  memAvailable = 4 * Gi;
  memCapacity = 8 * Gi;
  fsAvailable = 50 * Gi;
  fsCapacity = 100 * Gi;
  podMemory = new Map<Pod, number>();
  podDisk = new Map<Pod, number>();
  podVolumes = new Map<Pod, Array<{ name: string; used: number }>>();
  constructor(private readonly clock: FakeClock) {}
  async summary(): Promise<Summary> {
    const time = metaTime(this.clock.now());
    const pods: PodStats[] = [];
    for (const p of new Set([...this.podMemory.keys(), ...this.podDisk.keys(), ...this.podVolumes.keys()])) {
      const ws = this.podMemory.get(p) ?? 0;
      const disk = this.podDisk.get(p) ?? 0;
      pods.push({
        podRef: { name: p.metadata.name!, namespace: 'default', uid: p.metadata.uid! },
        startTime: time,
        containers: p.spec.containers.map((c) => ({
          name: c.name,
          startTime: time,
          memory: { time, workingSetBytes: ws },
          rootfs: { time, usedBytes: disk, inodesUsed: 1 },
          logs: { time, usedBytes: 0, inodesUsed: 1 },
        })),
        memory: { time, workingSetBytes: ws },
        volume: (this.podVolumes.get(p) ?? []).map((v) => ({ time, name: v.name, usedBytes: v.used })),
        'ephemeral-storage': { time, usedBytes: disk },
      });
    }
    const fs = { time, availableBytes: this.fsAvailable, capacityBytes: this.fsCapacity, inodes: 1e6, inodesFree: 9e5 };
    return {
      node: {
        nodeName: 'node-a',
        startTime: time,
        memory: { time, availableBytes: this.memAvailable, workingSetBytes: this.memCapacity - this.memAvailable },
        fs,
        runtime: { imageFs: fs, containerFs: fs },
        rlimit: { time, maxpid: 4_194_304, curproc: 300 },
      },
      pods,
    };
  }
}

function setup(cfg: Partial<EvictionConfig>, pods: Pod[]) {
  const clock = new FakeClock();
  const stats = new FakeStats(clock);
  const events: Recorded[] = [];
  const evicted: Evicted[] = [];
  let active = [...pods];
  const recorder: EventRecorder = {
    event(obj: KubeObject | ObjectReference, type, reason, message) {
      const ref = obj as ObjectReference;
      events.push({ ref: `${ref.kind}/${ref.name}`, type, reason, message });
    },
  };
  const mgr = new EvictionManager(
    {
      evictionHard: {},
      evictionSoft: {},
      evictionSoftGracePeriod: {},
      evictionPressureTransitionPeriodMs: 5 * 60_000,
      evictionMinimumReclaim: {},
      evictionMaxPodGracePeriod: 5,
      ...cfg,
    },
    {
      stats,
      activePods: () => active,
      clock,
      logger: pino({ level: 'silent' }),
      recorder,
      nodeRef: { name: 'node-a' },
      async evictPod(p, grace, reason, message, conditions) {
        evicted.push({ pod: p.metadata.name!, grace, reason, message, conditions });
        active = active.filter((x) => x !== p);
        return true;
      },
    },
  );
  return { clock, stats, events, evicted, mgr };
}

const bestEffort = pod('best-effort', 0, {}, {});
const burstable = pod('burstable', 0, { memory: '100Mi' }, { memory: '1Gi' });
const critical = pod('critical', 2_000_001_000, {}, {});

describe('EvictionManager', () => {
  it('memory pressure: soft grace, max grace period, hard eviction, transition period, admission', async () => {
    const lowPrioHigh = pod('guaranteed-low-priority-high-usage', -10, { cpu: '100m', memory: '1Gi' }, { cpu: '100m', memory: '1Gi' });
    const aboveReq = pod('burstable-above-requests', 0, { memory: '100Mi' }, { memory: '1Gi' });
    const beLow = pod('best-effort-low-priority-low-usage', -5, {}, {});
    const beHigh = pod('best-effort-high-priority-high-usage', 10, {}, {}, { terminationGracePeriodSeconds: 3 });
    const { clock, stats, events, evicted, mgr } = setup(
      { evictionHard: { 'memory.available': '1Gi' }, evictionSoft: { 'memory.available': '2Gi' }, evictionSoftGracePeriod: { 'memory.available': '2m' } },
      [lowPrioHigh, aboveReq, beLow, beHigh],
    );
    stats.podMemory = new Map([[lowPrioHigh, 900 * Mi], [aboveReq, 400 * Mi], [beLow, 100 * Mi], [beHigh, 400 * Mi]]);

    stats.memAvailable = 2 * Gi;
    expect(await mgr.synchronize()).toEqual([]);
    expect(mgr.isUnderMemoryPressure()).toBe(false);
    expect(mgr.admit(bestEffort)).toEqual({ admit: true });

    // Soft threshold crossed: pressure at once, eviction only after its 2m grace period.
    await clock.step(60_000);
    stats.memAvailable = 1500 * Mi;
    expect(await mgr.synchronize()).toEqual([]);
    expect(mgr.isUnderMemoryPressure()).toBe(true);
    expect(mgr.isUnderDiskPressure()).toBe(false);
    expect(mgr.admit(bestEffort)).toEqual({ admit: false, reason: 'Evicted', message: 'The node had condition: [MemoryPressure]. ' });
    expect(mgr.admit(burstable)).toEqual({ admit: true });
    expect(mgr.admit(critical)).toEqual({ admit: true });
    expect(mgr.admit(pod('tolerates', 0, {}, {}, { tolerations: [{ key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' }] }))).toEqual({ admit: true });
    await clock.step(60_000);
    expect(await mgr.synchronize()).toEqual([]);
    expect(evicted).toEqual([]);

    await clock.step(60_000);
    const out = await mgr.synchronize();
    expect(out.map((p) => p.metadata.name)).toEqual(['best-effort-low-priority-low-usage']);
    const msg =
      'The node was low on resource: memory. Threshold quantity: 2Gi, available: 1500Mi. ' +
      'Container best-effort-low-priority-low-usage was using 100Mi, request is 0, has larger consumption of memory. ';
    expect(evicted).toEqual([
      { pod: 'best-effort-low-priority-low-usage', grace: 5, reason: 'Evicted', message: msg, conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message: msg }] },
    ]);
    expect(events).toEqual([
      { ref: 'Node/node-a', type: 'Warning', reason: 'EvictionThresholdMet', message: 'Attempting to reclaim memory' },
      { ref: 'Pod/best-effort-low-priority-low-usage', type: 'Warning', reason: 'Evicted', message: msg },
    ]);

    // Next soft eviction: the pod's own shorter terminationGracePeriodSeconds wins over the max.
    await clock.step(10_000);
    await mgr.synchronize();
    expect(evicted[1]).toMatchObject({ pod: 'burstable-above-requests', grace: 5 });
    await clock.step(10_000);
    await mgr.synchronize();
    expect(evicted[2]).toMatchObject({ pod: 'best-effort-high-priority-high-usage', grace: 3 });

    // Pressure gone: the condition stays for the transition period, nothing is evicted.
    await clock.step(60_000);
    stats.memAvailable = 3 * Gi;
    expect(await mgr.synchronize()).toEqual([]);
    expect(mgr.isUnderMemoryPressure()).toBe(true);

    // Hard threshold: immediate eviction with the 1 s grace period.
    await clock.step(60_000);
    stats.memAvailable = 500 * Mi;
    const hard = await mgr.synchronize();
    expect(hard.map((p) => p.metadata.name)).toEqual(['guaranteed-low-priority-high-usage']);
    expect(evicted[3]).toMatchObject({
      grace: 1,
      message: 'The node was low on resource: memory. Threshold quantity: 1Gi, available: 500Mi. ',
    });

    // Five minutes without a threshold met clears the condition.
    stats.memAvailable = 3 * Gi;
    await clock.step(60_000);
    await mgr.synchronize();
    expect(mgr.isUnderMemoryPressure()).toBe(true);
    await clock.step(5 * 60_000);
    await mgr.synchronize();
    expect(mgr.isUnderMemoryPressure()).toBe(false);
    expect(mgr.admit(bestEffort)).toEqual({ admit: true });
  });

  it('acts only on fresh stats and keeps evicting until the minimum reclaim is met', async () => {
    const a = pod('a', 0, {}, {});
    const b = pod('b', 0, {}, {});
    const c = pod('c', 0, {}, {});
    const { clock, stats, evicted, mgr } = setup(
      { evictionHard: { 'memory.available': '1Gi' }, evictionMinimumReclaim: { 'memory.available': '500Mi' }, evictionPressureTransitionPeriodMs: 0 },
      [a, b, c],
    );
    stats.podMemory = new Map([[a, 300 * Mi], [b, 200 * Mi], [c, 100 * Mi]]);
    stats.memAvailable = 900 * Mi;
    expect((await mgr.synchronize()).map((p) => p.metadata.name)).toEqual(['a']);
    // Same sample time: the observation is stale, no second eviction.
    expect(await mgr.synchronize()).toEqual([]);
    // Above the threshold but below threshold + min reclaim: still met.
    await clock.step(10_000);
    stats.memAvailable = 1200 * Mi;
    expect((await mgr.synchronize()).map((p) => p.metadata.name)).toEqual(['b']);
    await clock.step(10_000);
    stats.memAvailable = 1600 * Mi;
    expect(await mgr.synchronize()).toEqual([]);
    expect(mgr.isUnderMemoryPressure()).toBe(false);
    expect(evicted.map((e) => e.pod)).toEqual(['a', 'b']);
  });

  it('disk pressure: rejects every non-critical pod and evicts the largest disk user', async () => {
    const small = pod('small', 0, {}, {});
    const big = pod('big', 0, {}, {});
    const crit = pod('static', 0, {}, {});
    crit.metadata.annotations = { 'kubernetes.io/config.source': 'file' };
    const { stats, evicted, mgr } = setup({ evictionHard: { 'nodefs.available': '10%' } }, [small, big, crit]);
    stats.podDisk = new Map([[small, 10 * Mi], [big, 300 * Mi], [crit, 900 * Mi]]);
    stats.fsAvailable = 5 * Gi;
    const out = await mgr.synchronize();
    expect(mgr.isUnderDiskPressure()).toBe(true);
    expect(mgr.admit(burstable)).toEqual({ admit: false, reason: 'Evicted', message: 'The node had condition: [DiskPressure]. ' });
    expect(mgr.admit(crit)).toEqual({ admit: true });
    // The static pod ranks first but is critical: never evicted.
    expect(out.map((p) => p.metadata.name)).toEqual(['big']);
    expect(evicted[0]!.message).toBe(
      'The node was low on resource: ephemeral-storage. Threshold quantity: 10737418400, available: 5Gi. ' +
        'Container big was using 300Mi, request is 0, has larger consumption of ephemeral-storage. ',
    );
  });

  it('evicts pods over an emptyDir sizeLimit or ephemeral-storage limit without node pressure', async () => {
    const scratch = pod('scratch', 0, {}, {}, { volumes: [{ name: 'cache', emptyDir: { sizeLimit: '1Mi' } }] });
    const limited = pod('limited', 0, {}, { 'ephemeral-storage': '10Mi' });
    const fine = pod('fine', 0, {}, { 'ephemeral-storage': '1Gi' });
    const { stats, evicted, mgr } = setup({}, [scratch, limited, fine]);
    stats.podVolumes = new Map([[scratch, [{ name: 'cache', used: 2 * Mi }]]]);
    stats.podDisk = new Map([[limited, 20 * Mi], [fine, 20 * Mi]]);
    const out = await mgr.synchronize();
    expect(out.map((p) => p.metadata.name)).toEqual(['scratch', 'limited']);
    expect(evicted).toEqual([
      { pod: 'scratch', grace: 1, reason: 'Evicted', message: 'Usage of EmptyDir volume "cache" exceeds the limit "1Mi". ', conditions: undefined },
      { pod: 'limited', grace: 1, reason: 'Evicted', message: 'Pod ephemeral local storage usage exceeds the total limit of containers 10Mi. ', conditions: undefined },
    ]);
    expect(mgr.isUnderDiskPressure()).toBe(false);
  });

  it('start() monitors on the clock until stop()', async () => {
    const a = pod('a', 0, {}, {});
    const { clock, stats, evicted, mgr } = setup({ evictionHard: { 'memory.available': '1Gi' } }, [a]);
    stats.podMemory = new Map([[a, 100 * Mi]]);
    mgr.start(10_000);
    await clock.step(0);
    expect(evicted).toEqual([]);
    stats.memAvailable = 100 * Mi;
    await clock.step(10_000);
    expect(evicted.map((e) => e.pod)).toEqual(['a']);
    mgr.stop();
    expect(clock.pending()).toBe(0);
  });
});
