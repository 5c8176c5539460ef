// client-go's workqueue (queue.go, delaying_queue.go, rate_limiting_queue.go) as one class:
// - an item is queued at most once (dirty set) however often it is added;
// - an item being processed is never handed to a second worker: re-adding it marks it dirty and
//   `done` queues it again;
// - addAfter / addRateLimited hold items until a delay passes on the injected Clock.
// Items are Map/Set keys: strings and numbers compare by value, objects by identity, so key the
// queue by strings (namespace/name) as controllers do, not by API objects.
import { realClock, type Clock, type Timer } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimiter.js';
import { defaultQueueMetricsProvider, newQueueMetrics, noopQueueMetricsProvider, type QueueMetrics, type QueueMetricsProvider } from './queuemetrics.js';

export interface WorkQueueOptions<K> {
  /** Metrics label; unnamed queues report no metrics. */
  name?: string;
  clock?: Clock;
  /** For addRateLimited; default defaultControllerRateLimiter() on this queue's clock. */
  rateLimiter?: RateLimiter<K>;
  /** Default: defaultQueueMetricsProvider() (Prometheus, global registry). */
  metrics?: QueueMetricsProvider;
}

export type GetResult<K> = { item: K; shutdown: false } | { shutdown: true };

// Node timers overflow past 2^31-1 ms (they would fire at once); longer waits re-arm.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class WorkQueue<K = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  private readonly metrics: QueueMetrics<K>;

  // FIFO of items ready for a worker; `head` avoids O(n) shifts on long queues.
  private items: K[] = [];
  private head = 0;
  /** Items that need processing: queued, or added again while being processed. */
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private waiters: Array<(r: GetResult<K>) => void> = [];
  private drainWaiters: Array<() => void> = [];
  private shutting = false;
  private drain = false;

  private readonly waiting = new DelayHeap<K>();
  private timer: Timer | undefined;
  private timerAt = 0;

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.name = opts.name ?? '';
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
    // Unnamed queues report nothing, so they need not create the default provider's metrics.
    const provider = opts.metrics ?? (this.name ? defaultQueueMetricsProvider() : noopQueueMetricsProvider);
    this.metrics = newQueueMetrics<K>(provider, this.name, this.clock);
  }

  /** Marks `item` as needing processing; ignored after shutdown. */
  add(item: K): void {
    if (this.shutting || this.dirty.has(item)) return;
    this.metrics.add(item);
    this.dirty.add(item);
    // The worker holding it will requeue it on done().
    if (this.processing.has(item)) return;
    this.items.push(item);
    this.wake();
  }

  /** Number of items waiting for a worker (not counting delayed or in-process items). */
  len(): number { return this.items.length - this.head; }

  /**
   * Waits for an item; the caller must call done(item) when finished with it. After shutDown the
   * remaining queued items are still handed out, then every call resolves `{ shutdown: true }`.
   */
  get(): Promise<GetResult<K>> {
    if (this.len() > 0) return Promise.resolve(this.take());
    if (this.shutting) return Promise.resolve({ shutdown: true });
    return new Promise((resolve) => { this.waiters.push(resolve); });
  }

  /** Ends processing of `item`; if it was added meanwhile it is queued again. */
  done(item: K): void {
    // Guard against a stray done() queueing a dirty item a second time.
    if (!this.processing.has(item)) return;
    this.metrics.done(item);
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.items.push(item);
      this.wake();
    }
    if (this.processing.size === 0) this.resolveDrain();
  }

  /** Stops accepting items and wakes idle workers; pending delayed items are dropped. */
  shutDown(): void {
    this.drain = false;
    this.stop();
    this.resolveDrain();
  }

  /**
   * Like shutDown, but resolves only when every item handed out has been done()
   * (forever, if a worker never calls done). shutDown() afterwards stops the wait.
   */
  shutDownWithDrain(): Promise<void> {
    this.drain = true;
    this.stop();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.drain) this.drainWaiters.push(resolve);
      else resolve();
    });
  }

  shuttingDown(): boolean { return this.shutting; }

  /** Adds `item` once `ms` have passed; an earlier pending time for the same item wins. */
  addAfter(item: K, ms: number): void {
    if (this.shutting) return;
    this.metrics.retry();
    if (!(ms > 0)) { this.add(item); return; }
    this.waiting.upsertEarlier(item, this.clock.now() + ms);
    this.schedule();
  }

  /** Adds `item` after the rate limiter's delay for it. */
  addRateLimited(item: K): void { this.addAfter(item, this.rateLimiter.when(item)); }

  /** Clears the rate limiter's failure count for `item` (call on success). */
  forget(item: K): void { this.rateLimiter.forget(item); }

  numRequeues(item: K): number { return this.rateLimiter.numRequeues(item); }

  private take(): { item: K; shutdown: false } {
    const item = this.items[this.head++] as K;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    } else if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
    this.metrics.get(item);
    this.processing.add(item);
    this.dirty.delete(item);
    return { item, shutdown: false };
  }

  // Hands queued items straight to waiting workers so none is claimed twice.
  private wake(): void {
    while (this.waiters.length > 0 && this.len() > 0) this.waiters.shift()!(this.take());
  }

  private stop(): void {
    if (this.shutting) return;
    this.shutting = true;
    this.timer?.cancel();
    this.timer = undefined;
    this.waiting.clear();
    this.metrics.stop();
    // Waiters exist only while nothing is queued.
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w({ shutdown: true });
  }

  private resolveDrain(): void {
    const ds = this.drainWaiters;
    this.drainWaiters = [];
    for (const d of ds) d();
  }

  // One timer, armed for the earliest delayed item.
  private schedule(): void {
    const next = this.waiting.peek();
    if (!next) return;
    if (this.timer && this.timerAt <= next.readyAt) return;
    this.timer?.cancel();
    this.timerAt = next.readyAt;
    const delay = Math.min(Math.max(0, next.readyAt - this.clock.now()), MAX_TIMER_MS);
    this.timer = this.clock.after(delay, () => {
      this.timer = undefined;
      this.addReady();
    });
  }

  private addReady(): void {
    const now = this.clock.now();
    for (let e = this.waiting.peek(); e && e.readyAt <= now; e = this.waiting.peek()) {
      this.waiting.pop();
      this.add(e.item);
    }
    this.schedule();
  }
}

