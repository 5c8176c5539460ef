import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import { ApiError } from '../../src/errors.js';
import { LeaderElector, LeaseLock, microTime, type LeaderElectionConfig, type LeaseApi } from '../../src/leaderelection.js';
import type { Lease } from '../../src/types.js';

const NS = 'kube-system';
const NAME = 'kube-scheduler';

function apiError(code: number, reason: string, message: string): ApiError {
  return new ApiError({ kind: 'Status', status: 'Failure', code, reason, message }, code);
}

/** An in-memory lease store that checks resourceVersion like the apiserver. */
class FakeLeases implements LeaseApi {
  readonly store = new Map<string, Lease>();
  private rv = 0;
  latencyMs = 0;
  fail: Error | undefined;
  hang = false;
  writes = 0;

  constructor(private readonly clock: FakeClock) {}

  private async enter(): Promise<void> {
    if (this.latencyMs) await this.clock.sleep(this.latencyMs);
    if (this.hang) await new Promise<never>(() => {});
    if (this.fail) throw this.fail;
  }

  lease(): Lease | undefined { return structuredClone(this.store.get(`${NS}/${NAME}`)); }

  put(spec: Lease['spec']): void {
    this.store.set(`${NS}/${NAME}`, { metadata: { name: NAME, namespace: NS, resourceVersion: String(++this.rv) }, spec });
  }

  async get(ns: string, name: string): Promise<Lease> {
    await this.enter();
    const l = this.store.get(`${ns}/${name}`);
    if (!l) throw apiError(404, 'NotFound', `leases.coordination.k8s.io "${name}" not found`);
    return structuredClone(l);
  }

  async create(l: Lease): Promise<Lease> {
    await this.enter();
    const key = `${l.metadata.namespace}/${l.metadata.name}`;
    if (this.store.has(key)) throw apiError(409, 'AlreadyExists', `leases.coordination.k8s.io "${l.metadata.name}" already exists`);
    const stored = structuredClone({ ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } });
    this.store.set(key, stored);
    this.writes++;
    return structuredClone(stored);
  }

  async update(l: Lease): Promise<Lease> {
    await this.enter();
    const key = `${l.metadata.namespace}/${l.metadata.name}`;
    const cur = this.store.get(key);
    if (!cur) throw apiError(404, 'NotFound', 'not found');
    if (l.metadata.resourceVersion !== cur.metadata.resourceVersion) {
      throw apiError(409, 'Conflict', 'Operation cannot be fulfilled on leases.coordination.k8s.io: the object has been modified');
    }
    const stored = structuredClone({ ...l, metadata: { ...l.metadata, resourceVersion: String(++this.rv) } });
    this.store.set(key, stored);
    this.writes++;
    return structuredClone(stored);
  }
}

interface Candidate {
  le: LeaderElector;
  log: string[];
  stop: AbortController;
  done: Promise<void>;
  finished: () => boolean;
  leading: () => AbortSignal | undefined;
}

function setup(): { clock: FakeClock; api: FakeLeases; start: (id: string, extra?: Partial<LeaderElectionConfig>) => Candidate } {
  const clock = new FakeClock();
  const api = new FakeLeases(clock);
  const start = (id: string, extra: Partial<LeaderElectionConfig> = {}): Candidate => {
    const log: string[] = [];
    let leading: AbortSignal | undefined;
    const le = new LeaderElector({
      lock: new LeaseLock({ namespace: NS, name: NAME, identity: id, client: api }),
      clock,
      random: () => 0,
      callbacks: {
        onStartedLeading: (s) => { leading = s; log.push('started'); },
        onStoppedLeading: () => log.push('stopped'),
        onNewLeader: (who) => log.push(`new:${who}`),
      },
      ...extra,
    });
    const stop = new AbortController();
    let finished = false;
    const done = le.run(stop.signal).then(() => { finished = true; });
    return { le, log, stop, done, finished: () => finished, leading: () => leading };
  };
  return { clock, api, start };
}

