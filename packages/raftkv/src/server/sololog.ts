// The replicated log of a single-member cluster. An entry is committed once it is durable on
// the only member, so propose = append to the WAL (fsync) → apply. Proposals are collected until
// the current event-loop turn has handled its I/O, then appended as one group with one fsync
// (group commit); requests that arrive during that fsync form the next group. A Raft log
// replaces this class without changing the caller: propose(data) resolves with the result of
// applying that entry.
import type { WalEntry } from '../storage/wal.js';
import { Errors } from '../errors.js';

export interface CommittedEntry<L> extends WalEntry {
  /** The proposer's decoded form, when this member proposed the entry (saves a decode). */
  local?: L;
}

/** Applies committed entries in order; returns one result (or Error) per entry. */
export type ApplyFn<L> = (entries: Array<CommittedEntry<L>>) => Promise<unknown[]>;

/** The durable append the log needs (storage/wal.ts). */
export interface DurableLog {
  readonly index: number;
  append(entries: readonly WalEntry[]): void;
}

interface Waiter<L> { data: Buffer; local?: L; resolve: (v: unknown) => void; reject: (e: unknown) => void }

export class SoloLog<L> {
  private queue: Array<Waiter<L>> = [];
  private scheduled = false;
  private running = false;
  private stopped = false;
  /** Durable appends so far: one fsync each, however many entries they carried. */
  fsyncs = 0;

  constructor(
    private readonly wal: DurableLog,
    private readonly apply: ApplyFn<L>,
    /** Called once when applying fails for a reason other than a bad request. */
    private readonly onFatal: (err: unknown) => void,
    private readonly maxGroup = 1024,
  ) {}

  get index(): number { return this.wal.index; }
  /** Solo members never change term. */
  get term(): number { return 1; }

  propose(data: Buffer, local?: L): Promise<unknown> {
    if (this.stopped) return Promise.reject(Errors.stopped());
    return new Promise((resolve, reject) => {
      this.queue.push(local === undefined ? { data, resolve, reject } : { data, local, resolve, reject });
      if (!this.scheduled && !this.running) {
        this.scheduled = true;
        setImmediate(() => void this.run());
      }
    });
  }

  /** Waits for in-flight groups, then refuses new proposals. */
  async stop(): Promise<void> {
    this.stopped = true;
    while (this.running || this.scheduled) await new Promise((r) => setTimeout(r, 5));
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, this.maxGroup);
        const first = this.wal.index + 1;
        const entries: Array<CommittedEntry<L>> = group.map((w, i) =>
          w.local === undefined ? { index: first + i, data: w.data } : { index: first + i, data: w.data, local: w.local });
        try {
          this.wal.append(entries);
          this.fsyncs++;
        } catch (err) {
          for (const w of group) w.reject(err);
          continue;
        }
        let results: unknown[];
        try {
          results = await this.apply(entries);
        } catch (err) {
          // Not a request error: state is unknown, so stop serving writes.
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
