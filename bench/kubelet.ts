/**
 * kubelet pod startup latency: --pods (default 30) pods created at once, bound to one real node
 * (our kubelet on a private containerd with our CNI bridge plugin, busybox image already present),
 * timed from each pod's creation request to the watch event that shows it Running.
 * Real processes: the store, kube-apiserver, kubelet, containerd. One run per store kind (raftkv,
 * then a real etcd as the anchor store), side by side. Needs root, containerd and runc.
 *
 *   npm run build && npx vite-node bench/kubelet.ts
 *   npx vite-node bench/kubelet.ts --kinds raftkv --pods 30
 *
 * Printed per kind: p50, p90, p99 and max startup latency, time until all pods run, kubelet CPU
 * seconds during the burst and its peak RSS. Goal: p99 <= 2 s (upstream's SLO is 5 s).
 */
import { parseArgs } from 'node:util';
import { log, procStats } from './proc.js';
import { startCluster, type Cluster } from '../packages/apiserver/test/support/cluster.js';
import type { ServerKind } from '../packages/raftkv/test/support/servers.js';
import { startNode } from '../packages/kubelet/test/support/node.js';
import { BUSYBOX_IMAGE } from '../packages/kubelet/test/support/containerd.js';
import { loadKubeconfig } from '../packages/client/src/kubeconfig.js';
import { RestClient } from '../packages/client/src/rest.js';
import { R } from '../packages/client/src/resources.js';
import type { Node, Pod } from '../packages/client/src/types.js';

const { values: v } = parseArgs({
  options: {
    kinds: { type: 'string', default: process.env.BENCH_KINDS ?? 'raftkv,etcd' },
    pods: { type: 'string', default: '30' },
    cni: { type: 'string', default: 'ours,reference' },
  },
});
const kinds = v.kinds!.split(',') as ServerKind[];
const cnis = v.cni!.split(',') as ('ours' | 'reference')[];
const PODS = Number(v.pods);
const NODE = 'bench-kubelet';

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

interface Result { kind: ServerKind; cni: string; p50: number; p90: number; p99: number; max: number; allS: number; cpuS: number; rssMiB: number }

async function runKind(kind: ServerKind, cni: 'ours' | 'reference'): Promise<Result> {
  log(`[${kind}, ${cni} CNI bridge] starting store + kube-apiserver + containerd + kubelet`);
  // deploy/containerd/cni-setup.sh reads it: our bridge plugin or Debian's reference one.
  process.env.CNI_IMPL = cni;
  const c: Cluster = await startCluster(kind, { extraArgs: ['--kubelet-preferred-address-types=InternalIP,Hostname'] });
  const node = await startNode(c, { name: NODE, slot: 30 });
  try {
    const cfg = loadKubeconfig(c.kubeconfig);
    cfg.qps = 0;
    const rest = new RestClient(cfg);
    const pods = rest.resource<Pod>(R.pods);
    for (let i = 0; ; i++) {
      const n = await rest.resource<Node>(R.nodes).get(NODE).catch(() => undefined);
      const ready = n?.status?.conditions?.find((x) => x.type === 'Ready');
      if (ready?.status === 'True') break;
      if (i > 300) throw new Error('node not Ready after 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    // The default ServiceAccount comes from the controller-manager, which does not run here.
    const created = new Map<string, number>();
    const running = new Map<string, number>();
    const ac = new AbortController();
    const list = await pods.list('default');
    const stream = await pods.watch('default', { resourceVersion: list.metadata.resourceVersion }, ac.signal);
    let done: () => void = () => {};
    const finished = new Promise<void>((r) => { done = r; });
    const watching = (async () => {
      for await (const ev of stream) {
        const n = ev.object.metadata.name!;
        if (ev.object.status?.phase === 'Running' && !running.has(n)) running.set(n, Date.now());
        if (running.size >= PODS) done();
      }
    })().catch((e: unknown) => { if (!ac.signal.aborted) log(`watch failed: ${String(e)}`); });
    const pid = node.kubelet!.child.pid!;
    const before = procStats(pid);
    const start = Date.now();
    await Promise.all(Array.from({ length: PODS }, async (_, i) => {
      const name = `start-${i}`;
      created.set(name, Date.now());
      await pods.create({
        metadata: { name, namespace: 'default' },
        spec: {
          nodeName: NODE,
          automountServiceAccountToken: false,
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'c', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'] }],
        },
      });
    }));
    const timeout = setTimeout(() => { log(`[${kind}] timed out: ${running.size}/${PODS} running`); done(); }, 300_000);
    await finished;
    clearTimeout(timeout);
    const after = procStats(pid);
    ac.abort();
    stream.stop();
    await watching;
    const lat = [...running].map(([n, t]) => (t - created.get(n)!) / 1000);
    const allS = (Math.max(...running.values()) - start) / 1000;
    log(`[${kind}] ${running.size} pods running after ${allS.toFixed(2)} s`);
    rest.close();
    return { kind, cni, p50: pct(lat, 50), p90: pct(lat, 90), p99: pct(lat, 99), max: Math.max(...lat), allS, cpuS: after.cpuS - before.cpuS, rssMiB: after.rssMiB };
  } finally {
    await node.stop();
    await c.teardown();
  }
}

const results: Result[] = [];
for (const k of kinds) for (const n of cnis) results.push(await runKind(k, n));
console.log(`\nPod startup latency: ${PODS} pods created at once on one node (creation -> Running seen by watch)\n`);
console.log('| store | CNI bridge plugin | p50 | p90 | p99 | max | all running | kubelet CPU | kubelet peak RSS |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.kind} | ${r.cni} | ${r.p50.toFixed(2)} s | ${r.p90.toFixed(2)} s | ${r.p99.toFixed(2)} s | ${r.max.toFixed(2)} s | ${r.allS.toFixed(2)} s | ${r.cpuS.toFixed(1)} s | ${r.rssMiB.toFixed(0)} MiB |`);
}
process.exit(0);
