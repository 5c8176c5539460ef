// A real node for e2e tests: a private containerd (test/support/containerd.ts) and a kubelet
// process (dist/cli.js) with its own root dir, cgroup root, pod log dir, static pod dir and port,
// registered against a test cluster. Only processes started here are killed, by their handle.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rm } from 'node:fs/promises';
import type { Cluster } from '../../../apiserver/test/support/cluster.js';
import { freePort, spawnDaemon, type Daemon } from '../../../raftkv/test/support/servers.js';
import { startContainerd, TEST_ROOT, type TestContainerd } from './containerd.js';

export const KUBELET_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface NodeOptions {
  /** Node name and tag for directories (unique per test file). */
  name: string;
  /** 10.201.<slot>.0/24 pod range, bridge ktsk-<name>. */
  slot: number;
  /** Extra KubeletConfiguration fields. */
  config?: Record<string, unknown>;
  args?: string[];
  /** Extra start-containerd.sh environment (e.g. REGISTRY_MIRRORS). */
  containerdEnv?: Record<string, string>;
}

export interface TestNode {
  name: string;
  port: number;
  containerd: TestContainerd;
  rootDir: string;
  staticPodDir: string;
  podLogsDir: string;
  cgroupRoot: string;
  kubelet: Daemon | undefined;
  startKubelet(): Promise<void>;
  /** kill -9 the kubelet (containers keep running). */
  killKubelet(): Promise<void>;
  stop(): Promise<void>;
}

export async function startNode(c: Cluster, o: NodeOptions): Promise<TestNode> {
  const bridge = `ktsk-${o.name}`.slice(0, 15);
  const containerd = await startContainerd(`node-${o.name}`, `10.201.${o.slot}.0/24`, bridge, o.containerdEnv);
  const base = join(TEST_ROOT, `kubelet-${o.name}`);
  await rm(base, { recursive: true, force: true });
  const rootDir = join(base, 'root');
  const staticPodDir = join(base, 'manifests');
  const podLogsDir = join(base, 'pod-logs');
  mkdirSync(staticPodDir, { recursive: true });
  mkdirSync(podLogsDir, { recursive: true });
  const port = await freePort();
  const cgroupRoot = `/kts-${o.name}`;
  const { CgroupManager } = await import('../../src/cm/cgroups.js');
  await new CgroupManager('/sys/fs/cgroup', '/').removeByName(cgroupRoot);
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: '127.0.0.1',
    port,
    readOnlyPort: 0,
    staticPodPath: staticPodDir,
    podLogsDir,
    cgroupRoot,
    syncFrequency: '10s',
    fileCheckFrequency: '2s',
    nodeStatusUpdateFrequency: '2s',
    clusterDomain: 'cluster.local',
    resolvConf: '/etc/resolv.conf',
    failSwapOn: false,
    ...(o.config ?? {}),
  };
  const configFile = join(base, 'config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const argv = [
    KUBELET_CLI,
    '--kubeconfig', c.kubeconfig,
    '--config', configFile,
    '--container-runtime-endpoint', containerd.endpoint,
    '--hostname-override', o.name,
    '--node-ip', '127.0.0.1',
    '--root-dir', rootDir,
    '--cert-dir', join(base, 'pki'),
    ...(o.args ?? []),
  ];
  const node: TestNode = {
    name: o.name,
    port,
    containerd,
    rootDir,
    staticPodDir,
    podLogsDir,
    cgroupRoot,
    kubelet: undefined,
    async startKubelet() {
      node.kubelet = await spawnDaemon(argv, port, 60_000);
    },
    async killKubelet() {
      await node.kubelet?.kill();
      node.kubelet = undefined;
    },
    async stop() {
      await node.kubelet?.stop();
      node.kubelet = undefined;
      await containerd.stop();
      // Pod cgroups this node's kubelet made (tests use a private cgroup root).
      await new CgroupManager('/sys/fs/cgroup', '/').removeByName(cgroupRoot);
      await rm(base, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  await node.startKubelet();
  return node;
}

/** Polls kubectl until fn(stdout) holds. */
export async function waitKubectl(c: Cluster, args: string[], fn: (out: string) => boolean, timeoutMs = 60_000, what = args.join(' ')): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await c.kubectl(args);
    last = r.stdout + r.stderr;
    if (r.code === 0 && fn(r.stdout)) return r.stdout;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last output:\n${last}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}
