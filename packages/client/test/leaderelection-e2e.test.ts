// Two LeaderElectors in one process racing for a real coordination.k8s.io Lease: exactly one
// leads, the follower keeps out while the leader renews, and a leader that is cancelled with
// releaseOnCancel hands over well before its lease would have expired. The Lease is read back
// with kubectl.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { startCluster, waitUntil, type Cluster } from '../../apiserver/test/support/cluster.js';
import { loadKubeconfig } from '../src/kubeconfig.js';
import { LeaderElector, LeaseLock } from '../src/leaderelection.js';
import { RestClient } from '../src/rest.js';
import type { Lease } from '../src/types.js';

const NS = 'kube-system';
const LEASE_MS = 4_000;
const RENEW_MS = 3_000;
const RETRY_MS = 300;

interface Candidate {
  id: string;
  elector: LeaderElector;
  ac: AbortController;
  run: Promise<void>;
  startedAt: number | undefined;
  stoppedAt: number | undefined;
  /** Aborted when this candidate's leadership ends (the signal onStartedLeading got). */
  leading: AbortSignal | undefined;
  leaders: string[];
}

describe('leader election against kube-apiserver', () => {
  let c: Cluster;
  const clients: RestClient[] = [];

  beforeAll(async () => { c = await startCluster('raftkv'); });
  afterAll(async () => {
    for (const r of clients) r.close();
    await c?.teardown();
  });

  function candidate(name: string, id: string, releaseOnCancel: boolean): Candidate {
    const rest = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 50, burst: 100 }, { registry: new Registry() });
    clients.push(rest);
    const cand = { id, ac: new AbortController(), startedAt: undefined, stoppedAt: undefined, leading: undefined, leaders: [] } as unknown as Candidate;
    cand.elector = new LeaderElector({
      lock: new LeaseLock({ namespace: NS, name, identity: id, client: rest }),
      leaseDurationMs: LEASE_MS, renewDeadlineMs: RENEW_MS, retryPeriodMs: RETRY_MS, releaseOnCancel,
      callbacks: {
        onStartedLeading: (signal) => { cand.startedAt = Date.now(); cand.leading = signal; },
        onStoppedLeading: () => { cand.stoppedAt = Date.now(); },
        onNewLeader: (identity) => { cand.leaders.push(identity); },
      },
    });
    cand.run = cand.elector.run(cand.ac.signal);
    return cand;
  }

  async function leaseJson(name: string): Promise<Lease> {
    return JSON.parse(await c.kubectlOk(['get', 'lease', name, '-n', NS, '-o', 'json'])) as Lease;
  }

  async function stopAll(...cs: Candidate[]): Promise<void> {
    for (const x of cs) x.ac.abort();
    await Promise.all(cs.map((x) => x.run));
  }

  it('exactly one leads; on release the other takes over quickly; the Lease records it', async () => {
    const a = candidate('e2e-release', 'candidate-a', true);
    const b = candidate('e2e-release', 'candidate-b', true);
    try {
      await waitUntil(() => a.startedAt !== undefined || b.startedAt !== undefined, 15_000, 'a leader');
      const [leader, follower] = a.startedAt !== undefined ? [a, b] : [b, a];
      // Hold for longer than a lease: the leader keeps renewing, the follower never starts.
      await new Promise((r) => setTimeout(r, LEASE_MS + 1_000));
      expect(follower.startedAt).toBeUndefined();
      expect(leader.elector.isLeader()).toBe(true);
      expect(follower.elector.isLeader()).toBe(false);
      expect(follower.elector.getLeader()).toBe(leader.id);
      expect(follower.leaders).toEqual([leader.id]);
      expect(leader.leading?.aborted).toBe(false);

      const held = await leaseJson('e2e-release');
      expect(held.spec).toMatchObject({ holderIdentity: leader.id, leaseDurationSeconds: LEASE_MS / 1000, leaseTransitions: 0 });
      expect(held.spec?.acquireTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      expect(Date.parse(held.spec!.renewTime!)).toBeGreaterThan(Date.parse(held.spec!.acquireTime!));

      const cancelledAt = Date.now();
      leader.ac.abort();
      await leader.run;
      expect(leader.leading?.aborted).toBe(true);
      expect(leader.stoppedAt).toBeDefined();
      await waitUntil(() => follower.startedAt !== undefined, 10_000, 'the follower to lead');
      // Without the release the follower would wait out the whole lease (4 s) from the last renewal.
      expect(follower.startedAt! - cancelledAt).toBeLessThan(LEASE_MS / 2);

      const taken = await leaseJson('e2e-release');
      expect(taken.spec).toMatchObject({ holderIdentity: follower.id, leaseDurationSeconds: LEASE_MS / 1000, leaseTransitions: 1 });
      expect(Date.parse(taken.spec!.acquireTime!)).toBeGreaterThan(Date.parse(held.spec!.acquireTime!));
      const table = await c.kubectlOk(['get', 'lease', 'e2e-release', '-n', NS]);
      expect(table).toMatch(new RegExp(`^e2e-release\\s+${follower.id}\\s+`, 'm'));
    } finally {
      await stopAll(a, b);
    }
  });

  it('without releaseOnCancel the follower waits for the lease to expire', async () => {
    const a = candidate('e2e-expire', 'expire-a', false);
    await waitUntil(() => a.startedAt !== undefined, 15_000, 'the first leader');
    const b = candidate('e2e-expire', 'expire-b', false);
    try {
      await new Promise((r) => setTimeout(r, 1_000));
      expect(b.startedAt).toBeUndefined();
      const cancelledAt = Date.now();
      a.ac.abort();
      await a.run;
      // The Lease still names the cancelled leader until someone takes it over.
      expect((await leaseJson('e2e-expire')).spec?.holderIdentity).toBe('expire-a');
      await waitUntil(() => b.startedAt !== undefined, 15_000, 'the follower to lead');
      expect(b.startedAt! - cancelledAt).toBeGreaterThan(LEASE_MS - 1_000);
      expect((await leaseJson('e2e-expire')).spec).toMatchObject({ holderIdentity: 'expire-b', leaseTransitions: 1 });
    } finally {
      await stopAll(a, b);
    }
  });
});
