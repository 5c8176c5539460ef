// Drives the real etcdctl (v3 API) against a server under test.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import type { ClientTlsFiles } from './e2e.js';

export interface EtcdctlResult {
  /** Exit code; -1 when killed by a signal (e.g. the timeout). */
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to stdin (then closed). */
  input?: string;
  /** Hard limit for the etcdctl process; it is killed when exceeded. */
  timeoutMs?: number;
}

/** The environment etcdctl runs with: no inherited ETCDCTL_* settings, API v3. */
function etcdctlEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('ETCDCTL_')) env[k] = v;
  env.ETCDCTL_API = '3';
  return env;
}

/**
 * JSON.parse for etcdctl's `-w json` output. cluster_id, member_id, leader and lease ids are
 * uint64 printed as bare JSON numbers, which lose precision as JS numbers; every integer of 16+
 * digits is turned into a decimal string first.
 */
export function parseEtcdJson<T>(text: string): T {
  return JSON.parse(text.replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"')) as T;
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const unb64 = (s: string): string => Buffer.from(s, 'base64').toString('utf8');

/** Lease ids: etcdctl prints hex in simple output, decimal in JSON. */
export const leaseHexToDec = (hex: string): string => BigInt(`0x${hex}`).toString(10);

// Shapes of the `-w json` output etcdctl 3.4 prints (only the fields the suites read).
export interface JsonHeader {
  cluster_id: string;
  member_id: string;
  revision?: number;
  raft_term: number;
}
export interface JsonKv {
  key: string;
  create_revision: number;
  mod_revision: number;
  version: number;
  value?: string;
  lease?: string | number;
}
export interface JsonRange {
  header: JsonHeader;
  kvs?: JsonKv[];
  more?: boolean;
  count?: number;
}

export class EtcdctlError extends Error {
  constructor(args: readonly string[], readonly result: EtcdctlResult) {
    super(`etcdctl ${args.join(' ')} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

export class Etcdctl {
  constructor(readonly endpoint: string, readonly tls?: ClientTlsFiles) {}

  /** Global flags: endpoint and TLS files. Per-command flags may override timeouts. */
  globalArgs(): string[] {
    const args = [`--endpoints=${this.endpoint}`, '--dial-timeout=5s', '--command-timeout=10s'];
    if (this.tls) {
      args.push(`--cacert=${this.tls.caFile}`);
      if (this.tls.certFile) args.push(`--cert=${this.tls.certFile}`);
      if (this.tls.keyFile) args.push(`--key=${this.tls.keyFile}`);
    }
    return args;
  }

  /** Runs etcdctl to completion; never throws for a non-zero exit. */
  run(args: readonly string[], opts: RunOptions = {}): Promise<EtcdctlResult> {
    return new Promise((resolve, reject) => {
      const child = execFile('etcdctl', [...this.globalArgs(), ...args], {
        env: etcdctlEnv(),
        timeout: opts.timeoutMs ?? 20_000,
        killSignal: 'SIGKILL',
        maxBuffer: 16 * 1024 * 1024,
        encoding: 'utf8',
      }, (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number' && err.code !== undefined && err.code !== null) {
          // spawn failure (ENOENT etc.), not an exit status
          reject(err);
          return;
        }
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      });
      if (child.stdin) {
        child.stdin.on('error', () => { /* etcdctl may exit before reading everything */ });
        child.stdin.end(opts.input ?? '');
      }
    });
  }

  /** Runs etcdctl and returns stdout; throws (with both streams) on a non-zero exit. */
  async ok(args: readonly string[], opts: RunOptions = {}): Promise<string> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new EtcdctlError(args, r);
    return r.stdout;
  }

  /** `etcdctl -w json <args>` parsed with uint64-safe parsing. */
  async json<T>(args: readonly string[], opts: RunOptions = {}): Promise<T> {
    return parseEtcdJson<T>(await this.ok(['-w', 'json', ...args], opts));
  }

  /** Runs etcdctl expecting failure; throws if it succeeded. */
  async fail(args: readonly string[], opts: RunOptions = {}): Promise<EtcdctlResult> {
    const r = await this.run(args, opts);
    if (r.code === 0) throw new EtcdctlError(args, r);
    return r;
  }

  /** The store revision right now (header.revision of a range over a key nobody writes). */
  async revision(): Promise<number> {
    const r = await this.json<JsonRange>(['get', '__e2e_revision_probe']);
    if (r.header.revision === undefined) throw new Error('range response without header.revision');
    return r.header.revision;
  }

  /** Starts a long-running etcdctl (e.g. `watch`) that streams output until stopped. */
  spawn(args: readonly string[]): EtcdctlProcess {
    return new EtcdctlProcess(spawn('etcdctl', [...this.globalArgs(), ...args], { env: etcdctlEnv(), stdio: ['pipe', 'pipe', 'pipe'] }), args);
  }
}

/** A streaming etcdctl process (watch). Always stop() it, e.g. in a finally block. */
export class EtcdctlProcess {
  private out = '';
  private err = '';
  private readonly exit: Promise<number | null>;

  constructor(private readonly child: ChildProcess, private readonly args: readonly string[]) {
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    child.stdout?.on('data', (d: string) => { this.out += d; });
    child.stderr?.on('data', (d: string) => { this.err += d; });
    this.exit = new Promise((res) => {
      if (child.exitCode !== null || child.signalCode !== null) res(child.exitCode);
      else child.once('close', (code) => res(code));
    });
  }

  get pid(): number | undefined { return this.child.pid; }
  get stdout(): string { return this.out; }
  get stderr(): string { return this.err; }
  get running(): boolean { return this.child.exitCode === null && this.child.signalCode === null; }

  /** Waits until stdout satisfies `pred` (or the process exits / times out). */
  async waitForStdout(pred: (stdout: string) => boolean, timeoutMs = 15_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (!pred(this.out)) {
      if (!this.running) throw new Error(`etcdctl ${this.args.join(' ')} exited early (${this.child.exitCode})\nstdout: ${this.out}\nstderr: ${this.err}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for etcdctl ${this.args.join(' ')} output\nstdout: ${this.out}\nstderr: ${this.err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return this.out;
  }

  /** Exit code once the process ends on its own. */
  exited(timeoutMs = 15_000): Promise<number | null> {
    return Promise.race([
      this.exit,
      new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`etcdctl ${this.args.join(' ')} did not exit\nstdout: ${this.out}\nstderr: ${this.err}`)), timeoutMs).unref()),
    ]);
  }

  /** Kills this process (by its own handle, i.e. its PID) and waits for it to go away. */
  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exit;
  }
}

/**
 * Splits etcdctl's simple watch output into events: a `PUT` / `DELETE` line followed by key and
 * value lines (with --prev-kv: prev key, prev value, key, value). Values must not themselves be
 * `PUT` or `DELETE`. A trailing event may still be incomplete while the watch is streaming.
 */
export interface WatchLineEvent {
  type: 'PUT' | 'DELETE';
  lines: string[];
}
export function parseWatchOutput(stdout: string): WatchLineEvent[] {
  const events: WatchLineEvent[] = [];
  const lines = stdout.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const line of lines) {
    if (line === 'PUT' || line === 'DELETE') events.push({ type: line, lines: [] });
    else if (events.length > 0) events[events.length - 1]!.lines.push(line);
  }
  return events;
}