describe('LeaderElector config validation', () => {
  const cb = { onStartedLeading: () => {}, onStoppedLeading: () => {} };
  const lock = new LeaseLock({ namespace: NS, name: NAME, identity: 'a', client: new FakeLeases(new FakeClock()) });
  it.each([
    { name: 'lease not above renew deadline', cfg: { leaseDurationMs: 10_000, renewDeadlineMs: 10_000 }, err: 'leaseDuration must be greater than renewDeadline' },
    { name: 'renew deadline within jittered retry', cfg: { renewDeadlineMs: 2_400, retryPeriodMs: 2_000 }, err: 'renewDeadline must be greater than retryPeriod*JitterFactor' },
    { name: 'zero retry period', cfg: { retryPeriodMs: 0 }, err: 'retryPeriod must be greater than zero' },
    { name: 'empty identity', cfg: { lock: new LeaseLock({ namespace: NS, name: NAME, identity: '', client: new FakeLeases(new FakeClock()) }) }, err: 'Lock identity is empty' },
  ])('rejects $name', ({ cfg, err }) => {
    expect(() => new LeaderElector({ lock, callbacks: cb, ...cfg })).toThrow(err);
  });
  it('accepts the defaults (15s/10s/2s)', () => {
    const le = new LeaderElector({ lock, callbacks: cb });
    expect([le.leaseDurationMs, le.renewDeadlineMs, le.retryPeriodMs]).toEqual([15_000, 10_000, 2_000]);
  });
});

