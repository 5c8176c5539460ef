import { describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { FakeClock, flushMicrotasks } from '../../src/clock.js';
import { WorkQueue, type GetResult } from '../../src/workqueue.js';
import { ItemExponentialFailureRateLimiter } from '../../src/ratelimiter.js';
import { prometheusQueueMetricsProvider, type QueueMetricsProvider } from '../../src/queuemetrics.js';

/** Starts a get() and records its result once it settles. */
function pendingGet<K>(q: WorkQueue<K>): { result: GetResult<K> | undefined } {
  const box: { result: GetResult<K> | undefined } = { result: undefined };
  void q.get().then((r) => { box.result = r; });
  return box;
}

async function itemOf<K>(q: WorkQueue<K>): Promise<K> {
  const r = await q.get();
  if (r.shutdown) throw new Error('unexpected shutdown');
  return r.item;
}

function newQueue(clock = new FakeClock()): { q: WorkQueue<string>; clock: FakeClock } {
  return { q: new WorkQueue<string>({ clock }), clock };
}

describe('WorkQueue basics', () => {
  it('dedups an item that is already queued and hands items out in FIFO order', async () => {
    const { q } = newQueue();
    q.add('a'); q.add('b'); q.add('a');
    expect(q.len()).toBe(2);
    expect(await itemOf(q)).toBe('a');
    expect(await itemOf(q)).toBe('b');
    expect(q.len()).toBe(0);
  });

  it('an item added while processing is marked dirty and requeued on done, never given to two workers', async () => {
    const { q } = newQueue();
    q.add('a');
    expect(await itemOf(q)).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.len()).toBe(0);
    const second = pendingGet(q);
    await flushMicrotasks();
    expect(second.result).toBeUndefined();
    q.done('a');
    await flushMicrotasks();
    expect(second.result).toEqual({ item: 'a', shutdown: false });
    // Done without a re-add leaves it gone.
    q.done('a');
    expect(q.len()).toBe(0);
  });

  it('done for an item not being processed does not queue it twice', async () => {
    const { q } = newQueue();
    q.add('a');
    q.done('a');
    expect(q.len()).toBe(1);
  });

  it('re-adding after done queues the item again', async () => {
    const { q } = newQueue();
    q.add('a');
    expect(await itemOf(q)).toBe('a');
    q.done('a');
    q.add('a');
    expect(q.len()).toBe(1);
  });

  it('concurrent get waiters are served one item each in arrival order', async () => {
    const { q } = newQueue();
    const w1 = pendingGet(q);
    const w2 = pendingGet(q);
    const w3 = pendingGet(q);
    q.add('x');
    q.add('y');
    await flushMicrotasks();
    expect(w1.result).toEqual({ item: 'x', shutdown: false });
    expect(w2.result).toEqual({ item: 'y', shutdown: false });
    expect(w3.result).toBeUndefined();
    q.shutDown();
    await flushMicrotasks();
    expect(w3.result).toEqual({ shutdown: true });
  });

  it('shutdown wakes all waiters, ignores new adds, but still hands out queued items', async () => {
    const { q } = newQueue();
    const waiters = [pendingGet(q), pendingGet(q)];
    q.shutDown();
    expect(q.shuttingDown()).toBe(true);
    await flushMicrotasks();
    for (const w of waiters) expect(w.result).toEqual({ shutdown: true });

    const { q: q2 } = newQueue();
    q2.add('left');
    q2.shutDown();
    q2.add('ignored');
    expect(q2.len()).toBe(1);
    expect(await q2.get()).toEqual({ item: 'left', shutdown: false });
    expect(await q2.get()).toEqual({ shutdown: true });
  });

  it('many items keep FIFO order across internal compaction', async () => {
    const { q } = newQueue();
    const n = 3000;
    for (let i = 0; i < n; i++) q.add(`k${i}`);
    for (let i = 0; i < n; i++) {
      expect(await itemOf(q)).toBe(`k${i}`);
      if (i === 1500) q.add('late');
    }
    expect(await itemOf(q)).toBe('late');
    expect(q.len()).toBe(0);
  });
});

describe('shutDownWithDrain', () => {
  it('resolves only after every handed-out item is done', async () => {
    const { q } = newQueue();
    q.add('a'); q.add('b');
    await itemOf(q);
    await itemOf(q);
    let drained = false;
    void q.shutDownWithDrain().then(() => { drained = true; });
    await flushMicrotasks();
    expect(drained).toBe(false);
    expect(q.shuttingDown()).toBe(true);
    q.done('a');
    await flushMicrotasks();
    expect(drained).toBe(false);
    q.done('b');
    await flushMicrotasks();
    expect(drained).toBe(true);
  });

  it('resolves at once when nothing is processing, and shutDown ends a pending drain', async () => {
    const { q } = newQueue();
    await q.shutDownWithDrain();
    const { q: q2 } = newQueue();
    q2.add('a');
    await itemOf(q2);
    let drained = false;
    void q2.shutDownWithDrain().then(() => { drained = true; });
    await flushMicrotasks();
    expect(drained).toBe(false);
    q2.shutDown();
    await flushMicrotasks();
    expect(drained).toBe(true);
  });
});

