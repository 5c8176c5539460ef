// What a "Hard Way" user has at hand: the built binaries started one by one as plain processes
// with their upstream flags, kubeconfig files written by hand, and the real kubectl and etcdctl.
// Every process is signalled by its own PID only; the tests decide when to kill or restart.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitForPort } from '../../packages/raftkv/test/support/servers.js';

export { freePort } from '../../packages/raftkv/test/support/servers.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = (pkg: string): string => resolve(REPO, 'packages', pkg, 'dist/cli.js');

/** The binaries, as `node <path>` runs them. */
export const BIN = {
  etcd: cli('raftkv'),
  kubeApiserver: cli('apiserver'),
  kubeScheduler: cli('scheduler'),
  kubeControllerManager: cli('controller-manager'),
  kubelet: cli('kubelet'),
} as const;

export interface Run { code: number; stdout: string; stderr: string }

/** True when this machine can run the workshop: root, containerd/runc/ctr, etcdctl, kubectl, built binaries. */
export function haveWorkshopTools(): boolean {
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  const tools = ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/bin/etcdctl', '/usr/bin/kubectl'].every((p) => existsSync(p));
  const runc = ['/usr/sbin/runc', '/usr/bin/runc'].some((p) => existsSync(p));
  return root && tools && runc && Object.values(BIN).every((p) => existsSync(p));
}

/** A component started by hand: one OS process, restartable with the same command line. */
export interface Component {
  name: string;
  argv: string[];
  /** Port it serves on (waited for at start). */
  port: number;
  child: ChildProcess;
  pid: number;
  running(): boolean;
  /** stdout+stderr of the current process (the tail of a long run). */
  log(): string;
  /** kill -9 <pid> and wait until it is gone. */
  kill9(): Promise<void>;
  /** kill <pid> (SIGTERM), SIGKILL after 8 s, and wait. */
  stop(): Promise<void>;
  /** Starts the same command line again (same flags, ports, data) after it is gone. */
  restart(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => child.once('exit', () => res()));
}

/** `node <bin> <args...>`, resolved once the process listens on `port`. */
export async function startComponent(name: string, bin: string, args: string[], port: number, timeoutMs = 60_000): Promise<Component> {
  const argv = [bin, ...args];
  let logText = '';
  const launch = async (): Promise<ChildProcess> => {
    logText = '';
    const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (d: Buffer): void => {
      logText += d.toString();
      if (logText.length > 2_000_000) logText = logText.slice(-1_000_000);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    try {
      await waitForPort(port, child, () => logText, timeoutMs);
    } catch (e) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      throw new Error(`${name}: ${(e as Error).message}`);
    }
    return child;
  };
  const comp: Component = {
    name, argv, port,
    child: await launch(),
    pid: 0,
    running: () => comp.child.exitCode === null && comp.child.signalCode === null,
    log: () => logText,
    async kill9() {
      if (comp.running()) process.kill(comp.pid, 'SIGKILL');
      await exited(comp.child);
    },
    async stop() {
      if (comp.running()) process.kill(comp.pid, 'SIGTERM');
      const t = setTimeout(() => { if (comp.running()) process.kill(comp.pid, 'SIGKILL'); }, 8_000);
      await exited(comp.child);
      clearTimeout(t);
    },
    async restart() {
      if (comp.running()) throw new Error(`${name} (pid ${comp.pid}) is still running`);
      comp.child = await launch();
      comp.pid = comp.child.pid ?? -1;
    },
  };
  comp.pid = comp.child.pid ?? -1;
  return comp;
}

/**
 * A kubeconfig per client as the Hard Way makes them, with `kubectl config` (the CA embedded).
 * Our apiserver does not authenticate yet: the token only names the client.
 */
export async function writeKubeconfig(file: string, server: string, caFile: string, user: string): Promise<string> {
  const config = (args: string[]): Promise<string> => runOk('kubectl', ['config', ...args, `--kubeconfig=${file}`]);
  await config(['set-cluster', 'workshop', `--certificate-authority=${caFile}`, '--embed-certs=true', `--server=${server}`]);
  await config(['set-credentials', user, `--token=${user.replace(/[^a-z0-9-]/gi, '-')}-token`]);
  await config(['set-context', 'default', '--cluster=workshop', `--user=${user}`]);
  await config(['use-context', 'default']);
  return file;
}

/** Runs a command line tool and answers its exit code and output (never throws on exit codes). */
export function runTool(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 30_000): Promise<Run> {
  return new Promise((res) => {
    execFile(cmd, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 32 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      res({ code, stdout, stderr });
    });
  });
}

/** The same, throwing with the output when the exit code is not 0; answers stdout. */
export async function runOk(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const r = await runTool(cmd, args, env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Polls `probe` every 250 ms until it answers a value (not undefined); throws after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      lastError = (e as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${lastError}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** GET over plain HTTP on a fresh connection (the pod IP from the host), body as text. */
export { httpGet } from '../../packages/proxy/test/support/cluster.js';
