// One raftkv member: wires the MVCC store, lessor, watch hub and backend to the log. Writes go
// propose → durable log → apply; reads are served from the applied state.
import { randomBytes, createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Errors, isEtcdError } from '../errors.js';
import { Lessor } from '../lease/lessor.js';
import { MvccStore, type WriteEffects } from '../mvcc/store.js';
import type { DeleteRangeRequest, PutRequest, PutResponse, DeleteRangeResponse, RangeRequest, RangeResponse, TxnRequest, TxnResponse } from '../types.js';
import { ApplyBatch, Backend } from '../storage/backend.js';
import { WatchHub } from '../watch/hub.js';
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

  private constructor(readonly cfg: ServerConfig, readonly backend: Backend) {
    this.store = new MvccStore(this.lessor, backend);
    this.hub = new WatchHub(this.store, backend, cfg.progressNotifyMs);
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
    const tail = await this.backend.logAfter(applied.index);
    const lastIndex = tail.length > 0 ? tail[tail.length - 1]!.index : Math.max(applied.index, await this.backend.lastLogIndex());
    this.log = new SoloLog<Proposal>(this.backend, (e) => this.applyEntries(e), lastIndex, (err) => this.onFatal(err));
    if (tail.length > 0) await this.applyEntries(tail);
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
  get raftTerm(): number { return this.log.term; }
  get applied(): number { return this.appliedIndex; }

  async stop(): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.sizeTimer) clearInterval(this.sizeTimer);
    this.hub.close();
    await this.log.stop();
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

  /** Applies committed entries in order, persists their effects in one batch, then publishes. */
  private async applyEntries(entries: ReadonlyArray<CommittedEntry<Proposal>>): Promise<unknown[]> {
    const batch = new ApplyBatch();
    const effects: WriteEffects[] = [];
    const results: unknown[] = [];
    for (const e of entries) {
      const p = e.local ?? decodeEntry(e.data);
      let prefetched: Map<RangeRequest, RangeResponse> | undefined;
      if (p.kind === 'txn') prefetched = await this.prefetch(p.req);
      try {
        results.push(this.applyOne(p, batch, effects, prefetched));
        this.counters.proposalsApplied++;
      } catch (err) {
        if (!isEtcdError(err)) throw err;
        results.push(err);
      }
    }
    for (const ef of effects) for (const r of ef.records) batch.putRecord(r);
    const last = entries[entries.length - 1];
    if (last) batch.setApplied({ index: last.index, rev: this.store.currentRev });
    await this.backend.writeApplied(batch);
    if (last) this.appliedIndex = last.index;
    for (const ef of effects) this.store.persisted(ef.records);
    this.hub.publish(effects);
    this.maybeTruncateLog();
    return results;
  }

  private truncating = false;
  private truncatedBelow = 0;
  private maybeTruncateLog(): void {
    const keepFrom = this.appliedIndex - this.cfg.logRetention;
    if (this.truncating || keepFrom - this.truncatedBelow < 1000) return;
    this.truncating = true;
    this.truncatedBelow = keepFrom;
    this.backend.truncateLogBefore(keepFrom)
      .catch((err: unknown) => this.cfg.logger.warn({ err }, 'log truncation failed'))
      .finally(() => { this.truncating = false; });
  }

  /** Historical ranges inside a txn, read while no other write can run. */
  private async prefetch(t: TxnRequest): Promise<Map<RangeRequest, RangeResponse> | undefined> {
    const ranges = this.store.historicalTxnRanges(t);
    if (ranges.length === 0) return undefined;
    const out = new Map<RangeRequest, RangeResponse>();
    for (const r of ranges) {
      try { out.set(r, await this.store.range(r)); } catch { /* checkTxn reports the error */ }
    }
    return out;
  }

  private applyOne(p: Proposal, batch: ApplyBatch, effects: WriteEffects[], prefetched?: Map<RangeRequest, RangeResponse>): unknown {
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
        const { resp, effects: ef } = s.txn(p.req, prefetched);
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
