// The kube-proxy e2e harness: one cluster (raftkv + kube-apiserver + kube-scheduler +
// kube-controller-manager) with one real node (containerd + kubelet, pods on 10.201.26.0/24), the
// service CIDR routed into an empty bridge of ours, kube-proxy processes (dist/cli.js) on the host,
// and small probes (HTTP GET, timed TCP connect, the host's rule listing). Only processes started
// here are signalled, by their own handle.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startCluster, type Cluster } from '../../../apiserver/test/support/cluster.js';
import { startScheduler, type SchedulerProc } from '../../../scheduler/test/support/scheduler.js';
import { startControllerManager, type KcmProc } from '../../../controller-manager/test/support/kcm.js';
import { haveContainerd } from '../../../kubelet/test/support/containerd.js';
import { startNode, waitKubectl, type TestNode } from '../../../kubelet/test/support/node.js';
import { freePort, spawnDaemon, type Daemon } from '../../../raftkv/test/support/servers.js';
import { withHostProxyLock } from './hostlock.js';

const pexec = promisify(execFile);

export const PROXY_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');
export const SLOT = 26;
export const NODE = 'kp-e2e';
/** The node bridge's gateway: the kubelet's --node-ip, so the Node's InternalIP (kube-proxy's node IP). */
export const NODE_IP = `10.201.${SLOT}.1`;
export const POD_CIDR = `10.201.${SLOT}.0/24`;
export const SERVICE_CIDR = `10.202.${SLOT}.0/24`;
/** Empty bridge the service CIDR is routed into: a VIP without rules never leaves the machine. */
export const SVC_BRIDGE = `ktsk-svc${SLOT}`;

function onPath(bin: string): boolean {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => existsSync(`${d}/${bin}`));
}

/** Root, containerd, and the iptables/nft/ip tools kube-proxy drives. */
export function haveProxyE2E(): boolean {
  return haveContainerd() && ['iptables', 'iptables-save', 'nft', 'ip'].every(onPath);
}

export interface ProxyCluster {
  cluster: Cluster;
  sched: SchedulerProc;
  kcm: KcmProc;
  node: TestNode;
  stop(): Promise<void>;
}