describe('delaying', () => {
  it('adds an item only after its delay passes', async () => {
    const { q, clock } = newQueue();
    q.addAfter('foo', 50);
    expect(q.len()).toBe(0);
    await clock.step(49);
    expect(q.len()).toBe(0);
    await clock.step(1);
    expect(q.len()).toBe(1);
    expect(await itemOf(q)).toBe('foo');
    expect(clock.pending()).toBe(0);
  });

  it('a non-positive delay adds immediately', () => {
    const { q } = newQueue();
    q.addAfter('now', 0);
    q.addAfter('past', -5);
    expect(q.len()).toBe(2);
  });

  it('hands out ready items earliest first, whatever the order they were added', async () => {
    const { q, clock } = newQueue();
    q.addAfter('first', 1000);
    q.addAfter('second', 50);
    q.addAfter('third', 25);
    q.addAfter('fourth', 50); // ties keep insertion order
    await clock.step(60);
    expect(q.len()).toBe(3);
    await clock.step(1000);
    expect(q.len()).toBe(4);
    const got = [];
    for (let i = 0; i < 4; i++) got.push(await itemOf(q));
    expect(got).toEqual(['third', 'second', 'fourth', 'first']);
  });

  it('re-adding with an earlier time moves the item earlier; a later time does not postpone it', async () => {
    const { q, clock } = newQueue();
    q.addAfter('x', 100);
    q.addAfter('x', 50);
    q.addAfter('y', 50);
    q.addAfter('y', 100);
    await clock.step(50);
    expect(q.len()).toBe(2);
    await itemOf(q); await itemOf(q);
    q.done('x'); q.done('y');
    // The moved entries were consumed: nothing more arrives at 100 ms.
    await clock.step(100);
    expect(q.len()).toBe(0);
  });

  it('a delayed item already queued is not queued twice', async () => {
    const { q, clock } = newQueue();
    q.add('a');
    q.addAfter('a', 10);
    await clock.step(10);
    expect(q.len()).toBe(1);
  });

  it('shutdown drops delayed items and their timer', async () => {
    const { q, clock } = newQueue();
    q.addAfter('a', 10);
    q.shutDown();
    expect(clock.pending()).toBe(0);
    await clock.step(100);
    expect(q.len()).toBe(0);
    q.addAfter('b', 1);
    expect(clock.pending()).toBe(0);
  });

  it('very long delays do not fire early and never arm a timer Node would overflow', async () => {
    const clock = new FakeClock();
    const armed: number[] = [];
    const after = clock.after.bind(clock);
    clock.after = (ms, fn) => { armed.push(ms); return after(ms, fn); };
    const q = new WorkQueue<string>({ clock });
    q.addAfter('far', 2 ** 32);
    q.addAfter('never', Infinity);
    await clock.step(2 ** 31);
    expect(q.len()).toBe(0);
    await clock.step(2 ** 31);
    expect(q.len()).toBe(1);
    expect(await itemOf(q)).toBe('far');
    expect(Math.max(...armed)).toBeLessThanOrEqual(2 ** 31 - 1);
  });
});

describe('rate limiting', () => {
  it('addRateLimited waits the limiter delay; forget clears the count', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialFailureRateLimiter(1, 1000) });
    q.addRateLimited('one'); // 1 ms
    q.addRateLimited('one'); // 2 ms, but the earlier 1 ms entry wins
    expect(q.numRequeues('one')).toBe(2);
    q.addRateLimited('two'); // 1 ms
    expect(q.len()).toBe(0);
    await clock.step(1);
    expect(q.len()).toBe(2);
    q.forget('one');
    expect(q.numRequeues('one')).toBe(0);
    expect(q.numRequeues('two')).toBe(1);
  });

  it('default limiter uses the queue clock: 5 ms for a first failure', async () => {
    const { q, clock } = newQueue();
    q.addRateLimited('a');
    await clock.step(4);
    expect(q.len()).toBe(0);
    await clock.step(1);
    expect(q.len()).toBe(1);
  });
});

interface Sample { value: number; labels: Record<string, string | number>; metricName?: string }

async function sample(reg: Registry, metric: string, labels: Record<string, string>, series = metric): Promise<number | undefined> {
  const all = await reg.getMetricsAsJSON();
  const m = all.find((x) => x.name === metric);
  const values = (m?.values ?? []) as Sample[];
  const v = values.find((s) => (s.metricName ?? metric) === series
    && Object.entries(labels).every(([k, want]) => String(s.labels[k]) === want));
  return v?.value;
}

