// etcdserverpb.Watch: one bidirectional stream carries many watchers. Created responses are sent
// in request order before any event of that watcher; progress requests are answered (watch ID -1)
// once every watcher on the stream has caught up.
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { WatchErrors } from '../errors.js';
import { bounds } from '../mvcc/keyspace.js';
import type { EtcdServer } from '../server/etcdserver.js';
import { num, type I64 } from '../wire/convert.js';
import type { Watcher, WatchResponseOut, WatchStreamSink } from '../watch/hub.js';
import type { Headers } from './common.js';

interface WireWatchCreate {
  key: Uint8Array; rangeEnd: Uint8Array; startRevision: I64; progressNotify: boolean;
  filters: number[]; prevKv: boolean; watchId: I64; fragment: boolean;
}
interface WireWatchRequest {
  requestUnion?: 'createRequest' | 'cancelRequest' | 'progressRequest';
  createRequest?: WireWatchCreate; cancelRequest?: { watchId: I64 };
}

const FILTER_NOPUT = 0;
const FILTER_NODELETE = 1;
/** clientv3.InvalidWatchID: the watch ID of progress responses and failed creates. */
const INVALID_WATCH_ID = -1;

class WatchStream implements WatchStreamSink {
  private readonly watchers = new Map<number, Watcher>();
  private nextId = 0;
  private progressPending = false;
  private closed = false;

  constructor(
    private readonly call: ServerDuplexStream<WireWatchRequest, unknown>,
    private readonly server: EtcdServer,
    private readonly hdr: Headers,
    private readonly log: Logger,
  ) {
    call.on('data', (req: WireWatchRequest) => {
      try { this.onRequest(req); } catch (err) { this.log.warn({ err }, 'bad watch request'); }
    });
    const close = (): void => this.close();
    call.on('end', () => { close(); call.end(); });
    call.on('error', close);
    call.on('cancelled', close);
    call.on('close', close);
  }

  private onRequest(req: WireWatchRequest): void {
    switch (req.requestUnion) {
      case 'createRequest': return this.create(req.createRequest!);
      case 'cancelRequest': return this.cancel(num(req.cancelRequest!.watchId));
      case 'progressRequest': return this.requestProgress();
      default: return;
    }
  }

  private create(c: WireWatchCreate): void {
    const key = Buffer.from(c.key ?? []);
    const rangeEnd = Buffer.from(c.rangeEnd ?? []);
    const hub = this.server.hub;
    const fail = (reason: string, id: number): void =>
      this.send({ revision: hub.rev, watchId: id, created: true, canceled: true, cancelReason: reason });
    const isAll = rangeEnd.length === 1 && rangeEnd[0] === 0;
    if (rangeEnd.length > 0 && !isAll && Buffer.compare(key, rangeEnd) >= 0) return fail(WatchErrors.emptyRange, INVALID_WATCH_ID);
    let id = num(c.watchId);
    if (id !== 0) {
      if (this.watchers.has(id)) return fail(WatchErrors.duplicateId, INVALID_WATCH_ID);
    } else {
      while (this.watchers.has(this.nextId)) this.nextId++;
      id = this.nextId++;
    }
    const filters = c.filters ?? [];
    // The created response goes first; events follow from the hub.
    this.send({ revision: hub.rev, watchId: id, created: true });
    const w = hub.add(id, this, {
      bounds: bounds(key, rangeEnd),
      startRevision: num(c.startRevision),
      prevKv: c.prevKv,
      noPut: filters.includes(FILTER_NOPUT),
      noDelete: filters.includes(FILTER_NODELETE),
      progressNotify: c.progressNotify,
    });
    if (!w.removed) this.watchers.set(id, w);
  }

  private cancel(id: number): void {
    const w = this.watchers.get(id);
    if (!w) return;
    this.server.hub.remove(w);
    this.watchers.delete(id);
    this.send({ revision: this.server.hub.rev, watchId: id, canceled: true });
  }

  private allSynced(): boolean {
    for (const w of this.watchers.values()) if (!w.synced) return false;
    return true;
  }

  private requestProgress(): void {
    if (this.allSynced()) this.sendProgress();
    else this.progressPending = true;
  }

  private sendProgress(): void {
    this.progressPending = false;
    this.send({ revision: this.server.hub.rev, watchId: INVALID_WATCH_ID, events: [] });
  }

  onSynced(): void {
    if (this.progressPending && this.allSynced()) this.sendProgress();
  }

  send(r: WatchResponseOut): void {
    if (r.canceled) this.watchers.delete(r.watchId);
    if (this.closed) return;
    const msg = {
      header: this.hdr.at(r.revision),
      watchId: r.watchId,
      created: r.created ?? false,
      canceled: r.canceled ?? false,
      compactRevision: r.compactRevision ?? 0,
      cancelReason: r.cancelReason ?? '',
      events: r.events ?? [],
    };
    try { this.call.write(msg); } catch (err) { this.log.debug({ err }, 'watch write failed'); this.close(); }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.watchers.values()) this.server.hub.remove(w);
    this.watchers.clear();
  }
}

export function watchService(server: EtcdServer, hdr: Headers, log: Logger): UntypedServiceImplementation {
  return {
    Watch: (call: ServerDuplexStream<WireWatchRequest, unknown>) => { new WatchStream(call, server, hdr, log); },
  };
}
