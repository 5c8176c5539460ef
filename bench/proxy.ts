/**
 * kube-proxy sync time: 1,000 / 5,000 / 10,000 ClusterIP+NodePort services × 2 endpoints, the
 * iptables proxier (iptables-restore, iptables-nft backend) side by side with the nftables one
 * (nft -f), each in its own fresh network namespace: the first full sync, a repeated full sync,
 * and incremental syncs where one service's endpoints change (and one service is added and
 * removed). Timings include the iptables-restore / nft processes. Root only.
 * Run: npm run bench:proxy   (sizes: KTS_PROXY_BENCH_SIZES=1000,5000,10000)
 */
import { execFileSync } from 'node:child_process';
import pino from 'pino';
import { execRunner } from '../packages/proxy/src/exec.js';
import { IptablesProxier } from '../packages/proxy/src/iptables/proxier.js';
import { NftablesProxier } from '../packages/proxy/src/nftables/proxier.js';
import type { EndpointInfo, Proxier, ProxierOptions, ProxyMode, ProxyState, ServicePortInfo } from '../packages/proxy/src/types.js';
import { log } from './proc.js';

const SIZES = (process.env['KTS_PROXY_BENCH_SIZES'] ?? '1000,5000,10000').split(',').map(Number);
const INCREMENTAL_ROUNDS = Number(process.env['KTS_PROXY_BENCH_ROUNDS'] ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function ipOf(base: number, i: number): string {
  const n = base + i;
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}
const SVC_BASE = (10 << 24) | (96 << 16); // 10.96.0.0/12 style VIPs
const EP_BASE = (10 << 24) | (128 << 16); // pod IPs

function service(i: number): ServicePortInfo {
  const name = `svc-${i}`;
  return {
    name: `bench/${name}:http`, namespace: 'bench', serviceName: name, portName: 'http', protocol: 'TCP',
    clusterIP: ipOf(SVC_BASE, i + 1), port: 80, nodePort: 0,
    externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0,
  };
}

function endpoint(ip: string, port: number): EndpointInfo {
  return { endpoint: `${ip}:${port}`, ip, port, ready: true, serving: true, terminating: false, isLocal: false, nodeName: 'other' };
}

function buildState(n: number): { services: Map<string, ServicePortInfo>; endpoints: Map<string, EndpointInfo[]> } {
  const services = new Map<string, ServicePortInfo>();
  const endpoints = new Map<string, EndpointInfo[]>();
  for (let i = 0; i < n; i++) {
    const s = service(i);
    // Every tenth service is a NodePort one (a 30000-32767 range holds 2,768 ports).
    if (i % 10 === 0) s.nodePort = 30000 + (i / 10);
    services.set(s.name, s);
    endpoints.set(s.name, [endpoint(ipOf(EP_BASE, 2 * i), 8080), endpoint(ipOf(EP_BASE, 2 * i + 1), 8080)]);
  }
  return { services, endpoints };
}

function state(m: ReturnType<typeof buildState>): ProxyState {
  return { services: new Map(m.services), endpoints: new Map(m.endpoints), nodeName: 'bench-node', nodeIPs: ['10.250.99.1'], nodeLabels: {} };
}

function netns(name: string): void {
  try { execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* absent */ }
  execFileSync('ip', ['netns', 'add', name]);
  execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
}

interface Row { mode: ProxyMode; n: number; firstFull: number; full: number; incEndpoints: number; incAdd: number; incDelete: number; rules: string }

async function measure(mode: ProxyMode, n: number): Promise<Row> {
  const ns = `kts-proxy-bench-${mode}`;
  netns(ns);
  const opts: ProxierOptions = {
    runner: execRunner(ns), logger: pino({ level: 'warn' }), masqueradeBit: 14, masqueradeAll: false,
    clusterCIDRs: ['10.128.0.0/9'], nodePortAddresses: [],
  };
  const proxier: Proxier = mode === 'iptables' ? new IptablesProxier(opts) : new NftablesProxier(opts);
  const model = buildState(n);
  const time = async (changed: string[], full: boolean): Promise<number> => {
    const t0 = performance.now();
    await proxier.sync(state(model), { full, changed: new Set(changed) });
    return performance.now() - t0;
  };
  try {
    const firstFull = await time([], true);
    const fulls: number[] = [];
    for (let r = 0; r < 3; r++) fulls.push(await time([], true));
    // Incremental: one service's endpoints move (a pod replaced), alternating between two IPs.
    const incE: number[] = [];
    for (let r = 0; r < INCREMENTAL_ROUNDS; r++) {
      const i = (r * 7919) % n;
      const key = `bench/svc-${i}:http`;
      model.endpoints.set(key, [endpoint(ipOf(EP_BASE, 2 * i), 8080), endpoint(ipOf(EP_BASE, 4 * n + r), 8080)]);
      incE.push(await time([key], false));
    }
    // Incremental: a new service appears, then goes away.
    const incA: number[] = [];
    const incD: number[] = [];
    for (let r = 0; r < INCREMENTAL_ROUNDS; r++) {
      const s = service(n + r);
      model.services.set(s.name, s);
      model.endpoints.set(s.name, [endpoint(ipOf(EP_BASE, 6 * n + 2 * r), 8080), endpoint(ipOf(EP_BASE, 6 * n + 2 * r + 1), 8080)]);
      incA.push(await time([s.name], false));
      model.services.delete(s.name);
      model.endpoints.delete(s.name);
      incD.push(await time([s.name], false));
    }
    const last = await proxier.sync(state(model), { full: false, changed: new Set() });
    const rules = Object.entries(last.ruleCounts).map(([k, v]) => `${k} ${v}`).join(', ');
    return { mode, n, firstFull, full: median(fulls), incEndpoints: median(incE), incAdd: median(incA), incDelete: median(incD), rules };
  } finally {
    await proxier.cleanup().catch(() => undefined);
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

const ms = (x: number): string => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(0)} ms`);

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('bench/proxy.ts needs root (network namespaces)');
  const rows: Row[] = [];
  for (const n of SIZES) {
    for (const mode of ['iptables', 'nftables'] as const) {
      log(`${mode}: ${n} services × 2 endpoints ...`);
      const r = await measure(mode, n);
      log(`  first full ${ms(r.firstFull)}, full ${ms(r.full)}, incremental endpoints ${ms(r.incEndpoints)}, add ${ms(r.incAdd)}, delete ${ms(r.incDelete)} (${r.rules})`);
      rows.push(r);
    }
  }
  console.log('\n| services × 2 endpoints | mode | first full sync | full sync (median of 3) | incremental: endpoints change | incremental: add service | incremental: delete service | programmed |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.n.toLocaleString('en-US')} | ${r.mode} | ${ms(r.firstFull)} | ${ms(r.full)} | ${ms(r.incEndpoints)} | ${ms(r.incAdd)} | ${ms(r.incDelete)} | ${r.rules} |`);
  }
  console.log(`\nincremental = median of ${INCREMENTAL_ROUNDS} syncs of one changed service; times include the iptables-restore / nft process.`);
}

main().catch((e: unknown) => { console.error(e); process.exit(1); });
