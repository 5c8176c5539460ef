// Bad input against kube-apiserver on raftkv and on a real etcd 3.4: every malformed request gets
// the Status upstream sends (k8s.io/apimachinery/pkg/api/errors: code, reason, message shape,
// details), the server keeps answering /healthz, and the store does not move (its etcd revision,
// read directly with the etcd API, is the same before and after).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { startCluster, testKinds, waitUntil, type Cluster, type HttpResult } from './support/cluster.js';

const NS = '/api/v1/namespaces/default';
const CM = `${NS}/configmaps`;
const RFC1123_SUBDOMAIN = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const RFC1123_LABEL = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const CONTINUE_EXPIRED = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';
const MAX_BODY = 3 * 1024 * 1024;

/** upstream's summarizeData(body, 30) in transformDecodeError. */
function summarize(body: string): string {
  const b = Buffer.from(body);
  if (b.length === 0) return '<empty>';
  if (b[0] === 0x7b) return b.length > 30 ? `${b.subarray(0, 30).toString()} ...` : b.toString();
  return b.length > 30 ? `${b.subarray(0, 30).toString('hex')} ...` : b.toString('hex');
}

/** A Status with upstream's envelope, code, reason and (when given) exact message. */
function expectStatus(r: HttpResult, code: number, reason: string, message?: string | RegExp): void {
  expect({ status: r.status, contentType: r.headers['content-type'] }, r.text).toMatchObject({ status: code, contentType: expect.stringMatching(/^application\/json/) });
  expect(r.body, r.text).toMatchObject({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason, code });
  if (typeof message === 'string') expect(r.body.message).toBe(message);
  else if (message) expect(r.body.message).toMatch(message);
}

interface WatchConn { status: number; events: Array<{ type: string; object: any }>; ended: Promise<void>; close(): void } // eslint-disable-line @typescript-eslint/no-explicit-any

function openWatch(c: Cluster, path: string): Promise<WatchConn> {
  return new Promise((res, rej) => {
    const req = httpsRequest({ host: '127.0.0.1', port: c.apiservers[0]!.port, path, ca: c.ca, headers: { Accept: 'application/json' } }, (r) => {
      const events: WatchConn['events'] = [];
      let buf = '';
      const ended = new Promise<void>((done) => { r.on('end', done); r.on('close', done); r.on('error', () => done()); });
      r.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line) events.push(JSON.parse(line) as WatchConn['events'][number]);
        }
      });
      res({ status: r.statusCode ?? 0, events, ended, close: () => req.destroy() });
    });
    req.on('error', (e) => { if (!(e as NodeJS.ErrnoException).code?.startsWith('ECONNRESET')) rej(e); });
    req.end();
  });
}

