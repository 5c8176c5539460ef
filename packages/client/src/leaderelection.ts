// Lease-based leader election, as client-go tools/leaderelection: candidates race to hold a
// coordination.k8s.io/v1 Lease; the holder renews it every retryPeriod and steps down when it
// cannot renew within renewDeadline. Expiry is judged on the candidate's own clock: a lease held
// by someone else is only taken over after its leaseDuration has passed since this candidate last
// saw the record change, so clock skew between machines does not matter.
import { realClock, type Clock } from './clock.js';
import { isConflict, isNotFound } from './errors.js';
import { R, resourcePath, apiVersionOf } from './resources.js';
import type { ResourceClient, RestClient } from './rest.js';
import type { ClientLogger, EventRecorder } from './events.js';
import type { Lease } from './types.js';

/** Upstream's JitterFactor: acquire retries wait retryPeriod plus up to 1.2 × retryPeriod. */
export const JITTER_FACTOR = 1.2;

/** The Lease operations leader election needs; `signal` aborts a request that outlives its deadline. */
export interface LeaseApi {
  get(namespace: string, name: string, signal?: AbortSignal): Promise<Lease>;
  create(lease: Lease, signal?: AbortSignal): Promise<Lease>;
  update(lease: Lease, signal?: AbortSignal): Promise<Lease>;
}

/** A LeaseApi over the REST client (leases resource), with abortable requests. */
export function leaseApiFrom(client: ResourceClient<Lease>): LeaseApi {
  const { rest, type } = client;
  const body = (l: Lease): Lease => ({ ...l, apiVersion: apiVersionOf(type), kind: type.kind });
  return {
    get: (ns, name, signal) => rest.request<Lease>({ path: resourcePath(type, ns, name), signal }),
    create: (l, signal) => rest.request<Lease>({ method: 'POST', path: resourcePath(type, l.metadata.namespace), body: body(l), signal }),
    update: (l, signal) => rest.request<Lease>({ method: 'PUT', path: resourcePath(type, l.metadata.namespace, l.metadata.name), body: body(l), signal }),
  };
}

/** What a lease says about leadership (resourcelock.LeaderElectionRecord); times as in the Lease. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime: string;
  renewTime: string;
  leaderTransitions: number;
  preferredHolder?: string;
  strategy?: string;
}

/** metav1.MicroTime: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function leaseSpecToRecord(spec: Lease['spec']): LeaderElectionRecord {
  const r: LeaderElectionRecord = {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    acquireTime: spec?.acquireTime ?? '',
    renewTime: spec?.renewTime ?? '',
    leaderTransitions: spec?.leaseTransitions ?? 0,
  };
  if (spec?.preferredHolder) r.preferredHolder = spec.preferredHolder;
  if (spec?.strategy) r.strategy = spec.strategy;
  return r;
}

export function recordToLeaseSpec(r: LeaderElectionRecord): NonNullable<Lease['spec']> {
  const spec: NonNullable<Lease['spec']> = {
    holderIdentity: r.holderIdentity,
    leaseDurationSeconds: r.leaseDurationSeconds,
    acquireTime: r.acquireTime || null,
    renewTime: r.renewTime || null,
    leaseTransitions: r.leaderTransitions,
  };
  if (r.preferredHolder) spec.preferredHolder = r.preferredHolder;
  if (r.strategy) spec.strategy = r.strategy;
  return spec;
}

export interface LeaseLockConfig {
  namespace: string;
  name: string;
  /** This candidate's identity (upstream: hostname plus a unique suffix). */
  identity: string;
  /** A LeaseApi, or a RestClient to reach the apiserver's leases. */
  client: LeaseApi | RestClient;
  labels?: Record<string, string>;
  /** Receives "became leader" / "stopped leading" events on the Lease. */
  eventRecorder?: EventRecorder;
}

/** A lock on one Lease (resourcelock.LeaseLock). Update writes over the last Lease read or written, so its resourceVersion guards against lost races. */
export class LeaseLock {
  readonly namespace: string;
  readonly name: string;
  readonly identity: string;
  private readonly api: LeaseApi;
  private lease: Lease | undefined;

  constructor(private readonly cfg: LeaseLockConfig) {
    this.namespace = cfg.namespace;
    this.name = cfg.name;
    this.identity = cfg.identity;
    const c = cfg.client;
    this.api = 'resource' in c && typeof c.resource === 'function' ? leaseApiFrom(c.resource<Lease>(R.leases)) : (c as LeaseApi);
  }

