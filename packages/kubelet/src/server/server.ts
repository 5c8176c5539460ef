// The kubelet's HTTPS server (:10250), after upstream pkg/kubelet/server: /healthz, /metrics,
// /stats/summary, /pods, /containerLogs, and the /exec, /attach, /portForward upgrades the
// apiserver proxies kubectl's streams to. Authentication is x509 against --client-ca-file when one
// is given (anything else gets 401); authorization is AlwaysAllow.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { ensureSelfSignedCert } from './certs.js';
import { serveContainerLogs } from './containerlogs.js';
import { serveHealthz } from './healthz.js';
import type { KubeletServerHost } from './host.js';
import { httpMetrics } from './metrics.js';
import { writeJSON, writeText } from './respond.js';
import { loadStreaming } from './streaming-module.js';
import { matchStreamRoute, serveStreamUpgrade, type StreamingHandlers } from './streams.js';

export interface KubeletServerOptions {
  address: string;
  /** 0 picks a free port. */
  port: number;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** Where the self-signed pair lives without tlsCertFile (default /var/lib/kubelet/pki). */
  certDir?: string;
  clientCAFile?: string;
  logger: Logger;
  /** The exec/attach/port-forward bridges; ../streaming when absent. */
  streaming?: StreamingHandlers;
}

export interface KubeletServer {
  port: number;
  close(): Promise<void>;
}

const NOT_FOUND = '404 page not found\n';

function segmentsOf(pathname: string): string[] | undefined {
  try {
    const parts = pathname.split('/').slice(1).map(decodeURIComponent);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts;
  } catch {
    return undefined;
  }
}

function getOnly(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET') return true;
  writeText(res, 405, 'Method Not Allowed', { Allow: 'GET' });
  return false;
}

export async function startKubeletServer(host: KubeletServerHost, opts: KubeletServerOptions): Promise<KubeletServer> {
  const log = opts.logger;
  let certFile = opts.tlsCertFile;
  let keyFile = opts.tlsPrivateKeyFile;
  if (!certFile || !keyFile) {
    ({ certFile, keyFile } = await ensureSelfSignedCert(opts.certDir ?? '/var/lib/kubelet/pki', host.nodeName));
  }
  const [cert, key, ca] = await Promise.all([
    readFile(certFile),
    readFile(keyFile),
    opts.clientCAFile ? readFile(opts.clientCAFile) : Promise.resolve(undefined),
  ]);
  const streaming = opts.streaming ?? (await loadStreaming());
  const metrics = httpMetrics(host.metricsRegistry);
  // Ask for client certificates but decide per request, so the answer is a 401, not a TLS alert.
  const authenticated = (sock: Socket | Duplex): boolean => !ca || (sock as TLSSocket).authorized === true;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    res.on('close', metrics.begin(req.method ?? '', url.pathname));
    if (!authenticated(req.socket)) return writeText(res, 401, 'Unauthorized');
    const segs = segmentsOf(url.pathname);
    if (!segs) return writeText(res, 400, 'invalid path');
    const [root, ...rest] = segs;
    switch (root) {
      case 'healthz':
        if (rest.length <= 1 && serveHealthz(host, res, rest[0] ?? '', url.searchParams.has('verbose'))) return;
        break;
      case 'metrics':
        if (rest.length === 0) {
          if (!getOnly(req, res)) return;
          const text = await host.metricsRegistry.metrics();
          res.writeHead(200, { 'Content-Type': host.metricsRegistry.contentType });
          res.end(text);
          return;
        }
        break;
      case 'stats':
        if (rest.length === 1 && rest[0] === 'summary') {
          if (!getOnly(req, res)) return;
          if (!host.statsSummary) return writeText(res, 503, 'stats summary is not available');
          return writeJSON(res, 200, await host.statsSummary());
        }
        break;
      case 'pods':
        if (rest.length === 0) {
          if (!getOnly(req, res)) return;
          return writeJSON(res, 200, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: host.listPods() });
        }
        break;
      case 'containerLogs':
        if (rest.length === 3) {
          if (!getOnly(req, res)) return;
          const [namespace, pod, container] = rest as [string, string, string];
          return serveContainerLogs(host, res, url, { namespace, pod, container }, log);
        }
        break;
      case 'exec':
      case 'attach':
      case 'portForward':
        if (matchStreamRoute(segs)) {
          if (req.method !== 'GET' && req.method !== 'POST') return writeText(res, 405, 'Method Not Allowed', { Allow: 'GET, POST' });
          return writeText(res, 400, 'Upgrade request required');
        }
        break;
    }
    writeText(res, 404, NOT_FOUND);
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    socket.once('close', metrics.begin(req.method ?? '', url.pathname));
    if (!authenticated(socket)) return streaming.rejectUpgrade(socket, 401, 'Unauthorized');
    const segs = segmentsOf(url.pathname);
    const route = segs ? matchStreamRoute(segs) : undefined;
    if (!route) return streaming.rejectUpgrade(socket, 404, NOT_FOUND);
    if (req.method !== 'GET' && req.method !== 'POST') return streaming.rejectUpgrade(socket, 405, 'Method Not Allowed');
    await serveStreamUpgrade(host, streaming, route, req, socket, head, url, log);
  }

  const server = createServer({ cert, key, minVersion: 'TLSv1.2', ...(ca ? { ca, requestCert: true, rejectUnauthorized: false } : {}) });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: Error) => {
      log.error({ err: e, path: req.url }, 'kubelet server request failed');
      writeText(res, 500, `Internal Error: ${e.message}`);
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(req, socket, head).catch((e: Error) => {
      log.error({ err: e, path: req.url }, 'kubelet server upgrade failed');
      socket.destroy();
    });
  });
  // Upgraded connections leave the server's bookkeeping: track sockets to end them on close.
  const sockets = new Set<Socket>();
  server.on('secureConnection', (s: TLSSocket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (err: Error) => log.debug({ err }, 'kubelet server TLS handshake failed'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  log.info({ address: opts.address, port }, 'kubelet server listening');
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
