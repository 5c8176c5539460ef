// Informers against real kube-apiservers on one raftkv store: the initial list, handlers with the
// right old/new objects, resync, late handler replay, a forced re-list (the watched apiserver is
// down while objects change and the store is compacted) with tombstones, reconnecting across a
// restart without duplicate adds, and the shared factory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { startCluster, waitUntil, type Cluster } from '../../apiserver/test/support/cluster.js';
import { SharedInformerFactory } from '../src/factory.js';
import { isTombstone, SharedIndexInformer, type EventHandler, type InformerOptions, type Tombstone } from '../src/informer.js';
import { loadKubeconfig } from '../src/kubeconfig.js';
import { R } from '../src/resources.js';
import { RestClient, type ResourceClient } from '../src/rest.js';
import type { KubeObject } from '../src/types.js';

interface ConfigMap extends KubeObject { data?: Record<string, string> }

const NS = 'default';

/** What handlers saw, as readable lines, plus the raw arguments for identity checks. */
class Log {
  readonly lines: string[] = [];
  readonly updates: Array<[ConfigMap, ConfigMap]> = [];
  readonly deletes: Array<ConfigMap | Tombstone<ConfigMap>> = [];
  readonly addsByName = new Map<string, number>();

  handler(): EventHandler<ConfigMap> {
    return {
      add: (o, initial) => {
        const n = o.metadata.name ?? '';
        this.addsByName.set(n, (this.addsByName.get(n) ?? 0) + 1);
        this.lines.push(`add ${n}${initial ? ' initial' : ''}`);
      },
      update: (a, b) => { this.updates.push([a, b]); this.lines.push(`update ${a.metadata.name} ${a.data?.v ?? ''}->${b.data?.v ?? ''}`); },
      delete: (o) => {
        this.deletes.push(o);
        this.lines.push(isTombstone(o) ? `delete tombstone ${o.key}` : `delete ${o.metadata.name}`);
      },
    };
  }

  has(line: string): boolean { return this.lines.includes(line); }
}

