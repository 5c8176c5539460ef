// One raftkv member: wires the MVCC store, lessor, watch hub and backend to the log. Writes go
// propose → durable log → apply; reads are served from the applied state.
import { randomBytes, createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Errors, isEtcdError } from '../errors.js';
import { Lessor } from '../lease/lessor.js';
import { MvccStore, type TxnPath, type WriteEffects } from '../mvcc/store.js';
import type { DeleteRangeRequest, PutRequest, PutResponse, DeleteRangeResponse, RangeRequest, RangeResponse, TxnRequest, TxnResponse } from '../types.js';
import { ApplyBatch, Backend } from '../storage/backend.js';
import { Wal } from '../storage/wal.js';
import { WatchHub } from '../watch/hub.js';
import type { StoredRecord } from '../mvcc/store.js';
import { join } from 'node:path';
import { decodeEntry, encodeEntry, type Proposal } from './entry.js';
import { SoloLog, type CommittedEntry } from './sololog.js';

export interface MemberIdentity {
  name: string;
  /** 64-bit IDs as decimal strings (they exceed JS numbers). */
  memberId: string;
  clusterId: string;
  peerURLs: string[];
  clientURLs: string[];
}

export interface ServerConfig {
  name: string;
  dataDir: string;
  advertiseClientUrls: string[];
  initialAdvertisePeerUrls: string[];
  initialClusterToken: string;
  maxRequestBytes: number;
  maxTxnOps: number;
  quotaBackendBytes: number;
  progressNotifyMs: number;
  /** Log entries kept behind the applied index (for followers, once replicated). */
  logRetention: number;
  logger: Logger;
}

export const ETCD_VERSION = '3.5.16';

/** What applying a txn needs besides the request: its decided path and prefetched history. */
interface TxnApply { path: TxnPath; prefetched: Map<RangeRequest, RangeResponse> | undefined }

/** Applied changes are written to LevelDB at least this often (etcd's backend batch interval)... */
const FLUSH_INTERVAL_MS = 100;
/** ...or once this many ops are waiting (etcd's backend batch limit). */
const FLUSH_MAX_OPS = 10_000;

/** etcd derives member IDs from peer URLs and the cluster token; so do we. */
function id64(...parts: string[]): string {
  const h = createHash('sha1').update(parts.join('\n')).digest();
  return (h.readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn).toString();
}

export class EtcdServer {
  readonly lessor = new Lessor();
  readonly store: MvccStore;
  readonly hub: WatchHub;
  private log!: SoloLog<Proposal>;
  identity!: MemberIdentity;
  private leaseTimer: NodeJS.Timeout | undefined;
  private sizeTimer: NodeJS.Timeout | undefined;
  private appliedIndex = 0;
  private fatal: unknown;
  dbSize = 0;
  /** Counters for /metrics. */
  readonly counters = { puts: 0, deletes: 0, txns: 0, ranges: 0, compactions: 0, proposalsFailed: 0, proposalsApplied: 0 };