/** Cluster + node for the file; the node registers Ready with InternalIP NODE_IP. */
export async function startProxyCluster(): Promise<ProxyCluster> {
  const cluster = await startCluster('raftkv', {
    extraArgs: ['--service-cluster-ip-range', SERVICE_CIDR, '--kubelet-preferred-address-types', 'InternalIP,Hostname'],
  });
  let sched: SchedulerProc | undefined;
  let kcm: KcmProc | undefined;
  let node: TestNode | undefined;
  const stop = async (): Promise<void> => {
    await node?.stop();
    await kcm?.stop();
    await sched?.stop();
    await cluster.teardown();
  };
  try {
    sched = await startScheduler(cluster);
    kcm = await startControllerManager(cluster, ['--controllers=*']);
    // The apiserver reaches the kubelet (exec, logs) at the InternalIP, which is the bridge's
    // gateway once the first pod exists: listen on every address, not only on loopback.
    node = await startNode(cluster, { name: NODE, slot: SLOT, args: ['--node-ip', NODE_IP], config: { address: '0.0.0.0' } });
    await waitKubectl(cluster, ['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], (o) => o === 'True', 60_000, 'node Ready');
  } catch (e) {
    await stop();
    throw e;
  }
  return { cluster, sched, kcm, node, stop };
}

async function ip(args: string[]): Promise<void> {
  await pexec('ip', args);
}

/** Routes SERVICE_CIDR into a fresh empty bridge (a leftover one is replaced). */
export async function routeServiceCIDR(): Promise<void> {
  await removeServiceRoute();
  await ip(['link', 'add', SVC_BRIDGE, 'type', 'bridge']);
  await ip(['link', 'set', SVC_BRIDGE, 'up']);
  await ip(['route', 'replace', SERVICE_CIDR, 'dev', SVC_BRIDGE]);
}

/** Deleting the bridge takes its route with it. */
export async function removeServiceRoute(): Promise<void> {
  await ip(['link', 'del', 'dev', SVC_BRIDGE]).catch(() => undefined);
}

export type ProxyMode = 'iptables' | 'nftables';

export interface KubeProxyProc extends Daemon {
  mode: ProxyMode;
  healthzPort: number;
  metricsPort: number;
}

/** kube-proxy on the host with upstream flags; resolves once its healthz port listens. */
export async function startKubeProxy(c: Cluster, mode: ProxyMode, extra: string[] = []): Promise<KubeProxyProc> {
  const healthzPort = await freePort();
  const metricsPort = await freePort();
  const argv = [
    PROXY_CLI,
    '--kubeconfig', c.kubeconfig,
    '--hostname-override', NODE,
    '--proxy-mode', mode,
    '--cluster-cidr', POD_CIDR,
    '--healthz-bind-address', `127.0.0.1:${healthzPort}`,
    '--metrics-bind-address', `127.0.0.1:${metricsPort}`,
    '--iptables-min-sync-period', '0s',
    // Upstream sets net.ipv4.conf.all.route_localnet=1 for NodePorts on 127.0.0.1: a host-wide
    // sysctl a test must not leave behind (the test reaches NodePorts on the node IP).
    '--iptables-localhost-nodeports=false',
    ...extra,
  ];
  const d = await spawnDaemon(argv, healthzPort, 30_000);
  return { ...d, mode, healthzPort, metricsPort };
}

export interface Run { code: number; stdout: string; stderr: string }

/** `kube-proxy --cleanup`: removes every rule either mode installed, then exits. */
export function kubeProxyCleanup(): Promise<Run> {
  return new Promise((res) => {
    execFile(process.execPath, [PROXY_CLI, '--cleanup'], { timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

export interface HostRules {
  /** iptables-save lines that mention KUBE- (chains or rules). */
  kubeLines: string[];
  /** `nft list tables` lines naming a kube-proxy table. */
  kubeProxyTables: string[];
}

export async function hostRules(): Promise<HostRules> {
  const ipt = (await pexec('iptables-save', [], { maxBuffer: 64 << 20 })).stdout;
  const ip6t = onPath('ip6tables-save') ? (await pexec('ip6tables-save', [], { maxBuffer: 64 << 20 })).stdout : '';
  const nft = (await pexec('nft', ['list', 'tables'])).stdout;
  return {
    kubeLines: `${ipt}\n${ip6t}`.split('\n').filter((l) => l.includes('KUBE-')),
    kubeProxyTables: nft.split('\n').filter((l) => /\bkube-proxy\b/.test(l)),
  };
}

/** iptables-nft tables the iptables mode may create (nat is left to the run-level check in packages/cni/test/natsetup.ts). */
export const IPTABLES_TABLES = ['filter', 'mangle'];

/** Which of IPTABLES_TABLES exist now as `table ip <name>`. */
export async function presentIptablesTables(): Promise<string[]> {
  const nft = (await pexec('nft', ['list', 'tables'])).stdout.split('\n').map((l) => l.trim());
  return IPTABLES_TABLES.filter((t) => nft.includes(`table ip ${t}`));
}

/**
 * iptables-nft creates its tables on first use and nothing removes them: drop those that were
 * absent before (`existedBefore`) and hold no rule now, so the host is left as it was found.
 */
export async function dropEmptyIptablesTables(existedBefore: string[]): Promise<void> {
  for (const t of await presentIptablesTables()) {
    if (existedBefore.includes(t)) continue;
    const rules = (await pexec('iptables', ['-w', '5', '-t', t, '-S']).then((r) => r.stdout, () => '')).split('\n').filter(Boolean);
    if (rules.every((r) => r.startsWith('-P '))) await pexec('nft', ['delete', 'table', 'ip', t]).catch(() => undefined);
  }
}

/** The mode's programmed ruleset as text (nat table, or the kube-proxy nft table). */
export async function modeRules(mode: ProxyMode): Promise<string> {
  if (mode === 'iptables') return (await pexec('iptables-save', ['-t', 'nat'], { maxBuffer: 64 << 20 })).stdout;
  return (await pexec('nft', ['list', 'table', 'ip', 'kube-proxy'], { maxBuffer: 64 << 20 }).catch(() => ({ stdout: '' }))).stdout;
}

/** One GET on a fresh connection (no keep-alive: every request is a new flow for the balancer). */
export function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    const req = httpRequest(url, { agent: false, headers: { Connection: 'close' }, timeout: timeoutMs }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => { body += d.toString(); });
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
      r.on('error', rej);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', rej);
    req.end();
  });
}

export interface ConnectResult {
  connected: boolean;
  /** errno code (ECONNREFUSED...) or 'TIMEOUT'. */
  code?: string;
  ms: number;
}

/** A timed TCP connect: how it ended and how long it took. */
export function tcpConnect(host: string, port: number, timeoutMs = 3000): Promise<ConnectResult> {
  const t0 = process.hrtime.bigint();
  const ms = (): number => Number(process.hrtime.bigint() - t0) / 1e6;
  return new Promise((res) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => { s.destroy(); res({ connected: false, code: 'TIMEOUT', ms: ms() }); }, timeoutMs);
    s.once('connect', () => { clearTimeout(timer); const t = ms(); s.destroy(); res({ connected: true, ms: t }); });
    s.once('error', (e: NodeJS.ErrnoException) => { clearTimeout(timer); res({ connected: false, code: e.code ?? e.message, ms: ms() }); });
  });
}

/** Plain-HTTP GET of a kube-proxy endpoint (healthz or metrics port). */
export function getLocal(port: number, path: string): Promise<{ status: number; body: string }> {
  return httpGet(`http://127.0.0.1:${port}${path}`, 5000);
}

/**
 * Takes the host proxy lock (withHostProxyLock) and keeps it until the returned release is
 * called: a describe block holds it from its beforeAll to its afterAll.
 */
export async function holdHostProxyLock(): Promise<() => Promise<void>> {
  let entered!: () => void;
  let release!: () => void;
  const inside = new Promise<void>((r) => { entered = r; });
  const done = withHostProxyLock(async () => {
    entered();
    await new Promise<void>((r) => { release = r; });
  });
  await Promise.race([inside, done]);
  return async () => {
    release();
    await done;
  };
}
