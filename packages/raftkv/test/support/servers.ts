// Launches a real etcd 3.4 or a raftkv process with the same etcd-style flags, so every
// compatibility test and benchmark can run the same scenario against both.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export type ServerKind = 'etcd' | 'raftkv';

export const RAFTKV_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface TlsFiles {
  certFile: string;
  keyFile: string;
  /** When set, the server requires client certificates signed by this CA (--client-cert-auth). */
  trustedCaFile?: string;
}

export interface StartOptions {
  /** Reuse an existing data dir (restart after a crash); a fresh temp dir otherwise. */
  dataDir?: string;
  tls?: TlsFiles;
  /** Extra command-line flags. */
  extraArgs?: string[];
  /** Fixed client port (restarts keep the port so clients can reconnect). */
  clientPort?: number;
}

export interface RunningServer {
  kind: ServerKind;
  /** http(s)://127.0.0.1:port */
  endpoint: string;
  clientPort: number;
  dataDir: string;
  pid: number;
  /** stdout+stderr of the process so far (for failure messages). */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit. */
  kill9(): Promise<void>;
  /** Stop (if running), then start again on the same data dir and port. */
  restart(): Promise<RunningServer>;
  /** Stop and remove the data dir (when this harness created it). */
  destroy(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      if (addr === null || typeof addr === 'string') return rej(new Error('no port'));
      s.close(() => res(addr.port));
    });
  });
}

export function waitForPort(port: number, child: ChildProcess, out: () => string, timeoutMs = 15000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((res, rej) => {
    const attempt = (): void => {
      if (child.exitCode !== null || child.signalCode !== null) {
        return rej(new Error(`server exited (${child.exitCode ?? child.signalCode}) before listening:\n${out()}`));
      }
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => { sock.destroy(); res(); });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) return rej(new Error(`timeout waiting for port ${port}:\n${out()}`));
        setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

/** A component process the tests started (kube-scheduler, kube-controller-manager...). */
export interface Daemon {
  child: ChildProcess;
  /** Its stdout and stderr so far (the last ~2 MB of a long run). */
  log(): string;
  /** SIGKILL: no lease release, no flush. */
  kill(): Promise<void>;
  /** SIGTERM, SIGKILL after 8 s, and wait. */
  stop(): Promise<void>;
}

/** Runs `node <argv>` and resolves once it listens on `port` (only this process is ever signalled). */
export async function spawnDaemon(argv: string[], port: number, timeoutMs = 30_000): Promise<Daemon> {
  let log = '';
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (d: Buffer): void => { log += d.toString(); if (log.length > 4_000_000) log = log.slice(-2_000_000); };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  await waitForPort(port, child, () => log, timeoutMs);
  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  return {
    child, log: () => log,
    kill: async () => { if (running()) child.kill('SIGKILL'); await exited(child); },
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited(child);
      clearTimeout(t);
    },
  };
}

/** Waits until a read is answered (etcd accepts connections before it has a leader). */
async function waitServing(port: number, tls: boolean, deadline: number): Promise<void> {
  if (tls) return; // mTLS servers need client certs; their tests wait with etcdctl
  const { RawClient } = await import('./rawclient.js');
  const c = new RawClient(`127.0.0.1:${port}`);
  try {
    for (;;) {
      const r = await c.call('etcdserverpb.KV', 'Range', { key: Buffer.from('health').toString('base64') });
      if (r.ok) return;
      if (Date.now() > deadline) throw new Error(`server on ${port} not serving reads: ${r.details}`);
      await new Promise((res) => setTimeout(res, 50));
    }
  } finally {
    c.close();
  }
}

export async function startServer(kind: ServerKind, opts: StartOptions = {}, ownsDataDir?: boolean): Promise<RunningServer> {
  // A restarted server owns the data dir when the first one did.
  const ownDir = ownsDataDir ?? opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), `${kind}-test-`));
  const clientPort = opts.clientPort ?? (await freePort());
  const peerPort = await freePort();
  const scheme = opts.tls ? 'https' : 'http';
  const endpoint = `${scheme}://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const args = [
    '--name', 'default',
    '--data-dir', dataDir,
    '--listen-client-urls', endpoint,
    '--advertise-client-urls', endpoint,
    '--listen-peer-urls', peerUrl,
    '--initial-advertise-peer-urls', peerUrl,
    '--initial-cluster', `default=${peerUrl}`,
  ];
  if (opts.tls) {
    args.push('--cert-file', opts.tls.certFile, '--key-file', opts.tls.keyFile);
    if (opts.tls.trustedCaFile) args.push('--trusted-ca-file', opts.tls.trustedCaFile, '--client-cert-auth');
  }
  args.push(...(opts.extraArgs ?? []));
  const [cmd, argv] = kind === 'etcd' ? ['etcd', args] : [process.execPath, [RAFTKV_CLI, ...args]];
  let buf = '';
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ETCD_UNSUPPORTED_ARCH: '' } });
  const onData = (d: Buffer): void => { buf += d.toString(); if (buf.length > 200_000) buf = buf.slice(-100_000); };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const output = (): string => buf;
  try {
    await waitForPort(clientPort, child, output);
    await waitServing(clientPort, opts.tls !== undefined, Date.now() + 15_000);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const pid = child.pid ?? -1;
  const server: RunningServer = {
    kind, endpoint, clientPort, dataDir, pid, output,
    async stop() { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); await exited(child); },
    async kill9() { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await exited(child); },
    async restart() {
      await server.stop();
      return startServer(kind, { ...opts, dataDir, clientPort }, ownDir);
    },
    async destroy() {
      await server.kill9();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Kinds the compatibility suites run against: both by default, RAFTKV_TEST_KINDS=raftkv to narrow. */
export function testKinds(): ServerKind[] {
  const env = process.env.RAFTKV_TEST_KINDS;
  if (env) return env.split(',').map((s) => s.trim()).filter((s): s is ServerKind => s === 'etcd' || s === 'raftkv');
  return ['raftkv', 'etcd'];
}

