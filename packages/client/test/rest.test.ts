// The REST client against a real kube-apiserver (raftkv store): CRUD, Status errors as ApiError,
// every patch type, chunked lists, and watch streams. Retry-After, auth headers and transport
// errors are checked against a tiny local HTTP server on a FakeClock.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { startCluster, waitUntil, type Cluster } from '../../apiserver/test/support/cluster.js';
import { FakeClock } from '../src/clock.js';
import { ApiError, isAlreadyExists, isConflict, isInvalid, isNotFound, isTooManyRequests } from '../src/errors.js';
import { loadKubeconfig } from '../src/kubeconfig.js';
import { R } from '../src/resources.js';
import { RestClient, type ResourceClient } from '../src/rest.js';
import type { KubeObject, Pod, WatchEvent } from '../src/types.js';

interface ConfigMap extends KubeObject { data?: Record<string, string> }

const NS = 'default';
const cmObj = (name: string, data: Record<string, string> = {}, labels?: Record<string, string>): ConfigMap =>
  ({ metadata: { name, namespace: NS, labels }, data });

async function caught(p: Promise<unknown>): Promise<ApiError> {
  try { await p; } catch (e) { if (e instanceof ApiError) return e; throw e; }
  throw new Error('expected the request to fail');
}

describe('RestClient against kube-apiserver', () => {
  let c: Cluster;
  let rest: RestClient;
  let cms: ResourceClient<ConfigMap>;
  let pods: ResourceClient<Pod>;

  beforeAll(async () => {
    c = await startCluster('raftkv');
    rest = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 100, burst: 200 }, { registry: new Registry() });
    cms = rest.resource<ConfigMap>(R.configmaps);
    pods = rest.resource<Pod>(R.pods);
  });
  afterAll(async () => { rest?.close(); await c?.teardown(); });

  it('creates, gets and lists with kind and apiVersion filled in', async () => {
    const created = await cms.create(cmObj('crud', { a: '1' }));
    expect(created).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'crud', namespace: NS }, data: { a: '1' } });
    expect(created.metadata.uid).toBeTruthy();
    const got = await cms.get('crud', NS);
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const list = await cms.list(NS);
    expect(list.kind).toBe('ConfigMapList');
    expect(list.items.map((i) => i.metadata.name)).toContain('crud');
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
    const dup = await caught(cms.create(cmObj('crud')));
    expect(isAlreadyExists(dup)).toBe(true);
    expect(dup.code).toBe(409);
    expect(dup.message).toBe('configmaps "crud" already exists');
  });

  it('an update from a stale resourceVersion is a Conflict carrying the Status message', async () => {
    const v1 = await cms.create(cmObj('conflict', { n: '0' }));
    const v2 = await cms.update({ ...v1, data: { n: '1' } });
    expect(Number(v2.metadata.resourceVersion)).toBeGreaterThan(Number(v1.metadata.resourceVersion));
    const err = await caught(cms.update({ ...v1, data: { n: 'stale' } }));
    expect(isConflict(err)).toBe(true);
    expect(isNotFound(err)).toBe(false);
    expect(err.code).toBe(409);
    expect(err.reason).toBe('Conflict');
    expect(err.message).toBe('Operation cannot be fulfilled on configmaps "conflict": the object has been modified; please apply your changes to the latest version and try again');
    expect(err.status).toMatchObject({ kind: 'Status', status: 'Failure', details: { name: 'conflict', kind: 'configmaps' } });
    expect((await cms.get('conflict', NS)).data).toEqual({ n: '1' });
  });

  it('a missing object is NotFound; delete returns and then 404s', async () => {
    const err = await caught(cms.get('does-not-exist', NS));
    expect(isNotFound(err)).toBe(true);
    expect(err.code).toBe(404);
    expect(err.message).toBe('configmaps "does-not-exist" not found');
    await cms.create(cmObj('to-delete'));
    await cms.delete('to-delete', NS);
    expect(isNotFound(await caught(cms.get('to-delete', NS)))).toBe(true);
    expect(isNotFound(await caught(cms.delete('to-delete', NS)))).toBe(true);
  });

  it('an invalid object is Invalid (422) with field causes', async () => {
    const err = await caught(cms.create(cmObj('Bad_Name')));
    expect(isInvalid(err)).toBe(true);
    expect(err.code).toBe(422);
    expect(err.status.details?.causes?.[0]?.field).toBe('metadata.name');
  });

  it('merge patch: maps merge, null deletes a key', async () => {
    await cms.create(cmObj('merge', { a: '1', b: '2' }));
    const out = await cms.patch('merge', NS, { data: { b: null, c: '3' }, metadata: { labels: { patched: 'yes' } } }, 'merge');
    expect(out.data).toEqual({ a: '1', c: '3' });
    expect(out.metadata.labels).toEqual({ patched: 'yes' });
  });

  it('json patch: operations in order, a failing test op rejects the whole patch', async () => {
    await cms.create(cmObj('jsonpatch', { a: '1' }));
    const out = await cms.patch('jsonpatch', NS, [
      { op: 'add', path: '/data/b', value: '2' },
      { op: 'replace', path: '/data/a', value: 'one' },
      { op: 'remove', path: '/data/b' },
    ], 'json');
    expect(out.data).toEqual({ a: 'one' });
    const err = await caught(cms.patch('jsonpatch', NS, [{ op: 'test', path: '/data/a', value: 'nope' }, { op: 'add', path: '/data/z', value: 'z' }], 'json'));
    expect(err.code).toBeGreaterThanOrEqual(400);
    expect((await cms.get('jsonpatch', NS)).data).toEqual({ a: 'one' });
  });

  it('strategic merge patch merges containers by name (a merge patch would replace the list)', async () => {
    await pods.create({
      metadata: { name: 'smp', namespace: NS },
      spec: { containers: [{ name: 'app', image: 'nginx:1' }, { name: 'sidecar', image: 'busybox:1' }] },
    });
    const out = await pods.patch('smp', NS, { spec: { containers: [{ name: 'sidecar', image: 'busybox:2' }] } }, 'strategic');
    expect(out.spec.containers.map((x) => `${x.name}=${x.image}`)).toEqual(['app=nginx:1', 'sidecar=busybox:2']);
  });

  it('apply patch: records the fieldManager, conflicts with another manager, force takes ownership', async () => {
    const manifest = (v: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: NS }, data: { k: v } });
    const first = await cms.patch('applied', NS, manifest('1'), 'apply', { fieldManager: 'e2e-a' });
    expect(first.data).toEqual({ k: '1' });
    const managers = (o: KubeObject): string[] => (o.metadata.managedFields as Array<{ manager: string; operation: string }>).map((m) => `${m.manager}/${m.operation}`);
    expect(managers(first)).toEqual(['e2e-a/Apply']);
    const err = await caught(cms.patch('applied', NS, manifest('2'), 'apply', { fieldManager: 'e2e-b' }));
    expect(isConflict(err)).toBe(true);
    expect(err.message).toBe('Apply failed with 1 conflict: conflict with "e2e-a": .data.k');
    const forced = await cms.patch('applied', NS, manifest('2'), 'apply', { fieldManager: 'e2e-b', force: true });
    expect(forced.data).toEqual({ k: '2' });
    expect(managers(forced)).toEqual(['e2e-b/Apply']);
  });

  it('listAll follows continue tokens across pages', async () => {
    for (let i = 0; i < 7; i++) await cms.create(cmObj(`page-${i}`, {}, { set: 'paging' }));
    const first = await cms.list(NS, { labelSelector: 'set=paging', limit: 3 });
    expect(first.items).toHaveLength(3);
    expect(first.metadata.continue).toBeTruthy();
    const all = await cms.listAll(NS, { labelSelector: 'set=paging', limit: 3 });
    expect(all.items.map((i) => i.metadata.name)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => `page-${i}`));
    expect(all.metadata.continue).toBeUndefined();
    expect(Number(all.metadata.resourceVersion)).toBeGreaterThan(0);
  });

  it('watch streams ADDED, MODIFIED and DELETED from a resourceVersion, and stop() ends the iteration', async () => {
    const start = await cms.list(NS, { labelSelector: 'set=watched' });
    const stream = await cms.watch(NS, { labelSelector: 'set=watched', resourceVersion: start.metadata.resourceVersion });
    const seen: WatchEvent<ConfigMap>[] = [];
    const done = (async () => { for await (const e of stream) seen.push(e); })();
    const created = await cms.create(cmObj('w1', { v: '1' }, { set: 'watched' }));
    await cms.create(cmObj('not-watched', {}, { set: 'other' }));
    await cms.update({ ...created, data: { v: '2' } });
    await cms.delete('w1', NS);
    await waitUntil(() => seen.length >= 3, 10_000, 'three watch events');
    expect(seen.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.data?.v ?? ''}`)).toEqual(['ADDED w1 1', 'MODIFIED w1 2', 'DELETED w1 2']);
    stream.stop();
    await done;
  });

  it('a watch from a resourceVersion older than the compacted history fails with 410 (an error or an ERROR event)', async () => {
    await cms.create(cmObj('compact-me'));
    await c.compact();
    let code: number | undefined;
    try {
      const stream = await cms.watch(NS, { resourceVersion: '1' });
      for await (const e of stream) {
        if (e.type === 'ERROR') code = (e.object as unknown as { code: number }).code;
        break;
      }
      stream.stop();
    } catch (e) {
      code = e instanceof ApiError ? e.code : undefined;
    }
    expect(code).toBe(410);
  });
});

describe('RestClient against a scripted HTTP server', () => {
  type Handler = (req: IncomingMessage, res: ServerResponse) => void;
  let server: Server;
  let url: string;
  let handlers: Handler[];
  let seen: Array<{ method: string; url: string; auth: string | undefined; contentType: string | undefined; body: string }>;
  let dir: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => { body += d.toString(); });
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers.authorization, contentType: req.headers['content-type'], body });
        const h = handlers.shift() ?? ((_q, r) => { r.writeHead(200, { 'Content-Type': 'application/json' }); r.end('{"metadata":{"name":"ok"}}'); });
        h(req, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => { await new Promise((r) => server.close(r)); });
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'rest-test-')); });
  afterAll(() => { rmSync(dir, { recursive: true, force: true }); });
  afterEach(() => { handlers = []; seen = []; });
  handlers = [];
  seen = [];

  const reply = (code: number, body: unknown, headers: Record<string, string> = {}): Handler => (_q, r) => {
    r.writeHead(code, { 'Content-Type': 'application/json', ...headers });
    r.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  const tooMany = { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'too many requests, please try again later', details: { retryAfterSeconds: 2 } };

  it('waits Retry-After on the clock after a 429, then retries', async () => {
    const clock = new FakeClock();
    const rest = new RestClient({ server: url, token: 'tkn' }, { clock, registry: new Registry() });
    handlers = [reply(429, tooMany, { 'Retry-After': '2' }), reply(200, { metadata: { name: 'x' } })];
    const p = rest.resource(R.configmaps).get('x', 'ns');
    await waitUntil(() => seen.length === 1 && clock.pending() === 1, 5_000, 'the first request and its Retry-After sleep');
    await clock.step(1_990);
    expect(seen).toHaveLength(1);
    await clock.step(20);
    await waitUntil(() => seen.length === 2, 5_000, 'the retry');
    expect((await p).metadata.name).toBe('x');
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/v1/namespaces/ns/configmaps/x', 'GET /api/v1/namespaces/ns/configmaps/x']);
    expect(seen[0]!.auth).toBe('Bearer tkn');
    rest.close();
  });

  it('a 503 with Retry-After is retried too; a 429 without it fails at once as TooManyRequests', async () => {
    const clock = new FakeClock();
    const rest = new RestClient({ server: url }, { clock, registry: new Registry() });
    handlers = [reply(503, 'unavailable', { 'Retry-After': '1' }), reply(200, { metadata: { name: 'y' } })];
    const p = rest.request<KubeObject>({ path: '/api/v1/namespaces' });
    await waitUntil(() => seen.length === 1 && clock.pending() === 1, 5_000, 'the first request and its Retry-After sleep');
    await clock.step(1_000);
    expect((await p).metadata.name).toBe('y');
    handlers = [reply(429, tooMany)];
    const err = await caught(rest.request({ path: '/api/v1/pods' }));
    expect(isTooManyRequests(err)).toBe(true);
    expect(err.message).toBe('too many requests, please try again later');
    expect(err.retryAfterSeconds).toBe(2);
    rest.close();
  });

  it('gives up after 10 retries and surfaces the last answer', async () => {
    const clock = new FakeClock();
    const rest = new RestClient({ server: url, qps: 0 }, { clock, registry: new Registry() });
    handlers = Array.from({ length: 20 }, () => reply(429, tooMany, { 'Retry-After': '1' }));
    const p = caught(rest.request({ path: '/api/v1/pods' }));
    for (let i = 1; i <= 10; i++) {
      await waitUntil(() => seen.length === i && clock.pending() === 1, 5_000, `request ${i} and its sleep`);
      await clock.step(1_000);
    }
    const err = await p;
    expect(seen).toHaveLength(11);
    expect(err.code).toBe(429);
    expect(err.retryAfterSeconds).toBe(1);
    rest.close();
  });

  it('a non-Status error body becomes the message; an empty one a generic message', async () => {
    const rest = new RestClient({ server: url }, { registry: new Registry() });
    handlers = [reply(500, 'internal boom\n'), reply(404, '')];
    const e1 = await caught(rest.request({ path: '/x' }));
    expect(e1).toMatchObject({ code: 500, reason: '', message: 'internal boom' });
    const e2 = await caught(rest.request({ path: '/y' }));
    expect(e2.message).toBe('the server responded with status 404');
    expect(isNotFound(e2)).toBe(true);
    rest.close();
  });

  it('sends patch content types, write query options and a DeleteOptions body', async () => {
    const rest = new RestClient({ server: url }, { registry: new Registry() });
    const cm = rest.resource(R.configmaps);
    await cm.patch('p', 'ns', { a: 1 }, 'merge');
    await cm.patch('p', 'ns', [{ op: 'add' }], 'json');
    await cm.patch('p', 'ns', { a: 1 }, 'strategic', { subresource: 'status' });
    await cm.patch('p', 'ns', 'a: 1', 'apply', { fieldManager: 'me', force: true, dryRun: true });
    await cm.delete('p', 'ns', { propagationPolicy: 'Foreground', preconditions: { uid: 'u1' } });
    expect(seen.map((s) => `${s.method} ${s.url} ${s.contentType}`)).toEqual([
      'PATCH /api/v1/namespaces/ns/configmaps/p application/merge-patch+json',
      'PATCH /api/v1/namespaces/ns/configmaps/p application/json-patch+json',
      'PATCH /api/v1/namespaces/ns/configmaps/p/status application/strategic-merge-patch+json',
      'PATCH /api/v1/namespaces/ns/configmaps/p?fieldManager=me&dryRun=All&force=true application/apply-patch+yaml',
      'DELETE /api/v1/namespaces/ns/configmaps/p application/json',
    ]);
    expect(seen[3]!.body).toBe('a: 1');
    expect(JSON.parse(seen[4]!.body)).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', preconditions: { uid: 'u1' } });
    rest.close();
  });

  it('a watch stream parses events split across chunks at line boundaries', async () => {
    const rest = new RestClient({ server: url }, { registry: new Registry() });
    const ev = (name: string): string => `${JSON.stringify({ type: 'ADDED', object: { metadata: { name } } })}\n`;
    handlers = [(_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/json' });
      const text = ev('one') + ev('two');
      r.write(text.slice(0, 10));
      setTimeout(() => { r.write(text.slice(10, 40)); setTimeout(() => r.end(text.slice(40)), 20); }, 20);
    }];
    const names: string[] = [];
    for await (const e of await rest.resource(R.configmaps).watch('ns')) names.push(e.object.metadata.name ?? '');
    expect(names).toEqual(['one', 'two']);
    expect(seen[0]!.url).toBe('/api/v1/namespaces/ns/configmaps?watch=true');
    rest.close();
  });

  // A multi-byte character split between two chunks must survive (no U+FFFD replacement characters).
  it('a watch stream keeps multi-byte UTF-8 characters split across chunks intact', async () => {
    const rest = new RestClient({ server: url }, { registry: new Registry() });
    const bytes = Buffer.from(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'u' }, data: { k: '日本' } } })}\n`);
    const cut = bytes.indexOf(Buffer.from('日')) + 1; // inside the 3-byte sequence
    handlers = [(_q, r) => {
      r.writeHead(200, { 'Content-Type': 'application/json' });
      r.write(bytes.subarray(0, cut));
      setTimeout(() => r.end(bytes.subarray(cut)), 30);
    }];
    const got: unknown[] = [];
    for await (const e of await rest.resource(R.configmaps).watch('ns')) got.push((e.object as { data?: unknown }).data);
    rest.close();
    expect(got).toEqual([{ k: '日本' }]);
  });

  it('re-reads a tokenFile once the cached token is a minute old; basic auth otherwise', async () => {
    const clock = new FakeClock();
    const tokenFile = join(dir, 'token');
    writeFileSync(tokenFile, 'first\n');
    const rest = new RestClient({ server: url, tokenFile }, { clock, registry: new Registry() });
    await rest.request({ path: '/a' });
    writeFileSync(tokenFile, 'second\n');
    await rest.request({ path: '/b' });
    await clock.step(61_000);
    await rest.request({ path: '/c' });
    expect(seen.map((s) => s.auth)).toEqual(['Bearer first', 'Bearer first', 'Bearer second']);
    rest.close();
    const basic = new RestClient({ server: url, username: 'u', password: 'p' }, { registry: new Registry() });
    await basic.request({ path: '/d' });
    expect(seen[3]!.auth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
    basic.close();
  });
});
