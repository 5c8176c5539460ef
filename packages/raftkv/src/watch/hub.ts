// Watchers of one member (etcd's watchableStore). A watcher is "synced" when it has seen every
// published revision: it then gets events as writes are published. Otherwise it is "unsynced"
// and catches up from persisted history in batches until it reaches the published revision.
import { EventType, type Event, type KeyValue } from '../types.js';
import { inBounds, keyString, type RangeBounds } from '../mvcc/keyspace.js';
import type { MvccStore, StoredRecord, WriteEffects } from '../mvcc/store.js';

export interface WatchResponseOut {
  revision: number;
  watchId: number;
  created?: boolean;
  canceled?: boolean;
  compactRevision?: number;
  cancelReason?: string;
  events?: Event[];
}

/** The per-stream side of a watcher (grpc/watch.ts). */
export interface WatchStreamSink {
  send(resp: WatchResponseOut): void;
  /** A watcher of this stream became synced (progress requests may now be answered). */
  onSynced(): void;
}

export interface WatcherSpec {
  bounds: RangeBounds;
  startRevision: number;
  prevKv: boolean;
  noPut: boolean;
  noDelete: boolean;
  progressNotify: boolean;
}

export class Watcher {
  synced = false;
  removed = false;
  /** Events were sent since the last progress notification. */
  sentSinceProgress = false;
  constructor(readonly id: number, readonly sink: WatchStreamSink, readonly spec: WatcherSpec, public nextRev: number) {}

  matches(key: string): boolean { return inBounds(this.spec.bounds, key); }

  /** The event as this watcher wants it (filters, prev_kv), or null. */
  shape(ev: Event): Event | null {
    if (ev.type === EventType.PUT ? this.spec.noPut : this.spec.noDelete) return null;
    if (this.spec.prevKv || !ev.prevKv) return ev;
    return { type: ev.type, kv: ev.kv };
  }
}

export interface HistorySource {
  recordsBetween(fromRev: number, toRev: number, limitRecords: number): Promise<StoredRecord[]>;
}

const CATCHUP_BATCH_RECORDS = 1000;

export class WatchHub {
  /** Last revision whose writes are persisted and published. */
  rev: number;
  private readonly byKey = new Map<string, Set<Watcher>>();
  private readonly ranged = new Set<Watcher>();
  private readonly unsynced = new Set<Watcher>();
  private syncing = false;
  private progressTimer: NodeJS.Timeout | undefined;

  constructor(private readonly store: MvccStore, private readonly history: HistorySource, progressNotifyMs: number) {
    this.rev = store.currentRev;
    if (progressNotifyMs > 0) {
      this.progressTimer = setInterval(() => this.progressNotify(), progressNotifyMs);
      this.progressTimer.unref();
    }
  }

  get watcherCount(): number {
    let n = this.ranged.size + this.unsynced.size;
    for (const s of this.byKey.values()) n += s.size;
    return n;
  }

  close(): void { if (this.progressTimer) clearInterval(this.progressTimer); }

  /** Registers a watcher (its created response has already been sent). */
  add(id: number, sink: WatchStreamSink, spec: WatcherSpec): Watcher {
    const next = spec.startRevision > 0 ? spec.startRevision : this.rev + 1;
    const w = new Watcher(id, sink, spec, next);
    if (next > this.rev) this.markSynced(w);
    else {
      this.unsynced.add(w);
      this.kickSync();
    }
    return w;
  }

  remove(w: Watcher): void {
    w.removed = true;
    this.unsynced.delete(w);
    if (!w.synced) return;
    if ('single' in w.spec.bounds) {
      const set = this.byKey.get(w.spec.bounds.single);
      set?.delete(w);
      if (set && set.size === 0) this.byKey.delete(w.spec.bounds.single);
    } else this.ranged.delete(w);
  }

  /** Publishes writes that are now persisted, in revision order. */
  publish(effects: readonly WriteEffects[]): void {
    for (const e of effects) {
      if (e.events.length > 0) this.deliver(e.rev, e.events);
      if (e.rev > this.rev) this.rev = e.rev;
    }
  }

  /** Advances the published revision without events (e.g. on startup replay). */
  advance(rev: number): void { if (rev > this.rev) this.rev = rev; }

  private deliver(rev: number, events: readonly Event[]): void {
    const out = new Map<Watcher, Event[]>();
    const add = (w: Watcher, ev: Event): void => {
      if (w.nextRev > rev) return;
      const shaped = w.shape(ev);
      if (!shaped) return;
      const list = out.get(w);
      if (list) list.push(shaped); else out.set(w, [shaped]);
    };
    for (const ev of events) {
      const key = keyString(ev.kv.key);
      const exact = this.byKey.get(key);
      if (exact) for (const w of exact) add(w, ev);
      for (const w of this.ranged) if (w.matches(key)) add(w, ev);
    }
    for (const [w, evs] of out) {
      w.sentSinceProgress = true;
      w.sink.send({ revision: rev, watchId: w.id, events: evs });
    }
  }

