// SharedIndexInformer against a scripted list/watch source on a FakeClock: the initial list from
// the cache, watch events to handlers, re-watch from the last version, re-list (consistent) on
// 410 with tombstones for what vanished, error backoff, resync, and late handler replay.
import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../src/clock.js';
import { ApiError } from '../../src/errors.js';
import { isTombstone, SharedIndexInformer, type EventHandler, type Tombstone } from '../../src/informer.js';
import { R } from '../../src/resources.js';
import type { ListOptions, ResourceClient, WatchOptions, WatchStream } from '../../src/rest.js';
import type { KubeList, KubeObject, WatchEvent } from '../../src/types.js';

interface CM extends KubeObject { data?: Record<string, string> }

const cm = (name: string, rv: string, data: Record<string, string> = {}): CM => ({ metadata: { namespace: 'ns', name, resourceVersion: rv }, data });

/** A watch whose events the test pushes; end() closes it like a server timeout. */
class FakeStream implements WatchStream<CM> {
  private readonly queue: WatchEvent<CM>[] = [];
  private wake: (() => void) | undefined;
  ended = false;
  stopped = false;

  constructor(readonly opts: WatchOptions) {}

  push(type: WatchEvent<CM>['type'], object: CM | Record<string, unknown>): void {
    this.queue.push({ type, object: object as CM });
    this.wake?.();
  }

  end(): void { this.ended = true; this.wake?.(); }
  stop(): void { this.stopped = true; this.end(); }

  async *[Symbol.asyncIterator](): AsyncGenerator<WatchEvent<CM>> {
    for (;;) {
      const e = this.queue.shift();
      if (e) { yield e; continue; }
      if (this.ended) return;
      await new Promise<void>((r) => { this.wake = r; });
      this.wake = undefined;
    }
  }
}

/** Serves `items` at `rv` to lists and hands out FakeStreams; `failNext` makes the next call throw. */
class FakeSource {
  items: CM[] = [];
  rv = '10';
  readonly lists: Array<{ kind: 'list' | 'listAll'; opts: ListOptions }> = [];
  readonly watches: FakeStream[] = [];
  failNext: Error[] = [];
  readonly type = R.configmaps;

  private page(): KubeList<CM> { return { metadata: { resourceVersion: this.rv }, items: structuredClone(this.items) }; }

  async list(_ns: string | undefined, opts: ListOptions = {}): Promise<KubeList<CM>> {
    this.lists.push({ kind: 'list', opts });
    const e = this.failNext.shift();
    if (e) throw e;
    return this.page();
  }

  async listAll(_ns: string | undefined, opts: ListOptions = {}): Promise<KubeList<CM>> {
    this.lists.push({ kind: 'listAll', opts });
    const e = this.failNext.shift();
    if (e) throw e;
    return this.page();
  }

  async watch(_ns: string | undefined, opts: WatchOptions = {}): Promise<WatchStream<CM>> {
    const e = this.failNext.shift();
    if (e) throw e;
    const s = new FakeStream(opts);
    this.watches.push(s);
    return s;
  }

  get lastWatch(): FakeStream { return this.watches[this.watches.length - 1]!; }
}

type Call = string;

/** A handler that logs calls as readable strings. */
function recorder(calls: Call[], tag = ''): EventHandler<CM> {
  const d = (o: CM): string => `${o.metadata.name}@${o.metadata.resourceVersion}`;
  return {
    add: (o, initial) => calls.push(`${tag}add ${d(o)}${initial ? ' initial' : ''}`),
    update: (a, b) => calls.push(`${tag}update ${d(a)} -> ${d(b)}`),
    delete: (o: CM | Tombstone<CM>) => calls.push(isTombstone(o) ? `${tag}delete tombstone ${o.key} ${d(o.obj)}` : `${tag}delete ${d(o)}`),
  };
}

function setup(items: CM[] = []): { src: FakeSource; inf: SharedIndexInformer<CM>; clock: FakeClock; ac: AbortController; run: () => Promise<void> } {
  const src = new FakeSource();
  src.items = items;
  const clock = new FakeClock();
  const inf = new SharedIndexInformer<CM>(src as unknown as ResourceClient<CM>, { namespace: 'ns', labelSelector: 'app=x', clock });
  const ac = new AbortController();
  const run = async (): Promise<void> => { void inf.run(ac.signal); await flushMicrotasks(); };
  return { src, inf, clock, ac, run };
}