  private wal!: Wal;
  /** Applied changes not yet written to LevelDB (the WAL holds them durably meanwhile). */
  private unflushed = new ApplyBatch();
  private unflushedRecords: StoredRecord[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  private constructor(readonly cfg: ServerConfig, readonly backend: Backend) {
    this.store = new MvccStore(this.lessor, backend);
    this.hub = new WatchHub(this.store, { recordsBetween: (f, t, l) => this.recordsBetween(f, t, l) }, cfg.progressNotifyMs);
  }

  static async start(cfg: ServerConfig): Promise<EtcdServer> {
    const backend = await Backend.open(cfg.dataDir);
    const s = new EtcdServer(cfg, backend);
    try {
      await s.recover();
    } catch (err) {
      await backend.close();
      throw err;
    }
    return s;
  }

  /** Rebuilds state: identity, leases, MVCC index from records, then replays the log tail. */
  private async recover(): Promise<void> {
    const log = this.cfg.logger;
    const stored = (await this.backend.member()) as MemberIdentity | undefined;
    const peerURLs = this.cfg.initialAdvertisePeerUrls;
    this.identity = stored
      ? { ...stored, name: this.cfg.name, clientURLs: this.cfg.advertiseClientUrls }
      : {
        name: this.cfg.name,
        memberId: id64(...peerURLs, this.cfg.initialClusterToken),
        clusterId: id64('cluster', ...peerURLs, this.cfg.initialClusterToken),
        peerURLs,
        clientURLs: this.cfg.advertiseClientUrls,
      };
    if (!stored) await this.backend.setMember({ ...this.identity });

    for (const l of await this.backend.leases()) this.lessor.restore(l.id, l.ttl);
    let records = 0;
    await this.backend.forEachRecord((r) => { this.store.load(r); records++; });
    const applied = await this.backend.applied();
    this.store.compactRev = await this.backend.compactRev();
    // The revision never goes backwards, even when compaction removed the newest records.
    if (applied.rev > this.store.currentRev) this.store.currentRev = applied.rev;
    this.appliedIndex = applied.index;
    const { wal, entries: tail } = Wal.open(join(this.cfg.dataDir, 'member', 'wal'), applied.index);
    this.wal = wal;
    this.log = new SoloLog<Proposal>(wal, (e) => this.applyEntries(e), (err) => this.onFatal(err));
    if (tail.length > 0) {
      await this.applyEntries(tail);
      await this.flush();
    }
    this.hub.advance(this.store.currentRev);
    log.info({ records, keys: this.store.keys.size, revision: this.store.currentRev, compactRevision: this.store.compactRev,
      appliedIndex: this.appliedIndex, replayed: tail.length, leases: this.lessor.leases.size }, 'recovered state');

    this.leaseTimer = setInterval(() => this.revokeExpired(), 500);
    this.leaseTimer.unref();
    this.dbSize = this.backend.sizeOnDisk();
    this.sizeTimer = setInterval(() => { this.dbSize = this.backend.sizeOnDisk(); }, 5000);
    this.sizeTimer.unref();
  }

  private onFatal(err: unknown): void {
    this.fatal = err;
    this.cfg.logger.fatal({ err }, 'apply failed; refusing further writes');
  }

  get raftIndex(): number { return this.log.index; }
  get walFsyncs(): number { return this.log.fsyncs; }
  get unflushedOps(): number { return this.unflushed.size; }
  get raftTerm(): number { return this.log.term; }
  get applied(): number { return this.appliedIndex; }

  async stop(): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.sizeTimer) clearInterval(this.sizeTimer);
    this.hub.close();
    await this.log.stop();
    if (this.flushTimer) clearTimeout(this.flushTimer);
    await this.flush();
    this.wal.close();
    await this.backend.close();
  }

  // ---- the write path -----------------------------------------------------------------------------

  private async propose<R>(p: Proposal, wire?: Buffer): Promise<R> {
    if (this.fatal) throw Errors.corrupt();
    const data = encodeEntry(p, wire);
    if (data.length - 1 > this.cfg.maxRequestBytes) throw Errors.requestTooLarge();
    if ((p.kind === 'put' || p.kind === 'txn') && this.dbSize > this.cfg.quotaBackendBytes) throw Errors.noSpace();
    try {
      return (await this.log.propose(data, p)) as R;
    } catch (err) {
      if (!isEtcdError(err)) this.counters.proposalsFailed++;
      throw err;
    }
  }

  put(req: PutRequest, wire?: Buffer): Promise<PutResponse> { return this.propose({ kind: 'put', req }, wire); }
  deleteRange(req: DeleteRangeRequest, wire?: Buffer): Promise<DeleteRangeResponse> { return this.propose({ kind: 'deleteRange', req }, wire); }
  txn(req: TxnRequest, wire: Buffer): Promise<TxnResponse> { return this.propose({ kind: 'txn', req }, wire); }
  compact(rev: number, wire?: Buffer): Promise<{ revision: number }> { return this.propose({ kind: 'compact', rev }, wire); }

  async leaseGrant(ttl: number, requestedId: number): Promise<{ id: number; ttl: number }> {
    let id = requestedId;
    if (id === 0) {
      // Chosen before proposing, so every member applies the same ID (etcd does the same).
      do id = Number(randomBytes(8).readBigUInt64BE() & 0x1f_ffff_ffff_ffffn); while (id === 0 || this.lessor.exists(id));
    }
    return this.propose({ kind: 'leaseGrant', id, ttl });
  }

  leaseRevoke(id: number): Promise<{ revision: number }> { return this.propose({ kind: 'leaseRevoke', id }); }

  private revokeExpired(): void {
    for (const id of this.lessor.expired()) {
      this.leaseRevoke(id).catch((err: unknown) => {
        if (!isEtcdError(err)) this.cfg.logger.warn({ err, lease: id }, 'revoking expired lease failed; will retry');
      });
    }
  }

  // ---- apply --------------------------------------------------------------------------------------

  /**
   * Applies committed entries in order and publishes their events. Their effects reach LevelDB
   * with the next flush; until then the WAL holds them and reads find them in the store's pending
   * records.
   */
  private async applyEntries(entries: ReadonlyArray<CommittedEntry<Proposal>>): Promise<unknown[]> {
    const batch = this.unflushed;
    const effects: WriteEffects[] = [];
    const results: unknown[] = [];
    for (const e of entries) {
      const p = e.local ?? decodeEntry(e.data);
      // A txn's branches are decided once, before its history reads (nothing writes meanwhile).
      let txn: TxnApply | undefined;
      if (p.kind === 'txn') {
        const path = this.store.txnPath(p.req);
        txn = { path, prefetched: await this.prefetch(p.req, path) };
      }
      try {
        const before = effects.length;
        results.push(this.applyOne(p, batch, effects, txn));
        for (let i = before; i < effects.length; i++) {
          for (const r of effects[i]!.records) { batch.putRecord(r); this.unflushedRecords.push(r); }
        }
        this.counters.proposalsApplied++;
      } catch (err) {
        if (!isEtcdError(err)) throw err;
        results.push(err);
      }
    }
    const last = entries[entries.length - 1];
    if (last) this.appliedIndex = last.index;
    this.hub.publish(effects);
    this.scheduleFlush();
    return results;
  }

  private scheduleFlush(): void {
    if (this.unflushed.size >= FLUSH_MAX_OPS) { void this.flush().catch((err: unknown) => this.onFatal(err)); return; }
    if (this.flushTimer || this.unflushed.size === 0) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      this.flush().catch((err: unknown) => this.onFatal(err));
    }, FLUSH_INTERVAL_MS);
    this.flushTimer.unref();
  }

  /** Writes applied changes to LevelDB with the applied index, then frees old WAL segments. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.unflushed.size === 0) return;
    const batch = this.unflushed;
    const records = this.unflushedRecords;
    const index = this.appliedIndex;
    batch.setApplied({ index, rev: this.store.currentRev });
    this.unflushed = new ApplyBatch();
    this.unflushedRecords = [];
    this.flushing = (async () => {
      await this.backend.writeApplied(batch);
      this.store.persisted(records);
      this.wal.releaseBefore(index - this.cfg.logRetention);
    })();
    try { await this.flushing; } finally { this.flushing = undefined; }
  }

  /** Persisted history merged with records not flushed yet (watch catch-up). */
  private async recordsBetween(fromRev: number, toRev: number, limit: number): Promise<StoredRecord[]> {
    // Taken before the disk read: a record flushed meanwhile is then found in both; one flushed
    // before is found on disk.
    const pending = this.store.pendingBetween(fromRev, toRev);
    const disk = await this.backend.recordsBetween(fromRev, toRev, limit);
    if (pending.length === 0) return disk;
    const seen = new Set(disk.map((r) => `${r.main}.${r.sub}`));
    const all = disk.concat(pending.filter((r) => !seen.has(`${r.main}.${r.sub}`)));
    all.sort((a, b) => a.main - b.main || a.sub - b.sub);
    if (all.length <= limit) return all;
    const lastMain = all[limit - 1]!.main;
    return all.filter((r) => r.main <= lastMain);
  }

  /** Historical ranges inside a txn, read while no other write can run. */
  private async prefetch(t: TxnRequest, path: TxnPath): Promise<Map<RangeRequest, RangeResponse> | undefined> {
    const ranges = this.store.historicalTxnRanges(t, path);
    if (ranges.length === 0) return undefined;
    const out = new Map<RangeRequest, RangeResponse>();
    for (const r of ranges) {
      try { out.set(r, await this.store.range(r)); } catch { /* checkTxn reports the error */ }
    }
    return out;
  }

  private applyOne(p: Proposal, batch: ApplyBatch, effects: WriteEffects[], txn?: TxnApply): unknown {
    const s = this.store;
    switch (p.kind) {
      case 'put': {
        const { resp, effects: ef } = s.put(p.req);
        effects.push(ef);
        this.counters.puts++;
        return resp;
      }
      case 'deleteRange': {
        const { resp, effects: ef } = s.deleteRange(p.req);
        effects.push(ef);
        this.counters.deletes++;
        return resp;
      }
      case 'txn': {
        const { resp, effects: ef } = s.txn(p.req, txn?.path, txn?.prefetched);
        effects.push(ef);
        this.counters.txns++;
        return resp;
      }
      case 'compact': {
        const { dropped } = s.compact(p.rev);
        for (const r of dropped) batch.deleteRecord(r);
        batch.setCompact(p.rev);
        this.counters.compactions++;
        return { revision: s.currentRev };
      }
      case 'leaseGrant': {
        const l = this.lessor.grant(p.id, p.ttl);
        batch.putLease(l.id, l.ttl);
        return { id: l.id, ttl: l.ttl, revision: s.currentRev };
      }
      case 'leaseRevoke': {
        const keys = this.lessor.revoke(p.id);
        effects.push(s.deleteKeys(keys));
        batch.deleteLease(p.id);
        return { revision: s.currentRev };
      }
    }
  }

  // ---- reads --------------------------------------------------------------------------------------

  range(r: RangeRequest): RangeResponse | Promise<RangeResponse> {
    this.counters.ranges++;
    return this.store.range(r);
  }
}