  private markSynced(w: Watcher): void {
    w.synced = true;
    this.unsynced.delete(w);
    if ('single' in w.spec.bounds) {
      const k = w.spec.bounds.single;
      let set = this.byKey.get(k);
      if (!set) { set = new Set(); this.byKey.set(k, set); }
      set.add(w);
    } else this.ranged.add(w);
    w.sink.onSynced();
  }

  private kickSync(): void {
    if (this.syncing) return;
    this.syncing = true;
    setImmediate(() => {
      this.syncUnsynced()
        .catch(() => { /* a read error leaves watchers unsynced; retried below */ })
        .finally(() => {
          this.syncing = false;
          if (this.unsynced.size > 0) setTimeout(() => this.kickSync(), 100).unref();
        });
    });
  }

  private async syncUnsynced(): Promise<void> {
    while (this.unsynced.size > 0) {
      const compactRev = this.store.compactRev;
      for (const w of [...this.unsynced]) {
        if (w.nextRev < compactRev) {
          this.remove(w);
          w.sink.send({ revision: this.rev, watchId: w.id, canceled: true, compactRevision: compactRev });
        }
      }
      if (this.unsynced.size === 0) return;
      const upTo = this.rev;
      let minRev = Infinity;
      for (const w of this.unsynced) minRev = Math.min(minRev, w.nextRev);
      if (minRev > upTo) {
        for (const w of [...this.unsynced]) this.markSynced(w);
        return;
      }
      const recs = await this.history.recordsBetween(minRev, upTo, CATCHUP_BATCH_RECORDS);
      const coveredTo = recs.length >= CATCHUP_BATCH_RECORDS ? recs[recs.length - 1]!.main : upTo;
      const watchers = [...this.unsynced].filter((w) => w.nextRev <= coveredTo);
      const perWatcher = await this.replay(recs, watchers);
      for (const w of watchers) {
        if (w.removed) continue;
        const evs = perWatcher.get(w);
        if (evs && evs.length > 0) {
          w.sentSinceProgress = true;
          w.sink.send({ revision: upTo, watchId: w.id, events: evs });
        }
        w.nextRev = coveredTo + 1;
        // Synchronous with publish(): nothing can be published between this check and the move.
        if (w.nextRev > this.rev) this.markSynced(w);
      }
    }
  }

  /** Turns persisted records into events per watcher, fetching prev_kv where asked. */
  private async replay(recs: readonly StoredRecord[], watchers: readonly Watcher[]): Promise<Map<Watcher, Event[]>> {
    const out = new Map<Watcher, Event[]>();
    const wantsPrev = watchers.some((w) => w.spec.prevKv);
    const prevs = wantsPrev ? await this.prevKvs(recs) : [];
    recs.forEach((r, i) => {
      const tomb = r.kv.createRevision === 0;
      const ev: Event = { type: tomb ? EventType.DELETE : EventType.PUT, kv: r.kv };
      const prev = prevs[i];
      if (prev) ev.prevKv = prev;
      const key = keyString(r.kv.key);
      for (const w of watchers) {
        if (w.removed || w.nextRev > r.main || !w.matches(key)) continue;
        const shaped = w.shape(ev);
        if (!shaped) continue;
        const list = out.get(w);
        if (list) list.push(shaped); else out.set(w, [shaped]);
      }
    });
    return out;
  }

  /** The value each record replaced (the key's previous revision, when it was not a delete). */
  private async prevKvs(recs: readonly StoredRecord[]): Promise<Array<KeyValue | undefined>> {
    const refs: Array<{ main: number; sub: number }> = [];
    const at: number[] = [];
    recs.forEach((r, i) => {
      const kr = this.store.keys.get(keyString(r.kv.key));
      if (!kr) return;
      const revs = kr.revs;
      for (let j = revs.length - 2; j >= 0; j -= 2) {
        const main = revs[j]!;
        const sub = revs[j + 1]! >>> 1;
        if (main < r.main || (main === r.main && sub < r.sub)) {
          if (!(revs[j + 1]! & 1)) { refs.push({ main, sub }); at.push(i); }
          return;
        }
      }
    });
    const out: Array<KeyValue | undefined> = new Array(recs.length);
    if (refs.length === 0) return out;
    try {
      const kvs = await this.store.fetch(refs);
      kvs.forEach((kv, j) => { out[at[j]!] = kv; });
    } catch { /* compacted meanwhile: events go without prev_kv */ }
    return out;
  }

  /** Periodic progress notification to idle synced watchers that asked for it. */
  private progressNotify(): void {
    const visit = (w: Watcher): void => {
      if (!w.spec.progressNotify) return;
      if (!w.sentSinceProgress) w.sink.send({ revision: this.rev, watchId: w.id, events: [] });
      w.sentSinceProgress = false;
    };
    for (const set of this.byKey.values()) for (const w of set) visit(w);
    for (const w of this.ranged) visit(w);
  }
}
