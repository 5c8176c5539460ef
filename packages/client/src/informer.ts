// A shared index informer (client-go's reflector + DeltaFIFO + sharedIndexInformer, folded into
// one loop because JS has one thread): LIST, then WATCH from the list's resourceVersion with
// bookmarks, re-watch from the last seen version when a watch ends, re-list when the version is
// compacted away (410 Expired), back off on errors, and hand every change to the registered
// handlers. Objects a re-list no longer sees are delivered as tombstones (DeletedFinalStateUnknown).
import type { Logger } from 'pino';
import { realClock, type Clock, type Timer } from './clock.js';
import { isGone } from './errors.js';
import type { ResourceClient } from './rest.js';
import { Indexer, type IndexFunc } from './store.js';
import { objectKey, type KubeObject, type Status } from './types.js';

/** A deletion the informer inferred from a re-list: the object's last known state. */
export interface Tombstone<T> { key: string; obj: T; finalStateUnknown: true }

export function isTombstone<T>(x: T | Tombstone<T>): x is Tombstone<T> {
  return typeof x === 'object' && x !== null && (x as Tombstone<T>).finalStateUnknown === true;
}

export function unwrapTombstone<T>(x: T | Tombstone<T>): T { return isTombstone(x) ? x.obj : x; }

export interface EventHandler<T> {
  add?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new on resync. */
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T | Tombstone<T>): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Default resync period for handlers that do not set one (0 = never). */
  resyncMs?: number;
  clock?: Clock;
  logger?: Logger;
  /** Watch timeout range (client-go: random 5..10 minutes). */
  minWatchTimeoutSeconds?: number;
}

interface Registration<T> { handler: EventHandler<T>; resyncMs: number; nextResync: number }

export interface HandlerRegistration { remove(): void; hasSynced(): boolean }

const BACKOFF_INITIAL_MS = 800;
const BACKOFF_MAX_MS = 30_000;

export class SharedIndexInformer<T extends KubeObject> {
  readonly store: Indexer<T>;
  private readonly handlers: Registration<T>[] = [];
  private readonly clock: Clock;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private lastRV = '';
  private running = false;
  private resyncTimer: Timer | undefined;
  private stream: { stop(): void } | undefined;

  constructor(private readonly client: ResourceClient<T>, private readonly opts: InformerOptions = {}) {
    this.store = new Indexer<T>();
    this.clock = opts.clock ?? realClock;
  }

  get resource(): string { return this.client.type.plural; }

  addIndexers(indexers: Record<string, IndexFunc<T>>): void { this.store.addIndexers(indexers); }

  /** Registers a handler; if the informer already has objects, they are replayed as adds. */
  addEventHandler(handler: EventHandler<T>, resyncMs = this.opts.resyncMs ?? 0): HandlerRegistration {
    const reg: Registration<T> = { handler, resyncMs, nextResync: this.clock.now() + resyncMs };
    this.handlers.push(reg);
    if (this.synced) for (const o of this.store.list()) this.call(() => handler.add?.(o, true));
    this.scheduleResync();
    return {
      remove: () => { const i = this.handlers.indexOf(reg); if (i >= 0) this.handlers.splice(i, 1); },
      hasSynced: () => this.synced,
    };
  }

  hasSynced(): boolean { return this.synced; }

  lastSyncResourceVersion(): string { return this.lastRV; }