describe('metrics', () => {
  it('reports depth, adds, durations, unfinished work and retries per queue name', async () => {
    const reg = new Registry();
    const clock = new FakeClock();
    const metrics = prometheusQueueMetricsProvider(reg);
    const q = new WorkQueue<string>({ name: 'a', clock, metrics });
    const b = new WorkQueue<string>({ name: 'b', clock, metrics: prometheusQueueMetricsProvider(reg) });
    const A = { name: 'a' };

    expect(await sample(reg, 'workqueue_depth', A)).toBe(0);
    q.add('x'); q.add('y'); q.add('x');
    b.add('z');
    expect(await sample(reg, 'workqueue_adds_total', A)).toBe(2);
    expect(await sample(reg, 'workqueue_depth', A)).toBe(2);
    expect(await sample(reg, 'workqueue_depth', { name: 'b' })).toBe(1);

    await clock.step(2000);
    expect(await itemOf(q)).toBe('x');
    expect(await sample(reg, 'workqueue_depth', A)).toBe(1);
    expect(await sample(reg, 'workqueue_queue_duration_seconds', A, 'workqueue_queue_duration_seconds_sum')).toBe(2);
    expect(await sample(reg, 'workqueue_queue_duration_seconds', A, 'workqueue_queue_duration_seconds_count')).toBe(1);

    await clock.step(3000);
    expect(await itemOf(q)).toBe('y');
    await clock.step(1000);
    // x has run 4 s, y 1 s: computed at scrape time.
    expect(await sample(reg, 'workqueue_unfinished_work_seconds', A)).toBe(5);
    expect(await sample(reg, 'workqueue_longest_running_processor_seconds', A)).toBe(4);
    expect(await sample(reg, 'workqueue_unfinished_work_seconds', { name: 'b' })).toBe(0);

    q.done('x');
    expect(await sample(reg, 'workqueue_work_duration_seconds', A, 'workqueue_work_duration_seconds_sum')).toBe(4);
    expect(await sample(reg, 'workqueue_work_duration_seconds', { ...A, le: '10' }, 'workqueue_work_duration_seconds_bucket')).toBe(1);
    expect(await sample(reg, 'workqueue_work_duration_seconds', { ...A, le: '1' }, 'workqueue_work_duration_seconds_bucket')).toBe(0);
    expect(await sample(reg, 'workqueue_longest_running_processor_seconds', A)).toBe(1);

    // Adding an item being processed counts as an add and raises depth though it waits for done().
    q.add('y');
    expect(await sample(reg, 'workqueue_adds_total', A)).toBe(3);
    expect(await sample(reg, 'workqueue_depth', A)).toBe(1);

    q.addAfter('later', 10);
    q.addRateLimited('limited');
    expect(await sample(reg, 'workqueue_retries_total', A)).toBe(2);
    expect(await sample(reg, 'workqueue_retries_total', { name: 'b' })).toBe(0);

    const text = await reg.getSingleMetricAsString('workqueue_queue_duration_seconds');
    for (const le of ['1e-8', '1e-7', '0.001', '10', '+Inf']) expect(text).toContain(`le="${le}",name="a"`);
    q.shutDown(); b.shutDown();
  });

  it('unnamed queues report nothing', async () => {
    const reg = new Registry();
    const q = new WorkQueue<string>({ clock: new FakeClock(), metrics: prometheusQueueMetricsProvider(reg) });
    q.add('x');
    expect(await sample(reg, 'workqueue_adds_total', { name: '' })).toBeUndefined();
  });

  it('a provider without a collect hook gets unfinished work every 500 ms until shutdown', async () => {
    const sets: Array<[string, number]> = [];
    const noop = { inc(): void {}, dec(): void {}, observe(): void {} };
    const provider: QueueMetricsProvider = {
      newDepthMetric: () => noop, newAddsMetric: () => noop, newLatencyMetric: () => noop,
      newWorkDurationMetric: () => noop, newRetriesMetric: () => noop,
      newUnfinishedWorkSecondsMetric: () => ({ set: (v) => { sets.push(['unfinished', v]); } }),
      newLongestRunningProcessorSecondsMetric: () => ({ set: (v) => { sets.push(['longest', v]); } }),
    };
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ name: 'ticked', clock, metrics: provider });
    q.add('x');
    await itemOf(q);
    await clock.step(1000);
    expect(sets).toEqual([['unfinished', 0.5], ['longest', 0.5], ['unfinished', 1], ['longest', 1]]);
    q.shutDown();
    expect(clock.pending()).toBe(0);
  });
});
