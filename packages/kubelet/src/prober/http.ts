// HTTP probes (pkg/probe/http): GET with kube-probe headers, no keep-alive, no compression, TLS
// unverified; 200-399 is success. Redirects are followed (at most 10) while they stay on the same
// host name; a redirect elsewhere ends the probe with a warning (success plus a ProbeWarning event).
import type { Container } from '@kube-ts/client';
import { request as httpRequest, type ClientRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { connError, dialError, goQuote, joinHostPort } from './goerrors.js';
import { MAX_OUTPUT_BYTES, PROBE_USER_AGENT, unrefTimeout, type ActionOutcome } from './outcome.js';
import type { HTTPGetAction } from './types.js';
import { resolveContainerPort } from './util.js';

export interface HttpProbeRequest {
  url: URL;
  /** The URL as Go's url.String() prints it (used in messages). */
  display: string;
  /** Canonical header name -> values, as http.Header. */
  headers: Map<string, string[]>;
}

/** textproto.CanonicalMIMEHeaderKey: "x-my-header" -> "X-My-Header" (left alone when not a token). */
export function canonicalHeaderKey(k: string): string {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(k)) return k;
  return k.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function urlString(scheme: string, hostport: string, path: string): string {
  const p = path === '' || path.startsWith('/') ? path : `/${path}`;
  return `${scheme}://${hostport}${p}`;
}

/** httpprobe.NewRequestForHTTPGetAction: scheme, host (default pod IP), port, path and headers. */
export function newHttpProbeRequest(action: HTTPGetAction, container: Container, podIP: string): HttpProbeRequest {
  const scheme = (action.scheme ?? '').toLowerCase() || 'http';
  const host = action.host || podIP;
  const port = resolveContainerPort(action.port, container);
  const hostport = joinHostPort(host, port);
  const path = action.path ?? '';
  const display = urlString(scheme, hostport, path);
  const url = new URL(path.startsWith('/') ? path : `/${path}`, `${scheme}://${hostport}`);
  const headers = new Map<string, string[]>();
  for (const h of action.httpHeaders ?? []) {
    const k = canonicalHeaderKey(h.name);
    headers.set(k, [...(headers.get(k) ?? []), h.value]);
  }
  if (!headers.has('User-Agent')) headers.set('User-Agent', [PROBE_USER_AGENT]);
  if (!headers.has('Accept')) headers.set('Accept', ['*/*']);
  else if ((headers.get('Accept')?.[0] ?? '') === '') headers.delete('Accept');
  return { url, display, headers };
}

interface Hop { status: number; location: string | undefined; body: string }

class HopError extends Error {}

/** One GET; rejects with HopError carrying Go's text for the failure. */
function getOnce(url: URL, headers: OutgoingHttpHeaders, deadlineAt: number): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const addr = joinHostPort(host, port);
    let connected = false;
    let reading = false;
    let local = '';
    let settled = false;
    let req: ClientRequest;
    const done = (err: string | undefined, hop?: Hop): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      if (err !== undefined) reject(new HopError(err));
      else resolve(hop!);
    };
    const timer = unrefTimeout(deadlineAt - Date.now(), () => {
      if (reading) done('context deadline exceeded (Client.Timeout or context cancellation while reading body)');
      else if (connected) done('context deadline exceeded (Client.Timeout exceeded while awaiting headers)');
      else done(`dial tcp ${addr}: i/o timeout (Client.Timeout exceeded while awaiting headers)`);
    });
    const common = { host, port, method: 'GET', path: `${url.pathname}${url.search}`, headers, agent: false as const };
    try {
      req = url.protocol === 'https:'
        ? httpsRequest({ ...common, rejectUnauthorized: false, servername: isIP(host) ? '' : host })
        : httpRequest(common);
    } catch (err) {
      clearTimeout(timer);
      reject(new HopError(err instanceof Error ? err.message : String(err)));
      return;
    }
    req.on('socket', (s) => {
      const onConnect = (): void => {
        connected = true;
        local = joinHostPort(s.localAddress ?? '', s.localPort ?? 0);
      };
      s.once('connect', onConnect);
      s.once('secureConnect', onConnect);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!connected) done(dialError(addr, err));
      else if (err.message === 'socket hang up') done('EOF');
      else if (err.code === 'ECONNRESET' || err.code === 'EPIPE') done(connError(local, addr, 'read', err));
      else done(err.message);
    });
    req.on('response', (res: IncomingMessage) => {
      reading = true;
      const chunks: Buffer[] = [];
      let size = 0;
      const finish = (): void => {
        const body = Buffer.concat(chunks).subarray(0, MAX_OUTPUT_BYTES).toString('utf8');
        done(undefined, { status: res.statusCode ?? 0, location: res.headers.location, body });
      };
      res.on('data', (b: Buffer) => {
        chunks.push(b);
        size += b.length;
        // Read at most 10 KiB; the rest is dropped (upstream: non-fatal truncation).
        if (size >= MAX_OUTPUT_BYTES) finish();
      });
      res.on('end', finish);
      res.on('error', (err) => done(err.message));
      res.on('aborted', () => done('unexpected EOF'));
    });
    req.end();
  });
}

const REDIRECT_CODES = new Set([301, 302, 303, 307, 308]);

function outgoing(headers: Map<string, string[]>, hostHeader: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = { Host: hostHeader };
  for (const [k, v] of headers) if (k !== 'Host') out[k] = v.length === 1 ? v[0] : v;
  return out;
}

export async function httpProbe(req: HttpProbeRequest, timeoutMs: number): Promise<ActionOutcome> {
  const deadlineAt = Date.now() + timeoutMs;
  const explicitHost = req.headers.get('Host')?.[0] ?? '';
  let url = req.url;
  let display = req.display;
  const firstHostname = url.hostname;
  for (let via = 1; ; via++) {
    // An explicit Host header sticks while redirects stay on the original host:port.
    const hostHeader = explicitHost && url.host === req.url.host ? explicitHost : url.host;
    let hop: Hop;
    try {
      hop = await getOnce(url, outgoing(req.headers, hostHeader), deadlineAt);
    } catch (err) {
      if (!(err instanceof HopError)) throw err;
      // A body cut off by the deadline is an error upstream (ReadAtMost fails), not a failure.
      if (err.message.includes('while reading body')) return { result: 'failure', output: '', error: err.message };
      return { result: 'failure', output: `Get ${goQuote(display)}: ${err.message}` };
    }
    if (REDIRECT_CODES.has(hop.status) && hop.location) {
      let next: URL;
      try {
        next = new URL(hop.location, url);
      } catch {
        return { result: 'failure', output: `Get ${goQuote(display)}: failed to parse Location header ${goQuote(hop.location)}` };
      }
      if (next.hostname === firstHostname) {
        if (via >= 10) return { result: 'failure', output: `Get ${goQuote(next.href)}: stopped after 10 redirects` };
        url = next;
        display = next.href;
        continue;
      }
    }
    if (hop.status >= 200 && hop.status < 400) {
      if (hop.status >= 300) return { result: 'warning', output: `Probe terminated redirects, Response body: ${hop.body}` };
      return { result: 'success', output: hop.body };
    }
    return { result: 'failure', output: `HTTP probe failed with statuscode: ${hop.status}` };
  }
}
