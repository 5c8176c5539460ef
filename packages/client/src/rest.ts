// The REST client every component shares: HTTPS with keep-alive, credentials from the
// ClientConfig (client cert, bearer token or token file, basic auth), client-side throttling,
// Retry-After handling, Status errors as ApiError, and streaming for watch and logs.
import { Agent, request as httpsRequest } from 'node:https';
import { request as httpRequest, Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { Counter, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import { realClock, type Clock } from './clock.js';
import type { ClientConfig } from './kubeconfig.js';
import { ApiError } from './errors.js';
import { TokenBucket } from './flowcontrol.js';
import { resourcePath, apiVersionOf, type ResourceType } from './resources.js';
import type { KubeList, KubeObject, Status, WatchEvent } from './types.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Query;
  body?: unknown;
  /** Defaults to application/json for object bodies. */
  contentType?: string;
  signal?: AbortSignal;
  /** Overrides the config's timeout; 0 = none (streams). */
  timeoutMs?: number;
}

export interface RestClientOptions {
  registry?: Registry;
  clock?: Clock;
}

interface RestMetrics { requests: Counter<string>; latency: Histogram<string> }
const metricsByRegistry = new WeakMap<Registry, RestMetrics>();

function restMetrics(reg: Registry): RestMetrics {
  let m = metricsByRegistry.get(reg);
  if (!m) {
    m = {
      requests: new Counter({ name: 'rest_client_requests_total', help: 'Number of HTTP requests, partitioned by status code, method, and host.', labelNames: ['code', 'method', 'host'], registers: [reg] }),
      latency: new Histogram({ name: 'rest_client_request_duration_seconds', help: 'Request latency in seconds. Broken down by verb, and host.', labelNames: ['verb', 'host'], buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60], registers: [reg] }),
    };
    metricsByRegistry.set(reg, m);
  }
  return m;
}

function encodeQuery(q: Query | undefined): string {
  if (!q) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q)) if (v !== undefined && v !== '') parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

const MAX_RETRIES = 10;

export class RestClient {
  readonly config: ClientConfig;
  private readonly url: URL;
  private readonly agent: Agent | HttpAgent;
  private readonly bucket: TokenBucket;
  private readonly metrics: RestMetrics;
  private readonly clock: Clock;
  private token: { value: string; readAt: number } | undefined;

  constructor(config: ClientConfig, opts: RestClientOptions = {}) {
    this.config = config;
    this.url = new URL(config.server);
    this.clock = opts.clock ?? realClock;
    const tls = {
      ca: config.ca, cert: config.cert, key: config.key,
      rejectUnauthorized: !config.insecureSkipTLSVerify,
      servername: config.tlsServerName,
    };
    this.agent = this.url.protocol === 'http:'
      ? new HttpAgent({ keepAlive: true, maxSockets: 100 })
      : new Agent({ keepAlive: true, maxSockets: 100, ...tls });
    this.bucket = new TokenBucket(config.qps ?? 5, config.burst ?? 10, this.clock);
    this.metrics = restMetrics(opts.registry ?? globalRegistry);
  }

  /** Closes idle keep-alive connections. */
  close(): void { this.agent.destroy(); }

