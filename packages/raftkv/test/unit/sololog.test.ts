// Group commit: proposals made while the event loop handles one turn of I/O share one durable
// append (one fsync), and each proposer gets its own entry's apply result, in log order.
import { describe, expect, it } from 'vitest';
import { SoloLog, type CommittedEntry, type DurableLog } from '../../src/server/sololog.js';
import type { WalEntry } from '../../src/storage/wal.js';

class FakeWal implements DurableLog {
  appends: WalEntry[][] = [];
  index = 0;
  append(entries: readonly WalEntry[]): void {
    this.appends.push([...entries]);
    this.index = entries[entries.length - 1]!.index;
  }
  async appendAsync(entries: readonly WalEntry[]): Promise<void> {
    this.append(entries);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe('SoloLog', () => {
  it('appends concurrent proposals as one group and resolves each with its own result', async () => {
    const wal = new FakeWal();
    const applied: number[] = [];
    const log = new SoloLog<string>(wal, async (entries: Array<CommittedEntry<string>>) => {
      applied.push(...entries.map((e) => e.index));
      return entries.map((e) => (e.local === 'bad' ? new Error('rejected') : `applied ${e.index}:${e.data.toString()}`));
    }, () => { throw new Error('fatal'); });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.propose(Buffer.from(`p${i}`), `p${i}`)));
    expect(results[0]).toBe('applied 1:p0');
    expect(results[199]).toBe('applied 200:p199');
    expect(applied).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(wal.appends).toHaveLength(1); // 200 proposals in one turn: one fsync
    expect(log.fsyncs).toBe(1);
    await expect(log.propose(Buffer.from('x'), 'bad')).rejects.toThrow('rejected');
    expect(log.index).toBe(201);
  });

  it('proposals arriving while a group is being applied form the next group', async () => {
    const wal = new FakeWal();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => { release = r; });
    const log = new SoloLog<string>(wal, async (entries) => {
      if (entries[0]!.index === 1) await gate;
      return entries.map((e) => e.index);
    }, () => { throw new Error('fatal'); });
    const first = log.propose(Buffer.from('a'), 'a');
    await new Promise((r) => setImmediate(r));
    const more = Array.from({ length: 10 }, (_, i) => log.propose(Buffer.from(`b${i}`), `b${i}`));
    release();
    expect(await first).toBe(1);
    expect(await Promise.all(more)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
    expect(wal.appends.map((g) => g.length)).toEqual([1, 10]);
  });
});
