// exec, attach and portforward upgrades (upstream's UpgradeAwareHandler): the client's upgrade
// request goes to the kubelet over TLS with the kubelet's path and query, the kubelet's answer
// comes back byte for byte, and then both connections are piped raw in both directions. The
// kubelet terminates WebSocket (v5.channel.k8s.io, SPDY/3.1+portforward.k8s.io) and SPDY/3.1.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { ApiError } from '../api/errors.js';
import { joinHostPort, unknownError, type KubeletClientConfig } from './client.js';
import { dialKubelet, goNetError } from './dial.js';
import type { KubeletLocation } from './locations.js';

/** Credentials meant for the apiserver stay here (upstream's authentication filter drops them). */
const DROPPED = new Set(['host', 'authorization', 'x-forwarded-for', 'impersonate-user', 'impersonate-group', 'impersonate-uid']);
/** Largest response head accepted from the kubelet. */
const MAX_HEAD = 64 * 1024;
/** How long the kubelet may take to answer the upgrade. */
const HEAD_TIMEOUT_MS = 60_000;

/** The request head sent to the kubelet: its location, the client's headers, X-Forwarded-For appended. */
export function upgradeRequestHead(req: IncomingMessage, loc: KubeletLocation): string {
  const lines = [`${req.method ?? 'GET'} ${loc.path}${loc.query ? `?${loc.query}` : ''} HTTP/1.1`, `Host: ${joinHostPort(loc.host, loc.port)}`];
  let forwarded = '';
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (lower === 'x-forwarded-for') forwarded = forwarded ? `${forwarded}, ${raw[i + 1]!}` : raw[i + 1]!;
    if (DROPPED.has(lower) || lower.startsWith('impersonate-extra-')) continue;
    lines.push(`${name}: ${raw[i + 1]!}`);
  }
  const ip = req.socket.remoteAddress;
  if (ip) forwarded = forwarded ? `${forwarded}, ${ip}` : ip;
  if (forwarded) lines.push(`X-Forwarded-For: ${forwarded}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Reads until the end of the response head; resolves with every byte read so far, socket paused. */
function readResponseHead(sock: TLSSocket): Promise<{ code: number; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (err?: Error): void => {
      clearTimeout(timer);
      sock.removeListener('data', onData);
      sock.removeListener('end', onEnd);
      sock.removeListener('error', done);
      if (err) { reject(err); return; }
      sock.pause();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, 16).toString('latin1'));
      if (!m) { reject(new Error('malformed HTTP response')); return; }
      resolve({ code: Number(m[1]), bytes: buf });
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (buf.indexOf('\r\n\r\n') >= 0) done();
      else if (buf.length > MAX_HEAD) done(new Error('net/http: response head too large'));
    };
    const onEnd = (): void => done(new Error('unexpected EOF'));
    const timer = setTimeout(() => done(new Error('net/http: timeout awaiting response headers')), HEAD_TIMEOUT_MS);
    sock.on('data', onData);
    sock.once('end', onEnd);
    sock.once('error', done);
  });
}

/**
 * Proxies one upgrade to the kubelet. Resolves with the kubelet's status code once the
 * connections are joined; rejects with the Status to answer the client with before that.
 */
export async function proxyUpgrade(cfg: KubeletClientConfig, loc: KubeletLocation, req: IncomingMessage, client: Duplex, head: Buffer): Promise<number> {
  let backend: TLSSocket;
  try {
    backend = await dialKubelet(cfg, loc.host, loc.port);
  } catch (err) {
    throw unknownError(`error dialing backend: ${goNetError(err as Error, loc.host, loc.port)}`);
  }
  if (client.destroyed) { backend.destroy(); return 499; }
  backend.write(upgradeRequestHead(req, loc));
  if (head.length > 0) backend.write(head);
  let answer: { code: number; bytes: Buffer };
  try {
    answer = await readResponseHead(backend);
  } catch (err) {
    backend.destroy();
    throw unknownError((err as Error).message);
  }
  // A kubelet that did not upgrade and did not fail is answered generically; its own errors go
  // back as they are.
  if (answer.code !== 101 && answer.code < 400) {
    backend.destroy();
    throw unknownError(`invalid upgrade response: status code ${answer.code}`);
  }
  client.write(answer.bytes);
  join(client, backend);
  return answer.code;
}

/** Pipes both ways; either side closing or failing closes the other. */
function join(client: Duplex, backend: TLSSocket): void {
  const close = (): void => { client.destroy(); backend.destroy(); };
  client.on('error', close);
  backend.on('error', close);
  client.on('close', close);
  backend.on('close', close);
  client.pipe(backend);
  backend.pipe(client);
}

/** Answers a not-yet-upgraded connection with a Status and closes it. */
export function writeStatus(client: Duplex, err: ApiError): void {
  if (client.destroyed) return;
  const body = JSON.stringify(err.status);
  client.end(`HTTP/1.1 ${err.code} ${STATUS_CODES[err.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  // Read on so the client's close is seen; one that never closes is cut off.
  client.resume();
  setTimeout(() => client.destroy(), 10_000).unref();
}
