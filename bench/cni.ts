/**
 * ADD / DEL latency of our bridge plugin vs the reference /usr/lib/cni/bridge (+ host-local), run as a
 * runtime would (exec with env + stdin), sequentially over N fresh netns. Root only.
 * Run: npx vite-node bench/cni.ts  (from the repo root)
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BRIDGE_BIN, build, cleanupKernel, cniEnv, dropNatTableIfCreated, natTableExists, REF_DIR, runPlugin, sh } from '../packages/cni/test/helpers.js';

const N = Number(process.env['KTS_CNI_BENCH_N'] ?? 30);
const DATA = join(tmpdir(), 'ktscni-bench-data');

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
}

interface Series {
  add: number[];
  del: number[];
  both: number[];
}

async function bench(label: string, bin: string, bridge: string, subnet: string): Promise<Series> {
  const conf = JSON.stringify({
    cniVersion: '1.0.0',
    name: `ktscni-bench-${label}`,
    type: 'bridge',
    bridge,
    isGateway: true,
    isDefaultGateway: true,
    ipMasq: true,
    ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: DATA },
  });
  const s: Series = { add: [], del: [], both: [] };
  for (let i = 0; i < N; i++) {
    const ns = `kts-cni-bench-${label}-${i}`;
    await sh('ip', ['netns', 'add', ns]);
    const path = `/var/run/netns/${ns}`;
    const t0 = performance.now();
    const a = await runPlugin(bin, cniEnv('ADD', `bench-${label}-${i}`, path), conf);
    const t1 = performance.now();
    const d = await runPlugin(bin, cniEnv('DEL', `bench-${label}-${i}`, path), conf);
    const t2 = performance.now();
    if (a.code !== 0 || d.code !== 0) throw new Error(`${label} #${i}: ${a.stdout} ${d.stdout}`);
    s.add.push(t1 - t0);
    s.del.push(t2 - t1);
    s.both.push(t2 - t0);
    await sh('ip', ['netns', 'del', ns]);
  }
  return s;
}

const f = (x: number): string => x.toFixed(1);

await cleanupKernel([DATA]);
const hadNat = await natTableExists();
await build();
try {
  const ours = await bench('ours', BRIDGE_BIN, 'ktscni-b0', '10.244.90.0/24');
  const ref = await bench('ref', `${REF_DIR}/bridge`, 'ktscni-b1', '10.244.91.0/24');
  console.log(`\nCNI bridge ADD/DEL latency, ${N} netns sequential, ipMasq + isDefaultGateway, ms\n`);
  console.log('| plugin | ADD p50 | ADD p99 | DEL p50 | DEL p99 | ADD+DEL p50 | ADD+DEL p99 |');
  console.log('|---|---|---|---|---|---|---|');
  for (const [name, s] of [['kube-ts bridge (node)', ours], ['reference bridge+host-local 1.1.1', ref]] as const) {
    console.log(`| ${name} | ${f(pct(s.add, 50))} | ${f(pct(s.add, 99))} | ${f(pct(s.del, 50))} | ${f(pct(s.del, 99))} | ${f(pct(s.both, 50))} | ${f(pct(s.both, 99))} |`);
  }
} finally {
  await cleanupKernel([DATA]);
  await dropNatTableIfCreated(hadNat);
}
