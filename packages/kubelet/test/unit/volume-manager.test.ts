// The volume manager against a real apiserver (configMaps, secrets, TokenRequests) with a temp
// rootDir and real tmpfs mounts.
import { existsSync, lstatSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock, isAlreadyExists, R, RestClient, type KubeObject, type Pod } from '@kube-ts/client';
import { loadKubeconfig } from '@kube-ts/client/kubeconfig';
import { startCluster, type Cluster } from '../../../apiserver/test/support/cluster.js';
import { VolumeManager, VolumeSetupError, type PodVolume } from '../../src/volume/manager.js';
import { listMountPoints, mountsUnder, unmount } from '../../src/volume/mounts.js';

const PREFIX = join(tmpdir(), 'kvol-mgr-');
const TS_DIR = /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./;

/** Unmounts and removes what an earlier (crashed) run of this file left behind. */
async function cleanLeftovers(): Promise<void> {
  for (let round = 0; round < 8; round++) {
    const left = (await listMountPoints()).filter((p) => p.startsWith(PREFIX)).sort((a, b) => b.length - a.length);
    if (!left.length) break;
    for (const m of left) await unmount(m);
  }
  for (const d of readdirSync(tmpdir()).filter((n) => n.startsWith('kvol-mgr-'))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const mode = (p: string): number => statSync(p).mode & 0o7777;

describe('VolumeManager', () => {
  let c: Cluster;
  let rest: RestClient;
  let rootDir: string;
  let clock: FakeClock;
  let vm: VolumeManager;
  const refreshErrors: string[] = [];

  beforeAll(async () => {
    await cleanLeftovers();
    c = await startCluster('raftkv');
    rest = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 100, burst: 100 });
    rootDir = mkdtempSync(PREFIX);
    clock = new FakeClock(Date.now());
    vm = new VolumeManager({
      rest, rootDir, nodeName: 'node-a', logger: pino({ level: 'silent' }), clock,
      nodeAllocatable: () => ({ cpu: '2', memory: '2Gi', 'ephemeral-storage': '10Gi' }),
      onRefreshError: (_pod, err) => refreshErrors.push(err.message),
    });
    const create = async (t: typeof R[keyof typeof R], obj: KubeObject): Promise<void> => {
      try { await rest.resource(t).create(obj); } catch (e) { if (!isAlreadyExists(e)) throw e; }
    };
    await create(R.serviceaccounts, { metadata: { name: 'builder', namespace: 'default' } });
    await create(R.configmaps, { metadata: { name: 'kube-root-ca.crt', namespace: 'default' }, data: { 'ca.crt': readFileSync(c.caFile, 'utf8') } });
    await create(R.configmaps, { metadata: { name: 'app-config', namespace: 'default' }, data: { 'a.conf': 'A', 'b.txt': 'B' }, binaryData: { bin: b64('\x00\x01') } });
    await create(R.secrets, { metadata: { name: 'creds', namespace: 'default' }, data: { user: b64('admin'), pass: b64('s3cret') } });
  });

  afterAll(async () => {
    if (rootDir) {
      for (let round = 0; round < 8 && (await mountsUnder(rootDir)).length; round++) {
        for (const m of await mountsUnder(rootDir)) await unmount(m).catch(() => undefined);
      }
      rmSync(rootDir, { recursive: true, force: true });
      rmSync(`${rootDir}-link`, { force: true });
    }
    rest?.close();
    await c?.teardown();
  });

  async function createPod(name: string, spec: Record<string, unknown>, meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Promise<Pod> {
    return rest.resource<Pod>(R.pods).create({
      metadata: { name, namespace: 'default', ...meta },
      spec: { containers: [{ name: 'app', image: 'kube-ts.local/busybox:1.35' }], ...spec },
    } as Pod);
  }

  const volDir = (pod: Pod, plugin: string, name: string): string => join(rootDir, 'pods', pod.metadata.uid!, 'volumes', `kubernetes.io~${plugin}`, name);

  it('sets up configMap, secret, downwardAPI, emptyDir and hostPath volumes, then refreshes changes', async () => {
    const hostDir = join(rootDir, 'host', 'made');
    const pod = await createPod('all', {
      containers: [{ name: 'app', image: 'kube-ts.local/busybox:1.35', resources: { limits: { cpu: '250m' } } }],
      volumes: [
        { name: 'cfg', configMap: { name: 'app-config', items: [{ key: 'a.conf', path: 'conf/a.conf', mode: 0o600 }] } },
        { name: 'cfgall', configMap: { name: 'app-config' } },
        { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
        {
          name: 'info', downwardAPI: {
            items: [
              { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } },
              { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
              { path: 'ann', fieldRef: { fieldPath: 'metadata.annotations' } },
              { path: 'cpu', resourceFieldRef: { containerName: 'app', resource: 'limits.cpu', divisor: '1m' } },
              { path: 'mem', resourceFieldRef: { containerName: 'app', resource: 'limits.memory', divisor: '1Mi' } },
            ],
          },
        },
        { name: 'scratch', emptyDir: {} },
        { name: 'host', hostPath: { path: hostDir, type: 'DirectoryOrCreate' } },
      ],
    }, { labels: { app: 'web', tier: 'a' }, annotations: { note: 'say "hi"\n' } });
    const vols = await vm.setUpPod(pod);
    expect([...vols.keys()]).toEqual(['cfg', 'cfgall', 'sec', 'info', 'scratch', 'host']);
    const v = (n: string): PodVolume => vols.get(n)!;
    expect(v('cfg')).toEqual({ name: 'cfg', hostPath: volDir(pod, 'configmap', 'cfg'), readOnly: true });
    expect(v('scratch')).toEqual({ name: 'scratch', hostPath: volDir(pod, 'empty-dir', 'scratch'), readOnly: false });
    expect(v('host')).toEqual({ name: 'host', hostPath: hostDir, readOnly: false });
    expect(statSync(hostDir).isDirectory()).toBe(true);
    expect(mode(v('scratch').hostPath)).toBe(0o777);

    // configMap: items with mode, the ..data layout; all keys (binaryData too) at 0644.
    expect(readFileSync(join(v('cfg').hostPath, 'conf/a.conf'), 'utf8')).toBe('A');
    expect(mode(join(v('cfg').hostPath, 'conf/a.conf'))).toBe(0o600);
    expect(readlinkSync(join(v('cfg').hostPath, 'conf'))).toBe('..data/conf');
    expect(readlinkSync(join(v('cfg').hostPath, '..data'))).toMatch(TS_DIR);
    expect(readdirSync(v('cfgall').hostPath).filter((n) => !TS_DIR.test(n)).sort()).toEqual(['..data', 'a.conf', 'b.txt', 'bin']);
    expect(readFileSync(join(v('cfgall').hostPath, 'bin'))).toEqual(Buffer.from([0, 1]));
    expect(mode(join(v('cfgall').hostPath, 'b.txt'))).toBe(0o644);

    // secret: decoded, defaultMode, on tmpfs.
    expect(readFileSync(join(v('sec').hostPath, 'pass'), 'utf8')).toBe('s3cret');
    expect(mode(join(v('sec').hostPath, 'user'))).toBe(0o400);
    expect(await listMountPoints()).toContain(v('sec').hostPath);

    // downwardAPI: Go-quoted labels, resource values (memory defaults to node allocatable).
    const info = (f: string): string => readFileSync(join(v('info').hostPath, f), 'utf8');
    expect(info('labels')).toBe('app="web"\ntier="a"');
    expect(info('ann')).toBe('note="say \\"hi\\"\\n"');
    expect(info('name')).toBe('all');
    expect(info('cpu')).toBe('250');
    expect(info('mem')).toBe('2048');

    // Idempotent: a second setup rewrites nothing.
    const before = readlinkSync(join(v('cfgall').hostPath, '..data'));
    writeFileSync(join(v('scratch').hostPath, 'keep'), 'x');
    await vm.setUpPod(pod);
    expect(readlinkSync(join(v('cfgall').hostPath, '..data'))).toBe(before);
    expect(readFileSync(join(v('scratch').hostPath, 'keep'), 'utf8')).toBe('x');

    // Source changes reach the files on refresh.
    await rest.resource(R.configmaps).patch('app-config', 'default', { data: { 'a.conf': 'A2', 'b.txt': null } }, 'merge');
    const relabeled = await rest.resource<Pod>(R.pods).patch('all', 'default', { metadata: { labels: { app: 'web', tier: 'b' } } }, 'merge');
    await vm.refreshPod(relabeled);
    expect(readFileSync(join(v('cfg').hostPath, 'conf/a.conf'), 'utf8')).toBe('A2');
    expect(readFileSync(join(v('cfgall').hostPath, 'a.conf'), 'utf8')).toBe('A2');
    expect(() => lstatSync(join(v('cfgall').hostPath, 'b.txt'))).toThrow(/ENOENT/);
    expect(readlinkSync(join(v('cfgall').hostPath, '..data'))).not.toBe(before);
    expect(readdirSync(v('cfgall').hostPath).filter((n) => TS_DIR.test(n))).toHaveLength(1);
    expect(info('labels')).toBe('app="web"\ntier="b"');

    // A source that disappears keeps the last files and is reported.
    await rest.resource(R.secrets).delete('creds', 'default');
    await vm.refreshPod(relabeled);
    expect(refreshErrors).toEqual(['MountVolume.SetUp failed for volume "sec" : secret "creds" not found']);
    expect(readFileSync(join(v('sec').hostPath, 'pass'), 'utf8')).toBe('s3cret');

    await vm.tearDownPod(pod.metadata.uid!);
    expect(await mountsUnder(rootDir)).toEqual([]);
    expect(existsSync(join(rootDir, 'pods', pod.metadata.uid!))).toBe(false);
    expect(existsSync(hostDir)).toBe(true); // hostPath data is never removed
  });

  it('reports missing sources and keys as FailedMount; optional ones are empty', async () => {
    const pod = await createPod('missing', {
      volumes: [
        { name: 'gone', configMap: { name: 'nope' } },
        { name: 'opt', configMap: { name: 'nope', optional: true } },
        { name: 'badkey', configMap: { name: 'app-config', items: [{ key: 'zzz', path: 'z' }] } },
        { name: 'optkey', secret: { secretName: 'nope2', optional: true, items: [{ key: 'k', path: 'k' }] } },
        { name: 'nodir', hostPath: { path: join(rootDir, 'absent'), type: 'Directory' } },
      ],
    });
    const err = await vm.setUpPod(pod).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(VolumeSetupError);
    const e = err as VolumeSetupError;
    expect(e.reason).toBe('FailedMount');
    expect(e.message).toBe('MountVolume.SetUp failed for volume "gone" : configmap "nope" not found');
    expect(e.detail).toBe('configmap "nope" not found');
    expect(e.failures.map((f) => f.message)).toEqual([
      'MountVolume.SetUp failed for volume "gone" : configmap "nope" not found',
      'MountVolume.SetUp failed for volume "badkey" : configmap references non-existent config key: zzz',
      `MountVolume.SetUp failed for volume "nodir" : hostPath type check failed: ${join(rootDir, 'absent')} is not a directory`,
    ]);
    expect(existsSync(volDir(pod, 'configmap', 'gone'))).toBe(false);
    expect(readdirSync(volDir(pod, 'configmap', 'opt')).filter((n) => !TS_DIR.test(n))).toEqual(['..data']);
    expect(readdirSync(volDir(pod, 'secret', 'optkey')).filter((n) => !TS_DIR.test(n))).toEqual(['..data']);
    await vm.tearDownPod(pod.metadata.uid!);
  });

  it('projects a kube-api-access volume and rotates its token at 80% of its lifetime', async () => {
    const pod = await createPod('sa', {
      serviceAccountName: 'builder',
      securityContext: { fsGroup: 2345 },
      volumes: [{
        name: 'kube-api-access-x1', projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
        },
      }],
    });
    const vols = await vm.setUpPod(pod);
    const dir = vols.get('kube-api-access-x1')!.hostPath;
    expect(dir).toBe(volDir(pod, 'projected', 'kube-api-access-x1'));
    expect(await listMountPoints()).toContain(dir);
    expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe(readFileSync(c.caFile, 'utf8'));
    expect(readFileSync(join(dir, 'namespace'), 'utf8')).toBe('default');
    const token = readFileSync(join(dir, 'token'), 'utf8');
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims.sub).toBe('system:serviceaccount:default:builder');
    expect(claims['kubernetes.io']).toMatchObject({ namespace: 'default', pod: { name: 'sa', uid: pod.metadata.uid } });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3607);
    // fsGroup: token 0600 -> 0640 with the group; other files get group read; dirs setgid.
    expect(mode(join(dir, 'token'))).toBe(0o640);
    expect(statSync(join(dir, 'token')).gid).toBe(2345);
    expect(mode(join(dir, 'ca.crt'))).toBe(0o644);
    expect(statSync(join(dir, 'ca.crt')).gid).toBe(2345);
    expect(mode(join(dir, readlinkSync(join(dir, '..data')))) & 0o2000).toBe(0o2000);

    // The token authenticates against the apiserver.
    const r = await c.request('/api/v1/namespaces/default/pods/sa', { headers: { Authorization: `Bearer ${token}` } });
    expect([200, 403]).toContain(r.status);

    await clock.step(1800_000);
    await vm.refreshPod(pod);
    expect(readFileSync(join(dir, 'token'), 'utf8')).toBe(token);
    await clock.step(Math.ceil(3607 * 0.8) * 1000 + 11_000 - 1800_000);
    await vm.refreshPod(pod);
    const rotated = readFileSync(join(dir, 'token'), 'utf8');
    expect(rotated).not.toBe(token);
    expect(rotated.split('.')).toHaveLength(3);

    await vm.tearDownPod(pod.metadata.uid!);
    expect(await mountsUnder(join(rootDir, 'pods'))).toEqual([]);
  });

  it('mounts memory emptyDirs as tmpfs with their size limit and unmounts them on teardown', async () => {
    const pod = await createPod('mem', {
      securityContext: { fsGroup: 3456 },
      volumes: [{ name: 'cache', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }, { name: 'disk', emptyDir: {} }],
    });
    const vols = await vm.setUpPod(pod);
    const dir = vols.get('cache')!.hostPath;
    const info = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === dir);
    expect(info).toMatch(/ - tmpfs tmpfs .*size=8192k/);
    writeFileSync(join(dir, 'f'), 'in memory');
    // fsGroup: group-owned, setgid, group-writable.
    const disk = vols.get('disk')!.hostPath;
    expect(statSync(disk).gid).toBe(3456);
    expect(mode(disk)).toBe(0o2777);
    expect(statSync(dir).gid).toBe(3456);
    // Setting up again does not stack a second mount.
    await vm.setUpPod(pod);
    expect((await listMountPoints()).filter((m) => m === dir)).toHaveLength(1);
    expect(await vm.listPodDirs()).toContain(pod.metadata.uid);

    await vm.tearDownPod(pod.metadata.uid!);
    expect(await listMountPoints()).not.toContain(dir);
    expect(existsSync(join(rootDir, 'pods', pod.metadata.uid!))).toBe(false);
    expect(await vm.listPodDirs()).not.toContain(pod.metadata.uid);
    await vm.tearDownPod(pod.metadata.uid!); // again: nothing left to do
  });

  it('does not stack tmpfs mounts when rootDir is reached through a symlink', async () => {
    const link = `${rootDir}-link`;
    symlinkSync(rootDir, link);
    try {
      const vm2 = new VolumeManager({ rest, rootDir: link, nodeName: 'node-a', logger: pino({ level: 'silent' }), nodeAllocatable: () => ({ memory: '1Gi' }) });
      const pod = await createPod('viasymlink', { volumes: [{ name: 'm', emptyDir: { medium: 'Memory' } }] });
      await vm2.setUpPod(pod);
      await vm2.setUpPod(pod);
      const real = volDir(pod, 'empty-dir', 'm');
      expect((await listMountPoints()).filter((m) => m === real)).toHaveLength(1);
      await vm2.tearDownPod(pod.metadata.uid!);
      expect(await listMountPoints()).not.toContain(real);
    } finally {
      rmSync(link, { force: true });
    }
  });

  it('subPath mounts into a set-up volume', async () => {
    const pod = await createPod('sub', {
      containers: [{
        name: 'app', image: 'kube-ts.local/busybox:1.35',
        volumeMounts: [{ name: 'work', mountPath: '/work', subPathExpr: '$(POD_NAME)' }, { name: 'cfg', mountPath: '/etc/a.conf', subPath: 'a.conf' }],
      }],
      volumes: [{ name: 'work', emptyDir: {} }, { name: 'cfg', configMap: { name: 'app-config' } }],
    });
    const vols = await vm.setUpPod(pod);
    const mounts = vm.containerMounts(pod, pod.spec.containers[0]!, vols, { POD_NAME: 'sub' });
    expect(mounts[0]).toMatchObject({ containerPath: '/work', hostPath: join(vols.get('work')!.hostPath, 'sub'), readonly: false });
    expect(statSync(mounts[0]!.hostPath).isDirectory()).toBe(true);
    expect(mounts[1]!.readonly).toBe(true);
    expect(readFileSync(mounts[1]!.hostPath, 'utf8')).toBe(readFileSync(join(vols.get('cfg')!.hostPath, 'a.conf'), 'utf8'));
    expect(mounts[1]!.hostPath).toContain('/..20');
    await vm.tearDownPod(pod.metadata.uid!);
  });
});
