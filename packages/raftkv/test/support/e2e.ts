// Shared helpers for the end-to-end compatibility suites (test/e2e): polling, per-test key
// namespaces and a server handle that survives restarts and always cleans up after itself.
import { rmSync } from 'node:fs';
import { Etcdctl } from './etcdctl.js';
import { startServer, type RunningServer, type ServerKind, type StartOptions } from './servers.js';

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error. */
  what?: string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((res) => setTimeout(res, ms));
}

/**
 * Calls `probe` until it returns something other than undefined (or stops throwing) and returns
 * that value. The last error / a description is reported on timeout.
 */
export async function pollUntil<T>(probe: () => T | undefined | Promise<T | undefined>, opts: PollOptions = {}): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
      lastError = undefined;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? `: ${lastError.message}` : lastError === undefined ? '' : `: ${String(lastError)}`;
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${opts.what ?? 'condition'}${why}`);
    }
    await sleep(intervalMs);
  }
}

let keySeq = 0;
/** A key prefix unique to one test (and one process), e.g. `e2e/etcdctl/put-get-3f2a1/`. */
export function testPrefix(suite: string, name: string): string {
  keySeq += 1;
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `e2e/${suite}/${slug}-${process.pid.toString(36)}${keySeq.toString(36)}/`;
}

export interface ClientTlsFiles {
  caFile: string;
  certFile?: string;
  keyFile?: string;
}

/**
 * Owns one server across restarts. `RunningServer.restart()` hands back a new RunningServer whose
 * destroy() no longer removes the (harness-created) data dir, so this handle remembers the dir and
 * removes it itself.
 */
export class ServerHandle {
  private current: RunningServer;
  private readonly ownsDataDir: boolean;

  private constructor(server: RunningServer, ownsDataDir: boolean, private readonly clientTls: ClientTlsFiles | undefined) {
    this.current = server;
    this.ownsDataDir = ownsDataDir;
  }

  /** Starts a server and waits until it answers a linearizable read (a leader exists). */
  static async start(kind: ServerKind, opts: StartOptions = {}, clientTls?: ClientTlsFiles): Promise<ServerHandle> {
    const server = await startServer(kind, opts);
    const handle = new ServerHandle(server, opts.dataDir === undefined, clientTls);
    try {
      await handle.waitServing();
    } catch (e) {
      await handle.destroy();
      throw e;
    }
    return handle;
  }

  get server(): RunningServer { return this.current; }
  get kind(): ServerKind { return this.current.kind; }
  get endpoint(): string { return this.current.endpoint; }

  /** An etcdctl bound to this server's endpoint (and client TLS files, when given). */
  etcdctl(): Etcdctl {
    return new Etcdctl(this.current.endpoint, this.clientTls);
  }

  async waitServing(timeoutMs = 30_000): Promise<void> {
    const ctl = this.etcdctl();
    await pollUntil(async () => {
      const r = await ctl.run(['get', '__e2e_readiness_probe', '--command-timeout=2s'], { timeoutMs: 5_000 });
      return r.code === 0 ? true : undefined;
    }, { timeoutMs, intervalMs: 200, what: `${this.current.kind} at ${this.current.endpoint} to serve requests` })
      .catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}\nserver output:\n${this.current.output().slice(-4000)}`);
      });
  }

  /** Graceful stop + start on the same data dir and port, then wait until it serves again. */
  async restart(): Promise<void> {
    this.current = await this.current.restart();
    await this.waitServing();
  }

  async destroy(): Promise<void> {
    const dataDir = this.current.dataDir;
    await this.current.destroy();
    if (this.ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
  }
}
