import { describe, expect, it } from 'vitest';
import type { Container, Pod } from '@kube-ts/client';
import { disk, exceedDiskRequests, exceedMemoryRequests, memory, orderedBy, priority, rankMemoryPressure, rankPIDPressure, type StatsFunc } from '../../src/eviction/index.js';
import { computePodQOS } from '../../src/eviction/pods.js';
import type { PodStats } from '../../src/stats/types.js';

const Mi = 2 ** 20;
const T = '2026-01-01T00:00:00Z';

function res(cpu: string, mem: string, storage = ''): Record<string, string> {
  const out: Record<string, string> = {};
  if (cpu) out['cpu'] = cpu;
  if (mem) out['memory'] = mem;
  if (storage) out['ephemeral-storage'] = storage;
  return out;
}
const container = (name: string, requests: Record<string, string>, limits: Record<string, string>): Container => ({ name, resources: { requests, limits } });
function pod(name: string, prio: number, containers: Container[], emptyDir = false): Pod {
  return {
    metadata: { name, namespace: 'default', uid: `uid-${name}` },
    spec: { containers, priority: prio, volumes: emptyDir ? [{ name: 'local-volume', emptyDir: {} }] : [] },
  };
}
function memStats(p: Pod, workingSetMi: number): PodStats {
  const ws = workingSetMi * Mi;
  return {
    podRef: { name: p.metadata.name!, namespace: 'default', uid: p.metadata.uid! },
    startTime: T,
    containers: p.spec.containers.map((c) => ({ name: c.name, startTime: T, memory: { time: T, workingSetBytes: ws / p.spec.containers.length } })),
    memory: { time: T, workingSetBytes: ws },
  };
}
function diskStats(p: Pod, rootMi: number, logsMi: number, volumeMi: number): PodStats {
  return {
    podRef: { name: p.metadata.name!, namespace: 'default', uid: p.metadata.uid! },
    startTime: T,
    containers: p.spec.containers.map((c) => ({
      name: c.name,
      startTime: T,
      rootfs: { time: T, usedBytes: rootMi * Mi, inodesUsed: rootMi },
      logs: { time: T, usedBytes: logsMi * Mi, inodesUsed: logsMi },
    })),
    volume: [{ time: T, name: 'local-volume', usedBytes: volumeMi * Mi, inodesUsed: volumeMi }],
  };
}
const statsOf = (m: Map<Pod, PodStats>): StatsFunc => (p) => m.get(p);
const names = (pods: Pod[]): string[] => pods.map((p) => p.metadata.name!);