  /** Resolves true once the first list is in the store, false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    return new Promise((resolve) => {
      const onAbort = (): void => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => { signal?.removeEventListener('abort', onAbort); resolve(true); });
    });
  }

  private call(fn: () => void): void {
    try { fn(); } catch (e) { this.opts.logger?.error({ err: e, resource: this.resource }, 'informer event handler failed'); }
  }

  private emitAdd(o: T, initial: boolean): void { for (const r of [...this.handlers]) this.call(() => r.handler.add?.(o, initial)); }
  private emitUpdate(a: T, b: T): void { for (const r of [...this.handlers]) this.call(() => r.handler.update?.(a, b)); }
  private emitDelete(o: T | Tombstone<T>): void { for (const r of [...this.handlers]) this.call(() => r.handler.delete?.(o)); }

  private scheduleResync(): void {
    if (!this.running || this.resyncTimer) return;
    const periods = this.handlers.filter((r) => r.resyncMs > 0);
    if (periods.length === 0) return;
    const next = Math.min(...periods.map((r) => r.nextResync));
    this.resyncTimer = this.clock.after(Math.max(0, next - this.clock.now()), () => {
      this.resyncTimer = undefined;
      const now = this.clock.now();
      for (const r of this.handlers) {
        if (r.resyncMs <= 0 || r.nextResync > now) continue;
        r.nextResync = now + r.resyncMs;
        if (this.synced) for (const o of this.store.list()) this.call(() => r.handler.update?.(o, o));
      }
      this.scheduleResync();
    });
  }

  /** Replaces the store with a full list, emitting the differences. */
  private replace(items: T[], initial: boolean): void {
    const seen = new Set<string>();
    for (const o of items) {
      const key = objectKey(o);
      seen.add(key);
      const old = this.store.set(o);
      if (!old) this.emitAdd(o, initial);
      else if (old.metadata.resourceVersion !== o.metadata.resourceVersion) this.emitUpdate(old, o);
    }
    for (const key of this.store.keys()) {
      if (seen.has(key)) continue;
      const old = this.store.remove(key)!;
      this.emitDelete({ key, obj: old, finalStateUnknown: true });
    }
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    const w = this.syncWaiters;
    this.syncWaiters = [];
    for (const f of w) f();
  }

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`informer for ${this.resource} is already running`);
    this.running = true;
    this.scheduleResync();
    const onAbort = (): void => { this.stream?.stop(); };
    signal.addEventListener('abort', onAbort, { once: true });
    let needList = true;
    let fromCache = true;
    let backoff = BACKOFF_INITIAL_MS;
    const { namespace, labelSelector, fieldSelector } = this.opts;
    const log = this.opts.logger;
    try {
      while (!signal.aborted) {
        try {
          if (needList) {
            // The first list may come from the apiserver's watch cache (RV=0); after a 410 the
            // list must be consistent (RV unset) or it could be older than what we saw.
            const list = fromCache
              ? await this.client.list(namespace, { labelSelector, fieldSelector, resourceVersion: '0' }, signal)
              : await this.client.listAll(namespace, { labelSelector, fieldSelector, limit: 500 }, signal);
            const initial = !this.synced;
            this.replace(list.items, initial);
            this.lastRV = list.metadata.resourceVersion ?? '';
            needList = false;
            this.markSynced();
          }
          const minT = this.opts.minWatchTimeoutSeconds ?? 300;
          const stream = await this.client.watch(namespace, {
            labelSelector, fieldSelector, resourceVersion: this.lastRV, allowWatchBookmarks: true,
            timeoutSeconds: Math.floor(minT * (1 + Math.random())),
          }, signal);
          this.stream = stream;
          const watchStart = this.clock.now();
          let events = 0;
          let failed = false;
          for await (const ev of stream) {
            events++;
            if (ev.type === 'ERROR') {
              const st = ev.object as unknown as Status;
              if (st.code === 410 || st.reason === 'Expired' || st.reason === 'Gone') {
                log?.info({ resource: this.resource, rv: this.lastRV }, 'watch expired; re-listing');
                needList = true;
                fromCache = false;
              } else {
                log?.warn({ resource: this.resource, status: st }, 'watch error event');
                failed = true;
              }
              break;
            }
            const o = ev.object;
            const rv = o.metadata?.resourceVersion;
            if (ev.type === 'BOOKMARK') { if (rv) this.lastRV = rv; continue; }
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED') {
              const old = this.store.set(o);
              if (old) this.emitUpdate(old, o); else this.emitAdd(o, false);
            } else if (ev.type === 'DELETED') {
              this.store.remove(o);
              this.emitDelete(o);
            }
            if (rv) this.lastRV = rv;
          }
          stream.stop();
          // As the reflector: an error event, or a watch that closed within a second with nothing
          // in it, is a failure to back off from (else a broken server gets a tight loop).
          if (!needList && !signal.aborted && (failed || (events === 0 && this.clock.now() - watchStart < 1000))) {
            await this.clock.sleep(backoff * (1 + Math.random() * 0.2), signal);
            backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
          } else if (events > 0) {
            backoff = BACKOFF_INITIAL_MS;
          }
        } catch (e) {
          if (signal.aborted) break;
          if (isGone(e)) {
            needList = true;
            fromCache = false;
            continue;
          }
          log?.warn({ resource: this.resource, err: (e as Error).message, retryInMs: backoff }, 'list/watch failed; retrying');
          await this.clock.sleep(backoff * (1 + Math.random() * 0.2), signal);
          backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
        }
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.resyncTimer?.cancel();
      this.resyncTimer = undefined;
      this.running = false;
    }
  }
}
