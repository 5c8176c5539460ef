// One cache per stored resource (upstream's Cacher): a single store watch keeps the current
// objects and a window of recent events in memory, and every HTTP watcher of the resource is
// served from it, so N watchers cost one etcd watch. LIST with resourceVersion=0 is served from
// the cache too.
import type { Logger } from 'pino';
import { ApiError, Errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { prefixEnd, type EtcdClient, type KV, type WatchEvent, type WatchHandle } from './etcd.js';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: EventType;
  /** The object after the change (for DELETED: its last state, resourceVersion = the deletion's revision). */
  object: KubeObject;
  /** The object before the change (MODIFIED, DELETED). */
  prev?: KubeObject;
  key: string;
  rev: number;
}

export interface CacheWatcher {
  /** Key prefix the watcher cares about (a namespace's directory, or the whole resource). */
  prefix: string;
  onEvent(e: CacheEvent): void;
  /** The cache lost continuity (store watch failed): the watcher must end; clients re-list. */
  onTerminate(status: ApiError): void;
  /** The server is shutting down: end the stream cleanly. */
  onStop?(): void;
}

function decode(kv: KV): KubeObject {
  const obj = JSON.parse(kv.value.toString()) as KubeObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** How many events the window keeps (upstream sizes it dynamically; 100 to 100k). */
const DEFAULT_CAPACITY = 10_000;
/** How long a request for a resourceVersion the cache has not reached yet waits (upstream: 3 s). */
const TOO_LARGE_WAIT_MS = 3_000;

export class WatchCache {
  private readonly objects = new Map<string, KubeObject>();
  private readonly window: CacheEvent[] = [];
  private readonly watchers = new Set<CacheWatcher>();
  private waiters: Array<{ rev: number; wake: () => void }> = [];
  /** Every event with a revision above this is in the window. */
  private windowStart = 0;
  /** The revision the cache reflects: all events up to it have been applied. */
  rev = 0;
  private handle?: WatchHandle;
  private readyPromise?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly etcd: EtcdClient,
    readonly dir: string,
    private readonly log: Logger,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {}

  /** Lists the prefix and starts the store watch (once); resolves when the cache is usable. */
  ready(): Promise<void> {
    this.readyPromise ??= this.start();
    return this.readyPromise;
  }

  private async start(): Promise<void> {
    const end = prefixEnd(this.dir);
    const r = await this.etcd.range(this.dir, end);
    this.objects.clear();
    for (const kv of r.kvs) this.objects.set(kv.key, decode(kv));
    this.rev = r.revision;
    this.windowStart = r.revision;
    this.window.length = 0;
    this.handle = this.etcd.watch(this.dir, end, r.revision + 1, {
      onEvents: (events, rev) => this.apply(events, rev),
      onProgress: (rev) => this.advance(rev),
      onError: (err) => {
        // The store cannot continue this watch (compacted while we were away): start over, and
        // end every watcher, since they would miss events (upstream terminates them the same way).
        this.log.warn({ dir: this.dir, err: err.message }, 'watch cache lost its store watch; re-listing');
        for (const w of this.watchers) w.onTerminate(Errors.gone(`too old resource version: ${this.rev}`));
        this.watchers.clear();
        if (this.stopped) return;
        this.readyPromise = this.start().catch((e: unknown) => { this.log.error({ err: e }, 'watch cache re-list failed'); });
      },
    });
  }

  private apply(events: WatchEvent[], rev: number): void {
    for (const e of events) {
      let ev: CacheEvent;
      if (e.type === 'PUT') {
        const object = decode(e.kv);
        const prev = this.objects.get(e.kv.key);
        this.objects.set(e.kv.key, object);
        ev = prev ? { type: 'MODIFIED', object, prev, key: e.kv.key, rev } : { type: 'ADDED', object, key: e.kv.key, rev };
      } else {
        const prev = this.objects.get(e.kv.key) ?? (e.prevKv ? decode(e.prevKv) : undefined);
        this.objects.delete(e.kv.key);
        if (!prev) continue;
        const object = { ...prev, metadata: { ...prev.metadata, resourceVersion: String(rev) } };
        ev = { type: 'DELETED', object, prev, key: e.kv.key, rev };
      }
      this.window.push(ev);
      for (const w of this.watchers) if (ev.key.startsWith(w.prefix)) w.onEvent(ev);
    }
    // Trim whole revisions from the front so the window stays contiguous.
    while (this.window.length > this.capacity) {
      const drop = this.window[0]!.rev;
      while (this.window.length > 0 && this.window[0]!.rev === drop) this.window.shift();
      this.windowStart = drop;
    }
    this.advance(rev);
  }

  private advance(rev: number): void {
    if (rev <= this.rev) return;
    this.rev = rev;
    const woken = this.waiters.filter((w) => w.rev <= rev);
    this.waiters = this.waiters.filter((w) => w.rev > rev);
    for (const w of woken) w.wake();
  }

  /** Waits until the cache has seen revision `rev`, asking the store for progress; 504 after 3 s. */
  async waitFor(rev: number): Promise<void> {
    await this.ready();
    if (this.rev >= rev) return;
    let timer: NodeJS.Timeout | undefined;
    const reached = await new Promise<boolean>((resolve) => {
      this.waiters.push({ rev, wake: () => resolve(true) });
      this.handle?.requestProgress();
      timer = setTimeout(() => resolve(false), TOO_LARGE_WAIT_MS);
    });
    clearTimeout(timer);
    if (!reached) throw Errors.tooLargeResourceVersion(rev, this.rev);
  }

  /** The current objects under `prefix`, sorted by key, and the revision they reflect. */
  async list(prefix: string): Promise<{ items: KubeObject[]; rev: number }> {
    await this.ready();
    return this.snapshot(prefix);
  }

  private snapshot(prefix: string): { items: KubeObject[]; rev: number } {
    const keys = [...this.objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    return { items: keys.map((k) => this.objects.get(k)!), rev: this.rev };
  }

  /**
   * Registers a watcher. With `fromRev` undefined it first gets the current state as ADDED events
   * (`initial`), otherwise the window's events after `fromRev` (410 Expired if they are gone).
   * Returns the revision the live stream starts after, and a function that unregisters.
   */
  async watch(w: CacheWatcher, fromRev: number | undefined, initial?: (objects: KubeObject[], rev: number) => void): Promise<{ rev: number; stop: () => void }> {
    await this.ready();
    if (fromRev === undefined) {
      const { items, rev } = this.snapshot(w.prefix);
      initial?.(items, rev);
      this.watchers.add(w);
      return { rev, stop: () => this.watchers.delete(w) };
    }
    if (fromRev > this.rev) await this.waitFor(fromRev);
    if (fromRev < this.windowStart) throw Errors.gone(`too old resource version: ${fromRev} (${this.windowStart})`);
    // Replay synchronously, then join live delivery: nothing can slip in between.
    for (const ev of this.window) if (ev.rev > fromRev && ev.key.startsWith(w.prefix)) w.onEvent(ev);
    this.watchers.add(w);
    return { rev: this.rev, stop: () => this.watchers.delete(w) };
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  get objectCount(): number {
    return this.objects.size;
  }

  stop(): void {
    this.stopped = true;
    this.handle?.cancel();
    for (const w of this.watchers) w.onStop?.();
    this.watchers.clear();
    for (const w of this.waiters) w.wake();
    this.waiters = [];
  }
}

/** The caches of every resource, by storage directory, created on first use. */
export class WatchCaches {
  private readonly caches = new Map<string, WatchCache>();

  constructor(private readonly etcd: EtcdClient, private readonly log: Logger) {}

  for(dir: string): WatchCache {
    let c = this.caches.get(dir);
    if (!c) {
      c = new WatchCache(this.etcd, dir, this.log);
      this.caches.set(dir, c);
    }
    return c;
  }

  all(): IterableIterator<WatchCache> {
    return this.caches.values();
  }

  stop(): void {
    for (const c of this.caches.values()) c.stop();
  }
}
