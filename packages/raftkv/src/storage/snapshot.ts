// Snapshot files. etcdctl's `snapshot save` only checks etcd's framing (payload padded to
// 512 bytes, then a 32-byte sha256 of it), so raftkv keeps that framing around its own payload:
//   "RAFTKV-SNAPSHOT1" | ([u32 klen][key][u32 vlen][value])* | u32 0xffffffff | zero padding | sha256
// The payload is every non-log LevelDB entry at one point in time (records, leases, metadata
// other than member identity). `raftkv snapshot restore` rebuilds a data dir from it.
import { createHash } from 'node:crypto';
import { readFileSync, existsSync, readdirSync, mkdirSync } from 'node:fs';
import { Backend, ApplyBatch } from './backend.js';

const MAGIC = Buffer.from('RAFTKV-SNAPSHOT1');
const END = 0xffffffff;

/** Builds the whole snapshot in memory as chunks (the stream needs the total size up front). */
export async function buildSnapshot(backend: Backend): Promise<Buffer[]> {
  const chunks: Buffer[] = [MAGIC];
  let size = MAGIC.length;
  const hash = createHash('sha256').update(MAGIC);
  const member = Buffer.from('mmember');
  for await (const [k, v] of backend.stateEntries()) {
    if (k.equals(member)) continue;
    const h = Buffer.allocUnsafe(4);
    h.writeUInt32BE(k.length);
    const h2 = Buffer.allocUnsafe(4);
    h2.writeUInt32BE(v.length);
    for (const part of [h, k, h2, v]) { chunks.push(part); hash.update(part); size += part.length; }
  }
  const end = Buffer.allocUnsafe(4);
  end.writeUInt32BE(END);
  chunks.push(end); hash.update(end); size += 4;
  const pad = Buffer.alloc((512 - (size % 512)) % 512);
  chunks.push(pad); hash.update(pad);
  chunks.push(hash.digest());
  return chunks;
}

export interface SnapshotEntry { key: Buffer; value: Buffer }

export function parseSnapshot(file: Buffer): SnapshotEntry[] {
  if (file.length < MAGIC.length + 36 || file.length % 512 !== 32) throw new Error('not a snapshot file: bad size (expected size % 512 == 32)');
  const body = file.subarray(0, file.length - 32);
  const sum = createHash('sha256').update(body).digest();
  if (!sum.equals(file.subarray(file.length - 32))) throw new Error('snapshot file is corrupt: sha256 mismatch');
  if (!body.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a raftkv snapshot (etcd bbolt snapshots are not supported)');
  const out: SnapshotEntry[] = [];
  let p = MAGIC.length;
  for (;;) {
    const klen = body.readUInt32BE(p); p += 4;
    if (klen === END) break;
    const key = body.subarray(p, p + klen); p += klen;
    const vlen = body.readUInt32BE(p); p += 4;
    const value = body.subarray(p, p + vlen); p += vlen;
    out.push({ key, value });
  }
  return out;
}

/** Writes a fresh data dir from a snapshot file; the applied log index restarts at 0. */
export async function restoreSnapshot(file: string, dataDir: string): Promise<{ entries: number; revision: number }> {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) throw new Error(`data-dir "${dataDir}" exists`);
  const entries = parseSnapshot(readFileSync(file));
  mkdirSync(dataDir, { recursive: true });
  const backend = await Backend.open(dataDir);
  try {
    const applied = Buffer.from('mapplied');
    let batch: Array<{ type: 'put'; key: Buffer; value: Buffer }> = [];
    for (const e of entries) {
      if (e.key.equals(applied)) continue;
      batch.push({ type: 'put', key: e.key, value: e.value });
      if (batch.length >= 10_000) { await backend.db.batch(batch); batch = []; }
    }
    if (batch.length) await backend.db.batch(batch);
    let revision = 1;
    const a = entries.find((e) => e.key.equals(applied));
    if (a) revision = a.value.readUInt32BE(8) * 0x1_0000_0000 + a.value.readUInt32BE(12);
    await backend.forEachRecord((r) => { if (r.main > revision) revision = r.main; });
    const meta = new ApplyBatch();
    meta.setApplied({ index: 0, rev: revision });
    await backend.writeApplied(meta, true);
    return { entries: entries.length, revision };
  } finally {
    await backend.close();
  }
}