  private authHeader(): string | undefined {
    const c = this.config;
    if (c.token) return `Bearer ${c.token}`;
    if (c.tokenFile) {
      const now = this.clock.now();
      if (!this.token || now - this.token.readAt > 60_000) {
        try { this.token = { value: readFileSync(c.tokenFile, 'utf8').trim(), readAt: now }; } catch { /* keep the last token */ }
      }
      return this.token ? `Bearer ${this.token.value}` : undefined;
    }
    if (c.username !== undefined) return `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
    return undefined;
  }

  /** Sends one request and resolves to the response stream (any status); the body is not read. */
  private send(o: RequestOptions, accept: string): Promise<{ res: IncomingMessage; started: number }> {
    const base = this.url.pathname.replace(/\/$/, '');
    const path = base + o.path + encodeQuery(o.query);
    const headers: OutgoingHttpHeaders = { Accept: accept, 'User-Agent': this.config.userAgent ?? 'kube-ts' };
    const auth = this.authHeader();
    if (auth) headers.Authorization = auth;
    let payload: Buffer | undefined;
    if (o.body !== undefined) {
      payload = Buffer.isBuffer(o.body) ? o.body : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
      headers['Content-Type'] = o.contentType ?? 'application/json';
      headers['Content-Length'] = payload.length;
    }
    const timeout = o.timeoutMs ?? this.config.timeoutMs ?? 60_000;
    const started = this.clock.now();
    return new Promise((resolve, reject) => {
      const fn = this.url.protocol === 'http:' ? httpRequest : httpsRequest;
      const req = fn({
        protocol: this.url.protocol, hostname: this.url.hostname, port: this.url.port, path,
        method: o.method ?? 'GET', headers, agent: this.agent, signal: o.signal,
      }, (res) => resolve({ res, started }));
      if (timeout > 0) req.setTimeout(timeout, () => req.destroy(new Error(`${o.method ?? 'GET'} ${o.path}: request timed out after ${timeout}ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private observe(method: string, code: number | string, started: number): void {
    const host = this.url.host;
    this.metrics.requests.inc({ code: String(code), method, host });
    this.metrics.latency.observe({ verb: method, host }, (this.clock.now() - started) / 1000);
  }

  private static async readAll(res: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  private static toError(text: string, code: number, retryAfter: number | undefined): ApiError {
    let status: Status;
    try {
      const parsed = JSON.parse(text) as Status;
      status = parsed && parsed.kind === 'Status' ? parsed : { status: 'Failure', code, message: text.trim() || `the server responded with status ${code}` };
    } catch {
      status = { status: 'Failure', code, message: text.trim() || `the server responded with status ${code}` };
    }
    return new ApiError(status, code, retryAfter);
  }

  /** Throttled request with Retry-After retries; resolves to the open response of a 2xx. */
  async open(o: RequestOptions, accept = 'application/json'): Promise<IncomingMessage> {
    const method = o.method ?? 'GET';
    for (let attempt = 0; ; attempt++) {
      await this.bucket.accept();
      let sent: { res: IncomingMessage; started: number };
      try {
        sent = await this.send(o, accept);
      } catch (e) {
        this.observe(method, '<error>', this.clock.now());
        throw e;
      }
      const { res, started } = sent;
      const code = res.statusCode ?? 0;
      this.observe(method, code, started);
      if (code >= 200 && code < 300) return res;
      const text = await RestClient.readAll(res);
      const ra = res.headers['retry-after'];
      const retryAfter = ra !== undefined && /^\d+$/.test(String(ra)) ? Number(ra) : undefined;
      if (retryAfter !== undefined && (code === 429 || code >= 500) && attempt < MAX_RETRIES && !o.signal?.aborted) {
        await this.clock.sleep(Math.max(1, retryAfter) * 1000, o.signal);
        continue;
      }
      throw RestClient.toError(text, code, retryAfter);
    }
  }

  /** A request whose JSON answer is returned (undefined for an empty body). */
  async request<T>(o: RequestOptions): Promise<T> {
    const res = await this.open(o);
    const text = await RestClient.readAll(res);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A typed client for one resource. */
  resource<T extends KubeObject>(t: ResourceType): ResourceClient<T> {
    return new ResourceClient<T>(this, t);
  }
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  limit?: number;
  continue?: string;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  resourceVersionMatch?: 'NotOlderThan';
}

export interface WriteOptions {
  fieldManager?: string;
  dryRun?: boolean;
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
}

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';
const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

/** One open watch: iterate for events; stop() ends it (the iteration then finishes). */
export interface WatchStream<T extends KubeObject> extends AsyncIterable<WatchEvent<T>> {
  stop(): void;
}

function writeQuery(o: WriteOptions | undefined): Query {
  return { fieldManager: o?.fieldManager, dryRun: o?.dryRun ? 'All' : undefined, fieldValidation: o?.fieldValidation };
}

export class ResourceClient<T extends KubeObject> {
  constructor(readonly rest: RestClient, readonly type: ResourceType) {}

  private path(ns: string | undefined, name?: string, sub?: string): string {
    return resourcePath(this.type, ns, name, sub);
  }

  get(name: string, namespace?: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.rest.request<T>({ path: this.path(namespace, name), signal: opts.signal });
  }

  /** One page (or the whole list when no limit is set). */
  list(namespace?: string, opts: ListOptions = {}, signal?: AbortSignal): Promise<KubeList<T>> {
    return this.rest.request<KubeList<T>>({ path: this.path(namespace), query: { ...opts }, signal });
  }

  /** Every page of a chunked list, concatenated (the last page's resourceVersion). */
  async listAll(namespace?: string, opts: ListOptions = {}, signal?: AbortSignal): Promise<KubeList<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let last: KubeList<T>;
    do {
      last = await this.list(namespace, { ...opts, continue: cont }, signal);
      items.push(...last.items);
      cont = last.metadata.continue || undefined;
    } while (cont);
    return { ...last, items, metadata: { resourceVersion: last.metadata.resourceVersion } };
  }

  create(obj: T, opts?: WriteOptions): Promise<T> {
    const body = { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj };
    return this.rest.request<T>({ method: 'POST', path: this.path(obj.metadata.namespace), query: writeQuery(opts), body });
  }

  update(obj: T, opts?: WriteOptions): Promise<T> {
    const body = { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj };
    return this.rest.request<T>({ method: 'PUT', path: this.path(obj.metadata.namespace, obj.metadata.name), query: writeQuery(opts), body });
  }

  updateStatus(obj: T, opts?: WriteOptions): Promise<T> {
    const body = { apiVersion: apiVersionOf(this.type), kind: this.type.kind, ...obj };
    return this.rest.request<T>({ method: 'PUT', path: this.path(obj.metadata.namespace, obj.metadata.name, 'status'), query: writeQuery(opts), body });
  }

  patch(name: string, namespace: string | undefined, patch: unknown, type: PatchType = 'merge', opts: WriteOptions & { subresource?: string; force?: boolean } = {}): Promise<T> {
    return this.rest.request<T>({
      method: 'PATCH', path: this.path(namespace, name, opts.subresource),
      query: { ...writeQuery(opts), force: opts.force ? true : undefined },
      body: patch, contentType: PATCH_CONTENT_TYPES[type],
    });
  }

  delete(name: string, namespace?: string, opts: DeleteOptions = {}): Promise<T | Status> {
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.rest.request<T | Status>({ method: 'DELETE', path: this.path(namespace, name), body });
  }

  /** POST to a subresource (pods/binding, pods/eviction, serviceaccounts/token). */
  createSubresource<R>(name: string, namespace: string | undefined, sub: string, body: unknown, opts?: WriteOptions): Promise<R> {
    return this.rest.request<R>({ method: 'POST', path: this.path(namespace, name, sub), query: writeQuery(opts), body });
  }

  /** Starts a watch; HTTP errors (such as 410 for a compacted resourceVersion) reject. */
  async watch(namespace: string | undefined, opts: WatchOptions = {}, signal?: AbortSignal): Promise<WatchStream<T>> {
    const ac = new AbortController();
    const onAbort = (): void => ac.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let res: IncomingMessage;
    try {
      res = await this.rest.open({ path: this.path(namespace), query: { ...opts, watch: true }, signal: ac.signal, timeoutMs: 0 });
    } catch (e) {
      signal?.removeEventListener('abort', onAbort);
      throw e;
    }
    const stop = (): void => { ac.abort(); res.destroy(); signal?.removeEventListener('abort', onAbort); };
    async function* events(): AsyncGenerator<WatchEvent<T>> {
      let buf = '';
      // A multi-byte character may be split across chunks: decode with state.
      const decoder = new StringDecoder('utf8');
      try {
        for await (const chunk of res) {
          buf += decoder.write(chunk as Buffer);
          let nl: number;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl).trim();
            buf = buf.slice(nl + 1);
            if (line) yield JSON.parse(line) as WatchEvent<T>;
          }
        }
        if (buf.trim()) yield JSON.parse(buf) as WatchEvent<T>;
      } catch (e) {
        // An aborted stream is a normal end; anything else surfaces to the caller.
        if (!ac.signal.aborted) throw e;
      } finally {
        stop();
      }
    }
    const it = events();
    return { stop, [Symbol.asyncIterator]: () => it };
  }
}
