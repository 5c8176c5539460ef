// The secure serving port every non-apiserver component opens (kube-scheduler 10259,
// kube-controller-manager 10257): HTTPS with --tls-cert-file/--tls-private-key-file, or an
// in-memory self-signed certificate as upstream generates, serving /healthz, /livez, /readyz
// (with ?verbose) and /metrics. Checks are named so failures say which one.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import forge from 'node-forge';
import type { Registry } from 'prom-client';

export interface HealthCheck { name: string; check(): string | undefined }

export interface SecureServingOptions {
  port: number;
  bindAddress?: string;
  certFile?: string;
  keyFile?: string;
  /** CN and SANs of the self-signed certificate. */
  selfSignedName?: string;
  registry: Registry;
  checks?: HealthCheck[];
}

export function selfSignedCert(name: string): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const priv = forge.pki.privateKeyFromPem(privateKey);
  const c = forge.pki.createCertificate();
  c.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  c.serialNumber = `01${randomBytes(8).toString('hex')}`;
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: `${name}@${Math.floor(Date.now() / 1000)}` }];
  c.setSubject(subject);
  c.setIssuer(subject);
  c.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    // The component's name first, as upstream's self-signed serving certs list it.
    { name: 'subjectAltName', altNames: [...[...new Set([name, 'localhost'])].map((value): { type: number; value?: string; ip?: string } => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }] },
  ]);
  c.sign(priv, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(c), key: privateKey };
}

function health(checks: HealthCheck[], path: string, verbose: boolean, res: ServerResponse): void {
  const results = [{ name: 'ping', err: undefined as string | undefined }, ...checks.map((c) => {
    let err: string | undefined;
    try { err = c.check(); } catch (e) { err = (e as Error).message; }
    return { name: c.name, err };
  })];
  const failed = results.filter((r) => r.err !== undefined);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (failed.length === 0 && !verbose) { res.statusCode = 200; res.end('ok'); return; }
  const lines = results.map((r) => (r.err === undefined ? `[+]${r.name} ok` : `[-]${r.name} failed: reason withheld`));
  const name = path.slice(1);
  lines.push(failed.length ? `${name} check failed` : `${name} check passed`);
  for (const f of failed) process.stderr.write(`${name} check ${f.name} failed: ${f.err}\n`);
  res.statusCode = failed.length ? 500 : 200;
  res.end(lines.join('\n') + '\n');
}

/** Starts the server; resolves once listening (port 0 picks a free port: read server.address()). */
export async function startSecureServing(o: SecureServingOptions): Promise<Server> {
  const tls = o.certFile && o.keyFile
    ? { cert: readFileSync(o.certFile), key: readFileSync(o.keyFile) }
    : selfSignedCert(o.selfSignedName ?? 'localhost');
  const server = createServer(tls, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://x');
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.statusCode = 405; res.end(); return; }
    if (url.pathname === '/healthz' || url.pathname === '/livez' || url.pathname === '/readyz') {
      health(o.checks ?? [], url.pathname, url.searchParams.has('verbose'), res);
      return;
    }
    if (url.pathname === '/metrics') {
      o.registry.metrics().then((text) => {
        res.setHeader('Content-Type', o.registry.contentType);
        res.end(text);
      }, (e: unknown) => { res.statusCode = 500; res.end(String(e)); });
      return;
    }
    res.statusCode = 404;
    res.setHeader('Content-Type', 'text/plain; charset=utf-8');
    res.end('404 page not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.bindAddress ?? '0.0.0.0', () => { server.off('error', reject); resolve(); });
  });
  return server;
}

export function listeningPort(s: Server): number { return (s.address() as AddressInfo).port; }
