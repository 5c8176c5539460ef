// The kubelet server against a real containerd: a pod sandbox and busybox containers created over
// CRI as the kubelet does (labels, log directory), served through /containerLogs, /healthz, /pods,
// behind x509 client authentication with a throwaway CA.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import type { ContainerConfig, PodSandboxConfig } from '../src/cri/types.js';
import { WebSocket } from 'ws';
import { startKubeletServer, type KubeletServer } from '../src/server/index.js';
import { BUSYBOX_IMAGE, haveContainerd, startContainerd, type TestContainerd } from './support/containerd.js';

const pexec = promisify(execFile);
const log = pino({ level: 'silent' });

interface Reply { status: number; body: string; firstChunkMs: number; endMs: number }

describe.skipIf(!haveContainerd())('kubelet server on containerd', () => {
  let cd: TestContainerd;
  let srv: KubeletServer;
  let dir: string;
  let creds: { cert: Buffer; key: Buffer };
  const uid = randomUUID();
  const labels = { 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid };
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid },
    spec: { containers: [{ name: 'app', image: BUSYBOX_IMAGE }], hostNetwork: true },
  };
  let sandboxId = '';
  let sandboxConfig: PodSandboxConfig;

  const get = (path: string, o: { anonymous?: boolean } = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const t0 = Date.now();
      let firstChunkMs = -1;
      const auth = o.anonymous ? {} : creds;
      const req = request({ host: '127.0.0.1', port: srv.port, path, rejectUnauthorized: false, agent: false, ...auth }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => {
          if (firstChunkMs < 0) firstChunkMs = Date.now() - t0;
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), firstChunkMs, endMs: Date.now() - t0 }));
      });
      req.setTimeout(20_000, () => req.destroy(new Error(`timeout on ${path}`)));
      req.on('error', reject);
      req.end();
    });

  async function runContainer(attempt: number, script: string): Promise<string> {
    const config: ContainerConfig = {
      metadata: { name: 'app', attempt },
      image: { image: BUSYBOX_IMAGE },
      command: ['sh', '-c', script],
      logPath: `app/${attempt}.log`,
      labels: { ...labels, 'io.kubernetes.container.name': 'app' },
    };
    const id = await cd.cri.createContainer(sandboxId, config, sandboxConfig);
    await cd.cri.startContainer(id);
    return id;
  }

  async function waitExited(id: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      if ((await cd.cri.containerStatus(id)).state === 'CONTAINER_EXITED') return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`container ${id} did not exit`);
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-server-e2e-'));
    const f = (n: string) => join(dir, n);
    const ssl = (...args: string[]) => pexec('openssl', args);
    await ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-subj', '/CN=test-ca', '-days', '1');
    await ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('client.key'), '-out', f('client.csr'), '-subj', '/CN=kube-apiserver-kubelet-client');
    await ssl('x509', '-req', '-in', f('client.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('client.crt'), '-days', '1');
    creds = { cert: await readFile(f('client.crt')), key: await readFile(f('client.key')) };

    cd = await startContainerd('server', '10.201.12.0/24', 'ktsk-server');
    sandboxConfig = {
      metadata: { name: 'web', namespace: 'default', uid, attempt: 0 },
      hostname: '',
      logDirectory: join(dir, 'pods', `default_web_${uid}`),
      labels,
      linux: { securityContext: { namespaceOptions: { network: 'NODE' } } },
    };
    sandboxId = await cd.cri.runPodSandbox(sandboxConfig);
    srv = await startKubeletServer(
      { nodeName: 'node-e2e', runtime: cd.cri, getPodByName: (ns, n) => (ns === 'default' && n === 'web' ? pod : undefined), listPods: () => [pod], metricsRegistry: new Registry() },
      { address: '127.0.0.1', port: 0, certDir: f('pki'), clientCAFile: f('ca.crt'), logger: log },
    );
  }, 120_000);

  afterAll(async () => {
    await srv?.close();
    await cd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('requires a client certificate from the CA', async () => {
    expect(await get('/healthz', { anonymous: true })).toMatchObject({ status: 401, body: 'Unauthorized' });
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok' });
    const pods = JSON.parse((await get('/pods')).body) as { kind: string; items: Pod[] };
    expect(pods.kind).toBe('PodList');
    expect(pods.items.map((p) => p.metadata.uid)).toEqual([uid]);
  });

  it('follows a running container until it exits, then serves tail, timestamps and errors', async () => {
    const id = await runContainer(0, 'echo one; sleep 0.2; echo two >&2; sleep 1.5; echo three; sleep 1; echo four');
    const follow = await get('/containerLogs/default/web/app?follow=true');
    expect(follow.status).toBe(200);
    expect(follow.body).toBe('one\ntwo\nthree\nfour\n');
    // Streamed: the first lines came before the container finished, and the stream ended with it.
    expect(follow.firstChunkMs).toBeLessThan(1400);
    expect(follow.endMs).toBeGreaterThanOrEqual(2000);
    await waitExited(id);

    expect((await get('/containerLogs/default/web/app?tailLines=2')).body).toBe('three\nfour\n');
    const ts = (await get('/containerLogs/default/web/app?timestamps=true&tailLines=1')).body;
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(Z|[+-]\d\d:\d\d) four\n$/);
    expect((await get('/containerLogs/default/web/app?limitBytes=6')).body).toBe('one\ntw');
    // sinceTime after the last line: nothing.
    expect((await get(`/containerLogs/default/web/app?sinceTime=${new Date(Date.now() + 60_000).toISOString().replace(/\.\d+/, '')}`)).body).toBe('');
    expect(await get('/containerLogs/default/web/app?previous=true')).toMatchObject({
      status: 400,
      body: 'previous terminated container "app" in pod "web" not found',
    });
    expect(await get('/containerLogs/default/nope/app')).toMatchObject({ status: 404, body: 'pod "nope" does not exist' });
    expect(await get('/containerLogs/default/web/nope')).toMatchObject({ status: 404, body: 'container "nope" not found in pod "web"' });
    expect((await get('/exec/default/web/app?command=ls&output=1')).status).toBe(400);
    expect((await get('/nope')).status).toBe(404);
  });

  it('serves the previous instance once a second one runs', async () => {
    const id = await runContainer(1, 'echo second-instance; sleep 30');
    for (let i = 0; i < 50 && !(await get('/containerLogs/default/web/app')).body; i++) await new Promise((r) => setTimeout(r, 100));
    expect((await get('/containerLogs/default/web/app')).body).toBe('second-instance\n');
    expect((await get('/containerLogs/default/web/app?previous=true')).body).toBe('one\ntwo\nthree\nfour\n');

    // exec as kubectl 1.32 speaks it (WebSocket v5.channel.k8s.io), through the real streaming bridge.
    const ws = new WebSocket(`wss://127.0.0.1:${srv.port}/exec/default/web/app?command=sh&command=-c&command=echo+hi%3B+exit+3&output=1&error=1`, ['v5.channel.k8s.io'], {
      rejectUnauthorized: false,
      ...creds,
    });
    const frames: Buffer[] = [];
    ws.on('message', (d: Buffer) => frames.push(Buffer.from(d)));
    await new Promise<void>((resolve, reject) => {
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
    const channel = (n: number) => Buffer.concat(frames.filter((f) => f[0] === n).map((f) => f.subarray(1))).toString();
    expect(channel(1)).toBe('hi\n');
    expect(JSON.parse(channel(3))).toMatchObject({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] } });
    await cd.cri.stopContainer(id, 0);
  });
});
