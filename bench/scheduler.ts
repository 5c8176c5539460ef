/**
 * kube-scheduler throughput, scheduler_perf's SchedulingBasic shape through the real apiserver:
 * --nodes Node objects (4 cpu, 32Gi, 110 pods), --init-pods pods placed first (not measured),
 * then --pods measured pods (100m cpu, 500Mi), all created up front as upstream does. A
 * kube-scheduler process (the real binary, client QPS 5000 as scheduler_perf configures) places
 * them; this process watches pods and records when each gets its node.
 * One run per store kind (raftkv, then a real etcd as the anchor store), side by side.
 *
 *   npm run build && npx vite-node bench/scheduler.ts                   # 5000 / 1000 / 10000
 *   npx vite-node bench/scheduler.ts --kinds raftkv --nodes 500 --init-pods 100 --pods 1000
 *
 * Printed per kind: pods/s (measured pods / time from the first measured bind to the last),
 * scheduling attempt latency p50/p99 (the scheduler's scheduler_scheduling_attempt_duration_seconds
 * histogram, interpolated within buckets as Prometheus' histogram_quantile), create→bound
 * latency p50/p99 (includes queueing behind all pods created before it), scheduler CPU seconds
 * and peak RSS. Upstream's CI floor for this workload: 270 pods/s.
 */
import { request as httpsRequest } from 'node:https';
import { parseArgs } from 'node:util';
import { log, procStats } from './proc.js';
import { startCluster, type Cluster } from '../packages/apiserver/test/support/cluster.js';
import type { ServerKind } from '../packages/raftkv/test/support/servers.js';
import { startScheduler } from '../packages/scheduler/test/support/scheduler.js';
import { loadKubeconfig } from '../packages/client/src/kubeconfig.js';
import { RestClient } from '../packages/client/src/rest.js';
import { R } from '../packages/client/src/resources.js';
import type { Node, Pod } from '../packages/client/src/types.js';

const { values: v } = parseArgs({
  options: {
    kinds: { type: 'string', default: process.env.BENCH_KINDS ?? 'raftkv,etcd' },
    nodes: { type: 'string', default: '5000' },
    'init-pods': { type: 'string', default: '1000' },
    pods: { type: 'string', default: '10000' },
    concurrency: { type: 'string', default: '50' },
  },
});
const kinds = v.kinds!.split(',') as ServerKind[];
const NODES = Number(v.nodes);
const INIT = Number(v['init-pods']);
const PODS = Number(v.pods);
const CONC = Number(v.concurrency);
const FLOOR = 270;