describe.each(testKinds())('bad input to kube-apiserver on %s', (kind) => {
  let c: Cluster;

  /** Runs `fn`, then checks the server still answers /healthz and the store revision did not move. */
  async function unchanged(fn: () => Promise<void>): Promise<void> {
    const before = await c.revision();
    await fn();
    const h = await c.request('/healthz');
    expect({ status: h.status, text: h.text }).toEqual({ status: 200, text: 'ok' });
    expect(await c.revision()).toBe(before);
  }

  const cm = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' }, ...extra });

  beforeAll(async () => {
    // The lease endpoint reconciler refreshes its etcd lease every 10 s (a write): off here, where
    // the store's revision must not move while bad requests are answered.
    c = await startCluster(kind, { extraArgs: ['--endpoint-reconciler-type=none'] });
    const r = await c.request(CM, { method: 'POST', body: cm('existing') });
    expect(r.status, r.text).toBe(201);
  });
  afterAll(async () => { await c?.teardown(); });

  /** One case: `fn` asserts the answer; the store must not move and /healthz must answer. */
  const check = (name: string, fn: () => Promise<void>): void => { it(name, () => unchanged(fn)); };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpResult> => c.request(path, { method: 'POST', body, headers });
  const unrecognized = (why: string, body: string): string => `the object provided is unrecognized (must be of type ConfigMap): ${why} (${summarize(body)})`;
  const TRUNCATED = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{';

  // --- malformed JSON and YAML bodies: 400 BadRequest, "the object provided is unrecognized"
  check('malformed JSON on POST (truncated)', async () => {
    expectStatus(await post(CM, TRUNCATED), 400, 'BadRequest', unrecognized("couldn't get version/kind; json parse error: unexpected end of JSON input", TRUNCATED));
  });
  check('malformed JSON on POST (bad token)', async () => {
    expectStatus(await post(CM, '{bad}'), 400, 'BadRequest', unrecognized("couldn't get version/kind; json parse error: invalid character 'b' looking for beginning of object key string", '{bad}'));
  });
  check('malformed JSON on PUT', async () => {
    expectStatus(await c.request(`${CM}/existing`, { method: 'PUT', body: TRUNCATED }), 400, 'BadRequest', unrecognized("couldn't get version/kind; json parse error: unexpected end of JSON input", TRUNCATED));
  });
  check('a JSON value of the wrong type for a field', async () => {
    expectStatus(await post(CM, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"typed"},"data":["x"]}'), 400, 'BadRequest',
      /^ConfigMap in version "v1" cannot be handled as a ConfigMap: /);
  });
  check('an empty body', async () => {
    expectStatus(await post(CM, '', { 'Content-Type': 'application/json' }), 400, 'BadRequest');
  });
  check('malformed YAML (unterminated flow map)', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken\ndata:\n  a: "1"\n';
    const r = await post(CM, yaml, { 'Content-Type': 'application/yaml' });
    expectStatus(r, 400, 'BadRequest');
    const prefix = 'the object provided is unrecognized (must be of type ConfigMap): error converting YAML to JSON: yaml: line ';
    expect(r.body.message.startsWith(prefix), r.body.message).toBe(true);
    expect(r.body.message.endsWith(` (${summarize(yaml)})`), r.body.message).toBe(true);
  });
  check('malformed YAML (tab indentation)', async () => {
    const tabs = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tabbed\n';
    expectStatus(await post(CM, tabs, { 'Content-Type': 'application/yaml' }), 400, 'BadRequest',
      /^the object provided is unrecognized \(must be of type ConfigMap\): error converting YAML to JSON: yaml: line \d+: /);
  });

  // --- body kind / apiVersion / name / namespace not matching the URL: 400 BadRequest
  check('a Secret posted to configmaps', async () => {
    expectStatus(await post(CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }), 400, 'BadRequest', /^Secret in version "v1" cannot be handled as a ConfigMap: /);
  });
  check('a Secret PUT over a configmap', async () => {
    expectStatus(await c.request(`${CM}/existing`, { method: 'PUT', body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'existing' } } }), 400, 'BadRequest',
      /^Secret in version "v1" cannot be handled as a ConfigMap: /);
  });
  check('a ConfigMap with apiVersion apps/v1', async () => {
    expectStatus(await post(CM, { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }), 400, 'BadRequest',
      /^ConfigMap in version "v1" cannot be handled as a ConfigMap: no kind "ConfigMap" is registered for version "apps\/v1"/);
  });
  check('a PUT whose body names another object', async () => {
    expectStatus(await c.request(`${CM}/existing`, { method: 'PUT', body: cm('other') }), 400, 'BadRequest', 'the name of the object (other) does not match the name on the URL (existing)');
  });
  check('a POST whose body names another namespace', async () => {
    expectStatus(await post(CM, cm('x', { metadata: { name: 'x', namespace: 'kube-system' } })), 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
  });

  // --- invalid names: 422 Invalid with field causes
  check('an invalid ConfigMap name (RFC 1123 subdomain)', async () => {
    const r = await post(CM, cm('Bad_Name'));
    expectStatus(r, 422, 'Invalid', `ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${RFC1123_SUBDOMAIN}`);
    expect(r.body.details).toEqual({
      name: 'Bad_Name', kind: 'ConfigMap',
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "Bad_Name": ${RFC1123_SUBDOMAIN}`, field: 'metadata.name' }],
    });
  });
  check('an invalid Namespace name (RFC 1123 label)', async () => {
    const ns = await post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'has.dot' } });
    expectStatus(ns, 422, 'Invalid', `Namespace "has.dot" is invalid: metadata.name: Invalid value: "has.dot": ${RFC1123_LABEL}`);
    expect(ns.body.details).toEqual({
      name: 'has.dot', kind: 'Namespace',
      causes: [{ reason: 'FieldValueInvalid', message: `Invalid value: "has.dot": ${RFC1123_LABEL}`, field: 'metadata.name' }],
    });
  });
  check('no name at all (details carry no name: StatusDetails.name is omitempty)', async () => {
    const none = await post(CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expectStatus(none, 422, 'Invalid', 'ConfigMap "" is invalid: metadata.name: Required value: name or generateName is required');
    expect(none.body.details).toEqual({
      kind: 'ConfigMap',
      causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
    });
  });
  check('creating in a namespace that does not exist: 404', async () => {
    const missing = await post('/api/v1/namespaces/nope/configmaps', cm('x'));
    expectStatus(missing, 404, 'NotFound', 'namespaces "nope" not found');
    expect(missing.body.details).toEqual({ name: 'nope', kind: 'namespaces' });
  });

  // --- selectors: 400 BadRequest on list and watch
  const q = (s: string): string => encodeURIComponent(s);
  for (const watch of [false, true]) {
    const w = watch ? 'watch=true&' : '';
    check(`a label selector that does not parse (${watch ? 'watch' : 'list'})`, async () => {
      expectStatus(await c.request(`${CM}?${w}labelSelector=${q('app in (a')}`), 400, 'BadRequest', "unable to parse requirement: found '', expected: ',' or ')'");
    });
    check(`a field selector without an operator (${watch ? 'watch' : 'list'})`, async () => {
      expectStatus(await c.request(`${CM}?${w}fieldSelector=${q('metadata.name')}`), 400, 'BadRequest', "invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    });
    check(`an unsupported field label on configmaps, the default conversion (${watch ? 'watch' : 'list'})`, async () => {
      expectStatus(await c.request(`${CM}?${w}fieldSelector=spec.foo%3Dbar`), 400, 'BadRequest', '"spec.foo" is not a known field selector: only "metadata.name", "metadata.namespace"');
    });
  }
  check('an unsupported field label on pods (their own conversion)', async () => {
    expectStatus(await c.request(`${NS}/pods?fieldSelector=spec.foo%3Dbar`), 400, 'BadRequest', 'field label not supported: spec.foo');
  });

  // --- stale resourceVersion: 409 Conflict
  const CONFLICT = 'Operation cannot be fulfilled on configmaps "existing": the object has been modified; please apply your changes to the latest version and try again';
  check('a stale resourceVersion on PUT', async () => {
    const cur = await c.request(`${CM}/existing`);
    const stale = String(Number(cur.body.metadata.resourceVersion) - 1);
    const r = await c.request(`${CM}/existing`, { method: 'PUT', body: { ...cur.body, metadata: { ...cur.body.metadata, resourceVersion: stale }, data: { a: '2' } } });
    expectStatus(r, 409, 'Conflict', CONFLICT);
    expect(r.body.details).toEqual({ name: 'existing', kind: 'configmaps' });
  });
  check('a stale resourceVersion precondition in a merge patch', async () => {
    const cur = await c.request(`${CM}/existing`);
    const stale = String(Number(cur.body.metadata.resourceVersion) - 1);
    const p = await c.request(`${CM}/existing`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { resourceVersion: stale }, data: { a: '3' } } });
    expectStatus(p, 409, 'Conflict', CONFLICT);
  });

  // --- resourceVersionMatch: 422 Invalid ListOptions (details carry no name)
  const forbidden = (msg: string): Record<string, string> => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${msg}`, field: 'resourceVersionMatch' });
  const LISTOPTS = 'ListOptions.meta.k8s.io "" is invalid: ';
  check('resourceVersionMatch without resourceVersion', async () => {
    const r = await c.request(`${CM}?resourceVersionMatch=NotOlderThan`);
    expectStatus(r, 422, 'Invalid', `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided`);
    expect(r.body.details).toEqual({ group: 'meta.k8s.io', kind: 'ListOptions', causes: [forbidden('resourceVersionMatch is forbidden unless resourceVersion is provided')] });
  });
  check('resourceVersionMatch=Exact with resourceVersion=0', async () => {
    const r = await c.request(`${CM}?resourceVersionMatch=Exact&resourceVersion=0`);
    expectStatus(r, 422, 'Invalid', `${LISTOPTS}resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"`);
    expect(r.body.details.causes).toEqual([forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]);
  });
  check('an unsupported resourceVersionMatch', async () => {
    const r = await c.request(`${CM}?resourceVersionMatch=Bogus&resourceVersion=1`);
    expectStatus(r, 422, 'Invalid', `${LISTOPTS}resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""`);
    expect(r.body.details.causes).toEqual([{ reason: 'FieldValueNotSupported', message: 'Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""', field: 'resourceVersionMatch' }]);
  });
  check('resourceVersionMatch with continue and no resourceVersion: both rules, as an aggregate', async () => {
    const r = await c.request(`${CM}?resourceVersionMatch=Exact&continue=abc&limit=1`);
    expectStatus(r, 422, 'Invalid', `${LISTOPTS}[resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided, resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is provided]`);
    expect(r.body.details.causes).toEqual([
      forbidden('resourceVersionMatch is forbidden unless resourceVersion is provided'),
      forbidden('resourceVersionMatch is forbidden when continue is provided'),
    ]);
  });

  // --- compaction: 410 Expired
  describe('after a compaction', () => {
    let token = '';
    let oldRV = '';
    beforeAll(async () => {
      for (const n of ['page-a', 'page-b', 'page-c']) expect((await post(CM, cm(n, { metadata: { name: n, labels: { page: 'x' } } }))).status).toBe(201);
      const first = await c.request(`${CM}?labelSelector=page%3Dx&limit=1`);
      expect(first.status).toBe(200);
      token = first.body.metadata.continue;
      oldRV = first.body.metadata.resourceVersion;
      expect(token).toBeTruthy();
      // Move the store on and compact everything before now.
      expect((await c.request(`${CM}/page-a`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { data: { b: '2' } } })).status).toBe(200);
      await c.compact();
    });
    check('a continue token older than the compaction: 410 Expired', async () => {
      const r = await c.request(`${CM}?labelSelector=page%3Dx&limit=1&continue=${encodeURIComponent(token)}`);
      expectStatus(r, 410, 'Expired', CONTINUE_EXPIRED);
    });
    check('the Expired Status for a continue token carries a fresh token (metadata.continue)', async () => {
      const r = await c.request(`${CM}?labelSelector=page%3Dx&limit=1&continue=${encodeURIComponent(token)}`);
      expect(r.status).toBe(410);
      expect(typeof r.body.metadata.continue).toBe('string');
      expect(r.body.metadata.continue.length).toBeGreaterThan(0);
    });
    check('an Exact list at a compacted resourceVersion: 410 Expired', async () => {
      const exact = await c.request(`${CM}?resourceVersion=${oldRV}&resourceVersionMatch=Exact`);
      expectStatus(exact, 410, 'Expired', 'The resourceVersion for the provided list is too old.');
    });
    check('a watch from before the window: 200, then one ERROR event with an Expired Status', async () => {
      const w = await openWatch(c, `${CM}?watch=true&resourceVersion=1`);
      expect(w.status).toBe(200);
      await w.ended;
      expect(w.events).toHaveLength(1);
      expect(w.events[0]!.type).toBe('ERROR');
      expect(w.events[0]!.object).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', code: 410 });
      expect(w.events[0]!.object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
    });
  });

  it('bodies over 3 MiB: 413 RequestEntityTooLarge', async () => {
    await unchanged(async () => {
      const big = JSON.stringify(cm('big', { data: { a: 'x'.repeat(MAX_BODY) } }));
      expectStatus(await c.request(CM, { method: 'POST', body: big }), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      expectStatus(await c.request(`${CM}/existing`, { method: 'PUT', body: big }), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      expectStatus(await c.request(`${CM}/existing`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: big }), 413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
      expect((await c.request(`${CM}/big`)).status).toBe(404);
    });
  });

  // --- unknown paths and resources: 404 NotFound Status (go-restful's generic one: empty details)
  const GENERIC_404 = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 };
  for (const p of ['/api/v1/nosuchthings', `${NS}/nosuchthings`, `${NS}/nosuchthings/x`, '/apis/apps/v1/nosuchthings']) {
    check(`an unknown resource: GET ${p}`, async () => {
      const r = await c.request(p);
      expect({ status: r.status, body: r.body }).toEqual({ status: 404, body: GENERIC_404 });
    });
  }
  check('an unknown API group: 404 NotFound', async () => {
    const r = await c.request('/apis/nosuch.example.com/v1/things');
    expect(r.status).toBe(404);
  });
  check('an object that does not exist (core)', async () => {
    const obj = await c.request(`${CM}/nope`);
    expectStatus(obj, 404, 'NotFound', 'configmaps "nope" not found');
    expect(obj.body.details).toEqual({ name: 'nope', kind: 'configmaps' });
  });
  check('an object that does not exist (apps)', async () => {
    const dep = await c.request('/apis/apps/v1/namespaces/default/deployments/nope');
    expectStatus(dep, 404, 'NotFound', 'deployments.apps "nope" not found');
    expect(dep.body.details).toEqual({ name: 'nope', group: 'apps', kind: 'deployments' });
  });
  check('a path outside the API (Go\'s plain 404 upstream)', async () => {
    expect((await c.request('/no/such/path')).status).toBe(404);
  });

  // --- wrong methods: 405 MethodNotAllowed (go-restful's generic one)
  const GENERIC_405 = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server does not allow this method on the requested resource', reason: 'MethodNotAllowed', details: {}, code: 405 };
  const wrong: Array<[string, string, unknown]> = [
    ['POST', `${CM}/existing`, cm('existing')],
    ['PUT', CM, cm('existing')],
    ['PATCH', CM, { data: {} }],
  ];
  for (const [method, path, body] of wrong) {
    check(`a wrong method: ${method} ${path}`, async () => {
      const r = await c.request(path, { method, body, headers: method === 'PATCH' ? { 'Content-Type': 'application/merge-patch+json' } : {} });
      expect({ status: r.status, body: r.body }).toEqual({ status: 405, body: GENERIC_405 });
    });
  }

  // --- unsupported content types: 415 UnsupportedMediaType
  const ACCEPTED = 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf';
  check('POST text/plain', async () => {
    expectStatus(await post(CM, JSON.stringify(cm('plain')), { 'Content-Type': 'text/plain' }), 415, 'UnsupportedMediaType', ACCEPTED);
  });
  check('PUT application/xml', async () => {
    expectStatus(await c.request(`${CM}/existing`, { method: 'PUT', body: JSON.stringify(cm('existing')), headers: { 'Content-Type': 'application/xml' } }), 415, 'UnsupportedMediaType', ACCEPTED);
  });
  check('PATCH application/json (not a patch type)', async () => {
    expectStatus(await c.request(`${CM}/existing`, { method: 'PATCH', body: { data: {} }, headers: { 'Content-Type': 'application/json' } }), 415, 'UnsupportedMediaType',
      'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml');
  });

  it('a client that disconnects mid-watch: the server keeps serving', async () => {
    await unchanged(async () => {
      for (let i = 0; i < 5; i++) {
        const w = await openWatch(c, `${CM}?watch=true&allowWatchBookmarks=true`);
        expect(w.status).toBe(200);
        w.close();
        await w.ended;
      }
      // A fresh watch still gets its initial events.
      const w = await openWatch(c, `${CM}?watch=true&fieldSelector=metadata.name%3Dexisting`);
      await waitUntil(() => w.events.length >= 1, 20_000, 'the initial ADDED event');
      expect(w.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'existing' } } });
      w.close();
    });
  });

  it('a client that disconnects mid-upload: nothing is stored, the server keeps serving', async () => {
    await unchanged(async () => {
      const body = JSON.stringify(cm('half', { data: { a: 'y'.repeat(100_000) } }));
      for (const [method, path] of [['POST', CM], ['PUT', `${CM}/existing`]] as const) {
        await new Promise<void>((res, rej) => {
          const s = tlsConnect({ host: '127.0.0.1', port: c.apiservers[0]!.port, ca: c.ca, servername: 'localhost', checkServerIdentity: () => undefined }, () => {
            s.write(`${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
            s.write(body.slice(0, 20_000), () => { s.destroy(); res(); });
          });
          s.on('error', rej);
        });
      }
      expect((await c.request(`${CM}/half`)).status).toBe(404);
      const existing = await c.request(`${CM}/existing`);
      expect(existing.body.data).toEqual({ a: '1' });
    });
  });
});
