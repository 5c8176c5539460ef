// The kubelet end to end on a real containerd with our CNI bridge, driven by the real kubectl:
// raftkv + kube-apiserver + kube-scheduler + kube-controller-manager processes and one kubelet.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import http from 'node:http';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { startScheduler, type SchedulerProc } from '../../scheduler/test/support/scheduler.js';
import { startControllerManager, type KcmProc } from '../../controller-manager/test/support/kcm.js';
import { haveContainerd, BUSYBOX_IMAGE } from './support/containerd.js';
import { startNode, waitKubectl, type TestNode } from './support/node.js';

const pexec = promisify(execFile);
const NODE = 'kl-e2e';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

const jp = (c: Cluster, what: string, path: string): Promise<string> => c.kubectlOk(['get', what, '-o', `jsonpath=${path}`]);

describe.skipIf(!haveContainerd())('kubelet on containerd (e2e)', () => {
  let c: Cluster;
  let sched: SchedulerProc;
  let kcm: KcmProc;
  let node: TestNode;
  let web = '';
  const work = mkdtempSync(join(tmpdir(), 'kubelet-e2e-'));

  beforeAll(async () => {
    // Node names do not resolve here: reach kubelets by their InternalIP, as Hard-Way clusters do.
    c = await startCluster('raftkv', { extraArgs: ['--kubelet-preferred-address-types=InternalIP,Hostname'] });
    sched = await startScheduler(c);
    kcm = await startControllerManager(c, ['--controllers=*']);
    node = await startNode(c, { name: NODE, slot: 21 });
    await waitKubectl(c, ['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], (o) => o === 'True', 60_000, 'node Ready');
  }, 180_000);

  afterAll(async () => {
    await node?.stop();
    await kcm?.stop();
    await sched?.stop();
    await c?.teardown();
    rmSync(work, { recursive: true, force: true });
  }, 120_000);

  it('kubectl create deployment reaches Running and serves HTTP on the pod IP', async () => {
    await c.kubectlOk(['create', 'deployment', 'web', `--image=${BUSYBOX_IMAGE}`, '--', 'httpd', '-f', '-p', '80']);
    await c.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=90s']);
    web = (await jp(c, 'pods', '{.items[?(@.metadata.labels.app=="web")].metadata.name}')).trim();
    expect(web).toMatch(/^web-/);
    const out = await c.kubectlOk(['get', 'pod', web, '-o', 'wide']);
    expect(out).toMatch(/1\/1\s+Running\s+0/);
    expect(out).toContain(NODE);
    const ip = await jp(c, `pod/${web}`, '{.status.podIP}');
    expect(ip).toMatch(/^10\.201\.21\./);
    await c.kubectlOk(['exec', web, '--', 'sh', '-c', 'echo hello-from-pod > /index.html']);
    const r = await get(`http://${ip}/index.html`);
    expect(r.body.trim()).toBe('hello-from-pod');
  }, 150_000);

  it('kubectl logs: tail, timestamps, follow', async () => {
    await c.kubectlOk(['run', 'talker', `--image=${BUSYBOX_IMAGE}`, '--restart=Never', '--', 'sh', '-c', 'for i in 1 2 3 4 5; do echo line-$i; done; sleep 3600']);
    await waitKubectl(c, ['get', 'pod', 'talker', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running');
    const logs = await waitKubectl(c, ['logs', 'talker'], (o) => o.includes('line-5'));
    expect(logs.trim().split('\n')).toEqual(['line-1', 'line-2', 'line-3', 'line-4', 'line-5']);
    expect((await c.kubectlOk(['logs', 'talker', '--tail=2'])).trim().split('\n')).toEqual(['line-4', 'line-5']);
    const ts = (await c.kubectlOk(['logs', 'talker', '--tail=1', '--timestamps'])).trim();
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z line-5$/);
  }, 90_000);

  it('kubectl exec: output, exit codes, and an interactive TTY session', async () => {
    expect((await c.kubectlOk(['exec', web, '--', 'sh', '-c', 'echo $((6*7))'])).trim()).toBe('42');
    const r = await c.kubectl(['exec', web, '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout.trim()).toBe('out');
    expect(r.stderr).toContain('err');
    // -it needs a terminal: run kubectl under script(1) so stdin is a pty.
    const cmd = `kubectl --kubeconfig ${c.kubeconfig} exec -it ${web} -- sh -c 'tty; echo in-tty'`;
    const t = await pexec('script', ['-qec', cmd, '/dev/null'], { env: { ...process.env, HOME: work }, timeout: 30_000 });
    expect(t.stdout).toMatch(/\/dev\/pts\/\d+/);
    expect(t.stdout).toContain('in-tty');
  }, 90_000);

  it('kubectl cp both ways', async () => {
    const src = join(work, 'up.txt');
    writeFileSync(src, 'copied up\n'.repeat(1000));
    await c.kubectlOk(['cp', src, `${web}:/tmp/up.txt`]);
    expect((await c.kubectlOk(['exec', web, '--', 'wc', '-c', '/tmp/up.txt'])).trim()).toMatch(/^10000 /);
    const down = join(work, 'passwd');
    await c.kubectlOk(['cp', `${web}:/etc/passwd`, down]);
    expect(readFileSync(down, 'utf8')).toContain('root:x:0:0');
  }, 90_000);

  it('kubectl port-forward carries a request to the pod', async () => {
    const pf = spawn('kubectl', ['--kubeconfig', c.kubeconfig, 'port-forward', `pod/${web}`, ':80'], { env: { ...process.env, HOME: work } });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const t = setTimeout(() => reject(new Error(`port-forward did not start: ${out}`)), 30_000);
        const on = (d: Buffer): void => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+) -> 80/.exec(out);
          if (m) {
            clearTimeout(t);
            resolve(Number(m[1]));
          }
        };
        pf.stdout.on('data', on);
        pf.stderr.on('data', on);
      });
      const r = await get(`http://127.0.0.1:${port}/index.html`);
      expect(r.status).toBe(200);
      expect(r.body.trim()).toBe('hello-from-pod');
      const again = await get(`http://127.0.0.1:${port}/index.html`);
      expect(again.body.trim()).toBe('hello-from-pod');
    } finally {
      pf.kill('SIGTERM');
    }
  }, 60_000);

  it('pod-to-pod traffic across the bridge', async () => {
    const talkerIP = await jp(c, 'pod/talker', '{.status.podIP}');
    const webIP = await jp(c, `pod/${web}`, '{.status.podIP}');
    expect(talkerIP).not.toBe(webIP);
    const out = await c.kubectlOk(['exec', 'talker', '--', 'sh', '-c', `timeout 5 wget -qO- http://${webIP}/index.html`]);
    expect(out.trim()).toBe('hello-from-pod');
  }, 60_000);

  it('readiness gating: Ready only after the probe passes', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'gated' },
      spec: {
        containers: [{
          name: 'app',
          image: BUSYBOX_IMAGE,
          command: ['sleep', '3600'],
          readinessProbe: { exec: { command: ['cat', '/tmp/ready'] }, periodSeconds: 1 },
        }],
      },
    };
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify(manifest));
    await waitKubectl(c, ['get', 'pod', 'gated', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running');
    await new Promise((r) => setTimeout(r, 2500));
    expect(await c.kubectlOk(['get', 'pod', 'gated'])).toMatch(/gated\s+0\/1\s+Running/);
    expect(await jp(c, 'pod/gated', '{.status.conditions[?(@.type=="Ready")].status}')).toBe('False');
    await c.kubectlOk(['exec', 'gated', '--', 'touch', '/tmp/ready']);
    await waitKubectl(c, ['get', 'pod', 'gated'], (o) => /gated\s+1\/1\s+Running/.test(o), 20_000);
  }, 90_000);

  it('liveness failure restarts the container and ends in CrashLoopBackOff', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sick' },
      spec: {
        // sleep as PID 1 ignores SIGTERM: a short grace keeps each liveness kill quick.
        terminationGracePeriodSeconds: 2,
        containers: [{
          name: 'app',
          image: BUSYBOX_IMAGE,
          command: ['sleep', '3600'],
          livenessProbe: { exec: { command: ['cat', '/tmp/alive'] }, periodSeconds: 1, failureThreshold: 1 },
        }],
      },
    };
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify(manifest));
    await waitKubectl(c, ['get', 'pod', 'sick', '-o', 'jsonpath={.status.containerStatuses[0].restartCount}'], (o) => Number(o) >= 1, 60_000, 'a liveness restart');
    await waitKubectl(c, ['get', 'pod', 'sick'], (o) => o.includes('CrashLoopBackOff'), 60_000, 'CrashLoopBackOff');
    const events = await c.kubectlOk(['get', 'events', '--field-selector', 'involvedObject.name=sick', '-o', 'jsonpath={range .items[*]}{.reason}: {.message}{"\\n"}{end}']);
    expect(events).toContain('Unhealthy: Liveness probe failed');
    expect(events).toContain('Container app failed liveness probe, will be restarted');
    expect(events).toContain('BackOff: Back-off restarting failed container app');
    expect(await jp(c, 'pod/sick', '{.status.containerStatuses[0].lastState.terminated.exitCode}')).toBe('137');
  }, 120_000);

  it('exit codes show in kubectl get pods', async () => {
    await c.kubectlOk(['run', 'fails', `--image=${BUSYBOX_IMAGE}`, '--restart=Never', '--', 'sh', '-c', 'exit 3']);
    await c.kubectlOk(['run', 'works', `--image=${BUSYBOX_IMAGE}`, '--restart=Never', '--', 'true']);
    await waitKubectl(c, ['get', 'pod', 'fails'], (o) => /fails\s+0\/1\s+Error\s+0/.test(o));
    await waitKubectl(c, ['get', 'pod', 'works'], (o) => /works\s+0\/1\s+Completed\s+0/.test(o));
    expect(await jp(c, 'pod/fails', '{.status.phase} {.status.containerStatuses[0].state.terminated.exitCode} {.status.containerStatuses[0].state.terminated.reason}')).toBe('Failed 3 Error');
    expect(await jp(c, 'pod/works', '{.status.phase}')).toBe('Succeeded');
  }, 90_000);

  it('a static pod runs and appears as a mirror pod; removing the file removes it', async () => {
    const manifest = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'static-web', namespace: 'default' },
      spec: { containers: [{ name: 'web', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['httpd', '-f', '-p', '8080'] }] },
    };
    const file = join(node.staticPodDir, 'static-web.json');
    writeFileSync(file, JSON.stringify(manifest));
    const name = `static-web-${NODE}`;
    await waitKubectl(c, ['get', 'pod', name, '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running', 60_000, 'mirror pod Running');
    const ann = JSON.parse(await jp(c, `pod/${name}`, '{.metadata.annotations}')) as Record<string, string>;
    expect(ann['kubernetes.io/config.mirror']).toBeTruthy();
    expect(ann['kubernetes.io/config.source']).toBe('file');
    expect(await jp(c, `pod/${name}`, '{.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name}')).toBe(`Node/${NODE}`);
    // Deleting the mirror pod does not stop the static pod: the kubelet recreates the mirror.
    const uid1 = await jp(c, `pod/${name}`, '{.metadata.uid}');
    await c.kubectlOk(['delete', 'pod', name, '--wait=false']);
    await waitKubectl(c, ['get', 'pod', name, '-o', 'jsonpath={.metadata.uid}'], (o) => o !== '' && o !== uid1, 30_000, 'mirror recreated');
    rmSync(file);
    await waitKubectl(c, ['get', 'pods', '-o', 'name'], (o) => !o.includes(name), 60_000, 'mirror pod gone');
    // The mirror and the containers go independently (housekeeping vs the pod worker): wait for both.
    const deadline = Date.now() + 20_000;
    for (;;) {
      const left = await node.containerd.cri.listContainers({ labelSelector: { 'io.kubernetes.pod.name': name }, state: { state: 'CONTAINER_RUNNING' } });
      if (left.length === 0) break;
      if (Date.now() > deadline) throw new Error(`static pod containers still running: ${left.map((x) => x.id).join(' ')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }, 120_000);

  it('deleting a pod removes its containers, netns, IP allocation and cgroups', async () => {
    await c.kubectlOk(['run', 'doomed', `--image=${BUSYBOX_IMAGE}`, '--', 'sleep', '3600']);
    await waitKubectl(c, ['get', 'pod', 'doomed', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running');
    const uid = await jp(c, 'pod/doomed', '{.metadata.uid}');
    const ip = await jp(c, 'pod/doomed', '{.status.podIP}');
    const cri = node.containerd.cri;
    const [sb] = await cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } });
    expect(sb).toBeDefined();
    const info = JSON.parse((await cri.podSandboxInfo(sb!.id))['info'] ?? '{}') as { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } };
    const netns = info.runtimeSpec?.linux?.namespaces?.find((n) => n.type === 'network')?.path ?? '';
    expect(netns).toMatch(/^\/var\/run\/netns\/cni-/);
    expect(existsSync(netns)).toBe(true);
    const ipFile = join(node.containerd.dir, 'cni', 'networks', 'kube-ts', ip);
    expect(existsSync(ipFile)).toBe(true);
    const cgroup = `/sys/fs/cgroup/memory${node.cgroupRoot}/kubepods/besteffort/pod${uid}`;
    expect(existsSync(cgroup)).toBe(true);
    await c.kubectlOk(['delete', 'pod', 'doomed', '--grace-period=1']);
    const deadline = Date.now() + 30_000;
    for (;;) {
      const sbs = await cri.listPodSandbox({ labelSelector: { 'io.kubernetes.pod.uid': uid } });
      const cs = await cri.listContainers({ labelSelector: { 'io.kubernetes.pod.uid': uid } });
      if (sbs.length === 0 && cs.length === 0 && !existsSync(netns) && !existsSync(ipFile) && !existsSync(cgroup)) break;
      if (Date.now() > deadline) throw new Error(`left behind: sandboxes ${sbs.length}, containers ${cs.length}, netns ${existsSync(netns)}, ip ${existsSync(ipFile)}, cgroup ${existsSync(cgroup)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }, 90_000);

  it('kill -9 the kubelet and restart it: running containers are adopted, not restarted', async () => {
    const before = await jp(c, `pod/${web}`, '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}');
    await node.killKubelet();
    await new Promise((r) => setTimeout(r, 1000));
    // The pod keeps serving while no kubelet runs.
    const ip = await jp(c, `pod/${web}`, '{.status.podIP}');
    expect((await get(`http://${ip}/index.html`)).body.trim()).toBe('hello-from-pod');
    await node.startKubelet();
    await new Promise((r) => setTimeout(r, 5000));
    const after = await jp(c, `pod/${web}`, '{.status.containerStatuses[0].containerID} {.status.containerStatuses[0].restartCount}');
    expect(after).toBe(before);
    expect(after.endsWith(' 0')).toBe(true);
    expect(await c.kubectlOk(['get', 'pod', web])).toMatch(/1\/1\s+Running\s+0/);
    const running = await node.containerd.cri.listContainers({ state: { state: 'CONTAINER_RUNNING' }, labelSelector: { 'io.kubernetes.container.name': 'busybox' } });
    expect(running.map((x) => `containerd://${x.id}`)).toContain(before.split(' ')[0]);
  }, 90_000);
});
