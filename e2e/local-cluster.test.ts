// The README's first command and its teardown, as a user runs them: deploy/local-up.sh brings up a
// whole single-node cluster (raftkv, apiserver, scheduler, KCM, containerd, kubelet, kube-proxy) in
// the background, a busybox httpd Deployment is exposed and answers on its ClusterIP and NodePort
// from the host, then deploy/local-down.sh stops it and nothing of it is left on the machine.
// Runs a second instance beside any default one (own data dir, ports, bridges, CIDRs, cgroup
// root), once per proxy mode. kube-proxy programs the host's own tables, so each run holds the
// host proxy lock from its first rule to its last.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CriClient } from '../packages/kubelet/src/cri/client.js';
import { withHostProxyLock } from '../packages/proxy/test/support/hostlock.js';
import { freePort, httpGet, waitFor } from './support/workshop.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DATA = '/var/lib/kube-ts-test/local-up';
const SHARED_IMAGES = '/var/lib/kube-ts-test/images';
const NODE = 'local-node';
const NODE_IP = '10.201.27.1';
const BRIDGE = 'ktsk-up';
const SVC_BRIDGE = 'ktsk-up-svc';
const CGROUP_ROOT = '/kts-up';
const KUBECONFIG = join(DATA, 'kubeconfig');
const HELLO = 'echo hello from $(hostname) >/var/www/index.html && exec httpd -f -p 80 -h /var/www';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const canRun = isRoot && existsSync('/usr/bin/containerd') && existsSync('/usr/bin/ctr') && existsSync('/usr/bin/kubectl');
const proxyBuilt = existsSync(join(REPO, 'packages/proxy/dist/cli.js'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Run> {
  return new Promise((res) => {
    execFile(cmd, args, { cwd: REPO, env, timeout: timeoutMs, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

/** Absolute mount points under DATA. */
function mountsUnderData(): string[] {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .map((l) => (l.split(' ')[1] ?? '').replace(/\\040/g, ' '))
    .filter((p) => p.startsWith(DATA + '/'));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

// Both proxy modes: NodePorts on the node IP (the pod bridge's gateway) must answer in each.
describe.skipIf(!canRun).each(['iptables', 'nftables'])('local cluster (kube-proxy %s): npm run up / npm run down', (mode) => {
  let env: NodeJS.ProcessEnv = {};
  let up: Run = { code: -1, stdout: '', stderr: '' };
  let releaseLock: () => void = () => undefined;
  let lockDone: Promise<void> = Promise.resolve();
  let downDone = false;

  const kubectl = (args: string[]): Promise<Run> => run('kubectl', args, { ...process.env, KUBECONFIG });
  const down = (): Promise<Run> => run('bash', ['deploy/local-down.sh', '--purge'], env, 120_000);

  beforeAll(async () => {
    // Hold the host proxy lock from the first kube-proxy rule (or leftover cleanup) to the last.
    await new Promise<void>((entered) => {
      lockDone = withHostProxyLock(() => {
        entered();
        return new Promise<void>((r) => (releaseLock = r));
      });
    });
    const ports: Record<string, string> = {};
    for (const k of ['RAFTKV_PORT', 'RAFTKV_PEER_PORT', 'RAFTKV_METRICS_PORT', 'APISERVER_PORT', 'SCHEDULER_PORT', 'KCM_PORT',
      'KUBELET_PORT', 'KUBELET_HEALTHZ_PORT', 'PROXY_HEALTHZ_PORT', 'PROXY_METRICS_PORT']) {
      ports[k] = String(await freePort());
    }
    const images = existsSync(join(SHARED_IMAGES, 'pause.tar')) && existsSync(join(SHARED_IMAGES, 'busybox.tar'));
    env = {
      ...process.env,
      ...ports,
      DATA_DIR: DATA,
      NODE_NAME: NODE,
      POD_CIDR: '10.201.27.0/24',
      CLUSTER_CIDR: '10.201.27.0/24',
      SERVICE_CIDR: '10.202.27.0/24',
      CNI_BRIDGE: BRIDGE,
      SVC_BRIDGE,
      CGROUP_ROOT,
      PROXY_MODE: mode,
      // The test run has built every package already; up must not rewrite shared outputs.
      SKIP_BUILD: '1',
      // Other test files use iptables-nft's nat/filter tables meanwhile: the run-level check drops them.
      KTS_KEEP_NFT_TABLES: '1',
      ...(images ? { IMAGES_DIR: SHARED_IMAGES } : {}),
    };
    // A crashed earlier run's leftovers: down is idempotent and cleans them.
    await down();
    up = await run('bash', ['deploy/local-up.sh'], env, 240_000);
    if (up.code !== 0) throw new Error(`local-up.sh failed (${up.code}):\n${up.stdout}\n${up.stderr}`);
  }, 400_000);

  afterAll(async () => {
    try {
      if (!downDone) await down();
    } finally {
      releaseLock();
      await lockDone;
    }
  }, 180_000);

  it('shows numbered progress for every step and prints the kubectl hint', () => {
    const steps = up.stdout.split('\n').filter((l) => /^\[\d+\/10\] /.test(l));
    expect(steps.map((l) => l.slice(0, l.indexOf(']') + 1))).toEqual(Array.from({ length: 10 }, (_, i) => `[${i + 1}/10]`));
    for (const l of steps) expect(l).toMatch(/ \.\.\. (ok \(\d+\.\d s\)|skipped: )/);
    expect(up.stdout).toMatch(/\[4\/10\] starting raftkv .* \.\.\. ok \(/);
    expect(up.stdout).toMatch(/\[5\/10\] starting kube-apiserver .* \.\.\. ok \(/);
    expect(up.stdout).toMatch(/\[9\/10\] starting kubelet .* \.\.\. ok \(/);
    if (proxyBuilt) expect(up.stdout).toMatch(new RegExp(`\\[10/10\\] starting kube-proxy \\(mode ${mode}.* \\.\\.\\. ok \\(`));
    expect(up.stdout).toContain(`export KUBECONFIG=${KUBECONFIG}\n`);
    expect(up.stdout).toContain('kubectl expose deployment web --port 80 --type NodePort');
    expect(up.stdout).toContain(`curl -s http://${NODE_IP}:`);
  });

  it('runs every daemon in the background with a pidfile and a log', () => {
    const want = ['raftkv', 'kube-apiserver', 'kube-scheduler', 'kube-controller-manager', 'containerd', 'kubelet', ...(proxyBuilt ? ['kube-proxy'] : [])];
    for (const n of want) {
      const pid = Number(readFileSync(join(DATA, 'run', `${n}.pid`), 'utf8'));
      expect(alive(pid), `${n} (pid ${pid})`).toBe(true);
      expect(existsSync(join(DATA, 'logs', `${n}.log`)), `${n}.log`).toBe(true);
    }
  });

  it('shows the node Ready with the bridge gateway as its InternalIP', async () => {
    const r = await kubectl(['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status} {.status.addresses[?(@.type=="InternalIP")].address}']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`True ${NODE_IP}`);
    const table = await kubectl(['get', 'nodes']);
    expect(table.stdout).toMatch(new RegExp(`^${NODE}\\s+Ready\\s`, 'm'));
  });

  it('says so when up runs again while the cluster is up', async () => {
    const again = await run('bash', ['deploy/local-up.sh'], env, 60_000);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`The cluster in ${DATA} is already up`);
    expect(again.stdout).not.toMatch(/^\[1\/10\]/m);
  });

  it('runs an exposed busybox httpd Deployment with no failing pod in any namespace', async () => {
    const create = await kubectl(['create', 'deployment', 'web', '--image=kube-ts.local/busybox:1.35', '--', 'sh', '-c', HELLO]);
    expect(create.stderr).toBe('');
    expect((await kubectl(['expose', 'deployment', 'web', '--port', '80', '--type', 'NodePort'])).stdout).toContain('service/web exposed');
    const rollout = await kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    expect(rollout.stdout).toContain('successfully rolled out');
    const pods = (await kubectl(['get', 'pods', '-A', '--no-headers'])).stdout.trim().split('\n');
    expect(pods.length).toBeGreaterThan(0);
    for (const line of pods) {
      const [, , ready, status] = line.split(/\s+/);
      expect(status, line).toBe('Running');
      const [have, want] = (ready ?? '').split('/');
      expect(have, line).toBe(want);
    }
  }, 120_000);

  it.skipIf(!proxyBuilt)('answers on the ClusterIP and on the NodePort from the host (kube-proxy)', async () => {
    const svc = JSON.parse((await kubectl(['get', 'svc', 'web', '-o', 'json'])).stdout) as {
      spec: { clusterIP: string; ports: Array<{ nodePort: number }> };
    };
    expect(svc.spec.clusterIP.startsWith('10.202.27.')).toBe(true);
    const viaClusterIP = await waitFor('the ClusterIP', async () => {
      const r = await httpGet(`http://${svc.spec.clusterIP}/`);
      return r.status === 200 ? r.body : undefined;
    }, 30_000);
    expect(viaClusterIP).toMatch(/^hello from web-/);
    const viaNodePort = await waitFor('the NodePort', async () => {
      const r = await httpGet(`http://${NODE_IP}:${svc.spec.ports[0]!.nodePort}/`);
      return r.status === 200 ? r.body : undefined;
    }, 30_000);
    expect(viaNodePort).toMatch(/^hello from web-/);
  }, 90_000);

  it.skipIf(!proxyBuilt)('lets a pod reach the apiserver through the kubernetes Service', async () => {
    // The apiserver advertises the node IP (pods cannot reach 127.0.0.1), so 10.202.27.1:443 → node IP:port.
    const ep = (await kubectl(['get', 'endpointslice', 'kubernetes', '-o', 'jsonpath={.endpoints[*].addresses[*]}'])).stdout.trim();
    expect(ep).toBe(NODE_IP);
    // busybox's TLS client shares no cipher suite with Node's TLS server, so the check is the TCP
    // connect: 10.202.27.1:443 has no listener of its own, only the DNAT to the apiserver does.
    // (Before, the endpoint was 127.0.0.1: the pod's packets were dropped and nc timed out.)
    const out = await waitFor('a TCP connect from a pod', async () => {
      const r = await kubectl(['exec', 'deploy/web', '--', 'sh', '-c', 'echo | timeout 5 nc 10.202.27.1 443; echo rc=$?']);
      return r.stdout.includes('rc=0') ? r.stdout : undefined;
    }, 30_000);
    expect(out).toContain('rc=0');
  }, 60_000);

  it('npm run down stops everything and leaves nothing behind', async () => {
    const pids = readdirSync(join(DATA, 'run'))
      .filter((f) => f.endsWith('.pid'))
      .map((f) => ({ name: f, pid: Number(readFileSync(join(DATA, 'run', f), 'utf8')) }));
    expect(pids.length).toBeGreaterThanOrEqual(6);
    // The pods' network namespaces, as containerd reports them, to check they are gone afterwards.
    const cri = new CriClient(`unix://${join(DATA, 'containerd/containerd.sock')}`);
    const netns: string[] = [];
    try {
      for (const s of await cri.listPodSandbox()) {
        const info = JSON.parse((await cri.podSandboxInfo(s.id))['info'] ?? '{}') as {
          runtimeSpec?: { linux?: { namespaces?: Array<{ type: string; path?: string }> } };
        };
        const path = info.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path;
        if (path) netns.push(path);
      }
    } finally {
      cri.close();
    }
    expect(netns.length).toBeGreaterThan(0);
    for (const p of netns) expect(existsSync(p)).toBe(true);

    const r = await down();
    downDone = true;
    // A kubelet that ignores SIGTERM for 20 s is the kubelet's defect, not a teardown one: down
    // kills it and says so; any other warning fails.
    const warnings = r.stderr.split('\n').filter((l) => l.trim() !== '' && !/^ {2}kubelet \(pid \d+\) did not stop within \d+s: killed$/.test(l));
    if (r.stderr.includes('kubelet (pid')) console.warn(`local-down.sh: ${r.stderr.trim()}`);
    expect(warnings).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/\[2\/8\] removing pod sandboxes through CRI \.\.\. ok .* [1-9]\d* pod sandbox\(es\) removed/);
    expect(r.stdout).toContain('Stopped: nothing of the local cluster is running.');
    // kube-proxy --cleanup itself removed the rules (no fallback note on the line).
    if (proxyBuilt) expect(r.stdout).toMatch(/^\[3\/8\] stopping kube-proxy and removing its rules \.\.\. ok \(\d+\.\d s\)$/m);

    for (const { name, pid } of pids) expect(alive(pid), name).toBe(false);
    const ps = (await run('ps', ['-eo', 'pid=,args='], process.env)).stdout;
    expect(ps.split('\n').filter((l) => l.includes(DATA))).toEqual([]);
    for (const p of netns) expect(existsSync(p), p).toBe(false);
    expect(mountsUnderData()).toEqual([]);
    expect(existsSync(DATA)).toBe(false);
    for (const b of [BRIDGE, SVC_BRIDGE]) expect(existsSync(`/sys/class/net/${b}`), b).toBe(false);
    expect((await run('ip', ['route', 'show', '10.202.27.0/24'], process.env)).stdout).toBe('');
    const nat = (await run('iptables-save', ['-t', 'nat'], process.env)).stdout;
    expect(nat).not.toContain('10.201.27.');
    const tables = [
      (await run('iptables-save', [], process.env)).stdout,
      (await run('ip6tables-save', [], process.env)).stdout,
    ].join('\n');
    expect(tables.split('\n').filter((l) => l.includes('KUBE-'))).toEqual([]);
    expect((await run('nft', ['list', 'tables'], process.env)).stdout).not.toMatch(/ kube-proxy$/m);
    const cgroups = readdirSync('/sys/fs/cgroup').filter((c) => existsSync(join('/sys/fs/cgroup', c, CGROUP_ROOT)));
    expect(cgroups).toEqual([]);

    const again = await down();
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`Nothing to stop: ${DATA} does not exist.`);
  }, 120_000);
});
