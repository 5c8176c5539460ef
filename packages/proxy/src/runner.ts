// Upstream's async.BoundedFrequencyRunner: run() asks for a run of fn as soon as allowed; runs
// are serialised, at most `burstRuns` back to back and then one per minInterval (a token bucket
// refilled at 1/minInterval), and at least one per maxInterval; retryAfter(d) makes sure fn runs
// again within d. Time and timers come from an injected Clock so tests step through it.
import { realClock, type Clock, type Timer } from '@kube-ts/client/clock';

export interface BoundedFrequencyRunnerOptions {
  name: string;
  fn: () => Promise<void> | void;
  minIntervalMs: number;
  maxIntervalMs: number;
  /** Runs allowed back to back before minInterval applies (kube-proxy: 2). */
  burstRuns: number;
  clock?: Clock;
  /** Called when fn throws; the runner carries on. */
  onError?: (err: unknown) => void;
}

export class BoundedFrequencyRunner {
  private readonly clock: Clock;
  private timer: Timer | undefined;
  private timerAt = Infinity;
  private tokens: number;
  private lastRefill: number;
  private lastRun = 0;
  private running = false;
  /** A run (or timer fire) arrived while fn was running. */
  private pending = false;
  private retryAt: number | undefined;
  private started = false;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly o: BoundedFrequencyRunnerOptions) {
    if (o.maxIntervalMs < o.minIntervalMs) throw new Error(`${o.name}: maxInterval (${o.maxIntervalMs}ms) must be >= minInterval (${o.minIntervalMs}ms)`);
    this.clock = o.clock ?? realClock;
    this.tokens = o.burstRuns;
    this.lastRefill = this.clock.now();
  }

  /** Starts the periodic timer (upstream Loop); runs until stop(). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.resetTimer(this.o.maxIntervalMs);
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  /** Requests a run as soon as possible; requests made while one is waiting coalesce. */
  run(): void {
    if (!this.started || this.stopped) return;
    if (this.running) { this.pending = true; return; }
    void this.tryRun();
  }

  /** Ensures fn runs again no later than `ms` from now. */
  retryAfter(ms: number): void {
    const at = this.clock.now() + ms;
    if (this.retryAt !== undefined && this.retryAt < at) return;
    this.retryAt = at;
    if (!this.running) this.doRetry();
  }

  /** Resolves when no run is in progress (tests and shutdown). */
  idle(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private doRetry(): void {
    if (this.retryAt === undefined || this.stopped) return;
    const interval = this.retryAt - this.clock.now();
    this.retryAt = undefined;
    if (interval < this.timerAt - this.clock.now()) this.resetTimer(interval);
  }

  private resetTimer(ms: number): void {
    this.timer?.cancel();
    if (this.stopped) return;
    const d = Math.max(0, ms);
    this.timerAt = this.clock.now() + d;
    this.timer = this.clock.after(d, () => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.run();
    });
  }

  private tryAccept(): boolean {
    if (this.o.minIntervalMs <= 0) return true;
    const now = this.clock.now();
    this.tokens = Math.min(this.o.burstRuns, this.tokens + (now - this.lastRefill) / this.o.minIntervalMs);
    this.lastRefill = now;
    if (this.tokens >= 1) { this.tokens -= 1; return true; }
    return false;
  }

  private async tryRun(): Promise<void> {
    if (this.tryAccept()) {
      this.running = true;
      try {
        await this.o.fn();
      } catch (e) {
        this.o.onError?.(e);
      } finally {
        this.running = false;
        this.lastRun = this.clock.now();
        this.resetTimer(this.o.maxIntervalMs);
        const w = this.idleWaiters;
        this.idleWaiters = [];
        for (const f of w) f();
      }
      // What arrived during the run: a retry request, then a coalesced run request.
      this.doRetry();
      if (this.pending) { this.pending = false; this.run(); }
      return;
    }
    // Not allowed yet: run when the next token is due, unless the timer fires sooner.
    const tokenWait = (1 - this.tokens) * this.o.minIntervalMs;
    const nextPossible = Math.max(this.o.minIntervalMs - (this.clock.now() - this.lastRun), tokenWait);
    const nextScheduled = this.timerAt - this.clock.now();
    this.resetTimer(Math.min(nextPossible, nextScheduled));
  }
}
