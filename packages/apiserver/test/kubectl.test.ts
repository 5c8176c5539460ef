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

  const kubectl = (args: string[], input?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => new Promise((res) => {
    const c = execFile('kubectl', args, { env: { ...env, ...extraEnv }, timeout: 30_000 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    c.stdin?.end(input ?? '');
  });
  const ok = async (args: string[], input?: string, extraEnv?: NodeJS.ProcessEnv): Promise<string> => {
    const r = await kubectl(args, input, extraEnv);
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
    expect(await ok(['create', '-f', '-'], cm)).toBe('configmap/settings created\n');
    expect(await ok(['get', 'configmaps'])).toMatch(/^settings\s+2\s+\S+$/m);
    const dup = await kubectl(['create', '-f', '-'], cm);
    expect(dup.stderr).toContain('Error from server (AlreadyExists): error when creating "STDIN": configmaps "settings" already exists');
    const bad = await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }));
    expect(bad.stderr).toContain('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain');
    const noNs = await kubectl(['create', '-f', '-', '-n', 'nope'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }));
    expect(noNs.stderr).toContain('namespaces "nope" not found');
    const invalidPod = await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c' }], restartPolicy: 'Sometimes' } }));
    // kubectl lists each cause of a multi-cause Invalid error on its own line.
    expect(invalidPod.stderr).toContain('The Pod "p" is invalid: \n* spec.containers[0].image: Required value\n* spec.restartPolicy: Unsupported value: "Sometimes"');
    const yaml = await ok(['get', 'cm', 'settings', '-o', 'yaml']);
    expect(yaml).toMatch(/^apiVersion: v1\ndata:\n  a: "1"\n  b: "2"\nkind: ConfigMap\nmetadata:\n/);
  });

  it('patches: label, annotate, and merge / json / strategic patches', async () => {
    await ok(['create', '-f', '-'], JSON.stringify({
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
    const docs = Array.from({ length: 20 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: page-${String(i).padStart(2, '0')}, labels: {batch: p}}`);
    await ok(['create', '-f', '-'], docs.join('\n---\n'));
    const names = (await ok(['get', 'cm', '-l', 'batch=p', '--chunk-size=1', '-o', 'name'])).trim().split('\n');
    expect(names).toEqual(Array.from({ length: 20 }, (_, i) => `configmap/page-${String(i).padStart(2, '0')}`));
    const table = (await ok(['get', 'cm', '-l', 'batch=p', '--chunk-size=3'])).trim().split('\n');
    expect(table).toHaveLength(21);
    expect(table[0]).toMatch(/^NAME\s+DATA\s+AGE$/);
  });

  it('streams watch events to kubectl get -w', async () => {
    const child = spawn('kubectl', ['get', 'cm', '-w', '--output-watch-events'], { env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      const deadline = Date.now() + 15_000;
      while (!/ADDED\s+settings/.test(out) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'watched' } }));
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
    const bad = await kubectl(['create', '-f', '-'], '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"},"data":{"a":1}}');
    expect(bad.stderr).toContain('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    expect(await ok(['get', '--raw', '/healthz'])).toBe('ok');
    expect(JSON.parse(await ok(['get', '--raw', '/version']))).toMatchObject({ major: '1', minor: '32' });
  });

  const deployment = (replicas: number, image = 'nginx:1.27'): string => [
    'apiVersion: apps/v1', 'kind: Deployment', 'metadata:', '  name: web', '  labels: {app: web}', 'spec:',
    `  replicas: ${replicas}`, '  selector:', '    matchLabels: {app: web}', '  template:', '    metadata:', '      labels: {app: web}',
    '    spec:', '      containers:', '      - name: nginx', `        image: ${image}`, '        ports:', '        - containerPort: 80', '',
  ].join('\n');
  type Managed = { manager: string; operation: string; subresource?: string };

  it('applies client-side and server-side: create, unchanged re-apply, conflicts and --force-conflicts', async () => {
    expect(await ok(['apply', '-f', '-'], deployment(2))).toBe('deployment.apps/web created\n');
    expect(await ok(['apply', '-f', '-'], deployment(2))).toBe('deployment.apps/web unchanged\n');
    expect(await ok(['apply', '-f', '-'], deployment(2, 'nginx:1.28'))).toBe('deployment.apps/web configured\n');
    expect(await ok(['scale', 'deployment', 'web', '--replicas=5'])).toBe('deployment.apps/web scaled\n');
    const scaled = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json', '--show-managed-fields'])) as { metadata: { generation: number; managedFields: Managed[] }; spec: { replicas: number; template: { spec: { containers: Array<{ image: string; ports: Array<{ protocol: string }> }> } } } };
    expect(scaled.spec.replicas).toBe(5);
    expect(scaled.metadata.generation).toBe(3);
    expect(scaled.spec.template.spec.containers[0]).toMatchObject({ image: 'nginx:1.28', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    expect(scaled.metadata.managedFields.map((m) => `${m.manager}/${m.operation}${m.subresource ? `/${m.subresource}` : ''}`).sort())
      .toEqual(['kubectl-client-side-apply/Update', 'kubectl/Update/scale']); // kubectl scale sends no fieldManager: the user agent names it
    // Server-side apply of replicas: 2 conflicts with the manager that scaled.
    const conflict = await kubectl(['apply', '--server-side', '-f', '-'], deployment(2, 'nginx:1.28'));
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
    expect(await ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], deployment(2, 'nginx:1.28'))).toBe('deployment.apps/web serverside-applied\n');
    const applied = JSON.parse(await ok(['get', 'deploy', 'web', '-o', 'json', '--show-managed-fields'])) as { metadata: { managedFields: Managed[] }; spec: { replicas: number } };
    expect(applied.spec.replicas).toBe(2);
    expect(applied.metadata.managedFields.find((m) => m.manager === 'kubectl')?.operation).toBe('Apply');
    // A server-side apply creates objects too.
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa}\ndata: {k: v}\n';
    expect(await ok(['apply', '--server-side', '-f', '-'], cm)).toBe('configmap/ssa serverside-applied\n');
    expect(await ok(['get', 'cm', 'ssa', '-o', 'jsonpath={.data.k}'])).toBe('v');
  });

  it('edits with a scripted editor, diffs, dry-runs on the server, describes and explains', async () => {
    const editor = join(dir, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/image: nginx:1.28/image: nginx:1.29/" "$1"\n', { mode: 0o755 });
    expect(await ok(['edit', 'deployment', 'web'], undefined, { KUBE_EDITOR: editor })).toBe('deployment.apps/web edited\n');
    expect(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}'])).toBe('nginx:1.29');
    const diff = await kubectl(['diff', '-f', '-'], deployment(4, 'nginx:1.29'));
    expect(diff.code).toBe(1); // differences found
    expect(diff.stdout).toMatch(/^-\s+replicas: 2$/m);
    expect(diff.stdout).toMatch(/^\+\s+replicas: 4$/m);
    expect(await ok(['scale', 'deploy', 'web', '--replicas=3', '--dry-run=server'])).toBe('deployment.apps/web scaled (server dry run)\n');
    expect(await ok(['create', 'configmap', 'dry', '--from-literal=a=b', '--dry-run=server', '-o', 'jsonpath={.metadata.uid}'])).toMatch(/^[0-9a-f-]{36}$/);
    expect((await kubectl(['get', 'cm', 'dry'])).stderr).toContain('configmaps "dry" not found');
    expect(await ok(['get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}'])).toBe('2');
    const wide = (await ok(['get', 'deploy', '-o', 'wide'])).split('\n');
    expect(wide[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);
    expect(wide[1]).toMatch(/^web\s+0\/2\s+0\s+0\s+\S+\s+nginx\s+nginx:1\.29\s+app=web$/);
    const described = await ok(['describe', 'deployment', 'web']);
    expect(described).toMatch(/^Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
    expect(described).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    const explained = await ok(['explain', 'deployment.spec.strategy']);
    expect(explained).toMatch(/^GROUP:\s+apps$/m);
    expect(explained).toMatch(/^FIELD: strategy <DeploymentStrategy>$/m);
    expect(explained).toMatch(/^\s+rollingUpdate\s+<RollingUpdateDeployment>$/m);
    expect(await ok(['explain', 'pods.spec.containers.ports.containerPort'])).toMatch(/FIELD: containerPort <integer>/);
    expect(await ok(['explain', 'configmaps', '--recursive'])).toMatch(/^\s+binaryData\s+<map\[string\]string>$/m);
  });

  it('creates with the protobuf generators, reviews access and issues service account tokens', async () => {
    expect(await ok(['create', 'namespace', 'team'])).toBe('namespace/team created\n');
    expect(await ok(['create', 'configmap', 'gen', '-n', 'team', '--from-literal=a=1', '--from-literal=b=2'])).toBe('configmap/gen created\n');
    expect(await ok(['get', 'cm', 'gen', '-n', 'team', '-o', 'jsonpath={.data}'])).toBe('{"a":"1","b":"2"}');
    expect(await ok(['create', 'secret', 'generic', 'pw', '-n', 'team', '--from-literal=p=s3cret'])).toBe('secret/pw created\n');
    expect(Buffer.from(await ok(['get', 'secret', 'pw', '-n', 'team', '-o', 'jsonpath={.data.p}']), 'base64').toString()).toBe('s3cret');
    expect(await ok(['create', 'deployment', 'gen', '-n', 'team', '--image=busybox:1.36', '--replicas=3'])).toBe('deployment.apps/gen created\n');
    expect(await ok(['get', 'deploy', 'gen', '-n', 'team', '-o', 'jsonpath={.spec.replicas} {.spec.selector.matchLabels.app}'])).toBe('3 gen');
    expect(await ok(['create', 'serviceaccount', 'robot', '-n', 'team'])).toBe('serviceaccount/robot created\n');
    const token = (await ok(['create', 'token', 'robot', '-n', 'team'])).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { sub: string; exp: number; iat: number };
    expect(claims.sub).toBe('system:serviceaccount:team:robot');
    expect(claims.exp - claims.iat).toBe(3600);
    expect(await ok(['auth', 'can-i', 'create', 'pods'])).toBe('yes\n');
    expect(await ok(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).toBe('system:anonymous');
  });

  it('allocates service cluster IPs and node ports, and releases them on delete', async () => {
    expect(await ok(['get', 'svc', 'kubernetes', '-o', 'jsonpath={.spec.clusterIP}'])).toBe('10.0.0.1');
    await ok(['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080']);
    const svc = JSON.parse(await ok(['get', 'svc', 'np', '-o', 'json'])) as { spec: { clusterIP: string; ports: Array<{ nodePort: number }> } };
    expect(svc.spec.clusterIP).toMatch(/^10\.0\.0\.\d+$/);
    expect(svc.spec.clusterIP).not.toBe('10.0.0.1');
    expect(svc.spec.ports[0]!.nodePort).toBe(30080);
    const taken = await kubectl(['create', 'service', 'nodeport', 'np2', '--tcp=80:8080', '--node-port=30080']);
    expect(taken.stderr).toContain('spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
    await ok(['delete', 'svc', 'np']);
    expect(await ok(['create', 'service', 'nodeport', 'np2', '--tcp=80:8080', '--node-port=30080'])).toBe('service/np2 created\n');
  });

  it('keeps objects with finalizers until the last finalizer is removed', async () => {
    await ok(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } }));
    expect(await ok(['delete', 'cm', 'held', '--wait=false'])).toBe('configmap "held" deleted\n');
    expect(await ok(['get', 'cm', 'held', '-o', 'jsonpath={.metadata.deletionTimestamp}'])).toMatch(/^\d{4}-\d\d-\d\dT/);
    await ok(['patch', 'cm', 'held', '--type=merge', '-p', '{"metadata":{"finalizers":null}}']);
    expect((await kubectl(['get', 'cm', 'held'])).stderr).toContain('configmaps "held" not found');
  });

  it('serves the other API groups through kubectl generators (RBAC names with colons, priority classes, cronjobs, ingresses, PDBs)', async () => {
    expect(await ok(['create', 'clusterrole', 'system:reader', '--verb=get,list', '--resource=pods'])).toBe('clusterrole.rbac.authorization.k8s.io/system:reader created\n');
    expect(await ok(['create', 'clusterrolebinding', 'system:reader', '--clusterrole=system:reader', '--user=alice'])).toBe('clusterrolebinding.rbac.authorization.k8s.io/system:reader created\n');
    expect(await ok(['get', 'clusterrolebinding', 'system:reader'])).toMatch(/^system:reader\s+ClusterRole\/system:reader\s+\S+$/m);
    expect(await ok(['get', 'priorityclasses', '-o', 'name'])).toContain('priorityclass.scheduling.k8s.io/system-node-critical');
    await ok(['create', 'cronjob', 'tick', '--image=busybox:1.36', '--schedule=*/5 * * * *']);
    expect(await ok(['get', 'cronjob', 'tick'])).toMatch(/^tick\s+\*\/5 \* \* \* \*\s+<none>\s+False\s+0\s+<none>\s+\S+$/m);
    const badCron = await kubectl(['create', 'cronjob', 'bad', '--image=busybox:1.36', '--schedule=not a schedule']);
    expect(badCron.stderr).toContain('spec.schedule');
    await ok(['create', 'ingress', 'ing', '--rule=foo.com/=svc:80']);
    expect(await ok(['get', 'ingress', 'ing'])).toMatch(/^ing\s+<none>\s+foo\.com\s+80\s+\S+$/m);
    await ok(['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=1']);
    expect(await ok(['get', 'pdb', 'pdb'])).toMatch(/^pdb\s+1\s+N\/A\s+0\s+\S+$/m);
  });
});
