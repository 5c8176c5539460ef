// The shape every queue-driven controller shares (client-go's controller pattern): informer
// handlers enqueue keys, N workers take a key at a time and call `sync`, which reads the caches
// and makes the world match. Errors requeue with the rate limiter, so a failed sync is retried
// with backoff and a restart simply re-lists and syncs everything again (level-triggered).
import { isTombstone, type Tombstone } from '@kube-ts/client/informer';
import type { RateLimiter } from '@kube-ts/client/ratelimiter';
import { prometheusQueueMetricsProvider } from '@kube-ts/client/queuemetrics';
import { objectKey, type KubeObject } from '@kube-ts/client/types';
import { WorkQueue } from '@kube-ts/client/workqueue';
import type { Controller, ControllerContext } from './context.js';
import { reconcileMetrics } from './metrics.js';

/** What a sync may ask for besides success: run this key again after a delay. */
export interface SyncResult { requeueAfterMs?: number }

export interface Syncable { waitForSync(signal?: AbortSignal): Promise<boolean> }

export interface QueueControllerOptions {
  /** The controller's upstream name (used for logs, metrics and the queue name). */
  name: string;
  /** The work-queue name in workqueue_* metrics (default: name). */
  queueName?: string;
  ctx: ControllerContext;
  sync(key: string): Promise<SyncResult | void>;
  /** Caches that must be synced before the first sync. */
  caches: Syncable[];
  /** For addRateLimited (default: the client's defaultControllerRateLimiter on ctx.clock). */
  rateLimiter?: RateLimiter<string>;
  /** Give up on a key after this many consecutive failures (upstream: 15 for most; default: never). */
  maxRetries?: number;
}

export class QueueController implements Controller {
  readonly name: string;
  readonly queue: WorkQueue<string>;
  private readonly metrics;

  constructor(private readonly o: QueueControllerOptions) {
    this.name = o.name;
    this.queue = new WorkQueue<string>({
      name: o.queueName ?? o.name, clock: o.ctx.clock, rateLimiter: o.rateLimiter, metrics: prometheusQueueMetricsProvider(o.ctx.metrics),
    });
    this.metrics = reconcileMetrics(o.ctx.metrics);
  }

  /** Enqueues an object's key (tombstones included). */
  enqueue(obj: KubeObject | Tombstone<KubeObject>): void {
    this.queue.add(isTombstone(obj) ? obj.key : objectKey(obj));
  }

  enqueueKey(key: string): void { this.queue.add(key); }

  enqueueAfter(key: string, ms: number): void { this.queue.addAfter(key, ms); }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    const log = this.o.ctx.logger;
    for (const c of this.o.caches) {
      if (!(await c.waitForSync(signal))) return;
    }
    log.info({ controller: this.name, workers }, 'Starting controller');
    signal.addEventListener('abort', () => this.queue.shutDown(), { once: true });
    if (signal.aborted) this.queue.shutDown();
    await Promise.all(Array.from({ length: Math.max(1, workers) }, () => this.worker()));
    log.info({ controller: this.name }, 'Shutting down controller');
  }

  /** Processes one key now (tests drive controllers step by step with this). */
  async processNext(): Promise<boolean> {
    const r = await this.queue.get();
    if (r.shutdown) return false;
    const key = r.item;
    const start = performance.now();
    try {
      const res = await this.o.sync(key);
      this.queue.forget(key);
      if (res?.requeueAfterMs !== undefined) {
        this.queue.addAfter(key, res.requeueAfterMs);
        this.metrics.observe(this.name, 'requeue', (performance.now() - start) / 1000);
      } else {
        this.metrics.observe(this.name, 'success', (performance.now() - start) / 1000);
      }
    } catch (err) {
      this.metrics.observe(this.name, 'error', (performance.now() - start) / 1000);
      const retries = this.queue.numRequeues(key);
      if (this.o.maxRetries !== undefined && retries >= this.o.maxRetries) {
        this.o.ctx.logger.warn({ controller: this.name, key, err: String(err) }, 'Dropping key out of the queue after retries');
        this.queue.forget(key);
      } else {
        this.o.ctx.logger.info({ controller: this.name, key, err: String(err) }, 'Error syncing; requeuing');
        this.queue.addRateLimited(key);
      }
    } finally {
      this.queue.done(key);
    }
    return true;
  }

  private async worker(): Promise<void> {
    while (await this.processNext()) { /* next key */ }
  }
}
