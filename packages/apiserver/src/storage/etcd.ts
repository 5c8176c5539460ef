// A small etcd v3 client for the apiserver's storage layer (raftkv or a real etcd): exactly the
// calls kube-apiserver makes — Range, Txn (create / compare-and-swap / delete), Watch with
// prev_kv, Compact, Status, and leases for the keys that expire (the master leases) — over
// grpc-js with the shared etcd-api definitions.
import { credentials, makeGenericClientConstructor, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import { serviceDefinition } from '@kube-ts/etcd-api';
import type Long from 'long';

type I64 = Long | number | string;
const n = (v: I64 | null | undefined): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : Number(v.toString()));

export interface KV {
  key: string;
  value: Buffer;
  createRevision: number;
  modRevision: number;
  version: number;
}

interface WireKV { key: Uint8Array; value: Uint8Array; createRevision: I64; modRevision: I64; version: I64 }
interface WireHeader { revision: I64 }
interface WireRangeResponse { header: WireHeader; kvs: WireKV[]; more: boolean; count: I64 }
interface WireTxnResponse {
  header: WireHeader; succeeded: boolean;
  responses: Array<{ responseRange?: WireRangeResponse; responsePut?: { header: WireHeader }; responseDeleteRange?: { deleted: I64; prevKvs: WireKV[] } }>;
}
interface WireWatchResponse {
  header: WireHeader; watchId: I64; created: boolean; canceled: boolean; compactRevision: I64; cancelReason: string;
  events: Array<{ type: number; kv: WireKV; prevKv?: WireKV | null }>;
}

const kvOf = (w: WireKV): KV => ({
  key: Buffer.from(w.key).toString(),
  value: Buffer.from(w.value),
  createRevision: n(w.createRevision),
  modRevision: n(w.modRevision),
  version: n(w.version),
});

/** The end of the key range holding every key with this prefix. */
export function prefixEnd(prefix: string): string {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) { b[i]! += 1; return b.subarray(0, i + 1).toString('latin1'); }
  }
  return '\0';
}

export class EtcdError extends Error {
  constructor(readonly code: number, message: string) { super(message); }
  get compacted(): boolean { return this.message.includes('required revision has been compacted'); }
  get futureRevision(): boolean { return this.message.includes('required revision is a future revision'); }
}

export interface EtcdTls { caFile?: Buffer; certFile?: Buffer; keyFile?: Buffer }

export interface WatchEvent { type: 'PUT' | 'DELETE'; kv: KV; prevKv?: KV }

export interface WatchHandlers {
  /** Events of one revision, in order. */
  onEvents(events: WatchEvent[], revision: number): void;
  /** The watch cannot continue (compacted start revision, or the store went away for good). */
  onError(err: EtcdError): void;
  /** Progress: every event up to `revision` has been delivered. */
  onProgress?(revision: number): void;
}

export interface WatchHandle {
  cancel(): void;
  /** Asks the store to confirm progress: onProgress(revision) follows once events up to it are delivered. */
  requestProgress(): void;
}

type Unary = (req: unknown, cb: (err: ServiceError | null, res?: unknown) => void) => void;

export class EtcdClient {
  private readonly kv: Client & Record<string, Unary>;
  private readonly watchClient: Client & { Watch: () => ClientDuplexStream<unknown, WireWatchResponse> };
  private readonly maintenance: Client & Record<string, Unary>;
  private readonly lease: Client & Record<string, Unary>;

  constructor(readonly endpoint: string, tls?: EtcdTls) {
    const url = new URL(endpoint.includes('://') ? endpoint : `http://${endpoint}`);
    const target = `${url.hostname}:${url.port || '2379'}`;
    const creds = url.protocol === 'https:' || tls?.caFile
      ? credentials.createSsl(tls?.caFile ?? null, tls?.keyFile ?? null, tls?.certFile ?? null)
      : credentials.createInsecure();
    const make = <T>(svc: string): T => {
      const Ctor = makeGenericClientConstructor(serviceDefinition(`etcdserverpb.${svc}`), svc);
      return new Ctor(target, creds, { 'grpc.max_receive_message_length': 2 ** 31 - 1 }) as unknown as T;
    };
    this.kv = make('KV');
    this.watchClient = make('Watch');
    this.maintenance = make('Maintenance');
    this.lease = make('Lease');
  }

