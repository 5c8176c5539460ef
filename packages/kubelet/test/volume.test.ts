// Volumes seen from inside a real container (containerd 1.6): configMap files through the
// `..data` symlinks on a read-only mount, updates visible after refreshPod, a subPath file, a
// secret on tmpfs and a writable emptyDir shared with the host.
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, RestClient, type Pod, type RequestOptions } from '@kube-ts/client';
import type { ContainerConfig, PodSandboxConfig } from '../src/cri/types.js';
import { VolumeManager } from '../src/volume/manager.js';
import { mountsUnder, unmount } from '../src/volume/mounts.js';
import { BUSYBOX_IMAGE, haveContainerd, startContainerd, type TestContainerd } from './support/containerd.js';

/** Serves configMaps and secrets from memory. */
class FakeApi extends RestClient {
  objects = new Map<string, unknown>();
  constructor() { super({ server: 'http://127.0.0.1:1' }); }
  override async request<T>(o: RequestOptions): Promise<T> {
    const obj = this.objects.get(o.path);
    if (!obj) throw new ApiError({ status: 'Failure', code: 404, reason: 'NotFound', message: `not found: ${o.path}` }, 404);
    return structuredClone(obj) as T;
  }
}

describe.skipIf(!haveContainerd())('volumes in a container', () => {
  let cd: TestContainerd;
  let dir: string;
  let vm: VolumeManager;
  let containerId = '';
  const api = new FakeApi();
  const uid = randomUUID();
  const pod: Pod = {
    metadata: { name: 'vols', namespace: 'default', uid },
    spec: {
      containers: [{
        name: 'app', image: BUSYBOX_IMAGE,
        volumeMounts: [
          { name: 'cfg', mountPath: '/etc/cfg' },
          { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
          { name: 'sec', mountPath: '/var/run/secrets/app' },
          { name: 'scratch', mountPath: '/scratch', subPathExpr: '$(POD_NAME)' },
        ],
      }],
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg', defaultMode: 0o644 } },
        { name: 'sec', secret: { secretName: 'sec', defaultMode: 0o400 } },
        { name: 'scratch', emptyDir: {} },
      ],
    },
  };
  const exec = async (cmd: string): Promise<{ out: string; code: number }> => {
    const r = await cd.cri.execSync(containerId, ['sh', '-c', cmd], 10);
    return { out: Buffer.from(r.stdout).toString() + Buffer.from(r.stderr).toString(), code: r.exitCode };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-volume-e2e-'));
    api.objects.set('/api/v1/namespaces/default/configmaps/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v1', 'other': 'o' } });
    api.objects.set('/api/v1/namespaces/default/secrets/sec', { metadata: { name: 'sec' }, data: { token: Buffer.from('t0p').toString('base64') } });
    vm = new VolumeManager({ rest: api, rootDir: join(dir, 'kubelet'), nodeName: 'n', logger: pino({ level: 'silent' }), nodeAllocatable: () => ({ memory: '1Gi' }) });
    cd = await startContainerd('volume', '10.201.13.0/24', 'ktsk-volume');
    const labels = { 'io.kubernetes.pod.name': 'vols', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid };
    const sandboxConfig: PodSandboxConfig = { metadata: { name: 'vols', namespace: 'default', uid, attempt: 0 }, hostname: 'vols', logDirectory: join(dir, 'pods', `default_vols_${uid}`), labels };
    const volumes = await vm.setUpPod(pod);
    const sandboxId = await cd.cri.runPodSandbox(sandboxConfig);
    const config: ContainerConfig = {
      metadata: { name: 'app', attempt: 0 },
      image: { image: BUSYBOX_IMAGE },
      command: ['sh', '-c', 'exec sleep 3600'],
      logPath: 'app/0.log',
      labels: { ...labels, 'io.kubernetes.container.name': 'app' },
      mounts: vm.containerMounts(pod, pod.spec.containers[0]!, volumes, { POD_NAME: 'vols' }),
    };
    containerId = await cd.cri.createContainer(sandboxId, config, sandboxConfig);
    await cd.cri.startContainer(containerId);
  }, 120_000);

  afterAll(async () => {
    await cd?.stop();
    await vm?.tearDownPod(uid).catch(() => undefined);
    if (dir) {
      for (const m of await mountsUnder(dir)) await unmount(m).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('reads, cannot write, sees updates, and shares the emptyDir', async () => {
    const first = await exec('cat /etc/cfg/app.conf /etc/app.conf; echo; ls -A /etc/cfg | sort | tr "\\n" " "');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^v1v1\n\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\.\S+ \.\.data app\.conf other $/);
    const touch = await exec('touch /etc/cfg/x');
    expect(touch.code).not.toBe(0);
    expect(touch.out).toMatch(/Read-only file system/);
    expect(await exec('cat /var/run/secrets/app/token; stat -c %a /var/run/secrets/app/..data/token')).toEqual({ out: 't0p400\n', code: 0 });
    expect((await exec('grep " /var/run/secrets/app " /proc/mounts')).out).toMatch(/^tmpfs .* ro[ ,]/);

    expect((await exec('echo hello > /scratch/f && cat /scratch/f')).out).toBe('hello\n');
    expect(await readFile(join(dir, 'kubelet', 'pods', uid, 'volumes', 'kubernetes.io~empty-dir', 'scratch', 'vols', 'f'), 'utf8')).toBe('hello\n');

    api.objects.set('/api/v1/namespaces/default/configmaps/cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'v2' } });
    await vm.refreshPod(pod);
    expect(await exec('cat /etc/cfg/app.conf; ls -A /etc/cfg | grep -c other')).toEqual({ out: 'v20\n', code: 1 });
    // A subPath mount keeps the file it was started with (as upstream).
    expect((await exec('cat /etc/app.conf')).out).toBe('v1');
  });
});