describe('SharedIndexInformer against kube-apiserver', () => {
  let c: Cluster;
  /** Talks to apiserver 1, which stays up while apiserver 0 restarts. */
  let admin: RestClient;
  let cms: ResourceClient<ConfigMap>;
  const clients: RestClient[] = [];

  /** A client of apiserver `i` (the informer side). */
  const clientOf = (i: number): RestClient => {
    const r = new RestClient({ ...loadKubeconfig(c.kubeconfigFor(i)), qps: 100, burst: 200 }, { registry: new Registry() });
    clients.push(r);
    return r;
  };

  const informer = (set: string, opts: InformerOptions = {}): SharedIndexInformer<ConfigMap> =>
    new SharedIndexInformer<ConfigMap>(clientOf(0).resource<ConfigMap>(R.configmaps), { namespace: NS, labelSelector: `set=${set}`, ...opts });

  const make = (name: string, set: string, v: string): Promise<ConfigMap> =>
    cms.create({ metadata: { name, namespace: NS, labels: { set } }, data: { v } });

  const setV = async (name: string, v: string): Promise<ConfigMap> => {
    const cur = await cms.get(name, NS);
    return cms.update({ ...cur, data: { v } });
  };

  beforeAll(async () => {
    c = await startCluster('raftkv', { apiservers: 2 });
    admin = new RestClient({ ...loadKubeconfig(c.kubeconfigFor(1)), qps: 100, burst: 200 }, { registry: new Registry() });
    cms = admin.resource<ConfigMap>(R.configmaps);
  });
  afterAll(async () => {
    admin?.close();
    for (const r of clients) r.close();
    await c?.teardown();
  });

  it('lists, syncs, and hands adds, updates (old and new) and deletes to handlers', async () => {
    await make('h-a', 'handlers', '1');
    await make('h-b', 'handlers', '1');
    await make('h-other', 'elsewhere', '1');
    const inf = informer('handlers');
    const log = new Log();
    inf.addEventHandler(log.handler());
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    try {
      expect(await inf.waitForSync()).toBe(true);
      expect([...log.lines].sort()).toEqual(['add h-a initial', 'add h-b initial']);
      await make('h-c', 'handlers', '1');
      await setV('h-a', '2');
      await cms.delete('h-b', NS);
      await waitUntil(() => log.lines.length >= 5, 10_000, 'three more events');
      expect(log.lines.slice(2)).toEqual(['add h-c', 'update h-a 1->2', 'delete h-b']);
      const [oldA, newA] = log.updates[0]!;
      expect(Number(newA.metadata.resourceVersion)).toBeGreaterThan(Number(oldA.metadata.resourceVersion));
      const del = log.deletes[0]!;
      expect(isTombstone(del)).toBe(false);
      expect(inf.store.keys().sort()).toEqual(['default/h-a', 'default/h-c']);
      expect(inf.store.get('default/h-a')?.data).toEqual({ v: '2' });
      // A label change that leaves the selector arrives as a delete.
      const cCur = await cms.get('h-c', NS);
      await cms.update({ ...cCur, metadata: { ...cCur.metadata, labels: { set: 'moved' } } });
      await waitUntil(() => log.has('delete h-c'), 10_000, 'h-c leaving the selector');
      expect(inf.store.has('default/h-c')).toBe(false);
    } finally {
      ac.abort();
      await run;
    }
  });

  it('resync calls update with the same object; a handler added after sync gets replayed adds', async () => {
    await make('r-a', 'resync', '1');
    await make('r-b', 'resync', '1');
    const inf = informer('resync');
    const periodic = new Log();
    inf.addEventHandler(periodic.handler(), 300);
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    try {
      await inf.waitForSync();
      await waitUntil(() => periodic.updates.length >= 4, 10_000, 'two resyncs');
      for (const [a, b] of periodic.updates) expect(a).toBe(b);
      expect(new Set(periodic.updates.map(([a]) => a.metadata.name))).toEqual(new Set(['r-a', 'r-b']));
      const late = new Log();
      inf.addEventHandler(late.handler());
      expect([...late.lines].sort()).toEqual(['add r-a initial', 'add r-b initial']);
      await make('r-c', 'resync', '1');
      await waitUntil(() => late.has('add r-c'), 10_000, 'r-c to the late handler');
      // The handler without a resync period sees no resync updates.
      expect(late.updates).toEqual([]);
    } finally {
      ac.abort();
      await run;
    }
  });

  it('re-lists after its watch cannot resume (apiserver down, objects changed, store compacted): deletions arrive as tombstones', async () => {
    await make('c-keep', 'relist', '1');
    await make('c-change', 'relist', '1');
    await make('c-gone', 'relist', '1');
    const inf = informer('relist');
    const log = new Log();
    inf.addEventHandler(log.handler());
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    try {
      await inf.waitForSync();
      const seenRV = inf.lastSyncResourceVersion();
      let compactedAt = 0;
      await c.restartApiServer(0, async () => {
        await cms.delete('c-gone', NS);
        await setV('c-change', '2');
        await make('c-new', 'relist', '1');
        // Enough unrelated writes that the informer's version is well behind, then compact away
        // the history it would need to resume.
        for (let i = 0; i < 5; i++) await make(`c-noise-${i}`, 'noise', '1');
        compactedAt = await c.compact();
      });
      expect(compactedAt).toBeGreaterThan(Number(seenRV));
      await waitUntil(() => log.has('delete tombstone default/c-gone') && log.has('add c-new') && log.has('update c-change 1->2'), 30_000, 'the re-list');
      const tomb = log.deletes.find(isTombstone)!;
      expect(tomb).toMatchObject({ key: 'default/c-gone', finalStateUnknown: true, obj: { metadata: { name: 'c-gone' }, data: { v: '1' } } });
      expect(Number(tomb.obj.metadata.resourceVersion)).toBeLessThanOrEqual(Number(seenRV));
      expect(inf.store.keys().sort()).toEqual(['default/c-change', 'default/c-keep', 'default/c-new']);
      expect(inf.store.get('default/c-change')?.data).toEqual({ v: '2' });
      // c-keep did not change, so the re-list reports nothing for it; nothing was added twice.
      expect(log.lines.filter((l) => l.includes('c-keep'))).toEqual(['add c-keep initial']);
      expect([...log.addsByName.values()].every((n) => n === 1)).toBe(true);
      expect(Number(inf.lastSyncResourceVersion())).toBeGreaterThanOrEqual(compactedAt);
      // And it watches again afterwards.
      await make('c-after', 'relist', '1');
      await waitUntil(() => log.has('add c-after'), 20_000, 'an add after the re-list');
    } finally {
      ac.abort();
      await run;
    }
  });

  it('reconnects across an apiserver restart without duplicate adds and keeps receiving events', async () => {
    await make('s-a', 'restart', '1');
    await make('s-b', 'restart', '1');
    const inf = informer('restart');
    const log = new Log();
    inf.addEventHandler(log.handler());
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    try {
      await inf.waitForSync();
      await c.restartApiServer(0);
      await make('s-c', 'restart', '1');
      await setV('s-a', '2');
      await waitUntil(() => log.has('add s-c') && log.has('update s-a 1->2'), 30_000, 'events after the restart');
      expect(Object.fromEntries(log.addsByName)).toEqual({ 's-a': 1, 's-b': 1, 's-c': 1 });
      expect(log.deletes).toEqual([]);
      expect(inf.store.keys().sort()).toEqual(['default/s-a', 'default/s-b', 'default/s-c']);
    } finally {
      ac.abort();
      await run;
    }
  });

  it('SharedInformerFactory shares one informer per resource and selector, and starts late ones at once', async () => {
    await make('f-a', 'factory', '1');
    const factory = new SharedInformerFactory(clientOf(0));
    const one = factory.informerFor<ConfigMap>(R.configmaps, { labelSelector: 'set=factory' });
    const same = factory.informerFor<ConfigMap>(R.configmaps, { labelSelector: 'set=factory' });
    const otherSel = factory.informerFor<ConfigMap>(R.configmaps, { labelSelector: 'set=else' });
    const otherRes = factory.informerFor(R.namespaces);
    expect(same).toBe(one);
    expect(otherSel).not.toBe(one);
    expect(otherRes).not.toBe(one);
    const first = new Log();
    const second = new Log();
    one.addEventHandler(first.handler());
    same.addEventHandler(second.handler());
    const ac = new AbortController();
    factory.start(ac.signal);
    try {
      expect(await factory.waitForCacheSync()).toBe(true);
      expect(first.lines).toEqual(['add f-a initial']);
      expect(second.lines).toEqual(['add f-a initial']);
      expect(otherRes.store.keys()).toContain('default');
      const late = factory.informerFor(R.leases, { namespace: 'kube-system' });
      expect(await late.waitForSync()).toBe(true);
      await make('f-b', 'factory', '1');
      await waitUntil(() => first.has('add f-b') && second.has('add f-b'), 10_000, 'f-b to both handlers');
    } finally {
      ac.abort();
      await factory.shutdown();
    }
    expect(one.hasSynced()).toBe(true);
  });
});