describe('LeaderElector', () => {
  it('a single candidate creates the lease, leads, and renews every retryPeriod', async () => {
    const { clock, api, start } = setup();
    const t0 = clock.now();
    const a = start('a');
    await clock.step(0);
    expect(a.le.isLeader()).toBe(true);
    expect(a.le.getLeader()).toBe('a');
    expect(a.log).toEqual(['new:a', 'started']);
    expect(a.leading()?.aborted).toBe(false);
    expect(api.lease()?.spec).toEqual({
      holderIdentity: 'a', leaseDurationSeconds: 15, acquireTime: microTime(t0), renewTime: microTime(t0), leaseTransitions: 0,
    });
    await clock.step(2_000);
    expect(api.lease()?.spec?.renewTime).toBe(microTime(t0 + 2_000));
    expect(api.lease()?.spec?.acquireTime).toBe(microTime(t0));
    // Create, the renew loop's immediate first renewal, then one renewal per retryPeriod.
    expect(api.writes).toBe(3);
    await clock.step(10_000);
    expect(api.writes).toBe(8);
    expect(a.finished()).toBe(false);
    a.stop.abort();
    await clock.step(0);
    expect(a.finished()).toBe(true);
    expect(a.leading()?.aborted).toBe(true);
    expect(a.log).toEqual(['new:a', 'started', 'stopped']);
    // Without releaseOnCancel the lease stays ours until it expires.
    expect(api.lease()?.spec?.holderIdentity).toBe('a');
  });

  it('a second candidate waits while the leader renews', async () => {
    const { clock, api, start } = setup();
    const a = start('a');
    await clock.step(0);
    const b = start('b');
    for (let i = 0; i < 60; i++) await clock.step(1_000);
    expect(b.le.isLeader()).toBe(false);
    expect(b.le.getLeader()).toBe('a');
    expect(b.log).toEqual(['new:a']);
    expect(api.lease()?.spec?.holderIdentity).toBe('a');
    expect(a.le.isLeader()).toBe(true);
  });

  it('takes over a silent holder only after leaseDuration on its own clock since the record last changed', async () => {
    const { clock, api, start } = setup();
    const a = start('a');
    await clock.step(0);
    const b = start('b');
    await clock.step(5_000);
    a.stop.abort(); // cancelled without release: the lease is left as it was
    await clock.step(0);
    const lastRenew = Date.parse(api.lease()?.spec?.renewTime ?? '');
    let tookOver = 0;
    for (let i = 0; i < 40 && !tookOver; i++) {
      await clock.step(500);
      if (b.le.isLeader()) tookOver = clock.now();
    }
    expect(tookOver).toBeGreaterThanOrEqual(lastRenew + 15_000);
    expect(tookOver).toBeLessThanOrEqual(lastRenew + 15_000 + 2 * 2_000);
    expect(api.lease()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1, acquireTime: microTime(tookOver) });
    expect(b.log).toEqual(['new:a', 'new:b', 'started']);
  });

  it.each([
    { name: 'renewTime long ago', renewTime: '2000-01-01T00:00:00.000000Z' },
    { name: 'renewTime in the future', renewTime: '2100-01-01T00:00:00.000000Z' },
  ])('judges expiry by observation, not by the holder clock ($name)', async ({ renewTime }) => {
    const { clock, api, start } = setup();
    api.put({ holderIdentity: 'x', leaseDurationSeconds: 15, acquireTime: renewTime, renewTime, leaseTransitions: 3 });
    const t0 = clock.now();
    const b = start('b');
    await clock.step(14_000);
    expect(b.le.isLeader()).toBe(false);
    await clock.step(2_000);
    expect(b.le.isLeader()).toBe(true);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(15_000);
    expect(api.lease()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 4 });
  });

  it('releases the lease on cancel so the next candidate takes over at once', async () => {
    const { clock, api, start } = setup();
    const a = start('a', { releaseOnCancel: true });
    await clock.step(0);
    const b = start('b');
    await clock.step(4_000);
    const stoppedAt = clock.now();
    a.stop.abort();
    await clock.step(0);
    expect(a.finished()).toBe(true);
    expect(a.log.at(-1)).toBe('stopped');
    expect(a.le.isLeader()).toBe(false);
    expect(api.lease()?.spec).toEqual({
      holderIdentity: '', leaseDurationSeconds: 1, acquireTime: microTime(stoppedAt), renewTime: microTime(stoppedAt), leaseTransitions: 0,
    });
    await clock.step(2_000);
    expect(b.le.isLeader()).toBe(true);
    expect(api.lease()?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it.each([
    { name: 'transport errors', make: (api: FakeLeases) => { api.fail = new Error('connect ECONNREFUSED'); } },
    { name: 'server errors', make: (api: FakeLeases) => { api.fail = apiError(500, 'InternalError', 'etcdserver: request timed out'); } },
    { name: 'hanging requests', make: (api: FakeLeases) => { api.hang = true; } },
  ])('steps down when renewals fail past renewDeadline ($name)', async ({ make }) => {
    const { clock, api, start } = setup();
    const a = start('a');
    await clock.step(0);
    const lastOk = clock.now();
    make(api);
    // The next renewal cycle starts one retryPeriod later and gives up renewDeadline after that.
    await clock.step(2_000 + 9_900);
    expect(a.finished()).toBe(false);
    expect(a.leading()?.aborted).toBe(false);
    await clock.step(200);
    expect(a.finished()).toBe(true);
    expect(a.leading()?.aborted).toBe(true);
    expect(a.log).toEqual(['new:a', 'started', 'stopped']);
    // Upstream's healthz: still the last observed holder, unhealthy once past leaseDuration + tolerance.
    expect(a.le.isLeader()).toBe(true);
    expect(a.le.leaderHealthy(1_000)).toBe(true);
    await clock.step(lastOk + 16_001 - clock.now());
    expect(a.le.leaderHealthy(1_000)).toBe(false);
    expect(a.le.leaderHealthy(5_000)).toBe(true);
  });

  it('keeps leading through failures shorter than renewDeadline', async () => {
    const { clock, api, start } = setup();
    const a = start('a');
    await clock.step(0);
    api.fail = apiError(409, 'Conflict', 'the object has been modified');
    await clock.step(8_000);
    api.fail = undefined;
    await clock.step(4_000);
    expect(a.finished()).toBe(false);
    expect(a.le.isLeader()).toBe(true);
    expect(a.le.leaderHealthy(0)).toBe(true);
  });

  it.each([
    { name: 'no lease yet (racing creates)', existing: false },
    { name: 'an expired lease (racing updates)', existing: true },
  ])('elects exactly one leader among concurrent candidates: $name', async ({ existing }) => {
    const { clock, api, start } = setup();
    if (existing) api.put({ holderIdentity: 'old', leaseDurationSeconds: 15, leaseTransitions: 0 });
    api.latencyMs = 50; // both reads land before either write
    const cands = ['a', 'b', 'c'].map((id) => start(id));
    for (let i = 0; i < 30; i++) await clock.step(1_000);
    const leaders = cands.filter((c) => c.le.isLeader());
    expect(leaders).toHaveLength(1);
    const winner = api.lease()?.spec?.holderIdentity;
    expect(['a', 'b', 'c']).toContain(winner);
    for (const c of cands) expect(c.le.getLeader()).toBe(winner);
    expect(cands.filter((c) => c.log.includes('started'))).toHaveLength(1);
    expect(api.lease()?.spec?.leaseTransitions).toBe(existing ? 1 : 0);
  });

  it('onStoppedLeading runs even if run() ends before leading (as upstream)', async () => {
    const { clock, api, start } = setup();
    api.put({ holderIdentity: 'x', leaseDurationSeconds: 15, leaseTransitions: 0 });
    const b = start('b');
    await clock.step(3_000);
    b.stop.abort();
    await clock.step(0);
    expect(b.finished()).toBe(true);
    expect(b.log).toEqual(['new:x', 'stopped']);
  });
});
