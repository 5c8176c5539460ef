// Group commit: concurrent proposals share one durable append (one fsync), and each proposer
// gets its own entry's apply result, in log order.
import { describe, expect, it } from 'vitest';
import { SoloLog, type CommittedEntry } from '../../src/server/sololog.js';
import type { Backend, LogEntry } from '../../src/storage/backend.js';

class FakeBackend {
  appends: LogEntry[][] = [];
  async appendLog(entries: readonly LogEntry[]): Promise<void> {
    await new Promise((r) => setTimeout(r, 2)); // an fsync takes time; proposals pile up meanwhile
    this.appends.push([...entries]);
  }
}

describe('SoloLog', () => {
  it('appends concurrent proposals in groups and resolves each with its own result', async () => {
    const be = new FakeBackend();
    const applied: number[] = [];
    const log = new SoloLog<string>(be as unknown as Backend, async (entries: Array<CommittedEntry<string>>) => {
      applied.push(...entries.map((e) => e.index));
      return entries.map((e) => (e.local === 'bad' ? new Error('rejected') : `applied ${e.index}:${e.data.toString()}`));
    }, 0, () => { throw new Error('fatal'); });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => log.propose(Buffer.from(`p${i}`), `p${i}`)));
    expect(results[0]).toBe('applied 1:p0');
    expect(results[199]).toBe('applied 200:p199');
    expect(applied).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(be.appends.length).toBeLessThanOrEqual(3); // 200 writes, at most a few fsyncs
    expect(be.appends.flat().map((e) => e.index)).toEqual(applied);
    await expect(log.propose(Buffer.from('x'), 'bad')).rejects.toThrow('rejected');
    expect(log.index).toBe(201);
  });
});