  /** Called with every unary call's method and duration (metrics). */
  observe?: (method: string, seconds: number) => void;

  private call<T>(client: Record<string, Unary>, method: string, req: unknown): Promise<T> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      client[method]!.call(client, req, (err, res) => {
        this.observe?.(method, (performance.now() - started) / 1000);
        if (err) reject(new EtcdError(err.code, err.details)); else resolve(res as T);
      });
    });
  }

  async get(key: string, revision = 0): Promise<{ kv?: KV; revision: number }> {
    const r = await this.call<WireRangeResponse>(this.kv, 'Range', { key: Buffer.from(key), revision });
    const first = r.kvs[0];
    return first ? { kv: kvOf(first), revision: n(r.header.revision) } : { revision: n(r.header.revision) };
  }

  /** Keys in [from, end), at `revision` (0 = latest), at most `limit` (0 = all). */
  async range(from: string, end: string, limit = 0, revision = 0): Promise<{ kvs: KV[]; revision: number; more: boolean; count: number }> {
    const r = await this.call<WireRangeResponse>(this.kv, 'Range', { key: Buffer.from(from), rangeEnd: Buffer.from(end), limit, revision });
    return { kvs: r.kvs.map(kvOf), revision: n(r.header.revision), more: r.more, count: n(r.count) };
  }

  /** Creates key if absent: the new revision, or the existing pair. */
  async create(key: string, value: Buffer): Promise<{ revision: number } | { existing: KV }> {
    const k = Buffer.from(key);
    const r = await this.call<WireTxnResponse>(this.kv, 'Txn', {
      compare: [{ key: k, target: 2 /* MOD */, result: 0 /* EQUAL */, modRevision: 0 }],
      success: [{ requestPut: { key: k, value } }],
      failure: [{ requestRange: { key: k } }],
    });
    if (r.succeeded) return { revision: n(r.header.revision) };
    return { existing: kvOf(r.responses[0]!.responseRange!.kvs[0]!) };
  }

  /** Writes key if its mod_revision is still `modRevision`; otherwise the current pair (if any). */
  async update(key: string, value: Buffer, modRevision: number): Promise<{ revision: number } | { current?: KV }> {
    const k = Buffer.from(key);
    const r = await this.call<WireTxnResponse>(this.kv, 'Txn', {
      compare: [{ key: k, target: 2, result: 0, modRevision }],
      success: [{ requestPut: { key: k, value } }],
      failure: [{ requestRange: { key: k } }],
    });
    if (r.succeeded) return { revision: n(r.header.revision) };
    const cur = r.responses[0]!.responseRange!.kvs[0];
    return cur ? { current: kvOf(cur) } : {};
  }

  /** Deletes key if its mod_revision is still `modRevision`; otherwise the current pair (if any). */
  async delete(key: string, modRevision: number): Promise<{ revision: number } | { current?: KV }> {
    const k = Buffer.from(key);
    const r = await this.call<WireTxnResponse>(this.kv, 'Txn', {
      compare: [{ key: k, target: 2, result: 0, modRevision }],
      success: [{ requestDeleteRange: { key: k } }],
      failure: [{ requestRange: { key: k } }],
    });
    if (r.succeeded) return { revision: n(r.header.revision) };
    const cur = r.responses[0]!.responseRange!.kvs[0];
    return cur ? { current: kvOf(cur) } : {};
  }

  /**
   * Upstream's compactor step: if compact_rev_key's version is still `t`, record `rev` in it
   * (bumping the version). Returns whether this caller won, the key's version and the revision.
   */
  async claimCompaction(key: string, t: number, rev: number): Promise<{ won: boolean; version: number; revision: number }> {
    const k = Buffer.from(key);
    const r = await this.call<WireTxnResponse>(this.kv, 'Txn', {
      compare: [{ key: k, target: 0 /* VERSION */, result: 0 /* EQUAL */, version: t }],
      success: [{ requestPut: { key: k, value: Buffer.from(String(rev)) } }],
      failure: [{ requestRange: { key: k } }],
    });
    const revision = n(r.header.revision);
    if (r.succeeded) return { won: true, version: t + 1, revision };
    return { won: false, version: n(r.responses[0]?.responseRange?.kvs[0]?.version), revision };
  }

  /**
   * Grants a lease of `ttlSeconds` (the store may raise it to its minimum). Lease IDs are int64
   * (etcd's exceed 2^53), so they travel as decimal strings.
   */
  async leaseGrant(ttlSeconds: number): Promise<{ id: string; ttl: number }> {
    const r = await this.call<{ ID: I64; TTL: I64; error: string }>(this.lease, 'LeaseGrant', { TTL: ttlSeconds, ID: 0 });
    if (r.error) throw new EtcdError(9, r.error);
    return { id: r.ID.toString(), ttl: n(r.TTL) };
  }

  /** Revokes a lease, deleting the keys attached to it. Unknown lease: EtcdError `lease not found`. */
  async leaseRevoke(id: string): Promise<void> {
    await this.call(this.lease, 'LeaseRevoke', { ID: id });
  }

  /** Unconditional put, attached to `lease` (an id from leaseGrant) when given. */
  async put(key: string, value: Buffer, lease?: string): Promise<{ revision: number }> {
    const r = await this.call<{ header: WireHeader }>(this.kv, 'Put', { key: Buffer.from(key), value, ...(lease ? { lease } : {}) });
    return { revision: n(r.header.revision) };
  }

  async compact(revision: number): Promise<void> {
    await this.call(this.kv, 'Compact', { revision });
  }

  async status(): Promise<{ version: string; dbSize: number; revision: number }> {
    const r = await this.call<{ version: string; dbSize: I64; header: WireHeader }>(this.maintenance, 'Status', {});
    return { version: r.version, dbSize: n(r.dbSize), revision: n(r.header.revision) };
  }

  /**
   * Watches [from, end) from `startRevision` with prev_kv. The stream is re-established after
   * transport errors, resuming after the last revision delivered. Returns a cancel function.
   */
  watch(from: string, end: string, startRevision: number, h: WatchHandlers): WatchHandle {
    let next = startRevision;
    let stream: ClientDuplexStream<unknown, WireWatchResponse> | undefined;
    let stopped = false;
    const open = (): void => {
      if (stopped) return;
      const s = this.watchClient.Watch();
      stream = s;
      s.on('data', (r: WireWatchResponse) => {
        if (r.canceled) {
          stopped = true;
          s.cancel();
          const c = n(r.compactRevision);
          h.onError(new EtcdError(11, c > 0 ? `etcdserver: mvcc: required revision has been compacted (${c})` : r.cancelReason || 'watch canceled'));
          return;
        }
        const rev = n(r.header.revision);
        if (r.events.length === 0) {
          // A progress response (requested, or etcd's periodic notify): all events up to rev delivered.
          if (!r.created) h.onProgress?.(rev);
          return;
        }
        // Events of one response may span revisions: deliver them grouped by revision.
        let group: WatchEvent[] = [];
        let groupRev = -1;
        for (const e of r.events) {
          const ev: WatchEvent = { type: e.type === 1 ? 'DELETE' : 'PUT', kv: kvOf(e.kv) };
          if (e.prevKv) ev.prevKv = kvOf(e.prevKv);
          if (ev.kv.modRevision !== groupRev && group.length > 0) { h.onEvents(group, groupRev); group = []; }
          groupRev = ev.kv.modRevision;
          group.push(ev);
        }
        if (group.length > 0) h.onEvents(group, groupRev);
        next = groupRev + 1;
      });
      s.on('error', () => { /* followed by 'close' */ });
      s.on('close', () => { if (!stopped) setTimeout(open, 500).unref(); });
      s.write({ createRequest: { key: Buffer.from(from), rangeEnd: Buffer.from(end), startRevision: next, prevKv: true, progressNotify: true } });
    };
    open();
    return {
      cancel: () => { stopped = true; stream?.cancel(); },
      requestProgress: () => { if (!stopped) stream?.write({ progressRequest: {} }); },
    };
  }

  close(): void {
    this.kv.close();
    this.watchClient.close();
    this.maintenance.close();
    this.lease.close();
  }
}
