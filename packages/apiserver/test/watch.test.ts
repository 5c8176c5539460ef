// Watch semantics over raw HTTPS, on raftkv and on etcd: sendInitialEvents with its closing
// bookmark, resuming from a resourceVersion, selectors applied to both sides of a change, and
// list resourceVersion semantics served from the watch cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, testKinds, type Cluster } from './support/cluster.js';

interface WatchEvent { type: string; object: { kind?: string; metadata: { name?: string; resourceVersion: string; annotations?: Record<string, string>; labels?: Record<string, string> } } }

const CM = '/api/v1/namespaces/default/configmaps';
const events = (text: string): WatchEvent[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as WatchEvent);

describe.each(testKinds())('watch semantics on %s', (kind) => {
  let c: Cluster;
  beforeAll(async () => { c = await startCluster(kind); });
  afterAll(async () => { await c?.teardown(); });

  const create = async (name: string, labels: Record<string, string> = {}): Promise<string> => {
    const r = await c.request(CM, { method: 'POST', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels } } });
    expect(r.status).toBe(201);
    return r.body.metadata.resourceVersion as string;
  };

  it('sendInitialEvents: the current state, then the initial-events-end bookmark, then changes', async () => {
    await create('w-a', { set: 'w' });
    await create('w-b', { set: 'w' });
    const pending = c.request(`${CM}?watch=true&labelSelector=set%3Dw&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=2`);
    await new Promise((r) => setTimeout(r, 500));
    await create('w-c', { set: 'w' });
    const r = await pending;
    expect(r.status).toBe(200);
    const ev = events(r.text);
    expect(ev.slice(0, 2).map((e) => `${e.type} ${e.object.metadata.name}`).sort()).toEqual(['ADDED w-a', 'ADDED w-b']);
    expect(ev[2]!.type).toBe('BOOKMARK');
    expect(ev[2]!.object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    expect(ev[2]!.object.kind).toBe('ConfigMap');
    expect(ev[3]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'w-c' } } });
  });

  it('sendInitialEvents needs resourceVersionMatch=NotOlderThan and bookmarks', async () => {
    const r = await c.request(`${CM}?watch=true&sendInitialEvents=true`);
    expect(r.status).toBe(422);
    expect(r.body.message).toBe('ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true]');
  });

  it('resumes from a resourceVersion, and turns selector exits and entries into DELETED and ADDED', async () => {
    const from = await create('sel', { tier: 'a' });
    await c.request(`${CM}/sel`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { labels: { tier: 'b' } } } });
    await c.request(`${CM}/sel`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: { metadata: { labels: { tier: 'a' } } } });
    await c.request(`${CM}/sel`, { method: 'DELETE' });
    const r = await c.request(`${CM}?watch=true&labelSelector=tier%3Da&resourceVersion=${from}&timeoutSeconds=1`);
    expect(events(r.text).map((e) => `${e.type} ${e.object.metadata.labels?.tier ?? ''}`)).toEqual(['DELETED b', 'ADDED a', 'DELETED a']);
  });

  it('lists with resourceVersion=0 from the cache and Exact from the store', async () => {
    const rv = await create('exact-1');
    await create('exact-2');
    const cached = await c.request(`${CM}?resourceVersion=0`);
    expect(cached.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).toEqual(expect.arrayContaining(['exact-1', 'exact-2']));
    const exact = await c.request(`${CM}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
    const names = exact.body.items.map((i: { metadata: { name: string } }) => i.metadata.name) as string[];
    expect(names).toContain('exact-1');
    expect(names).not.toContain('exact-2');
    expect(exact.body.metadata.resourceVersion).toBe(rv);
  });
});
