// Two kube-apiservers on one store (raftkv or a real etcd 3.4): what one writes, the other reads,
// lists and watches; an update through the second with the first one's stale resourceVersion is
// a 409 Conflict.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request as httpsRequest } from 'node:https';
import { startCluster, testKinds, waitUntil, type Cluster } from './support/cluster.js';

const CM = '/api/v1/namespaces/default/configmaps';

describe.each(testKinds())('two kube-apiservers on one %s', (kind) => {
  let c: Cluster;

  beforeAll(async () => { c = await startCluster(kind, { apiservers: 2 }); });
  afterAll(async () => { await c?.teardown(); });

  it('both serve, with the same CA', async () => {
    for (const server of [0, 1]) {
      const h = await c.request('/healthz', { server });
      expect(h.text).toBe('ok');
    }
    expect(c.apiservers[0]!.port).not.toBe(c.apiservers[1]!.port);
  });

  it('an object created via one is read, listed and watched via the other', async () => {
    // The watch through #1 opens first, from the current state.
    const events: Array<{ type: string; object: { metadata: { name: string; resourceVersion: string }; data?: Record<string, string> } }> = [];
    let buf = '';
    const req = httpsRequest({ host: '127.0.0.1', port: c.apiservers[1]!.port, path: `${CM}?watch=true&fieldSelector=metadata.name%3Dshared`, ca: c.ca });
    const opened = new Promise<number>((res, rej) => {
      req.on('response', (r) => {
        r.on('data', (d: Buffer) => {
          buf += d.toString();
          let i;
          while ((i = buf.indexOf('\n')) >= 0) { const l = buf.slice(0, i).trim(); buf = buf.slice(i + 1); if (l) events.push(JSON.parse(l)); }
        });
        res(r.statusCode ?? 0);
      });
      req.on('error', rej);
    });
    req.end();
    try {
      expect(await opened).toBe(200);
      const created = await c.request(CM, { method: 'POST', server: 0, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared', labels: { multi: 'yes' } }, data: { v: '1' } } });
      expect(created.status).toBe(201);
      const rv: string = created.body.metadata.resourceVersion;

      const read = await c.request(`${CM}/shared`, { server: 1 });
      expect(read.status).toBe(200);
      expect(read.body.metadata).toMatchObject({ name: 'shared', uid: created.body.metadata.uid, resourceVersion: rv });
      expect(read.body.data).toEqual({ v: '1' });

      const list = await c.request(`${CM}?labelSelector=multi%3Dyes`, { server: 1 });
      expect(list.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['shared']);
      expect(Number(list.body.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(rv));
      // A list "not older than" the create's RV through the other server sees it too (served from its cache).
      const cached = await c.request(`${CM}?labelSelector=multi%3Dyes&resourceVersion=${rv}&resourceVersionMatch=NotOlderThan`, { server: 1 });
      expect(cached.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(['shared']);

      await waitUntil(() => events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'shared'), 20_000, 'ADDED via the other apiserver');
      const upd = await c.request(`${CM}/shared`, { method: 'PATCH', server: 0, headers: { 'Content-Type': 'application/merge-patch+json' }, body: { data: { v: '2' } } });
      expect(upd.status).toBe(200);
      await waitUntil(() => events.some((e) => e.type === 'MODIFIED'), 20_000, 'MODIFIED via the other apiserver');
      expect(events.map((e) => `${e.type}:${e.object.metadata.resourceVersion}`)).toEqual([`ADDED:${rv}`, `MODIFIED:${upd.body.metadata.resourceVersion}`]);
      expect(events[1]!.object.data).toEqual({ v: '2' });
    } finally {
      req.destroy();
    }
  });

  it('a conflicting update through the second gets 409 Conflict', async () => {
    const mk = await c.request(CM, { method: 'POST', server: 0, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'contended' }, data: { n: '0' } } });
    expect(mk.status).toBe(201);
    // Both servers read the same version...
    const a = (await c.request(`${CM}/contended`, { server: 0 })).body;
    const b = (await c.request(`${CM}/contended`, { server: 1 })).body;
    expect(b.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    // ...the first writes...
    const first = await c.request(`${CM}/contended`, { method: 'PUT', server: 0, body: { ...a, data: { n: '1' } } });
    expect(first.status).toBe(200);
    // ...and the second's write, based on the old version, conflicts.
    const second = await c.request(`${CM}/contended`, { method: 'PUT', server: 1, body: { ...b, data: { n: '2' } } });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({
      kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409,
      message: 'Operation cannot be fulfilled on configmaps "contended": the object has been modified; please apply your changes to the latest version and try again',
      details: { name: 'contended', kind: 'configmaps' },
    });
    const now = await c.request(`${CM}/contended`, { server: 1 });
    expect(now.body.data).toEqual({ n: '1' });
    // kubectl through the second server sees the first's write.
    expect(await c.kubectlOk(['get', 'cm', 'contended', '-o', 'jsonpath={.data.n}'], undefined, 1)).toBe('1');
  });

  it('concurrent updates through both servers: each succeeds or gets 409, none is lost', async () => {
    await c.request(CM, { method: 'POST', server: 0, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'counter' }, data: { n: '0' } } });
    let ok = 0;
    let conflicts = 0;
    await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const server = i % 2;
      const cur = (await c.request(`${CM}/counter`, { server })).body;
      const r = await c.request(`${CM}/counter`, { method: 'PUT', server, body: { ...cur, data: { n: String(Number(cur.data.n) + 1) } } });
      if (r.status === 200) ok++;
      else { expect(r.status).toBe(409); conflicts++; }
    }));
    expect(ok + conflicts).toBe(20);
    const final = (await c.request(`${CM}/counter`, { server: 1 })).body;
    expect(Number(final.data.n)).toBe(ok);
  });

  it('an apiserver exits on SIGTERM even with a watch open; the other keeps serving', async () => {
    const w = httpsRequest({ host: '127.0.0.1', port: c.apiservers[0]!.port, path: `${CM}?watch=true`, ca: c.ca });
    const status = await new Promise<number>((res, rej) => { w.on('response', (r) => res(r.statusCode ?? 0)); w.on('error', rej); w.end(); });
    w.on('error', () => {});
    expect(status).toBe(200);
    // Upstream ends its watches on SIGTERM and exits (after --shutdown-delay-duration, 0 by default).
    const graceful = await c.stopApiServer(0, 15_000);
    w.destroy();
    expect(graceful).toBe(true);
    const h = await c.request('/healthz', { server: 1 });
    expect(h.text).toBe('ok');
    expect((await c.request(`${CM}/contended`, { server: 1 })).status).toBe(200);
  }, 60_000);
});
