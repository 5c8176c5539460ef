// RateLimitedTimedQueue (nodelifecycle/scheduler/rate_limited_queue.go): the per-zone queue of
// nodes waiting for their NoExecute taint. Each processed node costs a token of the zone's
// eviction limiter (burst 1), so a zone taints at most --node-eviction-rate nodes per second; a
// limiter of 0 stops tainting. A processed value stays in the set until removed, so it is not
// queued again while its taint is in place.
import type { Clock } from '@kube-ts/client/clock';
import { TokenBucket } from '@kube-ts/client/flowcontrol';

export const EVICTION_RATE_LIMITER_BURST = 1;

export interface TimedValue { value: string; uid: string; addedAt: number; processAt: number }

/** ActionFunc: true when done; otherwise retry after `retryAfterMs`. */
export type ActionFunc = (v: TimedValue) => Promise<{ done: boolean; retryAfterMs?: number }>;

interface Limiter { qps: number; tryAccept(): boolean }

function limiterFor(qps: number, clock: Clock): Limiter {
  if (qps <= 0) return { qps: 0, tryAccept: () => false };
  const b = new TokenBucket(qps, EVICTION_RATE_LIMITER_BURST, clock);
  return { qps, tryAccept: () => b.tryAccept() };
}

export class RateLimitedTimedQueue {
  private queue: TimedValue[] = [];
  private readonly set = new Set<string>();
  private limiter: Limiter;

  constructor(qps: number, private readonly clock: Clock) { this.limiter = limiterFor(qps, clock); }

  get qps(): number { return this.limiter.qps; }

  /** Adds a value unless it is already known (queued or processed and not removed). */
  add(value: string, uid: string): boolean {
    if (this.set.has(value)) return false;
    const now = this.clock.now();
    this.set.add(value);
    this.push({ value, uid, addedAt: now, processAt: now });
    return true;
  }

  /** Forgets a value entirely; true when it was known. */
  remove(value: string): boolean {
    if (!this.set.delete(value)) return false;
    this.queue = this.queue.filter((v) => v.value !== value);
    return true;
  }

  clear(): void { this.queue = []; this.set.clear(); }

  has(value: string): boolean { return this.set.has(value); }

  queued(): string[] { return this.queue.map((v) => v.value); }

  /** Processes due values in order while the limiter gives tokens. */
  async try(fn: ActionFunc): Promise<void> {
    for (let head = this.queue[0]; head; head = this.queue[0]) {
      if (!this.limiter.tryAccept()) return;
      const now = this.clock.now();
      if (now < head.processAt) return;
      const r = await fn(head);
      this.queue = this.queue.filter((v) => v !== head);
      // Removed meanwhile (node became ready): drop it.
      if (!this.set.has(head.value)) continue;
      if (!r.done) this.push({ ...head, processAt: now + (r.retryAfterMs ?? 0) + 1 });
    }
  }

  /** SwapLimiter: a new rate; a limiter that was out of tokens hands the debt to the new one. */
  swapLimiter(qps: number): void {
    if (this.limiter.qps === qps) return;
    const next = limiterFor(qps, this.clock);
    if (qps > 0 && !this.limiter.tryAccept()) next.tryAccept();
    this.limiter = next;
  }

  private push(v: TimedValue): void {
    this.queue.push(v);
    this.queue.sort((a, b) => a.processAt - b.processAt);
  }
}
