// Two kube-scheduler replicas with Lease leader election: only the leader schedules; SIGKILL it
// (no release) and the other takes over once the lease runs out; no pod is bound twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, waitUntil, type Cluster } from '../../apiserver/test/support/cluster.js';
import { kubectlCreate, nodeManifest, podManifest, startScheduler, waitScheduled, type SchedulerProc } from './support/scheduler.js';

const LEASE_S = 4;
const LE_ARGS = ['--leader-elect=true', `--leader-elect-lease-duration=${LEASE_S}s`, '--leader-elect-renew-deadline=3s', '--leader-elect-retry-period=500ms'];

interface LeaseJson { spec: { holderIdentity?: string; leaseTransitions?: number; leaseDurationSeconds?: number } }

describe('kube-scheduler leader election (raftkv)', () => {
  let c: Cluster;
  const procs: SchedulerProc[] = [];

  beforeAll(async () => {
    c = await startCluster('raftkv');
    await kubectlCreate(c, ['n1', 'n2', 'n3'].map((n) => nodeManifest(n)));
    procs.push(await startScheduler(c, { args: LE_ARGS }));
    procs.push(await startScheduler(c, { args: LE_ARGS }));
  });

  afterAll(async () => {
    for (const p of procs) await p.stop();
    await c?.teardown();
  });

  const lease = async (): Promise<LeaseJson> => JSON.parse(await c.kubectlOk(['get', 'lease', 'kube-scheduler', '-n', 'kube-system', '-o', 'json'])) as LeaseJson;
  const leaderIndex = (): number => procs.findIndex((p) => p.log().includes('became leader'));

  it('elects one leader, fails over after the lease when it is killed, and binds every pod once', async () => {
    await waitUntil(() => leaderIndex() >= 0, 20_000, 'a leader');
    const first = leaderIndex();
    const other = 1 - first;
    expect(procs[other]!.log()).not.toContain('became leader');
    const l1 = await lease();
    expect(l1.spec.leaseDurationSeconds).toBe(LEASE_S);
    expect(l1.spec.holderIdentity).toMatch(/_[0-9a-f-]{36}$/);

    const batch1 = Array.from({ length: 10 }, (_, i) => `before-${i}`);
    await kubectlCreate(c, batch1.map((n) => podManifest(n, { cpu: '10m' })));
    await waitScheduled(c, batch1);

    // SIGKILL: the lease is not released, so the standby must wait for it to expire.
    await procs[first]!.kill();
    const killedAt = Date.now();
    const batch2 = Array.from({ length: 10 }, (_, i) => `after-${i}`);
    await kubectlCreate(c, batch2.map((n) => podManifest(n, { cpu: '10m' })));
    await waitScheduled(c, batch2, 30_000);
    const takeoverMs = Date.now() - killedAt;
    expect(procs[other]!.log()).toContain('became leader');
    // Within the lease plus the retry period and scheduling time.
    expect(takeoverMs).toBeLessThan((LEASE_S + 3) * 1000);
    const l2 = await lease();
    expect(l2.spec.holderIdentity).not.toBe(l1.spec.holderIdentity);
    expect(l2.spec.leaseTransitions).toBe((l1.spec.leaseTransitions ?? 0) + 1);

    // Every pod got exactly one Scheduled event and no binding conflicts were reported.
    const events = JSON.parse(await c.kubectlOk(['get', 'events', '-o', 'json'])) as { items: Array<{ reason: string; involvedObject: { name: string }; count?: number; message: string }> };
    const scheduled = new Map<string, number>();
    for (const e of events.items) if (e.reason === 'Scheduled') scheduled.set(e.involvedObject.name, (scheduled.get(e.involvedObject.name) ?? 0) + (e.count ?? 1));
    for (const p of [...batch1, ...batch2]) expect(scheduled.get(p), p).toBe(1);
    expect(events.items.filter((e) => e.reason === 'FailedScheduling')).toEqual([]);
  });
});