describe('SharedIndexInformer (scripted source)', () => {
  it('lists from the watch cache, syncs, then watches from the list version with bookmarks', async () => {
    const { src, inf, ac, run } = setup([cm('a', '5'), cm('b', '7')]);
    const calls: Call[] = [];
    inf.addEventHandler(recorder(calls));
    const synced = inf.waitForSync();
    expect(inf.hasSynced()).toBe(false);
    await run();
    expect(await synced).toBe(true);
    expect(calls).toEqual(['add a@5 initial', 'add b@7 initial']);
    expect(src.lists).toEqual([{ kind: 'list', opts: { labelSelector: 'app=x', fieldSelector: undefined, resourceVersion: '0' } }]);
    expect(src.watches).toHaveLength(1);
    expect(src.lastWatch.opts).toMatchObject({ resourceVersion: '10', allowWatchBookmarks: true, labelSelector: 'app=x' });
    expect(src.lastWatch.opts.timeoutSeconds).toBeGreaterThanOrEqual(300);
    expect(src.lastWatch.opts.timeoutSeconds).toBeLessThan(600);
    expect(inf.store.keys().sort()).toEqual(['ns/a', 'ns/b']);
    ac.abort();
  });

  it('delivers watch events with the right old and new objects; bookmarks only move the version', async () => {
    const { src, inf, ac, run } = setup([cm('a', '5', { v: '1' })]);
    const calls: Call[] = [];
    inf.addEventHandler(recorder(calls));
    await run();
    calls.length = 0;
    const w = src.lastWatch;
    w.push('ADDED', cm('b', '11'));
    w.push('MODIFIED', cm('a', '12', { v: '2' }));
    w.push('BOOKMARK', { metadata: { resourceVersion: '15' } });
    w.push('DELETED', cm('b', '16'));
    await flushMicrotasks();
    expect(calls).toEqual(['add b@11', 'update a@5 -> a@12', 'delete b@16']);
    expect(inf.store.get('ns/a')?.data).toEqual({ v: '2' });
    expect(inf.store.has('ns/b')).toBe(false);
    expect(inf.lastSyncResourceVersion()).toBe('16');
    w.push('BOOKMARK', { metadata: { resourceVersion: '20' } });
    await flushMicrotasks();
    expect(inf.lastSyncResourceVersion()).toBe('20');
    expect(calls).toHaveLength(3);
    ac.abort();
  });

  it('re-watches from the last seen version when a watch ends, without re-listing', async () => {
    const { src, inf, ac, run } = setup([cm('a', '5')]);
    const calls: Call[] = [];
    inf.addEventHandler(recorder(calls));
    await run();
    src.lastWatch.push('ADDED', cm('b', '11'));
    src.lastWatch.end();
    await flushMicrotasks();
    expect(src.watches).toHaveLength(2);
    expect(src.lastWatch.opts.resourceVersion).toBe('11');
    expect(src.lists).toHaveLength(1);
    expect(calls).toEqual(['add a@5 initial', 'add b@11']);
    ac.abort();
  });

  it('on a 410 ERROR event re-lists consistently and emits the differences, deletions as tombstones', async () => {
    const { src, inf, ac, run } = setup([cm('keep', '5'), cm('change', '6'), cm('gone', '7')]);
    const calls: Call[] = [];
    inf.addEventHandler(recorder(calls));
    await run();
    calls.length = 0;
    src.items = [cm('keep', '5'), cm('change', '30'), cm('new', '31')];
    src.rv = '40';
    src.lastWatch.push('ERROR', { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: 'too old resource version: 10 (35)' });
    await flushMicrotasks();
    expect(src.lists[1]).toEqual({ kind: 'listAll', opts: { labelSelector: 'app=x', fieldSelector: undefined, limit: 500 } });
    expect(calls.sort()).toEqual(['add new@31', 'delete tombstone ns/gone gone@7', 'update change@6 -> change@30'].sort());
    expect(inf.store.keys().sort()).toEqual(['ns/change', 'ns/keep', 'ns/new']);
    expect(src.lastWatch.opts.resourceVersion).toBe('40');
    ac.abort();
  });

  it('a watch request rejected with 410 also re-lists', async () => {
    const { src, inf, clock, ac, run } = setup([cm('a', '5')]);
    const calls: Call[] = [];
    inf.addEventHandler(recorder(calls));
    await run();
    src.items = [];
    src.rv = '50';
    src.failNext = [new ApiError({ kind: 'Status', code: 410, reason: 'Expired', message: 'gone' }, 410)];
    src.lastWatch.end();
    // A watch that ends at once without events is backed off from before the next attempt.
    await clock.step(1_000);
    expect(src.lists.map((l) => l.kind)).toEqual(['list', 'listAll']);
    expect(calls).toEqual(['add a@5 initial', 'delete tombstone ns/a a@5']);
    expect(src.lastWatch.opts.resourceVersion).toBe('50');
    ac.abort();
  });

  // Upstream's reflector returns from ListAndWatch on a watch ERROR event other than 410 (and
  // backs off explicitly on 429), so the next attempt waits on the backoff manager.
  it('backs off before watching again after a non-410 ERROR event', async () => {
    const { src, clock, ac, run } = setup([cm('a', '5')]);
    await run();
    src.lastWatch.push('ERROR', { kind: 'Status', status: 'Failure', code: 429, reason: 'TooManyRequests', message: 'too many requests' });
    await flushMicrotasks();
    expect(src.watches).toHaveLength(1);
    await clock.step(1_000);
    expect(src.watches).toHaveLength(2);
    ac.abort();
  });

  // Upstream treats a watch that closes within a second without any event as an error ("very
  // short watch") and backs off rather than spinning against a server that closes watches at once.
  it('backs off after a watch that closes at once without events', async () => {
    const { src, clock, ac, run } = setup([cm('a', '5')]);
    await run();
    src.lastWatch.end();
    await flushMicrotasks();
    expect(src.watches).toHaveLength(1);
    await clock.step(1_000);
    expect(src.watches.length).toBeGreaterThanOrEqual(2);
    ac.abort();
  });

  it('backs off on list errors on the injected clock (800 ms, then doubling)', async () => {
    const { src, inf, clock, ac, run } = setup([cm('a', '5')]);
    src.failNext = [new Error('connection refused'), new Error('connection refused')];
    await run();
    expect(src.lists).toHaveLength(1);
    await clock.step(790);
    expect(src.lists).toHaveLength(1);
    await clock.step(200); // past 800 ms × (1 + up to 0.2 jitter)
    expect(src.lists).toHaveLength(2);
    // The second retry comes 1600..1920 ms after the first (800..960 ms): at 2400 ms at the earliest.
    await clock.step(1300);
    expect(src.lists).toHaveLength(2);
    await clock.step(700); // past 960 + 1920 ms
    expect(src.lists).toHaveLength(3);
    expect(inf.hasSynced()).toBe(true);
    ac.abort();
  });

  it('resync calls update(obj, obj) on handlers that asked for it, at their own period', async () => {
    const { inf, clock, ac, run } = setup([cm('a', '5'), cm('b', '6')]);
    const fast: Call[] = [];
    const none: Call[] = [];
    inf.addEventHandler(recorder(fast), 30_000);
    inf.addEventHandler(recorder(none));
    await run();
    fast.length = 0;
    none.length = 0;
    await clock.step(29_000);
    expect(fast).toEqual([]);
    await clock.step(1_000);
    expect(fast.sort()).toEqual(['update a@5 -> a@5', 'update b@6 -> b@6']);
    await clock.step(30_000);
    expect(fast).toHaveLength(4);
    expect(none).toEqual([]);
    ac.abort();
  });

  it('replays the store as initial adds to a handler added after sync; remove() stops delivery', async () => {
    const { src, inf, ac, run } = setup([cm('a', '5'), cm('b', '6')]);
    await run();
    const late: Call[] = [];
    const reg = inf.addEventHandler(recorder(late));
    expect(late.sort()).toEqual(['add a@5 initial', 'add b@6 initial']);
    expect(reg.hasSynced()).toBe(true);
    reg.remove();
    src.lastWatch.push('ADDED', cm('c', '11'));
    await flushMicrotasks();
    expect(late).toHaveLength(2);
    expect(inf.store.has('ns/c')).toBe(true);
    ac.abort();
  });

  it('a throwing handler does not keep others from their events', async () => {
    const { src, inf, ac, run } = setup();
    const calls: Call[] = [];
    inf.addEventHandler({ add: () => { throw new Error('boom'); } });
    inf.addEventHandler(recorder(calls));
    await run();
    src.lastWatch.push('ADDED', cm('x', '11'));
    await flushMicrotasks();
    expect(calls).toEqual(['add x@11']);
    ac.abort();
  });

  it('abort stops the watch and run() resolves; waitForSync resolves false when aborted before sync', async () => {
    const { src, inf, ac } = setup([cm('a', '5')]);
    src.failNext = [new Error('down')];
    const stopSync = new AbortController();
    const synced = inf.waitForSync(stopSync.signal);
    const running = inf.run(ac.signal);
    await flushMicrotasks();
    stopSync.abort();
    expect(await synced).toBe(false);
    ac.abort();
    await running;
    // A second run is allowed once the first has ended.
    const ac2 = new AbortController();
    const again = inf.run(ac2.signal);
    await flushMicrotasks();
    expect(inf.hasSynced()).toBe(true);
    const w = src.lastWatch;
    ac2.abort();
    await again;
    expect(w.stopped).toBe(true);
  });
});
