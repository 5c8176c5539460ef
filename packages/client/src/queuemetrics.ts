// Work-queue metrics as client-go's workqueue/metrics.go, exported under the names and the `name`
// label of component-base's Prometheus workqueue provider so dashboards built for upstream work.
import { Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import type { Clock, Timer } from './clock.js';

export interface GaugeMetric { inc(): void; dec(): void }
export interface SettableGaugeMetric { set(value: number): void }
export interface CounterMetric { inc(): void }
export interface HistogramMetric { observe(value: number): void }

/** Makes the metrics of one queue (upstream workqueue.MetricsProvider). */
export interface QueueMetricsProvider {
  newDepthMetric(name: string): GaugeMetric;
  newAddsMetric(name: string): CounterMetric;
  newLatencyMetric(name: string): HistogramMetric;
  newWorkDurationMetric(name: string): HistogramMetric;
  newUnfinishedWorkSecondsMetric(name: string): SettableGaugeMetric;
  newLongestRunningProcessorSecondsMetric(name: string): SettableGaugeMetric;
  newRetriesMetric(name: string): CounterMetric;
  /**
   * Optional: `refresh` (which sets the unfinished-work gauges) is called before each scrape.
   * Returns a function that stops it. Without this hook the queue refreshes every 500 ms.
   */
  onCollect?(refresh: () => void): () => void;
}

const noop = { inc(): void {}, dec(): void {}, set(): void {}, observe(): void {} };

export const noopQueueMetricsProvider: QueueMetricsProvider = {
  newDepthMetric: () => noop,
  newAddsMetric: () => noop,
  newLatencyMetric: () => noop,
  newWorkDurationMetric: () => noop,
  newUnfinishedWorkSecondsMetric: () => noop,
  newLongestRunningProcessorSecondsMetric: () => noop,
  newRetriesMetric: () => noop,
};

// Upstream ExponentialBuckets(10e-9, 10, 10): 1e-8 s .. 10 s. Written out to avoid float drift.
export const QUEUE_DURATION_BUCKETS = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1, 10];

const providers = new WeakMap<Registry, QueueMetricsProvider>();

/**
 * Prometheus metrics in `registry` (default: prom-client's global registry). The metric objects
 * are created once per registry, so any number of queues (one label value each) can share it.
 */
export function prometheusQueueMetricsProvider(registry: Registry = globalRegistry): QueueMetricsProvider {
  const cached = providers.get(registry);
  if (cached) return cached;
  const refreshers = new Set<() => void>();
  const collect = (): void => { for (const r of refreshers) r(); };
  const labelNames = ['name'] as const;
  const registers = [registry];
  const depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames, registers });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames, registers });
  const latency = new Histogram({
    name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested.',
    labelNames, buckets: QUEUE_DURATION_BUCKETS, registers,
  });
  const work = new Histogram({
    name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes.',
    labelNames, buckets: QUEUE_DURATION_BUCKETS, registers,
  });
  const unfinished = new Gauge({
    name: 'workqueue_unfinished_work_seconds',
    help: 'How many seconds of work has done that is in progress and hasn\'t been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.',
    labelNames, registers, collect,
  });
  const longest = new Gauge({
    name: 'workqueue_longest_running_processor_seconds',
    help: 'How many seconds has the longest running processor for workqueue been running.',
    labelNames, registers, collect,
  });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames, registers });

  // Each series starts at zero when the queue is created, as a Go vec child does.
  const p: QueueMetricsProvider = {
    newDepthMetric(name) { const c = depth.labels(name); c.inc(0); return { inc: () => c.inc(), dec: () => c.dec() }; },
    newAddsMetric(name) { const c = adds.labels(name); c.inc(0); return { inc: () => c.inc() }; },
    newLatencyMetric(name) { latency.zero({ name }); const c = latency.labels(name); return { observe: (v) => c.observe(v) }; },
    newWorkDurationMetric(name) { work.zero({ name }); const c = work.labels(name); return { observe: (v) => c.observe(v) }; },
    newUnfinishedWorkSecondsMetric(name) { const c = unfinished.labels(name); c.set(0); return { set: (v) => c.set(v) }; },
    newLongestRunningProcessorSecondsMetric(name) { const c = longest.labels(name); c.set(0); return { set: (v) => c.set(v) }; },
    newRetriesMetric(name) { const c = retries.labels(name); c.inc(0); return { inc: () => c.inc() }; },
    onCollect(refresh) { refreshers.add(refresh); return () => { refreshers.delete(refresh); }; },
  };
  providers.set(registry, p);
  return p;
}

