// LevelDB layout of a raftkv member's applied state:
//   r<main:8><sub:4>  → mvccpb.KeyValue record (createRevision 0 marks a tombstone)
//   e<lease id:8>     → lease TTL in seconds (8 bytes)
//   m<name>           → metadata: applied (index, rev), compact rev, member identity
// The durable log is the WAL (wal.ts); applied state is written here in unsynced batches that
// also record the applied index, so after a crash the WAL entries past it are re-applied.
import { ClassicLevel } from 'classic-level';
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyValue } from '../types.js';
import type { RevisionRef, StoredRecord } from '../mvcc/store.js';
import { decodeKeyValue, encodeKeyValue } from './kvcodec.js';

type DB = ClassicLevel<Buffer, Buffer>;
type Op = { type: 'put'; key: Buffer; value: Buffer } | { type: 'del'; key: Buffer };

const P_REC = 0x72; // r
const P_LEASE = 0x65; // e
const P_META = 0x6d; // m

function u64(prefix: number, n: number, extra = 0): Buffer {
  const b = Buffer.allocUnsafe(9 + extra);
  b[0] = prefix;
  b.writeUInt32BE(Math.floor(n / 0x1_0000_0000), 1);
  b.writeUInt32BE(n >>> 0, 5);
  return b;
}

function readU64(b: Buffer, off: number): number {
  return b.readUInt32BE(off) * 0x1_0000_0000 + b.readUInt32BE(off + 4);
}

export function recordKey(main: number, sub: number): Buffer {
  const b = u64(P_REC, main, 4);
  b.writeUInt32BE(sub, 9);
  return b;
}

function leaseKey(id: number): Buffer {
  const b = Buffer.allocUnsafe(9);
  b[0] = P_LEASE;
  b.writeBigInt64BE(BigInt(id), 1);
  return b;
}
function metaKey(name: string): Buffer { return Buffer.concat([Buffer.from([P_META]), Buffer.from(name)]); }

const META_APPLIED = metaKey('applied');
const META_COMPACT = metaKey('compact');
const META_MEMBER = metaKey('member');

export interface AppliedState { index: number; rev: number }

/** Applied changes in apply order, written as one atomic LevelDB batch. */
export class ApplyBatch {
  readonly ops: Array<Op | StoredRecord> = [];
  /** Records are encoded when the batch is written, off the request path. */
  putRecord(r: StoredRecord): void { this.ops.push(r); }
  get size(): number { return this.ops.length; }
  deleteRecord(r: RevisionRef): void { this.ops.push({ type: 'del', key: recordKey(r.main, r.sub) }); }
  putLease(id: number, ttl: number): void {
    const v = Buffer.allocUnsafe(8);
    v.writeBigInt64BE(BigInt(ttl));
    this.ops.push({ type: 'put', key: leaseKey(id), value: v });
  }
  deleteLease(id: number): void { this.ops.push({ type: 'del', key: leaseKey(id) }); }
  setCompact(rev: number): void { this.ops.push({ type: 'put', key: META_COMPACT, value: u64(0, rev).subarray(1) }); }
  setApplied(s: AppliedState): void {
    const v = Buffer.allocUnsafe(16);
    v.writeUInt32BE(Math.floor(s.index / 0x1_0000_0000), 0); v.writeUInt32BE(s.index >>> 0, 4);
    v.writeUInt32BE(Math.floor(s.rev / 0x1_0000_0000), 8); v.writeUInt32BE(s.rev >>> 0, 12);
    this.ops.push({ type: 'put', key: META_APPLIED, value: v });
  }
}

export class Backend {
  private constructor(readonly dir: string, readonly db: DB) {}