const SCHED_CONFIG = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection: {leaderElect: false}
clientConnection: {qps: 5000, burst: 5000}
`;

function node(i: number): Node {
  const res = { cpu: '4', memory: '32Gi', pods: '110' };
  return {
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    status: { capacity: res, allocatable: res, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(name: string): Pod {
  return {
    metadata: { name, namespace: 'default', labels: { bench: 'scheduling-basic' } },
    spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' } } }] },
  };
}

async function pool<T>(items: T[], n: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (i < items.length) await fn(items[i++]!); }));
}

function pct(sorted: number[], p: number): number { return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN; }

/** histogram_quantile over cumulative buckets. */
function histQuantile(buckets: Array<[number, number]>, q: number): number {
  const total = buckets[buckets.length - 1]![1];
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, count] of buckets) {
    if (count >= rank) {
      if (!Number.isFinite(le)) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1, count - prevCount);
    }
    prevLe = le;
    prevCount = count;
  }
  return prevLe;
}

function fetchMetrics(port: number): Promise<string> {
  return new Promise((res, rej) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path: '/metrics', rejectUnauthorized: false }, (r) => {
      let s = '';
      r.on('data', (d: Buffer) => { s += d.toString(); });
      r.on('end', () => res(s));
    });
    req.on('error', rej);
    req.end();
  });
}

function attemptBuckets(text: string): Array<[number, number]> {
  const m = new Map<number, number>();
  for (const line of text.split('\n')) {
    const r = /^scheduler_scheduling_attempt_duration_seconds_bucket\{.*le="([^"]+)".*result="scheduled".*\} (\d+)/.exec(line)
      ?? /^scheduler_scheduling_attempt_duration_seconds_bucket\{.*result="scheduled".*le="([^"]+)".*\} (\d+)/.exec(line);
    if (r) { const le = r[1] === '+Inf' ? Infinity : Number(r[1]); m.set(le, (m.get(le) ?? 0) + Number(r[2])); }
  }
  return [...m].sort((a, b) => a[0] - b[0]);
}

interface Result { kind: ServerKind; podsPerSec: number; attemptP50: number; attemptP99: number; e2eP50: number; e2eP99: number; cpuS: number; rssMiB: number; wallS: number }

async function runKind(kind: ServerKind): Promise<Result> {
  log(`[${kind}] starting store + kube-apiserver`);
  const c: Cluster = await startCluster(kind, { extraArgs: ['--etcd-compaction-interval=0'] });
  try {
    const cfg = loadKubeconfig(c.kubeconfig);
    cfg.qps = 0;
    const rest = new RestClient(cfg);
    const nodes = rest.resource<Node>(R.nodes);
    const pods = rest.resource<Pod>(R.pods);
    let t = Date.now();
    await pool(Array.from({ length: NODES }, (_, i) => i), CONC, (i) => nodes.create(node(i)));
    log(`[${kind}] ${NODES} nodes in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const sched = await startScheduler(c, { config: SCHED_CONFIG });
    // Watch pods: record when each gets a node.
    const boundAt = new Map<string, number>();
    const ac = new AbortController();
    const list = await pods.list('default');
    const stream = await pods.watch('default', { resourceVersion: list.metadata.resourceVersion }, ac.signal);
    let waiter: (() => void) | undefined;
    let target = 0;
    const watching = (async () => {
      for await (const ev of stream) {
        if (ev.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(ev.object)}`);
        const o = ev.object;
        if (o.spec?.nodeName && !boundAt.has(o.metadata.name!)) {
          boundAt.set(o.metadata.name!, Date.now());
          if (boundAt.size >= target) waiter?.();
        }
      }
    })().catch((e: unknown) => { if (!ac.signal.aborted) log(`watch failed: ${String(e)}`); });
    const waitBound = (n: number, ms: number): Promise<void> => new Promise((res, rej) => {
      target = n;
      if (boundAt.size >= n) { res(); return; }
      const to = setTimeout(() => rej(new Error(`only ${boundAt.size}/${n} pods bound after ${ms / 1000} s`)), ms);
      waiter = () => { clearTimeout(to); res(); };
    });
    t = Date.now();
    await pool(Array.from({ length: INIT }, (_, i) => `init-${i}`), CONC, (n) => pods.create(pod(n)));
    await waitBound(INIT, 300_000);
    log(`[${kind}] ${INIT} init pods placed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    const before = procStats(sched.child.pid!);
    const baseBuckets = attemptBuckets(await fetchMetrics(sched.port));
    const createdAt = new Map<string, number>();
    const start = Date.now();
    await pool(Array.from({ length: PODS }, (_, i) => `pod-${i}`), CONC, async (n) => { createdAt.set(n, Date.now()); await pods.create(pod(n)); });
    log(`[${kind}] ${PODS} pods created in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    await waitBound(INIT + PODS, 600_000);
    const after = procStats(sched.child.pid!);
    const buckets = attemptBuckets(await fetchMetrics(sched.port)).map(([le, n]) => [le, n - (baseBuckets.find((b) => b[0] === le)?.[1] ?? 0)] as [number, number]);
    ac.abort();
    stream.stop();
    await watching;
    const measured = [...createdAt.keys()].map((n) => ({ created: createdAt.get(n)!, bound: boundAt.get(n)! }));
    const firstBind = Math.min(...measured.map((m) => m.bound));
    const lastBind = Math.max(...measured.map((m) => m.bound));
    const e2e = measured.map((m) => m.bound - m.created).sort((a, b) => a - b);
    await sched.stop();
    rest.close();
    return {
      kind,
      podsPerSec: PODS / Math.max(0.001, (lastBind - Math.min(firstBind, start)) / 1000),
      attemptP50: histQuantile(buckets, 0.5) * 1000, attemptP99: histQuantile(buckets, 0.99) * 1000,
      e2eP50: pct(e2e, 50), e2eP99: pct(e2e, 99),
      cpuS: after.cpuS - before.cpuS, rssMiB: after.rssMiB, wallS: (lastBind - start) / 1000,
    };
  } finally {
    await c.teardown();
  }
}

const results: Result[] = [];
for (const k of kinds) results.push(await runKind(k));
console.log(`\nSchedulingBasic: ${NODES} nodes, ${INIT} init pods, ${PODS} measured pods (upstream CI floor ${FLOOR} pods/s)\n`);
console.log('| store | pods/s | attempt p50 | attempt p99 | create→bound p50 | create→bound p99 | wall | scheduler CPU | scheduler peak RSS |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.kind} | ${r.podsPerSec.toFixed(0)} | ${r.attemptP50.toFixed(2)} ms | ${r.attemptP99.toFixed(2)} ms | ${(r.e2eP50 / 1000).toFixed(2)} s | ${(r.e2eP99 / 1000).toFixed(2)} s | ${r.wallS.toFixed(1)} s | ${r.cpuS.toFixed(1)} s | ${r.rssMiB.toFixed(0)} MiB |`);
}
process.exit(0);
