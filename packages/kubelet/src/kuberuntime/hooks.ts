// Lifecycle handlers (pkg/kubelet/lifecycle/handlers.go): exec in the container, httpGet against
// the pod IP, sleep. The returned string is the failure message, undefined on success.
import http from 'node:http';
import https from 'node:https';
import type { Container } from '@kube-ts/client';
import type { LifecycleHandler } from '../api.js';
import type { RuntimeService } from '../cri/types.js';

function resolvePort(c: Container | undefined, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = c?.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`couldn't find port: ${port} in ${c?.name ?? 'container'}`);
  return named.containerPort;
}

export async function runHandler(
  h: LifecycleHandler,
  rt: RuntimeService,
  containerId: string,
  c: Container | undefined,
  podIP: string | undefined,
  timeoutSeconds: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  try {
    if (h.exec) {
      const r = await rt.execSync(containerId, h.exec.command ?? [], timeoutSeconds);
      if (r.exitCode !== 0) {
        return `command '${(h.exec.command ?? []).join(' ')}' exited with ${r.exitCode}: ${r.stdout.toString()}${r.stderr.toString()}`;
      }
      return undefined;
    }
    if (h.httpGet) {
      const g = h.httpGet;
      const host = g.host || podIP || '127.0.0.1';
      const port = resolvePort(c, g.port);
      const mod = g.scheme === 'HTTPS' ? https : http;
      const headers: Record<string, string> = { 'User-Agent': 'kube-lifecycle/1.32' };
      for (const x of g.httpHeaders ?? []) headers[x.name] = x.value;
      const code = await new Promise<number>((resolve, reject) => {
        const req = mod.request({ host, port, path: g.path ?? '/', method: 'GET', headers, timeout: timeoutSeconds * 1000, rejectUnauthorized: false, signal }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
        req.end();
      });
      if (code < 200 || code >= 400) return `HTTP lifecycle hook (${g.path ?? '/'}) for Container "${c?.name ?? ''}" returned status code ${code}`;
      return undefined;
    }
    if (h.sleep) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, h.sleep!.seconds * 1000);
        signal?.addEventListener('abort', () => {
          clearTimeout(t);
          resolve();
        });
      });
      return undefined;
    }
    return 'a lifecycle handler needs exec, httpGet or sleep';
  } catch (err) {
    return (err as { details?: string }).details ?? (err as Error).message;
  }
}
