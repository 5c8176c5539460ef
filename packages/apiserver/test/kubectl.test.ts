// kube-apiserver driven by the real kubectl, on raftkv and on a real etcd 3.4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startServer, testKinds, waitForPort, type RunningServer } from '../../raftkv/test/support/servers.js';

const APISERVER = resolve(dirname(fileURLToPath(import.meta.url)), '../dist/cli.js');

interface Run { code: number; stdout: string; stderr: string }

describe.each(testKinds())('kubectl against kube-apiserver on %s', (kind) => {
  let store: RunningServer;
  let api: ChildProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let apiLog = '';

  const kubectl = (args: string[], input?: string): Promise<Run> => new Promise((res) => {
    const c = execFile('kubectl', args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    c.stdin?.end(input ?? '');
  });
  const ok = async (args: string[], input?: string): Promise<string> => {
    const r = await kubectl(args, input);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  beforeAll(async () => {
    store = await startServer(kind);
    dir = mkdtempSync(join(tmpdir(), 'apiserver-e2e-'));
    const port = await freePort();
    api = spawn(process.execPath, [APISERVER, '--etcd-servers', store.endpoint, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--cert-dir', join(dir, 'certs')], { stdio: ['ignore', 'pipe', 'pipe'] });
    api.stdout?.on('data', (d: Buffer) => { apiLog += d.toString(); });
    api.stderr?.on('data', (d: Buffer) => { apiLog += d.toString(); });
    await waitForPort(port, api, () => apiLog, 20_000);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', `- cluster: {server: "https://127.0.0.1:${port}", certificate-authority: "${join(dir, 'certs', 'apiserver-ca.crt')}"}`, '  name: local',
      'contexts:', '- context: {cluster: local, user: admin}', '  name: local',
      'current-context: local',
      'users:', '- name: admin', '  user: {token: e2e}',
    ].join('\n'));
    // A fresh HOME: kubectl caches discovery and the server version under ~/.kube.
    env = { ...process.env, KUBECONFIG: kubeconfig, HOME: dir };
  });
  afterAll(async () => {
    api?.kill('SIGTERM');
    await store?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lists the system namespaces as a table', async () => {
    const out = await ok(['get', 'namespaces']);
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2).join(' ')).sort())
      .toEqual(['default Active', 'kube-node-lease Active', 'kube-public Active', 'kube-system Active']);
  });

  it('discovers resources (aggregated discovery)', async () => {
    const out = await ok(['api-resources', '--api-group=']);
    expect(out).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(out).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    expect(await ok(['api-versions'])).toContain('v1');
  });

  it('creates, reads, lists, watches and deletes a pod with defaults applied', async () => {
    await ok(['run', 'web', '--image=nginx:1.27', '--labels=app=web']);
    const pod = JSON.parse(await ok(['get', 'pod', 'web', '-o', 'json'])) as { metadata: Record<string, unknown>; spec: { restartPolicy: string; dnsPolicy: string; containers: Array<{ imagePullPolicy: string }> }; status: { phase: string } };
    expect(pod.metadata).toMatchObject({ name: 'web', namespace: 'default', labels: { app: 'web' } });
    expect(pod.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number(pod.metadata.resourceVersion)).toBeGreaterThan(0);
    expect(pod.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    expect(pod.spec.containers[0]!.imagePullPolicy).toBe('IfNotPresent');
    expect(pod.status.phase).toBe('Pending');
    const wide = (await ok(['get', 'pods', '-o', 'wide'])).trim().split('\n');
    expect(wide[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    expect(wide[1]).toMatch(/^web\s+0\/1\s+Pending\s+0\s+\S+\s+<none>\s+<none>/);
    expect(await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).toBe('web');
    expect(await ok(['get', 'pods', '-l', 'app notin (web)', '-o', 'name'])).toBe('');
    expect(await ok(['get', 'pods', '--field-selector', 'metadata.name=web', '-o', 'custom-columns=N:.metadata.name,IMG:.spec.containers[0].image', '--no-headers'])).toMatch(/^web\s+nginx:1\.27\s*$/);
    expect(await ok(['delete', 'pod', 'web', '--wait=true'])).toBe('pod "web" deleted\n');
    const gone = await kubectl(['get', 'pod', 'web']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe('Error from server (NotFound): pods "web" not found\n');
  });

  it('creates from a manifest, refuses duplicates, invalid names and wrong namespaces with Status errors', async () => {
    const cm = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1', b: '2' } });
    expect(await ok(['create', '-f', '-', '--validate=false'], cm)).toBe('configmap/settings created\n');
    expect(await ok(['get', 'configmaps'])).toMatch(/^settings\s+2\s+\S+$/m);
    const dup = await kubectl(['create', '-f', '-', '--validate=false'], cm);
    expect(dup.stderr).toContain('Error from server (AlreadyExists): error when creating "STDIN": configmaps "settings" already exists');
    const bad = await kubectl(['create', '-f', '-', '--validate=false'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }));
    expect(bad.stderr).toContain('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    const noNs = await kubectl(['create', '-f', '-', '--validate=false', '-n', 'nope'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    expect(noNs.stderr).toContain('namespaces "nope" not found');
    const invalidPod = await kubectl(['create', '-f', '-', '--validate=false'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], restartPolicy: 'Sometimes' } }));
    // kubectl lists each cause of a multi-cause Invalid error on its own line.
    expect(invalidPod.stderr).toContain('The Pod "p" is invalid: \n* spec.containers[0].image: Required value\n* spec.restartPolicy: Unsupported value: "Sometimes"');
    const yaml = await ok(['get', 'cm', 'settings', '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: v1\ndata:\n  a: "1"\n  b: "2"\nkind: ConfigMap\nmetadata:\n/);
  });

  it('patches: label, annotate, and merge / json / strategic patches', async () => {
    await ok(['create', '-f', '-', '--validate=false'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'patched', labels: { tier: 'a' } },
      spec: { containers: [{ name: 'app', image: 'busybox:1.36', env: [{ name: 'A', value: '1' }] }, { name: 'side', image: 'busybox:1.36' }] },
    }));
    expect(await ok(['label', 'pod', 'patched', 'tier=b', '--overwrite'])).toBe('pod/patched labeled\n');
    expect(await ok(['annotate', 'pod', 'patched', 'note=hello'])).toBe('pod/patched annotated\n');
    expect(await ok(['patch', 'pod', 'patched', '--type=merge', '-p', '{"metadata":{"labels":{"extra":"x"}}}'])).toBe('pod/patched patched\n');
    expect(await ok(['patch', 'pod', 'patched', '--type=json', '-p', '[{"op":"replace","path":"/spec/containers/1/image","value":"busybox:1.37"}]'])).toBe('pod/patched patched\n');
    // Strategic: the container list merges by name, so app keeps its env.
    await ok(['patch', 'pod', 'patched', '-p', '{"spec":{"containers":[{"name":"app","image":"busybox:1.38"}]}}']);
    // As upstream, a running pod's env cannot change.
    const frozen = await kubectl(['patch', 'pod', 'patched', '-p', '{"spec":{"containers":[{"name":"app","env":[{"name":"B","value":"2"}]}]}}']);
    expect(frozen.stderr).toContain('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`');
    const pod = JSON.parse(await ok(['get', 'pod', 'patched', '-o', 'json'])) as { metadata: { labels: Record<string, string>; annotations: Record<string, string> }; spec: { containers: Array<{ name: string; image: string; env?: Array<{ name: string }> }> } };
    expect(pod.metadata.labels).toEqual({ tier: 'b', extra: 'x' });
    expect(pod.metadata.annotations).toMatchObject({ note: 'hello' });
    expect(pod.spec.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['app=busybox:1.38', 'side=busybox:1.37']);
    expect(pod.spec.containers[0]!.env!.map((e) => e.name)).toEqual(['A']);
    const bad = await kubectl(['patch', 'pod', 'patched', '--type=json', '-p', '[{"op":"test","path":"/metadata/name","value":"other"}]']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('testing value /metadata/name failed');
    const invalid = await kubectl(['patch', 'pod', 'patched', '--type=merge', '-p', '{"spec":{"restartPolicy":"Sometimes"}}']);
    expect(invalid.stderr).toContain('spec.restartPolicy: Unsupported value: "Sometimes"');
    await ok(['delete', 'pod', 'patched', '--wait=false']);
  });

  it('pages lists with --chunk-size', async () => {
    for (let i = 0; i < 12; i++) await ok(['create', '-f', '-', '--validate=false'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `page-${String(i).padStart(2, '0')}`, labels: { batch: 'p' } } }));
    const names = (await ok(['get', 'cm', '-l', 'batch=p', '--chunk-size=5', '-o', 'name'])).trim().split('\n');
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `configmap/page-${String(i).padStart(2, '0')}`));
  });

  it('streams watch events to kubectl get -w', async () => {
    const child = spawn('kubectl', ['get', 'cm', '-w', '--output-watch-events'], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      const deadline = Date.now() + 15_000;
      while (!/ADDED\s+settings/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await ok(['create', '-f', '-', '--validate=false'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' } }));
      await ok(['delete', 'cm', 'watched']);
      while (!/DELETED\s+watched/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/^EVENT\s+NAME\s+DATA\s+AGE$/m);
      expect(out).toMatch(/^ADDED\s+watched\s+0\s+\S+$/m);
      expect(out).toMatch(/^DELETED\s+watched\s+0\s+\S+$/m);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('answers unknown paths and bad bodies with Status, and keeps serving', async () => {
    const raw = await kubectl(['get', '--raw', '/api/v1/nosuchthings']);
    expect(raw.code).toBe(1);
    const bad = await kubectl(['create', '-f', '-', '--validate=false'], '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":1}}');
    expect(bad.code).toBe(0); // upstream also stores what passes its (loose) checks; data typing is a later validation step
    expect(await ok(['get', '--raw', '/healthz'])).toBe('ok');
    expect(JSON.parse(await ok(['get', '--raw', '/version']))).toMatchObject({ major: '1', minor: '32' });
  });
});
