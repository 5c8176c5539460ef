import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';
import {
  BucketRateLimiter, ItemExponentialFailureRateLimiter, ItemFastSlowRateLimiter, MaxOfRateLimiter,
  WithMaxWaitRateLimiter, defaultControllerRateLimiter, defaultItemBasedRateLimiter, type TypedRateLimiter,
} from '../../src/ratelimiter.js';

// Table of per-item limiters as in upstream default_rate_limiters_test.go: the delays for five
// failures of "one", two of "two", then "one" again after forget.
interface Case { name: string; make: () => TypedRateLimiter<string>; one: number[]; two: number[]; afterForget: number }
const cases: Case[] = [
  {
    name: 'exponential 1ms..1s',
    make: () => new ItemExponentialFailureRateLimiter(1, 1000),
    one: [1, 2, 4, 8, 16], two: [1, 2], afterForget: 1,
  },
  {
    name: 'exponential defaults (5ms..1000s)',
    make: () => new ItemExponentialFailureRateLimiter(),
    one: [5, 10, 20, 40, 80], two: [5, 10], afterForget: 5,
  },
  {
    name: 'exponential capped',
    make: () => new ItemExponentialFailureRateLimiter(10, 35),
    one: [10, 20, 35, 35, 35], two: [10, 20], afterForget: 10,
  },
  {
    name: 'fast/slow 5ms, 10s after 3',
    make: () => new ItemFastSlowRateLimiter(5, 10_000, 3),
    one: [5, 5, 5, 10_000, 10_000], two: [5, 5], afterForget: 5,
  },
  {
    name: 'max of fast/slow and exponential',
    make: () => new MaxOfRateLimiter(new ItemFastSlowRateLimiter(5, 3000, 3), new ItemExponentialFailureRateLimiter(1, 1000)),
    one: [5, 5, 5, 3000, 3000], two: [5, 5], afterForget: 5,
  },
  {
    name: 'max wait caps the delay',
    make: () => new WithMaxWaitRateLimiter(new ItemExponentialFailureRateLimiter(1, 1000), 4),
    one: [1, 2, 4, 4, 4], two: [1, 2], afterForget: 1,
  },
  {
    name: 'item based default (1ms..1000s)',
    make: () => defaultItemBasedRateLimiter(),
    one: [1, 2, 4, 8, 16], two: [1, 2], afterForget: 1,
  },
];

describe('per-item rate limiters', () => {
  it.each(cases)('$name', ({ make, one, two, afterForget }) => {
    const l = make();
    expect(one.map(() => l.when('one'))).toEqual(one);
    expect(l.numRequeues('one')).toBe(one.length);
    expect(two.map(() => l.when('two'))).toEqual(two);
    expect(l.numRequeues('two')).toBe(two.length);
    l.forget('one');
    expect(l.numRequeues('one')).toBe(0);
    expect(l.numRequeues('two')).toBe(two.length);
    expect(l.when('one')).toBe(afterForget);
  });

  it('exponential backoff reaches the cap instead of overflowing', () => {
    const l = new ItemExponentialFailureRateLimiter(1, 1000_000);
    for (let i = 0; i < 5; i++) l.when('one');
    expect(l.when('one')).toBe(32);
    let last = 0;
    for (let i = 0; i < 2000; i++) last = l.when('overflow');
    expect(last).toBe(1000_000);
    expect(Number.isFinite(last)).toBe(true);
  });

  it('items compare by value for strings and numbers', () => {
    const l = new ItemExponentialFailureRateLimiter<number>(1, 100);
    l.when(7);
    expect(l.when(7)).toBe(2);
    expect(l.numRequeues(7)).toBe(2);
  });
});

describe('BucketRateLimiter', () => {
  it('allows the burst, then spaces items by 1/qps, refilling with the clock', async () => {
    const clock = new FakeClock();
    const l = new BucketRateLimiter(10, 5, clock);
    expect([1, 2, 3, 4, 5].map((i) => l.when(`i${i}`))).toEqual([0, 0, 0, 0, 0]);
    expect(l.when('a')).toBe(100);
    expect(l.when('b')).toBe(200);
    expect(l.numRequeues('a')).toBe(0);
    l.forget('a'); // no per-item state: forgetting changes nothing
    expect(l.when('c')).toBe(300);
    // After 1 s, 10 tokens have been earned: the 3 reservations are paid and 5 (burst) remain.
    await clock.step(1000);
    expect([1, 2, 3, 4, 5].map(() => l.when('x'))).toEqual([0, 0, 0, 0, 0]);
    expect(l.when('x')).toBe(100);
  });

  it('infinite qps never delays', () => {
    const l = new BucketRateLimiter(Infinity, 1, new FakeClock());
    expect([1, 2, 3].map(() => l.when('x'))).toEqual([0, 0, 0]);
  });
});

describe('defaultControllerRateLimiter', () => {
  it('is max(exponential 5ms..1000s, bucket 10 qps burst 100)', () => {
    const l = defaultControllerRateLimiter(new FakeClock());
    for (let i = 0; i < 100; i++) expect(l.when(`item-${i}`)).toBe(5);
    // Bucket exhausted: the 101st request waits 100 ms even on its first failure.
    expect(l.when('x')).toBe(100);
    expect(l.when('x')).toBe(200);
    expect(l.numRequeues('x')).toBe(2);
    l.forget('x');
    expect(l.numRequeues('x')).toBe(0);
  });

  it('exponential part dominates once the bucket has refilled', async () => {
    const clock = new FakeClock();
    const l = defaultControllerRateLimiter(clock);
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) { delays.push(l.when('x')); await clock.step(1000); }
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240]);
  });
});
