// The replicated log of a single-member cluster. An entry is committed once it is durable on
// the only member, so propose = append (fsync) → apply. Concurrent proposals are appended as one
// group with one fsync (group commit). A Raft log replaces this class without changing the
// caller: propose(data) resolves with the result of applying that entry.
import type { Backend, LogEntry } from '../storage/backend.js';

export interface CommittedEntry<L> extends LogEntry {
  /** The proposer's decoded form, when this member proposed the entry (saves a decode). */
  local?: L;
}

/** Applies committed entries in order; returns one result (or Error) per entry. */
export type ApplyFn<L> = (entries: Array<CommittedEntry<L>>) => Promise<unknown[]>;

interface Waiter<L> { data: Buffer; local?: L; resolve: (v: unknown) => void; reject: (e: unknown) => void }

export class SoloLog<L> {
  private queue: Array<Waiter<L>> = [];
  private running = false;
  private stopped = false;

  constructor(
    private readonly backend: Backend,
    private readonly apply: ApplyFn<L>,
    private lastIndex: number,
    /** Called once when applying fails for a reason other than a bad request. */
    private readonly onFatal: (err: unknown) => void,
    private readonly maxGroup = 1024,
  ) {}

  /** Durable appends so far: one fsync each, however many entries they carried. */
  fsyncs = 0;

  get index(): number { return this.lastIndex; }
  /** Solo members never change term. */
  get term(): number { return 1; }

  propose(data: Buffer, local?: L): Promise<unknown> {
    if (this.stopped) return Promise.reject(new Error('log stopped'));
    return new Promise((resolve, reject) => {
      this.queue.push(local === undefined ? { data, resolve, reject } : { data, local, resolve, reject });
      if (!this.running) void this.run();
    });
  }

  /** Waits for in-flight groups, then refuses new proposals. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        const first = this.lastIndex + 1;
        const entries: Array<CommittedEntry<L>> = group.map((w, i) =>
          w.local === undefined ? { index: first + i, data: w.data } : { index: first + i, data: w.data, local: w.local });
        try {
          await this.backend.appendLog(entries);
          this.fsyncs++;
        } catch (err) {
          for (const w of group) w.reject(err);
          continue;
        }
        this.lastIndex += group.length;
        let results: unknown[];
        try {
          results = await this.apply(entries);
        } catch (err) {
          // An apply failure that is not a request error leaves state unknown: stop serving writes.
          this.stopped = true;
          for (const w of group) w.reject(err);
          for (const w of this.queue.splice(0)) w.reject(err);
          this.onFatal(err);
          return;
        }
        group.forEach((w, i) => {
          const r = results[i];
          if (r instanceof Error) w.reject(r); else w.resolve(r);
        });
      }
    } finally {
      this.running = false;
    }
  }
}