  static async open(dir: string): Promise<Backend> {
    const db = new ClassicLevel<Buffer, Buffer>(join(dir, 'member', 'kv'), { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await db.open({ createIfMissing: true });
    return new Backend(dir, db);
  }

  async close(): Promise<void> { await this.db.close(); }

  // ---- metadata ---------------------------------------------------------------------------------

  async applied(): Promise<AppliedState> {
    const v = await this.db.get(META_APPLIED);
    if (!v) return { index: 0, rev: 1 };
    return { index: readU64(v, 0), rev: readU64(v, 8) };
  }

  async compactRev(): Promise<number> {
    const v = await this.db.get(META_COMPACT);
    return v ? readU64(v, 0) : 0;
  }

  async member(): Promise<Record<string, unknown> | undefined> {
    const v = await this.db.get(META_MEMBER);
    return v ? (JSON.parse(v.toString()) as Record<string, unknown>) : undefined;
  }

  async setMember(m: Record<string, unknown>): Promise<void> {
    await this.db.put(META_MEMBER, Buffer.from(JSON.stringify(m)), { sync: true });
  }

  // ---- MVCC records -----------------------------------------------------------------------------

  /** Streams every record in revision order (startup and snapshot restore). */
  async forEachRecord(fn: (r: StoredRecord) => void, fromRev = 0): Promise<void> {
    for await (const [k, v] of this.db.iterator({ gte: recordKey(fromRev, 0), lt: Buffer.from([P_REC + 1]) })) {
      fn({ main: readU64(k, 1), sub: k.readUInt32BE(9), kv: decodeKeyValue(v) });
    }
  }

  /** Records with fromRev <= main <= toRev, at most `limitRecords` (whole revisions kept). */
  async recordsBetween(fromRev: number, toRev: number, limitRecords: number): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    let lastMain = -1;
    for await (const [k, v] of this.db.iterator({ gte: recordKey(fromRev, 0), lt: recordKey(toRev + 1, 0) })) {
      const main = readU64(k, 1);
      if (out.length >= limitRecords && main !== lastMain) break;
      lastMain = main;
      out.push({ main, sub: k.readUInt32BE(9), kv: decodeKeyValue(v) });
    }
    return out;
  }

  async getRecords(refs: readonly RevisionRef[]): Promise<Array<KeyValue | undefined>> {
    const vals = await this.db.getMany(refs.map((r) => recordKey(r.main, r.sub)));
    return vals.map((v) => (v ? decodeKeyValue(v) : undefined));
  }

  // ---- leases -----------------------------------------------------------------------------------

  async leases(): Promise<Array<{ id: number; ttl: number }>> {
    const out: Array<{ id: number; ttl: number }> = [];
    for await (const [k, v] of this.db.iterator({ gt: Buffer.from([P_LEASE]), lt: Buffer.from([P_LEASE + 1]) })) {
      out.push({ id: Number(k.readBigInt64BE(1)), ttl: Number(v.readBigInt64BE(0)) });
    }
    return out;
  }

  async writeApplied(batch: ApplyBatch, sync = false): Promise<void> {
    if (batch.ops.length === 0) return;
    const ops: Op[] = batch.ops.map((o) => ('kv' in o ? { type: 'put', key: recordKey(o.main, o.sub), value: encodeKeyValue(o.kv) } : o));
    await this.db.batch(ops, { sync });
  }

  // ---- maintenance ------------------------------------------------------------------------------

  /** Bytes on disk of the LevelDB directory. */
  sizeOnDisk(): number {
    const d = join(this.dir, 'member', 'kv');
    let total = 0;
    try {
      for (const f of readdirSync(d)) {
        try { total += statSync(join(d, f)).size; } catch { /* file rotated away */ }
      }
    } catch { /* not created yet */ }
    return total;
  }

  async defragment(): Promise<void> {
    await this.db.compactRange(Buffer.from([0]), Buffer.from([0xff]));
  }

  /** Every key at one point in time (snapshot save, Hash), in key order. */
  async *stateEntries(): AsyncGenerator<[Buffer, Buffer]> {
    for await (const [k, v] of this.db.iterator({})) yield [k, v];
  }
}
