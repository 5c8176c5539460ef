// A test cluster: one store (raftkv or a real etcd 3.4) and one or more kube-apiservers on it,
// a kubeconfig that trusts the generated CA, a kubectl runner with a fresh HOME, a raw HTTPS
// client that returns exactly what the server answered, and direct access to the store's etcd
// API (revision, compaction). Teardown kills only the processes this harness started.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RawClient } from '../../../raftkv/test/support/rawclient.js';
import { freePort, startServer, waitForPort, type RunningServer, type ServerKind } from '../../../raftkv/test/support/servers.js';

export { testKinds, type ServerKind } from '../../../raftkv/test/support/servers.js';

export const APISERVER_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface Run { code: number; stdout: string; stderr: string }

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** The raw body. */
  text: string;
  /** The body parsed as JSON when it is JSON, else undefined. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface RequestInit {
  method?: string;
  headers?: Record<string, string>;
  /** A string or Buffer is sent as is; anything else as JSON (Content-Type application/json unless set). */
  body?: unknown;
  /** Which apiserver (index into cluster.apiservers); default 0. */
  server?: number;
  timeoutMs?: number;
}

export interface ApiServerProc {
  port: number;
  url: string;
  child: ChildProcess;
  log(): string;
}

export interface Cluster {
  kind: ServerKind;
  store: RunningServer;
  apiservers: ApiServerProc[];
  dir: string;
  caFile: string;
  ca: Buffer;
  /** Kubeconfig pointing at apiservers[0] (kubeconfigFor(i) for the others). */
  kubeconfig: string;
  kubeconfigFor(i: number): string;
  /** kubectl with KUBECONFIG set and a fresh HOME (server = which apiserver). */
  kubectl(args: string[], input?: string, server?: number): Promise<Run>;
  /** kubectl that throws on a non-zero exit; returns stdout. */
  kubectlOk(args: string[], input?: string, server?: number): Promise<string>;
  /** One HTTPS request, answered with status, headers and body. */
  request(path: string, init?: RequestInit): Promise<HttpResult>;
  /** The store's current revision, read directly with its etcd API. */
  revision(): Promise<number>;
  /** Compacts the store at `rev` (default: the current revision). */
  compact(rev?: number): Promise<number>;
  /**
   * SIGTERM apiserver `i` (SIGKILL after `graceMs`), run `whileDown`, then start it again on the
   * same port. Resolves to whether it exited on SIGTERM alone.
   */
  restartApiServer(i: number, whileDown?: () => Promise<void>, graceMs?: number): Promise<boolean>;
  /** SIGTERM apiserver `i`; resolves to whether it exited within `graceMs` (then SIGKILLs it). */
  stopApiServer(i: number, graceMs?: number): Promise<boolean>;
  /** A keep-alive agent trusting the cluster CA (for clients that want their own). */
  agent: Agent;
  teardown(): Promise<void>;
}

