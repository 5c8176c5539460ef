// Per-item requeue delays as client-go's workqueue rate limiters (default_rate_limiters.go).
// Every delay is in milliseconds. Items are map keys, so strings and numbers compare by value and
// objects by identity: queue string keys (namespace/name), not objects.
import { realClock, type Clock } from './clock.js';
import { TokenBucket } from './flowcontrol.js';

export interface TypedRateLimiter<K = string> {
  /** How long to wait before `item` may be processed again; counts a failure for per-item limiters. */
  when(item: K): number;
  /** Stops tracking `item` (its failures are cleared), whether it finally succeeded or was dropped. */
  forget(item: K): void;
  /** How many times `item` has been requeued. */
  numRequeues(item: K): number;
}

export type RateLimiter<K = string> = TypedRateLimiter<K>;

/** baseDelayMs * 2^failures, capped at maxDelayMs. */
export class ItemExponentialFailureRateLimiter<K = string> implements TypedRateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(readonly baseDelayMs = 5, readonly maxDelayMs = 1000_000) {}

  when(item: K): number {
    const exp = this.failures.get(item) ?? 0;
    this.failures.set(item, exp + 1);
    // 2 ** exp overflows to Infinity for huge failure counts; min() still yields the cap.
    return Math.min(this.baseDelayMs * 2 ** exp, this.maxDelayMs);
  }

  numRequeues(item: K): number { return this.failures.get(item) ?? 0; }

  forget(item: K): void { this.failures.delete(item); }
}

/** fastDelayMs for the first maxFastAttempts failures of an item, slowDelayMs after that. */
export class ItemFastSlowRateLimiter<K = string> implements TypedRateLimiter<K> {
  private readonly failures = new Map<K, number>();

  constructor(readonly fastDelayMs: number, readonly slowDelayMs: number, readonly maxFastAttempts: number) {}

  when(item: K): number {
    const n = (this.failures.get(item) ?? 0) + 1;
    this.failures.set(item, n);
    return n <= this.maxFastAttempts ? this.fastDelayMs : this.slowDelayMs;
  }

  numRequeues(item: K): number { return this.failures.get(item) ?? 0; }

  forget(item: K): void { this.failures.delete(item); }
}

/** An overall token bucket (qps, burst) shared by all items; it does not track items. */
export class BucketRateLimiter<K = string> implements TypedRateLimiter<K> {
  private readonly bucket: TokenBucket;

  constructor(readonly qps: number, readonly burst: number, clock: Clock = realClock) {
    this.bucket = new TokenBucket(qps, burst, clock);
  }

  when(_item: K): number {
    // An infinite rate never delays (rate.Inf); the bucket's refill arithmetic would give NaN.
    if (this.qps === Infinity) return 0;
    return this.bucket.reserve();
  }

  numRequeues(_item: K): number { return 0; }

  forget(_item: K): void { /* nothing is tracked per item */ }
}

/** The longest delay of all limiters; every limiter sees every call so each keeps its own count. */
export class MaxOfRateLimiter<K = string> implements TypedRateLimiter<K> {
  private readonly limiters: TypedRateLimiter<K>[];

  constructor(...limiters: TypedRateLimiter<K>[]) { this.limiters = limiters; }

  when(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }

  numRequeues(item: K): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }

  forget(item: K): void { for (const l of this.limiters) l.forget(item); }
}

/** Caps another limiter's delay at maxDelayMs. */
export class WithMaxWaitRateLimiter<K = string> implements TypedRateLimiter<K> {
  constructor(private readonly limiter: TypedRateLimiter<K>, readonly maxDelayMs: number) {}

  when(item: K): number { return Math.min(this.limiter.when(item), this.maxDelayMs); }

  numRequeues(item: K): number { return this.limiter.numRequeues(item); }

  forget(item: K): void { this.limiter.forget(item); }
}

/**
 * The controllers' default: per-item exponential backoff (5 ms .. 1000 s) combined with an
 * overall 10 qps / burst 100 bucket, so a mass requeue cannot hammer the API server.
 */
export function defaultControllerRateLimiter<K = string>(clock: Clock = realClock): TypedRateLimiter<K> {
  return new MaxOfRateLimiter<K>(
    new ItemExponentialFailureRateLimiter<K>(5, 1000_000),
    new BucketRateLimiter<K>(10, 100, clock),
  );
}

/** Per-item exponential backoff only: 1 ms .. 1000 s. */
export function defaultItemBasedRateLimiter<K = string>(): TypedRateLimiter<K> {
  return new ItemExponentialFailureRateLimiter<K>(1, 1000_000);
}