  /** The record and its canonical serialization (compared to notice any change by the holder). */
  async get(signal?: AbortSignal): Promise<{ record: LeaderElectionRecord; raw: string }> {
    this.lease = await this.api.get(this.namespace, this.name, signal);
    const record = leaseSpecToRecord(this.lease.spec);
    return { record, raw: JSON.stringify(record) };
  }

  async create(r: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    const lease: Lease = { metadata: { name: this.name, namespace: this.namespace }, spec: recordToLeaseSpec(r) };
    if (this.cfg.labels) lease.metadata.labels = { ...this.cfg.labels };
    this.lease = await this.api.create(lease, signal);
  }

  async update(r: LeaderElectionRecord, signal?: AbortSignal): Promise<void> {
    if (!this.lease) throw new Error('lease not initialized, call get or create first');
    const lease: Lease = { ...this.lease, metadata: { ...this.lease.metadata }, spec: recordToLeaseSpec(r) };
    if (this.cfg.labels) lease.metadata.labels = { ...lease.metadata.labels, ...this.cfg.labels };
    this.lease = await this.api.update(lease, signal);
  }

  recordEvent(s: string): void {
    const rec = this.cfg.eventRecorder;
    if (!rec || !this.lease) return;
    const subject: Lease = { apiVersion: apiVersionOf(R.leases), kind: 'Lease', metadata: this.lease.metadata };
    rec.event(subject, 'Normal', 'LeaderElection', `${this.identity} ${s}`);
  }

  describe(): string { return `${this.namespace}/${this.name}`; }
}

export interface LeaderCallbacks {
  /** Called (asynchronously) on becoming leader; `signal` aborts when leadership ends. */
  onStartedLeading(signal: AbortSignal): void;
  /** Called when run() ends, whether or not this candidate ever led (as upstream). */
  onStoppedLeading(): void;
  /** Called (asynchronously) when a different holder is observed, including the first one. */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionConfig {
  lock: LeaseLock;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Give the lease up (holder empty, 1 s duration) when run()'s signal aborts, so a successor need not wait. */
  releaseOnCancel?: boolean;
  name?: string;
  clock?: Clock;
  logger?: ClientLogger;
  callbacks: LeaderCallbacks;
  random?: () => number;
}

const silent: ClientLogger = { debug() {}, info() {}, error() {} };

/** Resolves like `p`, or rejects as soon as `signal` aborts (the request itself may still finish). */
function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

/** An AbortController that aborts with `parent` or after `ms` on `clock`; dispose() detaches it. */
function deadline(clock: Clock, ms: number, parent?: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  if (parent?.aborted) ac.abort();
  parent?.addEventListener('abort', onAbort, { once: true });
  const timer = clock.after(ms, onAbort);
  return { signal: ac.signal, dispose: () => { timer.cancel(); parent?.removeEventListener('abort', onAbort); } };
}

export class LeaderElector {
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  private readonly lock: LeaseLock;
  private readonly clock: Clock;
  private readonly log: ClientLogger;
  private readonly random: () => number;
  private observedRecord: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 0, acquireTime: '', renewTime: '', leaderTransitions: 0 };
  private observedRaw = '';
  /** When (on our clock) we last saw the record change: the basis of expiry. */
  private observedTime = 0;
  private reportedLeader = '';
  private running = false;