export interface ClusterOptions {
  /** Number of kube-apiservers on the one store (default 1). */
  apiservers?: number;
  extraArgs?: string[];
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

async function startApiServer(storeEndpoint: string, certDir: string, extraArgs: string[], fixedPort?: number): Promise<ApiServerProc> {
  const port = fixedPort ?? (await freePort());
  let log = '';
  const child = spawn(process.execPath, [APISERVER_CLI, '--etcd-servers', storeEndpoint, '--secure-port', String(port),
    '--bind-address', '127.0.0.1', '--cert-dir', certDir, ...extraArgs], { stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (d: Buffer): void => { log += d.toString(); if (log.length > 400_000) log = log.slice(-200_000); };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  try {
    await waitForPort(port, child, () => log, 30_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  return { port, url: `https://127.0.0.1:${port}`, child, log: () => log };
}

function kubeconfigText(url: string, caFile: string): string {
  return [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- cluster: {server: "${url}", certificate-authority: "${caFile}"}`, '  name: local',
    'contexts:', '- context: {cluster: local, user: admin, namespace: default}', '  name: local',
    'current-context: local',
    'users:', '- name: admin', '  user: {token: e2e}',
  ].join('\n') + '\n';
}

export async function startCluster(kind: ServerKind, opts: ClusterOptions = {}): Promise<Cluster> {
  const store = await startServer(kind);
  const dir = mkdtempSync(join(tmpdir(), 'apiserver-cluster-'));
  const certDir = join(dir, 'certs');
  const started: ApiServerProc[] = [];
  let raw: RawClient | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const teardown = async (): Promise<void> => {
    agent.destroy();
    raw?.close();
    for (const a of started) if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGTERM');
    await Promise.all(started.map(async (a) => {
      const t = setTimeout(() => { if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL'); }, 5_000);
      await exited(a.child);
      clearTimeout(t);
    }));
    await store.destroy();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    // The first server generates the CA and serving cert; the others reuse them from --cert-dir.
    started.push(await startApiServer(store.endpoint, certDir, opts.extraArgs ?? []));
    for (let i = 1; i < (opts.apiservers ?? 1); i++) started.push(await startApiServer(store.endpoint, certDir, opts.extraArgs ?? []));
  } catch (e) {
    await teardown();
    throw e;
  }
  const caFile = join(certDir, 'apiserver-ca.crt');
  const ca = readFileSync(caFile);
  const kubeconfigs = started.map((a, i) => {
    const f = join(dir, `kubeconfig-${i}`);
    writeFileSync(f, kubeconfigText(a.url, caFile));
    return f;
  });
  const home = join(dir, 'home');
  const kubectl = (args: string[], input?: string, server = 0): Promise<Run> => new Promise((res) => {
    const env = { ...process.env, KUBECONFIG: kubeconfigs[server]!, HOME: home };
    const c = execFile('kubectl', args, { env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    c.stdin?.end(input ?? '');
  });
  const kubectlOk = async (args: string[], input?: string, server = 0): Promise<string> => {
    const r = await kubectl(args, input, server);
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
    return r.stdout;
  };
  const request = (path: string, init: RequestInit = {}): Promise<HttpResult> => new Promise((res, rej) => {
    const a = started[init.server ?? 0]!;
    const headers: Record<string, string> = { Accept: 'application/json', ...(init.headers ?? {}) };
    let payload: Buffer | undefined;
    if (init.body !== undefined) {
      if (typeof init.body === 'string') payload = Buffer.from(init.body);
      else if (Buffer.isBuffer(init.body)) payload = init.body;
      else payload = Buffer.from(JSON.stringify(init.body));
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const o: RequestOptions = { host: '127.0.0.1', port: a.port, path, method: init.method ?? 'GET', headers, ca, agent, timeout: init.timeoutMs ?? 30_000 };
    const req = httpsRequest(o, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown;
        try { body = JSON.parse(text); } catch { body = undefined; }
        res({ status: r.statusCode ?? 0, headers: r.headers, text, body });
      });
      r.on('error', rej);
    });
    req.on('timeout', () => req.destroy(new Error(`request ${o.method} ${path} timed out`)));
    req.on('error', rej);
    req.end(payload);
  });
  raw = new RawClient(`127.0.0.1:${store.clientPort}`);
  const revision = async (): Promise<number> => {
    const r = await raw!.call<{ header: { revision: string } }>('etcdserverpb.KV', 'Range', { key: Buffer.from('/registry/health').toString('base64') });
    if (!r.ok) throw new Error(`etcd Range failed: ${r.details}`);
    return Number(r.value.header.revision);
  };
  const compact = async (rev?: number): Promise<number> => {
    const at = rev ?? (await revision());
    const r = await raw!.call('etcdserverpb.KV', 'Compact', { revision: at, physical: true });
    if (!r.ok) throw new Error(`etcd Compact failed: ${r.details}`);
    return at;
  };
  const stopApiServer = async (i: number, graceMs = 10_000): Promise<boolean> => {
    const a = started[i]!;
    if (a.child.exitCode !== null || a.child.signalCode !== null) return true;
    a.child.kill('SIGTERM');
    const graceful = await Promise.race([exited(a.child).then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), graceMs))]);
    if (!graceful) { a.child.kill('SIGKILL'); await exited(a.child); }
    return graceful;
  };
  const restartApiServer = async (i: number, whileDown?: () => Promise<void>, graceMs?: number): Promise<boolean> => {
    const old = started[i]!;
    const graceful = await stopApiServer(i, graceMs);
    await whileDown?.();
    started[i] = await startApiServer(store.endpoint, certDir, opts.extraArgs ?? [], old.port);
    return graceful;
  };
  return {
    kind, store, apiservers: started, restartApiServer, stopApiServer, dir, caFile, ca, kubeconfig: kubeconfigs[0]!, kubeconfigFor: (i) => kubeconfigs[i]!,
    kubectl, kubectlOk, request, revision, compact, agent, teardown,
  };
}

/** Polls `cond` until it holds (a wait, not an assertion: the caller asserts afterwards). */
export async function waitUntil(cond: () => boolean | Promise<boolean>, timeoutMs = 20_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
