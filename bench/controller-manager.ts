/**
 * kube-controller-manager: a Deployment scaled 0 -> --replicas (default 1000) with --nodes fake
 * Node objects (no kubelet: pods only need to exist and be bound). Real processes: the store,
 * kube-apiserver, kube-scheduler (client QPS 5000) and kube-controller-manager running the
 * deployment and replicaset controllers, with client QPS --qps (default 500, burst the same;
 * upstream's default of 20 would make the run a measure of the client throttle).
 * One run per store kind (raftkv, then a real etcd as the anchor store), side by side.
 *
 *   npm run build && npx vite-node bench/controller-manager.ts
 *   npx vite-node bench/controller-manager.ts --kinds raftkv --replicas 300 --nodes 50
 *
 * Printed per kind: seconds from the scale request until all pods exist and until all are bound,
 * pods created per second, controller-manager CPU seconds during the scale-up and its peak RSS.
 */
import { parseArgs } from 'node:util';
import { log, procStats } from './proc.js';
import { startCluster, type Cluster } from '../packages/apiserver/test/support/cluster.js';
import type { ServerKind } from '../packages/raftkv/test/support/servers.js';
import { startScheduler } from '../packages/scheduler/test/support/scheduler.js';
import { startControllerManager } from '../packages/controller-manager/test/support/kcm.js';
import { loadKubeconfig } from '../packages/client/src/kubeconfig.js';
import { RestClient } from '../packages/client/src/rest.js';
import { R } from '../packages/client/src/resources.js';
import type { Node, Pod } from '../packages/client/src/types.js';
import type { Deployment, ReplicaSet } from '../packages/client/src/workloads.js';

const { values: v } = parseArgs({
  options: {
    kinds: { type: 'string', default: process.env.BENCH_KINDS ?? 'raftkv,etcd' },
    nodes: { type: 'string', default: '100' },
    replicas: { type: 'string', default: '1000' },
    qps: { type: 'string', default: '500' },
  },
});
const kinds = v.kinds!.split(',') as ServerKind[];
const NODES = Number(v.nodes);
const REPLICAS = Number(v.replicas);
const QPS = v.qps!;

const SCHED_CONFIG = `apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
leaderElection: {leaderElect: false}
clientConnection: {qps: 5000, burst: 5000}
`;

function node(i: number): Node {
  const res = { cpu: '32', memory: '128Gi', pods: '110' };
  return {
    metadata: { name: `node-${i}`, labels: { 'kubernetes.io/hostname': `node-${i}` } },
    status: { capacity: res, allocatable: res, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

interface Result { kind: ServerKind; existS: number; boundS: number; podsPerSec: number; cpuS: number; rssMiB: number }

async function runKind(kind: ServerKind): Promise<Result> {
  log(`[${kind}] starting store + kube-apiserver`);
  const c: Cluster = await startCluster(kind, { extraArgs: ['--etcd-compaction-interval=0'] });
  try {
    const cfg = loadKubeconfig(c.kubeconfig);
    cfg.qps = 0;
    const rest = new RestClient(cfg);
    const nodes = rest.resource<Node>(R.nodes);
    const pods = rest.resource<Pod>(R.pods);
    await Promise.all(Array.from({ length: NODES }, (_, i) => nodes.create(node(i))));
    const sched = await startScheduler(c, { config: SCHED_CONFIG });
    const kcm = await startControllerManager(c, ['--controllers=deployment,replicaset', '--kube-api-qps', QPS, '--kube-api-burst', QPS]);
    const deployments = rest.resource<Deployment>(R.deployments);
    await deployments.create({
      metadata: { name: 'scale', namespace: 'default' },
      spec: {
        replicas: 0, selector: { matchLabels: { app: 'scale' } },
        template: { metadata: { labels: { app: 'scale' } }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '10m', memory: '10Mi' } } }] } },
      },
    });
    const rss = rest.resource<ReplicaSet>(R.replicasets);
    for (let i = 0; (await rss.list('default')).items.length === 0; i++) {
      if (i > 300) throw new Error('no ReplicaSet after 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const existsAt = new Map<string, number>();
    const boundAt = new Map<string, number>();
    const ac = new AbortController();
    const list = await pods.list('default');
    const stream = await pods.watch('default', { resourceVersion: list.metadata.resourceVersion }, ac.signal);
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => { done = r; });
    const watching = (async () => {
      for await (const ev of stream) {
        if (ev.type === 'ERROR') throw new Error(`watch error: ${JSON.stringify(ev.object)}`);
        const n = ev.object.metadata.name!;
        if (!existsAt.has(n)) existsAt.set(n, Date.now());
        if (ev.object.spec?.nodeName && !boundAt.has(n)) boundAt.set(n, Date.now());
        if (boundAt.size >= REPLICAS && existsAt.size >= REPLICAS) done();
      }
    })().catch((e: unknown) => { if (!ac.signal.aborted) log(`watch failed: ${String(e)}`); });
    const before = procStats(kcm.child.pid!);
    const start = Date.now();
    await deployments.patch('scale', 'default', { spec: { replicas: REPLICAS } }, 'merge', { subresource: 'scale' });
    const timeout = setTimeout(() => { log(`[${kind}] timed out: ${existsAt.size} exist, ${boundAt.size} bound`); done(); }, 600_000);
    await finished;
    clearTimeout(timeout);
    const after = procStats(kcm.child.pid!);
    ac.abort();
    stream.stop();
    await watching;
    const lastExist = Math.max(...existsAt.values());
    const lastBound = Math.max(...boundAt.values());
    log(`[${kind}] ${existsAt.size} pods exist after ${((lastExist - start) / 1000).toFixed(1)} s, bound after ${((lastBound - start) / 1000).toFixed(1)} s`);
    await kcm.stop();
    await sched.stop();
    rest.close();
    return {
      kind, existS: (lastExist - start) / 1000, boundS: (lastBound - start) / 1000,
      podsPerSec: REPLICAS / Math.max(0.001, (lastExist - start) / 1000),
      cpuS: after.cpuS - before.cpuS, rssMiB: after.rssMiB,
    };
  } finally {
    await c.teardown();
  }
}

const results: Result[] = [];
for (const k of kinds) results.push(await runKind(k));
console.log(`\nDeployment scaled 0 -> ${REPLICAS} replicas, ${NODES} fake nodes, controller-manager client QPS ${QPS}\n`);
console.log('| store | all pods exist | all pods bound | pods created/s | controller-manager CPU | controller-manager peak RSS |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.kind} | ${r.existS.toFixed(1)} s | ${r.boundS.toFixed(1)} s | ${r.podsPerSec.toFixed(0)} | ${r.cpuS.toFixed(1)} s | ${r.rssMiB.toFixed(0)} MiB |`);
}
process.exit(0);
