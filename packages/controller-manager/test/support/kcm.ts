// Starts kube-controller-manager processes (dist/cli.js) against a test cluster. Only processes
// started here are killed, by their own handle.
import { request } from 'node:https';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '../../../apiserver/test/support/cluster.js';
import { freePort, spawnDaemon, type Daemon } from '../../../raftkv/test/support/servers.js';

export const KCM_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface KcmProc extends Daemon {
  port: number;
  /** GET https://127.0.0.1:<port><path> (self-signed certificate). */
  get(path: string): Promise<{ status: number; text: string }>;
}

export async function startControllerManager(c: Cluster, args: string[] = []): Promise<KcmProc> {
  const port = await freePort();
  const argv = [KCM_CLI, '--kubeconfig', c.kubeconfig, '--secure-port', String(port), '--bind-address', '127.0.0.1', '--kube-api-qps', '200', '--kube-api-burst', '400'];
  if (!args.some((a) => a.startsWith('--leader-elect'))) argv.push('--leader-elect=false');
  argv.push(...args);
  const d = await spawnDaemon(argv, port);
  return {
    ...d, port,
    get: (path) => new Promise((res, rej) => {
      const req = request({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (r) => {
        let text = '';
        r.on('data', (b: Buffer) => { text += b.toString(); });
        r.on('end', () => res({ status: r.statusCode ?? 0, text }));
      });
      req.on('error', rej);
      req.end();
    }),
  };
}
