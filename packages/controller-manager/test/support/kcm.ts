// Starts kube-controller-manager processes (dist/cli.js) against a test cluster. Only processes
// started here are killed, by their own handle.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '../../../apiserver/test/support/cluster.js';
import { freePort, waitForPort } from '../../../raftkv/test/support/servers.js';

export const KCM_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface KcmProc {
  child: ChildProcess;
  port: number;
  log(): string;
  /** GET https://127.0.0.1:<port><path> (self-signed certificate). */
  get(path: string): Promise<{ status: number; text: string }>;
  /** SIGKILL: no lease release, no flush. */
  kill(): Promise<void>;
  /** SIGTERM and wait. */
  stop(): Promise<void>;
}

export async function startControllerManager(c: Cluster, args: string[] = []): Promise<KcmProc> {
  const port = await freePort();
  const argv = [KCM_CLI, '--kubeconfig', c.kubeconfig, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--kube-api-qps', '200', '--kube-api-burst', '400'];
  if (!args.some((a) => a.startsWith('--leader-elect'))) argv.push('--leader-elect=false');
  argv.push(...args);
  let log = '';
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (d: Buffer): void => { log += d.toString(); if (log.length > 4_000_000) log = log.slice(-2_000_000); };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  await waitForPort(port, child, () => log, 30_000);
  const exited = (): Promise<void> => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', () => r())));
  return {
    child, port, log: () => log,
    get: async (path) => {
      const { request } = await import('node:https');
      return new Promise((res, rej) => {
        const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (r) => {
          let text = '';
          r.on('data', (d: Buffer) => { text += d.toString(); });
          r.on('end', () => res({ status: r.statusCode ?? 0, text }));
        });
        req.on('error', rej);
        req.end();
      });
    },
    kill: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL'); await exited(); },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 8000);
      await exited();
      clearTimeout(t);
    },
  };
}