interface Waiting<K> { item: K; readyAt: number; seq: number; index: number }

/** Min-heap on (readyAt, insertion order) with an index per item so an entry can move earlier. */
class DelayHeap<K> {
  private heap: Waiting<K>[] = [];
  private readonly byItem = new Map<K, Waiting<K>>();
  private seq = 0;

  peek(): Waiting<K> | undefined { return this.heap[0]; }

  upsertEarlier(item: K, readyAt: number): void {
    const e = this.byItem.get(item);
    if (e) {
      if (readyAt < e.readyAt) { e.readyAt = readyAt; this.up(e.index); }
      return;
    }
    const n: Waiting<K> = { item, readyAt, seq: this.seq++, index: this.heap.length };
    this.heap.push(n);
    this.byItem.set(item, n);
    this.up(n.index);
  }

  pop(): Waiting<K> | undefined {
    const top = this.heap[0];
    if (!top) return undefined;
    const last = this.heap.pop()!;
    if (last !== top) { this.place(last, 0); this.down(0); }
    this.byItem.delete(top.item);
    return top;
  }

  clear(): void { this.heap = []; this.byItem.clear(); }

  private less(a: Waiting<K>, b: Waiting<K>): boolean {
    return a.readyAt < b.readyAt || (a.readyAt === b.readyAt && a.seq < b.seq);
  }

  private place(e: Waiting<K>, i: number): void { this.heap[i] = e; e.index = i; }

  private up(i: number): void {
    const e = this.heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = this.heap[p]!;
      if (!this.less(e, parent)) break;
      this.place(parent, i);
      i = p;
    }
    this.place(e, i);
  }

  private down(i: number): void {
    const e = this.heap[i]!;
    const n = this.heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(this.heap[r]!, this.heap[l]!) ? r : l;
      if (!this.less(this.heap[c]!, e)) break;
      this.place(this.heap[c]!, i);
      i = c;
    }
    this.place(e, i);
  }
}
