// Turns CRI log records into what `kubectl logs` prints: the text of the selected streams, a
// partial record joined with the next one of its stream, RFC3339NanoFixed prefixes at the start
// of each line with timestamps, records before `since` skipped, output cut at limitBytes.
// Output is batched and handed to the sink once per read block (one socket write, not one per line).
import type { Writable } from 'node:stream';
import type { LogRecord, LogStream } from './parse.js';

/** Consumes output; resolves once the chunk may be followed by more (backpressure). */
export type LogSink = (chunk: Buffer) => Promise<void>;

export interface LogWriterOptions {
  timestamps: boolean;
  /** Records older than this (ns since the epoch) are skipped. */
  sinceNs?: bigint;
  /** Stop after this many bytes of output. */
  limitBytes?: number;
  /** Streams to print; both when absent. */
  streams?: Record<LogStream, boolean>;
}

export class LogWriter {
  private remain: number;
  private readonly atLineStart: Record<LogStream, boolean> = { stdout: true, stderr: true };
  private batch: Buffer[] = [];

  constructor(
    private readonly opts: LogWriterOptions,
    private readonly sink: LogSink,
  ) {
    this.remain = opts.limitBytes ?? Number.POSITIVE_INFINITY;
  }

  /** True once limitBytes is reached: the caller stops reading. */
  get full(): boolean {
    return this.remain <= 0;
  }

  /** Adds one record to the batch. */
  add(rec: LogRecord): void {
    const lineStart = this.atLineStart[rec.stream];
    this.atLineStart[rec.stream] = !rec.partial;
    if (this.full) return;
    if (this.opts.sinceNs !== undefined && rec.time.ns < this.opts.sinceNs) return;
    if (this.opts.streams && !this.opts.streams[rec.stream]) return;
    const parts: Buffer[] = [];
    if (this.opts.timestamps && lineStart) parts.push(Buffer.from(`${rec.time.fixed} `));
    parts.push(rec.content);
    if (!rec.partial) parts.push(NEWLINE);
    let out = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    if (out.length > this.remain) out = out.subarray(0, this.remain);
    this.remain -= out.length;
    this.batch.push(out);
  }

  /** Hands the batch to the sink. */
  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const chunk = this.batch.length === 1 ? this.batch[0]! : Buffer.concat(this.batch);
    this.batch = [];
    await this.sink(chunk);
  }
}

const NEWLINE = Buffer.from('\n');

/** A sink writing to a stream, waiting for 'drain' when its buffer is full; rejects once it closed. */
export function writableSink(w: Writable): LogSink {
  return (chunk) =>
    new Promise<void>((resolve, reject) => {
      if (w.destroyed || w.writableEnded) {
        reject(new Error('log output closed'));
        return;
      }
      if (w.write(chunk)) {
        resolve();
        return;
      }
      const done = (err?: Error): void => {
        w.off('drain', onDrain);
        w.off('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onDrain = (): void => done();
      const onClose = (): void => done(new Error('log output closed'));
      w.once('drain', onDrain);
      w.once('close', onClose);
    });
}