describe('eviction ranking (upstream helpers_test tables)', () => {
  it('QoS classes', () => {
    expect(computePodQOS(pod('be', 0, [container('c', res('', ''), res('', ''))]))).toBe('BestEffort');
    expect(computePodQOS(pod('bu', 0, [container('c', res('100m', '100Mi'), res('200m', '200Mi'))]))).toBe('Burstable');
    expect(computePodQOS(pod('gu', 0, [container('c', res('200m', '200Mi'), res('200m', '200Mi'))]))).toBe('Guaranteed');
  });

  it('TestOrderedByExceedsRequestMemory: pods over their request first', () => {
    const below = pod('below-requests', -1, [container('below-requests', res('', '200Mi'), res('', ''))]);
    const exceeds = pod('exceeds-requests', 1, [container('exceeds-requests', res('', '100Mi'), res('', ''))]);
    const stats = statsOf(new Map([[below, memStats(below, 199)], [exceeds, memStats(exceeds, 101)]]));
    const pods = [below, exceeds];
    orderedBy(exceedMemoryRequests(stats))(pods);
    expect(names(pods)).toEqual(['exceeds-requests', 'below-requests']);
  });

  it('TestOrderedByPriority: lowest priority first', () => {
    const low = pod('low-priority', -134, [container('low-priority', res('', ''), res('', ''))]);
    const medium = pod('medium-priority', 1, [container('medium-priority', res('100m', '100Mi'), res('200m', '200Mi'))]);
    const high = pod('high-priority', 12534, [container('high-priority', res('200m', '200Mi'), res('200m', '200Mi'))]);
    const pods = [high, medium, low];
    orderedBy(priority)(pods);
    expect(names(pods)).toEqual(['low-priority', 'medium-priority', 'high-priority']);
  });

  it('TestOrderedByMemory: largest usage above request first', () => {
    const p1 = pod('best-effort-high', 0, [container('c', res('', ''), res('', ''))]);
    const p2 = pod('best-effort-low', 0, [container('c', res('', ''), res('', ''))]);
    const p3 = pod('burstable-high', 0, [container('c', res('', '100Mi'), res('', '1Gi'))]);
    const p4 = pod('burstable-low', 0, [container('c', res('', '100Mi'), res('', '1Gi'))]);
    const p5 = pod('guaranteed-high', 0, [container('c', res('', '1Gi'), res('', '1Gi'))]);
    const p6 = pod('guaranteed-low', 0, [container('c', res('', '1Gi'), res('', '1Gi'))]);
    const stats = statsOf(new Map([[p1, memStats(p1, 500)], [p2, memStats(p2, 300)], [p3, memStats(p3, 800)], [p4, memStats(p4, 300)], [p5, memStats(p5, 800)], [p6, memStats(p6, 200)]]));
    const pods = [p1, p2, p3, p4, p5, p6];
    orderedBy(memory(stats))(pods);
    expect(names(pods)).toEqual(['burstable-high', 'best-effort-high', 'best-effort-low', 'burstable-low', 'guaranteed-high', 'guaranteed-low']);
  });

  it('TestOrderedMemoryWithoutStats / rankMemoryPressure: no stats first, then over-request by priority and usage', () => {
    const below = pod('below-requests', 0, [container('c', res('', '1Gi'), res('', ''))]);
    const overLowPrio = pod('over-low-priority', -10, [container('c', res('', '100Mi'), res('', ''))]);
    const overHighUse = pod('over-high-usage', 0, [container('c', res('', '100Mi'), res('', ''))]);
    const overLowUse = pod('over-low-usage', 0, [container('c', res('', ''), res('', ''))]);
    const noStats = pod('no-stats', 100, [container('c', res('', ''), res('', ''))]);
    const stats = statsOf(new Map([[below, memStats(below, 900)], [overLowPrio, memStats(overLowPrio, 150)], [overHighUse, memStats(overHighUse, 700)], [overLowUse, memStats(overLowUse, 100)]]));
    const pods = [below, overLowUse, overHighUse, noStats, overLowPrio];
    rankMemoryPressure(pods, stats);
    expect(names(pods)).toEqual(['no-stats', 'over-low-priority', 'over-high-usage', 'over-low-usage', 'below-requests']);
  });

  it('TestOrderedbyDisk: greediest consumer of root + logs + local volumes first', () => {
    const mk = (n: string, req: string): Pod => pod(n, 0, [container(n, res('', '', req), res('', ''))], true);
    const p1 = mk('best-effort-high', '');
    const p2 = mk('best-effort-low', '');
    const p3 = mk('burstable-high', '100Mi');
    const p4 = mk('burstable-low', '100Mi');
    const p5 = mk('guaranteed-high', '400Mi');
    const p6 = mk('guaranteed-low', '400Mi');
    const stats = statsOf(
      new Map([
        [p1, diskStats(p1, 50, 100, 50)], // 200Mi
        [p2, diskStats(p2, 100, 150, 50)], // 300Mi
        [p3, diskStats(p3, 210, 150, 50)], // 410Mi, 310 above request
        [p4, diskStats(p4, 300, 100, 50)], // 450Mi, 350 above
        [p5, diskStats(p5, 400, 100, 50)], // 550Mi, 150 above
        [p6, diskStats(p6, 500, 100, 50)], // 650Mi, 250 above
      ]),
    );
    const measure = ['root', 'logs', 'localVolumeSource'] as const;
    const byBytes = [p1, p2, p3, p4, p5, p6];
    orderedBy(disk(stats, [...measure], 'ephemeral-storage'))(byBytes);
    expect(names(byBytes)).toEqual(['burstable-low', 'burstable-high', 'best-effort-low', 'guaranteed-low', 'best-effort-high', 'guaranteed-high']);
    const under = mk('under-request', '1Gi');
    const withUnder = (p: Pod): PodStats | undefined => (p === under ? diskStats(under, 500, 100, 50) : stats(p));
    const byExceeds = [under, p1];
    orderedBy(exceedDiskRequests(withUnder, [...measure], 'ephemeral-storage'))(byExceeds);
    expect(names(byExceeds)).toEqual(['best-effort-high', 'under-request']);
    // Logs only (a dedicated imagefs for nodefs pressure): the log-heavy pods lead.
    const logsOnly = [p1, p2, p3];
    orderedBy(disk(stats, ['logs'], 'inodes'))(logsOnly);
    expect(names(logsOnly)).toEqual(['best-effort-low', 'best-effort-high', 'burstable-high']);
  });

  it('rankPIDPressure: priority, then most processes', () => {
    const a = pod('a', 0, [container('c', res('', ''), res('', ''))]);
    const b = pod('b', 0, [container('c', res('', ''), res('', ''))]);
    const c = pod('c', -5, [container('c', res('', ''), res('', ''))]);
    const procs = (p: Pod, n: number): PodStats => ({ ...memStats(p, 1), process_stats: { process_count: n } });
    const pods = [a, b, c];
    rankPIDPressure(pods, statsOf(new Map([[a, procs(a, 3)], [b, procs(b, 30)], [c, procs(c, 1)]])));
    expect(names(pods)).toEqual(['c', 'b', 'a']);
  });
});
