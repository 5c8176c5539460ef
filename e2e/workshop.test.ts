// The seed workshop "Bootstrap a Kubernetes control plane by hand" (Kubernetes the Hard Way, weeks
// 21-22) as a user types it: etcd (raftkv), kube-apiserver, kubelet on containerd, kube-scheduler
// and kube-controller-manager each started as its own process with upstream flags; the real
// kubectl and etcdctl 3.4 look at the result. Then kill -9 the apiserver and the scheduler: the pod
// keeps running; restart both on the same store: nothing is lost. docs/workshop.md is the same run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startContainerd, TEST_ROOT, BUSYBOX_IMAGE, type TestContainerd } from '../packages/kubelet/test/support/containerd.js';
import {
  BIN, freePort, haveWorkshopTools, httpGet, runOk, runTool, startComponent, waitFor, writeKubeconfig,
  type Component, type Run,
} from './support/workshop.js';

const NODE = 'workshop-node';
const POD_CIDR = '10.201.25.0/24';
const BRIDGE = 'ktsk-ws';
const CGROUP_ROOT = '/kts-ws';
const KUBELET_DIR = join(TEST_ROOT, 'kubelet-workshop');
const HELLO_CMD = 'echo hello from $(hostname) > /index.html && exec httpd -f -p 80';

interface PodView {
  metadata: { uid: string };
  spec: { nodeName?: string };
  status: {
    phase?: string;
    podIP?: string;
    conditions?: Array<{ type: string; status: string }>;
    containerStatuses?: Array<{ containerID?: string; restartCount: number; ready: boolean; state?: { running?: unknown } }>;
  };
}

async function removeCgroupRoot(): Promise<void> {
  const { CgroupManager } = await import('../packages/kubelet/src/cm/cgroups.js');
  await new CgroupManager('/sys/fs/cgroup', '/').removeByName(CGROUP_ROOT);
}