let defaultProvider: QueueMetricsProvider | undefined;

/** The provider for queues built without one (upstream workqueue.SetProvider). */
export function setDefaultQueueMetricsProvider(p: QueueMetricsProvider): void { defaultProvider = p; }

/** Default: Prometheus metrics in prom-client's global registry. */
export function defaultQueueMetricsProvider(): QueueMetricsProvider {
  defaultProvider ??= prometheusQueueMetricsProvider();
  return defaultProvider;
}

/** What a queue reports; `stop` ends unfinished-work updates at shutdown. */
export interface QueueMetrics<K> {
  add(item: K): void;
  get(item: K): void;
  done(item: K): void;
  retry(): void;
  updateUnfinishedWork(): void;
  stop(): void;
}

const noMetrics: QueueMetrics<unknown> = {
  add() {}, get() {}, done() {}, retry() {}, updateUnfinishedWork() {}, stop() {},
};

export const UNFINISHED_WORK_UPDATE_PERIOD_MS = 500;

/** Metrics for one queue; unnamed queues report nothing, as upstream. */
export function newQueueMetrics<K>(provider: QueueMetricsProvider, name: string, clock: Clock): QueueMetrics<K> {
  if (!name || provider === noopQueueMetricsProvider) return noMetrics as QueueMetrics<K>;
  const depth = provider.newDepthMetric(name);
  const adds = provider.newAddsMetric(name);
  const latency = provider.newLatencyMetric(name);
  const workDuration = provider.newWorkDurationMetric(name);
  const unfinished = provider.newUnfinishedWorkSecondsMetric(name);
  const longest = provider.newLongestRunningProcessorSecondsMetric(name);
  const retries = provider.newRetriesMetric(name);
  const addTimes = new Map<K, number>();
  const processingStartTimes = new Map<K, number>();
  const since = (t: number): number => (clock.now() - t) / 1000;

  const updateUnfinishedWork = (): void => {
    let total = 0;
    let oldest = 0;
    for (const t of processingStartTimes.values()) {
      const age = since(t);
      total += age;
      if (age > oldest) oldest = age;
    }
    unfinished.set(total);
    longest.set(oldest);
  };

  let stop: () => void;
  if (provider.onCollect) {
    stop = provider.onCollect(updateUnfinishedWork);
  } else {
    let timer: Timer | undefined;
    const tick = (): void => { updateUnfinishedWork(); timer = clock.after(UNFINISHED_WORK_UPDATE_PERIOD_MS, tick); };
    timer = clock.after(UNFINISHED_WORK_UPDATE_PERIOD_MS, tick);
    stop = () => { timer?.cancel(); timer = undefined; };
  }

  return {
    add(item) {
      adds.inc();
      depth.inc();
      // The first add since the last get starts the queue-duration clock.
      if (!addTimes.has(item)) addTimes.set(item, clock.now());
    },
    get(item) {
      depth.dec();
      processingStartTimes.set(item, clock.now());
      const t = addTimes.get(item);
      if (t !== undefined) {
        latency.observe(since(t));
        addTimes.delete(item);
      }
    },
    done(item) {
      const t = processingStartTimes.get(item);
      if (t !== undefined) {
        workDuration.observe(since(t));
        processingStartTimes.delete(item);
      }
    },
    retry() { retries.inc(); },
    updateUnfinishedWork,
    stop,
  };
}
