// The daemon end to end, lean: a real apiserver, startProxy in-process with the real iptables
// proxier whose commands run inside a network namespace of ours, Services and EndpointSlices
// made with kubectl, rules checked with iptables-save in the namespace, /metrics and /healthz
// answered; then the CLI: flag/config errors exit 1, and --cleanup (run inside the namespace)
// removes the rules the stopped daemon left in place.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadKubeconfig } from '@kube-ts/client/kubeconfig';
import { RestClient } from '@kube-ts/client/rest';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { loadProxySettings } from '../src/config/load.js';
import { execRunner } from '../src/exec.js';
import { startProxy, type RunningProxy } from '../src/proxy.js';

const CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');
const NS = 'ktsx2-daemon';
const NODE = 'ktsx2-node';
const NODE_IP = '10.251.0.1';
const canRun = process.getuid?.() === 0 && ['/usr/sbin/iptables-save', '/usr/sbin/ip'].every((p) => existsSync(p));

function runCli(args: string[], netns?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const [file, argv] = netns ? ['ip', ['netns', 'exec', netns, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]];
  return new Promise((res) => {
    execFile(file, argv, { timeout: 60_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((res, rej) => {
    get({ host: '127.0.0.1', port, path, agent: false }, (r) => {
      let body = '';
      r.on('data', (d: Buffer) => { body += d.toString(); });
      r.on('end', () => res({ status: r.statusCode ?? 0, body }));
    }).on('error', rej);
  });
}

const natRules = (): string => execFileSync('ip', ['netns', 'exec', NS, 'iptables-save', '-t', 'nat'], { encoding: 'utf8' });
const allRules = (): string => execFileSync('ip', ['netns', 'exec', NS, 'iptables-save'], { encoding: 'utf8' });

async function waitFor(what: string, pred: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await pred())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function delNetns(): void { try { execFileSync('ip', ['netns', 'del', NS], { stdio: 'pipe' }); } catch { /* absent */ } }

const service = (name: string, labels: Record<string, string> = {}) => JSON.stringify({
  apiVersion: 'v1', kind: 'Service', metadata: { name, labels },
  spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] },
});
const slice = (name: string, svc: string, ip: string, labels: Record<string, string> = {}) => JSON.stringify({
  apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name, labels: { 'kubernetes.io/service-name': svc, ...labels } },
  addressType: 'IPv4', endpoints: [{ addresses: [ip], conditions: { ready: true }, nodeName: NODE }], ports: [{ name: '', port: 8080, protocol: 'TCP' }],
});

describe.skipIf(!canRun)('kube-proxy daemon in a network namespace', () => {
  let c: Cluster;
  let proxy: RunningProxy | undefined;
  let webIP = '';
  let ignoredIP = '';

  beforeAll(async () => {
    delNetns();
    execFileSync('ip', ['netns', 'add', NS]);
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up']);
    c = await startCluster('raftkv');
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Node', metadata: { name: NODE, labels: { 'topology.kubernetes.io/zone': 'z1' } },
      status: { addresses: [{ type: 'Hostname', address: NODE }, { type: 'InternalIP', address: NODE_IP }] },
    }));
    const { config } = loadProxySettings(['--hostname-override', NODE, '--iptables-min-sync-period', '0s', '--cluster-cidr', '10.252.0.0/16']);
    // Port 0 (any free port) is for tests only: validation would refuse it on the command line.
    config.healthzBindAddress = '127.0.0.1:0';
    config.metricsBindAddress = '127.0.0.1:0';
    proxy = await startProxy({
      config, rest: new RestClient(loadKubeconfig(c.kubeconfig)), logger: pino({ level: 'warn' }), runner: execRunner(NS),
    });
  }, 90_000);

  afterAll(async () => {
    await proxy?.stop();
    await c?.teardown();
    delNetns();
  });

  it('finds its node IP on the Node object', () => {
    expect(proxy!.nodeName).toBe(NODE);
    expect(proxy!.nodeIPs).toEqual([NODE_IP]);
    expect(proxy!.mode).toBe('iptables');
  });

  it('programs a Service with its EndpointSlice, and skips services of another proxy', async () => {
    await c.kubectlOk(['apply', '-f', '-'], service('web'));
    await c.kubectlOk(['apply', '-f', '-'], slice('web-1', 'web', '10.252.0.5'));
    await c.kubectlOk(['apply', '-f', '-'], service('ignored', { 'service.kubernetes.io/service-proxy-name': 'other' }));
    await c.kubectlOk(['apply', '-f', '-'], slice('ignored-1', 'ignored', '10.252.0.6', { 'service.kubernetes.io/service-proxy-name': 'other' }));
    webIP = (await c.kubectlOk(['get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    ignoredIP = (await c.kubectlOk(['get', 'service', 'ignored', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    expect(webIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await waitFor('the service rules', () => natRules().includes('10.252.0.5:8080'));
    const nat = natRules();
    expect(nat).toMatch(new RegExp(`-A KUBE-SERVICES -d ${webIP.replace(/\./g, '\\.')}/32 .*-j KUBE-SVC-`));
    expect(nat).not.toContain(ignoredIP);
    expect(nat).not.toContain('10.252.0.6');
  }, 60_000);

  it('serves /metrics and /healthz', async () => {
    const m = await httpGet(proxy!.metricsPort!, '/metrics');
    expect(m.status).toBe(200);
    expect(Number(/^kubeproxy_sync_proxy_rules_last_timestamp_seconds (\S+)$/m.exec(m.body)?.[1])).toBeGreaterThan(Date.now() / 1000 - 120);
    expect(Number(/^kubeproxy_sync_proxy_rules_duration_seconds_count (\d+)$/m.exec(m.body)?.[1])).toBeGreaterThanOrEqual(2);
    expect(Number(/^kubeproxy_sync_proxy_rules_iptables_total\{table="nat"\} (\d+)$/m.exec(m.body)?.[1])).toBeGreaterThan(0);
    expect(Number(/^kubeproxy_sync_proxy_rules_service_changes_total (\d+)$/m.exec(m.body)?.[1])).toBeGreaterThanOrEqual(1);
    expect((await httpGet(proxy!.metricsPort!, '/proxyMode')).body).toBe('iptables');
    const h = await httpGet(proxy!.healthzPort!, '/healthz');
    expect(h.status).toBe(200);
    expect(h.body).toMatch(/^\{"lastUpdated": "\d{4}-\d\d-\d\d [\d:.]+ \+0000 UTC","currentTime": "[^"]+", "nodeEligible": true\}$/);
  });

  it('follows an endpoint change and a Node tainted for deletion', async () => {
    await c.kubectlOk(['apply', '-f', '-'], slice('web-1', 'web', '10.252.0.7'));
    await waitFor('the new endpoint', () => { const n = natRules(); return n.includes('10.252.0.7:8080') && !n.includes('10.252.0.5:8080'); });
    await c.kubectlOk(['taint', 'node', NODE, 'ToBeDeletedByClusterAutoscaler=1:NoSchedule']);
    await waitFor('healthz 503', async () => (await httpGet(proxy!.healthzPort!, '/healthz')).status === 503);
    expect((await httpGet(proxy!.healthzPort!, '/livez')).status).toBe(200);
    await c.kubectlOk(['taint', 'node', NODE, 'ToBeDeletedByClusterAutoscaler-']);
    await waitFor('healthz 200', async () => (await httpGet(proxy!.healthzPort!, '/healthz')).status === 200);
  }, 60_000);

  it('leaves its rules when stopped; kube-proxy --cleanup in the namespace removes them', async () => {
    await proxy!.stop();
    proxy = undefined;
    expect(natRules()).toContain('KUBE-SERVICES');
    const r = await runCli(['--cleanup'], NS);
    expect(r.code, r.stderr).toBe(0);
    expect(allRules()).not.toMatch(/KUBE-/);
  }, 60_000);
});

describe('kube-proxy command line', () => {
  it('exits 1 with upstream\'s message on a bad flag value or config', async () => {
    const bad = await runCli(['--proxy-mode', 'bogus']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('E kube-proxy: failed validate: KubeProxyConfiguration.Mode.ProxyMode: Invalid value: "bogus"');
    const unknown = await runCli(['--no-such-flag']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown flag: --no-such-flag');
    const dir = mkdtempSync(join(tmpdir(), 'ktsx2-'));
    try {
      writeFileSync(join(dir, 'c.yaml'), 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\niptables:\n  masqueradeBit: 40\n');
      const cfg = await runCli(['--config', join(dir, 'c.yaml')]);
      expect(cfg.code).toBe(1);
      expect(cfg.stderr).toContain('MasqueradeBit: Invalid value: 40: must be within the range [0, 31]');
      const out = join(dir, 'out.yaml');
      const w = await runCli(['--proxy-mode', 'nftables', '--write-config-to', out]);
      expect(w.code, w.stderr).toBe(0);
      const back = loadProxySettings(['--config', out]);
      expect(back.config.mode).toBe('nftables');
      expect(back.warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