describe.skipIf(!haveWorkshopTools())('workshop: bootstrap a Kubernetes control plane by hand (e2e)', () => {
  const work = mkdtempSync(join(tmpdir(), 'workshop-'));
  const certDir = join(work, 'certs');
  const caFile = join(certDir, 'apiserver-ca.crt');
  let etcdPort = 0;
  let apiPort = 0;
  let etcd: Component | undefined;
  let apiserver: Component | undefined;
  let scheduler: Component | undefined;
  let kcm: Component | undefined;
  let kubelet: Component | undefined;
  let containerd: TestContainerd | undefined;
  let hello: { uid: string; containerID: string; podIP: string } | undefined;

  const etcdctl = (args: string[]): Promise<Run> =>
    runTool('etcdctl', [`--endpoints=127.0.0.1:${etcdPort}`, ...args], { ETCDCTL_API: '3' });
  const etcdKeys = async (prefix: string): Promise<string[]> => {
    const r = await etcdctl(['get', prefix, '--prefix', '--keys-only']);
    if (r.code !== 0) throw new Error(`etcdctl get: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l !== '');
  };
  const kubectl = (args: string[]): Promise<Run> =>
    runTool('kubectl', args, { KUBECONFIG: join(work, 'admin.kubeconfig'), HOME: join(work, 'home') }, 60_000);
  const kubectlOk = async (args: string[]): Promise<string> => {
    const r = await kubectl(args);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const getPod = async (name: string): Promise<PodView> => JSON.parse(await kubectlOk(['get', 'pod', name, '-o', 'json'])) as PodView;
  const waitRunning = (name: string, timeoutMs = 60_000): Promise<PodView> => waitFor(`pod ${name} Running and ready`, async () => {
    const p = await getPod(name);
    return p.status.phase === 'Running' && p.status.containerStatuses?.[0]?.ready === true ? p : undefined;
  }, timeoutMs);
  const waitApiReady = (): Promise<string> => waitFor('kube-apiserver /readyz', async () => {
    const r = await kubectl(['get', '--raw', '/readyz']);
    return r.code === 0 && r.stdout.trim() === 'ok' ? r.stdout : undefined;
  });
  /** `ctr -n k8s.io tasks ls` on the node's containerd: container id -> status. */
  const ctrTasks = async (): Promise<Map<string, string>> => {
    const out = await runOk('ctr', ['--address', containerd!.socket, '-n', 'k8s.io', 'tasks', 'ls']);
    const m = new Map<string, string>();
    for (const line of out.split('\n').slice(1)) {
      const [id, , status] = line.trim().split(/\s+/);
      if (id && status) m.set(id, status);
    }
    return m;
  };

  beforeAll(async () => {
    mkdirSync(join(work, 'home'), { recursive: true });
    // Leftovers of a crashed earlier run (the containerd harness clears its own at start).
    await rm(KUBELET_DIR, { recursive: true, force: true });
    await removeCgroupRoot();
  });

  afterAll(async () => {
    // Node first (so nothing restarts containers), then containerd removes every sandbox it ran.
    await kubelet?.stop();
    await containerd?.stop();
    await Promise.all([kcm?.stop(), scheduler?.stop(), apiserver?.stop()]);
    await etcd?.stop();
    await removeCgroupRoot().catch(() => undefined);
    await rm(KUBELET_DIR, { recursive: true, force: true }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }, 90_000);

  it('step 1: etcd is a plain key/value store', async () => {
    etcdPort = await freePort();
    const peer = `http://127.0.0.1:${await freePort()}`;
    const client = `http://127.0.0.1:${etcdPort}`;
    etcd = await startComponent('etcd', BIN.etcd, [
      '--name', 'default', '--data-dir', join(work, 'etcd-data'),
      '--listen-client-urls', client, '--advertise-client-urls', client,
      '--listen-peer-urls', peer, '--initial-advertise-peer-urls', peer, '--initial-cluster', `default=${peer}`,
    ], etcdPort);
    await waitFor('etcdctl endpoint health', async () => ((await etcdctl(['endpoint', 'health'])).code === 0 ? true : undefined), 20_000);
    expect((await etcdctl(['put', '/hello', 'world'])).stdout.trim()).toBe('OK');
    expect((await etcdctl(['get', '/hello'])).stdout).toBe('/hello\nworld\n');
  }, 30_000);

  it('step 2: kube-apiserver on that etcd; kubectl lists the built-in namespaces', async () => {
    apiPort = await freePort();
    apiserver = await startComponent('kube-apiserver', BIN.kubeApiserver, [
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      '--bind-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      '--kubelet-preferred-address-types=InternalIP,Hostname',
    ], apiPort);
    // One kubeconfig per client, as the Hard Way writes them; the CA is the one the apiserver made.
    const server = `https://127.0.0.1:${apiPort}`;
    const users = { admin: 'admin', 'kube-scheduler': 'system:kube-scheduler', 'kube-controller-manager': 'system:kube-controller-manager', kubelet: `system:node:${NODE}` };
    for (const [file, user] of Object.entries(users)) await writeKubeconfig(join(work, `${file}.kubeconfig`), server, caFile, user);
    await waitApiReady();
    const nodes = await kubectl(['get', 'nodes']);
    expect(nodes.code).toBe(0);
    expect(nodes.stderr).toContain('No resources found');
    const ns = await kubectlOk(['get', 'namespaces']);
    expect(ns.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    for (const n of ['default', 'kube-node-lease', 'kube-public', 'kube-system']) expect(ns).toMatch(new RegExp(`^${n}\\s+Active\\s`, 'm'));
  }, 60_000);

  it('step 3: etcdctl shows the objects the apiserver wrote under /registry', async () => {
    const keys = await etcdKeys('/registry');
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) expect(keys).toContain(`/registry/namespaces/${n}`);
    expect(keys.every((k) => k.startsWith('/registry/'))).toBe(true);
    expect(await kubectlOk(['create', 'configmap', 'demo', '--from-literal=k=v'])).toBe('configmap/demo created\n');
    const r = await etcdctl(['get', '/registry/configmaps/default/demo']);
    const [key, value] = r.stdout.split('\n');
    expect(key).toBe('/registry/configmaps/default/demo');
    const stored = JSON.parse(value ?? '') as { kind: string; metadata: { name: string }; data: Record<string, string> };
    expect(stored).toMatchObject({ kind: 'ConfigMap', metadata: { name: 'demo' }, data: { k: 'v' } });
  }, 30_000);

  it('step 4: containerd and a kubelet from a KubeletConfiguration file: the node registers Ready', async () => {
    containerd = await startContainerd('workshop', POD_CIDR, BRIDGE);
    const port = await freePort();
    mkdirSync(join(KUBELET_DIR, 'pod-logs'), { recursive: true });
    const config = join(KUBELET_DIR, 'kubelet-config.yaml');
    writeFileSync(config, [
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      'address: 127.0.0.1',
      `port: ${port}`,
      'readOnlyPort: 0',
      'cgroupDriver: cgroupfs',
      `cgroupRoot: ${CGROUP_ROOT}`,
      `podLogsDir: ${join(KUBELET_DIR, 'pod-logs')}`,
      'clusterDomain: cluster.local',
      'resolvConf: /etc/resolv.conf',
      'nodeStatusUpdateFrequency: 2s',
      'failSwapOn: false',
    ].join('\n') + '\n');
    kubelet = await startComponent('kubelet', BIN.kubelet, [
      `--kubeconfig=${join(work, 'kubelet.kubeconfig')}`,
      `--config=${config}`,
      `--container-runtime-endpoint=${containerd.endpoint}`,
      `--hostname-override=${NODE}`, '--node-ip=127.0.0.1',
      `--root-dir=${join(KUBELET_DIR, 'root')}`, `--cert-dir=${join(KUBELET_DIR, 'pki')}`,
    ], port);
    const ready = '{.status.conditions[?(@.type=="Ready")].status}';
    await waitFor('node Ready', async () => ((await kubectl(['get', 'node', NODE, '-o', `jsonpath=${ready}`])).stdout === 'True' ? true : undefined));
    expect(await kubectlOk(['get', 'nodes'])).toMatch(new RegExp(`^${NODE}\\s+Ready\\s+<none>\\s+\\S+\\s+v1\\.32\\.`, 'm'));
  }, 90_000);

  it('step 5: with no scheduler running, kubectl run hello stays Pending with no node', async () => {
    expect(await kubectlOk(['run', 'hello', `--image=${BUSYBOX_IMAGE}`, '--', 'sh', '-c', HELLO_CMD])).toBe('pod/hello created\n');
    expect(await etcdKeys('/registry/pods/')).toEqual(['/registry/pods/default/hello']);
    // A Ready node is there, yet nothing places the pod: give it time to (wrongly) move.
    await new Promise((r) => setTimeout(r, 3_000));
    const p = await getPod('hello');
    expect(p.status.phase).toBe('Pending');
    expect(p.spec.nodeName ?? '').toBe('');
    expect(p.status.conditions?.find((c) => c.type === 'PodScheduled')).toBeUndefined();
    expect(await kubectlOk(['get', 'pod', 'hello', '-o', 'wide'])).toMatch(/^hello\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/m);
    expect((await ctrTasks()).size).toBe(0);
  }, 30_000);

  it('step 6: kube-scheduler and kube-controller-manager: hello is bound, started and Running', async () => {
    const schedPort = await freePort();
    scheduler = await startComponent('kube-scheduler', BIN.kubeScheduler, [
      `--kubeconfig=${join(work, 'kube-scheduler.kubeconfig')}`,
      '--bind-address=127.0.0.1', `--secure-port=${schedPort}`, '--leader-elect=false',
    ], schedPort);
    const kcmPort = await freePort();
    kcm = await startComponent('kube-controller-manager', BIN.kubeControllerManager, [
      `--kubeconfig=${join(work, 'kube-controller-manager.kubeconfig')}`,
      '--bind-address=127.0.0.1', `--secure-port=${kcmPort}`, '--leader-elect=false',
      `--root-ca-file=${caFile}`, '--service-cluster-ip-range=10.0.0.0/24',
    ], kcmPort);
    const p = await waitRunning('hello');
    expect(p.spec.nodeName).toBe(NODE);
    expect(p.status.podIP).toMatch(/^10\.201\.25\./);
    const cs = p.status.containerStatuses![0]!;
    expect(cs.restartCount).toBe(0);
    expect(cs.containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    hello = { uid: p.metadata.uid, containerID: cs.containerID!, podIP: p.status.podIP! };
    expect(await kubectlOk(['get', 'pod', 'hello', '-o', 'wide'])).toMatch(new RegExp(`^hello\\s+1/1\\s+Running\\s+0\\s+\\S+\\s+10\\.201\\.25\\.\\d+\\s+${NODE}\\s`, 'm'));
    expect((await httpGet(`http://${hello.podIP}/index.html`)).body).toBe('hello from hello\n');
    expect((await ctrTasks()).get(hello.containerID.slice('containerd://'.length))).toBe('RUNNING');
    const keys = await etcdKeys('/registry');
    expect(keys).toContain('/registry/pods/default/hello');
    expect(keys).toContain(`/registry/minions/${NODE}`);
    // The controller-manager is working too: it published the cluster CA into every namespace.
    await waitFor('kube-root-ca.crt in default', async () => ((await kubectl(['get', 'configmap', 'kube-root-ca.crt'])).code === 0 ? true : undefined), 30_000);
  }, 90_000);

  it('step 7: kill -9 kube-apiserver and kube-scheduler: the API is gone, the pod keeps running', async () => {
    await apiserver!.kill9();
    await scheduler!.kill9();
    const r = await kubectl(['get', 'pods']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`The connection to the server 127.0.0.1:${apiPort} was refused`);
    // Longer than the kubelet's status period: it has noticed the API is gone and carries on.
    await new Promise((res) => setTimeout(res, 5_000));
    expect(kubelet!.running()).toBe(true);
    expect((await ctrTasks()).get(hello!.containerID.slice('containerd://'.length))).toBe('RUNNING');
    expect((await httpGet(`http://${hello!.podIP}/index.html`)).body).toBe('hello from hello\n');
    // The state is in etcd, untouched.
    expect(await etcdKeys('/registry/pods/')).toEqual(['/registry/pods/default/hello']);
  }, 30_000);

  it('step 8: restart both on the same store: nothing was lost, and the cluster works again', async () => {
    await apiserver!.restart();
    await scheduler!.restart();
    await waitApiReady();
    const p = await getPod('hello');
    expect(p.metadata.uid).toBe(hello!.uid);
    expect(p.status.phase).toBe('Running');
    expect(p.status.containerStatuses![0]!.containerID).toBe(hello!.containerID);
    expect(p.status.containerStatuses![0]!.restartCount).toBe(0);
    expect(await kubectlOk(['get', 'pods'])).toMatch(/^hello\s+1\/1\s+Running\s+0\s/m);
    const ns = await kubectlOk(['get', 'namespaces', '-o', 'name']);
    expect(ns.trim().split('\n').sort()).toEqual(['namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system']);
    expect(await kubectlOk(['get', 'configmap', 'demo', '-o', 'jsonpath={.data.k}'])).toBe('v');
    expect(await kubectlOk(['get', 'nodes'])).toMatch(new RegExp(`^${NODE}\\s+Ready\\s`, 'm'));
    // New objects: a ConfigMap, and a pod the restarted scheduler places on the node.
    expect(await kubectlOk(['create', 'configmap', 'after-restart', '--from-literal=ok=yes'])).toBe('configmap/after-restart created\n');
    await kubectlOk(['run', 'hello2', `--image=${BUSYBOX_IMAGE}`, '--', 'sleep', '3600']);
    const p2 = await waitRunning('hello2');
    expect(p2.spec.nodeName).toBe(NODE);
    expect((await etcdKeys('/registry/pods/')).sort()).toEqual(['/registry/pods/default/hello', '/registry/pods/default/hello2']);
    // Never restarted: the same container still serves.
    expect((await httpGet(`http://${hello!.podIP}/index.html`)).body).toBe('hello from hello\n');
  }, 90_000);
});