  constructor(private readonly cfg: LeaderElectionConfig) {
    this.leaseDurationMs = cfg.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = cfg.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = cfg.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs) throw new Error('leaseDuration must be greater than renewDeadline');
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) throw new Error('renewDeadline must be greater than retryPeriod*JitterFactor');
    if (this.leaseDurationMs < 1) throw new Error('leaseDuration must be greater than zero');
    if (this.renewDeadlineMs < 1) throw new Error('renewDeadline must be greater than zero');
    if (this.retryPeriodMs < 1) throw new Error('retryPeriod must be greater than zero');
    if (!cfg.callbacks?.onStartedLeading) throw new Error('OnStartedLeading callback must not be nil');
    if (!cfg.callbacks.onStoppedLeading) throw new Error('OnStoppedLeading callback must not be nil');
    if (!cfg.lock) throw new Error('Lock must not be nil.');
    if (!cfg.lock.identity) throw new Error('Lock identity is empty');
    this.lock = cfg.lock;
    this.clock = cfg.clock ?? realClock;
    this.log = cfg.logger ?? silent;
    this.random = cfg.random ?? Math.random;
  }

  /** The identity of the last observed holder ('' if none yet). */
  getLeader(): string { return this.observedRecord.holderIdentity; }

  /** Whether the last observed holder is this candidate. */
  isLeader(): boolean { return this.observedRecord.holderIdentity === this.lock.identity; }

  /**
   * Healthz (upstream HealthzAdaptor/Check): false when we believe we lead but have not renewed
   * for longer than leaseDuration + toleranceMs, e.g. a wedged renew loop.
   */
  leaderHealthy(toleranceMs: number): boolean {
    if (!this.isLeader()) return true;
    return this.clock.now() - this.observedTime <= this.leaseDurationMs + toleranceMs;
  }

  /** Campaigns until leader, leads until leadership is lost or `signal` aborts, then returns. */
  async run(signal?: AbortSignal): Promise<void> {
    if (this.running) throw new Error('LeaderElector.run is already running');
    this.running = true;
    try {
      if (!(await this.acquire(signal))) return;
      // Aborted when `signal` aborts or leadership is lost: the callback's work must stop then.
      const leading = new AbortController();
      const onAbort = (): void => leading.abort();
      if (signal?.aborted) leading.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        this.callback('onStartedLeading', () => this.cfg.callbacks.onStartedLeading(leading.signal));
        await this.renew(leading.signal);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        leading.abort();
      }
    } finally {
      this.running = false;
      this.safely('onStoppedLeading', () => this.cfg.callbacks.onStoppedLeading());
    }
  }

  private safely(what: string, fn: () => void): void {
    try { fn(); } catch (err) { this.log.error({ err: String(err), lock: this.lock.describe() }, `${what} callback failed`); }
  }

  /** Upstream runs these callbacks on their own goroutines; here on a later microtask. */
  private callback(what: string, fn: () => void): void {
    queueMicrotask(() => this.safely(what, fn));
  }

  private jittered(ms: number): number { return ms + this.random() * JITTER_FACTOR * ms; }

  private async acquire(signal?: AbortSignal): Promise<boolean> {
    const desc = this.lock.describe();
    this.log.info({ lock: desc }, 'Attempting to acquire leader lease...');
    for (;;) {
      if (signal?.aborted) return false;
      const ok = await this.tryAcquireOrRenew(signal);
      this.maybeReportTransition();
      if (ok) {
        this.lock.recordEvent('became leader');
        this.log.info({ lock: desc }, 'Successfully acquired lease');
        return true;
      }
      this.log.debug({ lock: desc }, 'Failed to acquire lease');
      await this.clock.sleep(this.jittered(this.retryPeriodMs), signal);
    }
  }

  private async renew(signal: AbortSignal): Promise<void> {
    const desc = this.lock.describe();
    while (!signal.aborted) {
      const ok = await this.renewWithinDeadline(signal);
      this.maybeReportTransition();
      if (!ok) {
        this.log.info({ lock: desc, aborted: signal.aborted }, 'Failed to renew lease');
        break;
      }
      this.log.debug({ lock: desc }, 'Successfully renewed lease');
      await this.clock.sleep(this.retryPeriodMs, signal);
    }
    if (this.cfg.releaseOnCancel) await this.release();
    this.lock.recordEvent('stopped leading');
  }

  /** Tries now and then every retryPeriod until one renewal succeeds or renewDeadline passes. */
  private async renewWithinDeadline(parent: AbortSignal): Promise<boolean> {
    const d = deadline(this.clock, this.renewDeadlineMs, parent);
    try {
      while (!d.signal.aborted) {
        if (await this.tryAcquireOrRenew(d.signal)) return true;
        await this.clock.sleep(this.retryPeriodMs, d.signal);
      }
      return false;
    } finally {
      d.dispose();
    }
  }

  /** Gives the lease up if we still hold it; conflicts (a renewal racing the cancel) are retried. */
  private async release(): Promise<boolean> {
    const d = deadline(this.clock, this.renewDeadlineMs);
    try {
      while (!d.signal.aborted) {
        let current: LeaderElectionRecord;
        try {
          current = (await abortable(this.lock.get(d.signal), d.signal)).record;
        } catch (err) {
          if (isNotFound(err)) this.log.info({ lock: this.lock.describe() }, 'lease lock not found');
          else this.log.error({ lock: this.lock.describe(), err: String(err) }, 'error retrieving resource lock');
          return false;
        }
        // Upstream checks only its own observation; also checking the lease keeps a candidate that
        // lost the lease from blanking its successor's record.
        if (!this.isLeader() || current.holderIdentity !== this.lock.identity) return true;
        const now = microTime(this.clock.now());
        const released: LeaderElectionRecord = { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaderTransitions: current.leaderTransitions };
        try {
          await abortable(this.lock.update(released, d.signal), d.signal);
        } catch (err) {
          if (isConflict(err)) continue;
          this.log.error({ lock: this.lock.describe(), err: String(err) }, 'Failed to release lease');
          return false;
        }
        this.setObservedRecord(released);
        return true;
      }
      return false;
    } finally {
      d.dispose();
    }
  }

  private setObservedRecord(r: LeaderElectionRecord): void {
    this.observedRecord = r;
    this.observedTime = this.clock.now();
  }

  private isLeaseValid(now: number): boolean {
    return this.observedTime + this.observedRecord.leaseDurationSeconds * 1000 > now;
  }

  /** One attempt to take or keep the lease (upstream tryAcquireOrRenew). */
  private async tryAcquireOrRenew(signal?: AbortSignal): Promise<boolean> {
    const desc = this.lock.describe();
    const nowMs = this.clock.now();
    const now = microTime(nowMs);
    const desired: LeaderElectionRecord = {
      holderIdentity: this.lock.identity,
      leaseDurationSeconds: Math.floor(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaderTransitions: 0,
    };

    // 1. The leader writes optimistically over the lease it last wrote.
    if (this.isLeader() && this.isLeaseValid(nowMs)) {
      const r = { ...desired, acquireTime: this.observedRecord.acquireTime, leaderTransitions: this.observedRecord.leaderTransitions };
      try {
        await abortable(this.lock.update(r, signal), signal);
        this.setObservedRecord(r);
        return true;
      } catch (err) {
        if (signal?.aborted) return false;
        this.log.debug({ lock: desc, err: String(err) }, 'Failed to update lease optimistically, falling back to slow path');
      }
    }

    // 2. Read the lease, creating it if there is none.
    let got: { record: LeaderElectionRecord; raw: string };
    try {
      got = await abortable(this.lock.get(signal), signal);
    } catch (err) {
      if (signal?.aborted) return false;
      if (!isNotFound(err)) {
        this.log.error({ lock: desc, err: String(err) }, 'Error retrieving lease lock');
        return false;
      }
      try {
        await abortable(this.lock.create(desired, signal), signal);
      } catch (cerr) {
        this.log.error({ lock: desc, err: String(cerr) }, 'Error initially creating lease lock');
        return false;
      }
      this.setObservedRecord(desired);
      return true;
    }

    // 3. Any change by the holder restarts its lease on our clock.
    const old = got.record;
    if (this.observedRaw !== got.raw) {
      this.setObservedRecord(old);
      this.observedRaw = got.raw;
    }
    if (old.holderIdentity && this.isLeaseValid(nowMs) && !this.isLeader()) {
      this.log.debug({ lock: desc, holder: old.holderIdentity }, 'Lease is held and has not yet expired');
      return false;
    }

    // 4. Take it over (a new term) or renew it (same term).
    if (this.isLeader()) {
      desired.acquireTime = old.acquireTime;
      desired.leaderTransitions = old.leaderTransitions;
    } else {
      desired.leaderTransitions = old.leaderTransitions + 1;
    }
    try {
      await abortable(this.lock.update(desired, signal), signal);
    } catch (err) {
      // A conflict means another candidate won the race; we try again later.
      this.log.error({ lock: desc, err: String(err) }, 'Failed to update lease');
      return false;
    }
    this.setObservedRecord(desired);
    return true;
  }

  private maybeReportTransition(): void {
    const holder = this.observedRecord.holderIdentity;
    if (holder === this.reportedLeader) return;
    this.reportedLeader = holder;
    const cb = this.cfg.callbacks.onNewLeader;
    if (cb) this.callback('onNewLeader', () => cb(holder));
  }
}
