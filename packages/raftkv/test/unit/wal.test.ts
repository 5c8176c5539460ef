// The WAL: appends survive reopening; a torn tail record is dropped; damage before the tail is
// refused; segments roll and old ones are released.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readdirSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Wal, WalCorruptError } from '../../src/storage/wal.js';

const SEG = 64 * 1024;
const dirs: string[] = [];
const fresh = (): string => { const d = mkdtempSync(join(tmpdir(), 'wal-test-')); dirs.push(d); return d; };
afterEach(() => { for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true }); });
const entry = (index: number, size = 100): { index: number; data: Buffer } => ({ index, data: Buffer.alloc(size, index % 251) });

describe('Wal', () => {
  it('returns the entries after the applied index on reopen', () => {
    const dir = fresh();
    const { wal } = Wal.open(dir, 0, SEG);
    wal.append([entry(1), entry(2)]);
    wal.append([entry(3)]);
    wal.close();
    const again = Wal.open(dir, 1, SEG);
    expect(again.entries.map((e) => e.index)).toEqual([2, 3]);
    expect(again.entries[1]!.data).toEqual(entry(3).data);
    expect(again.wal.index).toBe(3);
    again.wal.append([entry(4)]);
    again.wal.close();
    expect(Wal.open(dir, 0, SEG).entries.map((e) => e.index)).toEqual([1, 2, 3, 4]);
  });

  it('drops a torn record at the tail and keeps appending after the last good one', () => {
    const dir = fresh();
    const { wal } = Wal.open(dir, 0, SEG);
    wal.append([entry(1), entry(2)]);
    wal.close();
    const seg = join(dir, readdirSync(dir).find((f) => f.endsWith('.wal'))!);
    // A half-written third record: header claims 100 bytes, data is garbage with a bad checksum.
    const fd = openSync(seg, 'r+');
    const torn = Buffer.alloc(40, 0xab);
    torn.writeUInt32BE(100, 0);
    writeSync(fd, torn, 0, torn.length, 2 * (16 + 100));
    closeSync(fd);
    const r = Wal.open(dir, 0, SEG);
    expect(r.entries.map((e) => e.index)).toEqual([1, 2]);
    r.wal.append([entry(3)]);
    r.wal.close();
    expect(Wal.open(dir, 0, SEG).entries.map((e) => e.index)).toEqual([1, 2, 3]);
  });

  it('rolls segments, refuses damage in a sealed one, and releases old segments', () => {
    const dir = fresh();
    const { wal } = Wal.open(dir, 0, SEG);
    for (let i = 1; i <= 300; i++) wal.append([entry(i, 1000)]);
    const segs = readdirSync(dir).filter((f) => f.endsWith('.wal')).sort();
    expect(segs.length).toBeGreaterThanOrEqual(4);
    wal.releaseBefore(200);
    const left = readdirSync(dir).filter((f) => f.endsWith('.wal')).sort();
    expect(left.length).toBeLessThan(segs.length);
    wal.close();
    expect(Wal.open(dir, 250, SEG).entries.map((e) => e.index)).toEqual(Array.from({ length: 50 }, (_, i) => i + 251));
    // Asking for entries that were released is an error, not a silent gap.
    expect(() => Wal.open(dir, 10, SEG)).toThrow(/index gap/);
    const fd = openSync(join(dir, left[0]!), 'r+');
    writeSync(fd, Buffer.from([0xff]), 0, 1, 30);
    closeSync(fd);
    expect(() => Wal.open(dir, 0, SEG)).toThrow(WalCorruptError);
  });
});
