// Reads a container's CRI log file into a LogSink, as upstream kuberuntime/logs ReadLogs: start at
// the tailLines point, print to the end; with follow keep printing what is appended (fs.watch on
// the directory, plus a poll every second that also asks whether the container still runs), switch
// to the new file when the runtime reopens the log (rotation: the path names a new inode) or start
// over when it was truncated, and end once the container is not running and the file is drained.
import { watch, type FSWatcher } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { endsLine, parseCriRecord } from './parse.js';
import { findTailStart } from './tail.js';
import { LogWriter, type LogSink, type LogWriterOptions } from './writer.js';

export interface ReadLogsOptions extends LogWriterOptions {
  /** Only the last n lines (all when absent). */
  tailLines?: number;
  follow: boolean;
}

export interface FollowControl {
  /** Aborted when the client went away. */
  signal?: AbortSignal;
  /** Whether the container still runs; following ends once it does not and the file is drained. */
  isRunning(): Promise<boolean>;
  /** How long to wait for a file event before looking anyway (default 1000 ms). */
  pollMs?: number;
}

const BLOCK = 64 * 1024;
const NL = 0x0a;

/** Wakes a waiter on file events; an event while nobody waits makes the next wait return at once. */
class Waker {
  private pending = false;
  private wake: (() => void) | undefined;

  notify(): void {
    if (this.wake) this.wake();
    else this.pending = true;
  }

  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.pending || signal?.aborted) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
      this.wake = done;
    });
  }
}

function watchFile(path: string, waker: Waker): FSWatcher | undefined {
  const name = basename(path);
  try {
    // The directory, not the file: a rotated log is a new file under the same name.
    const w = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file === null || file === name) waker.notify();
    });
    w.on('error', () => undefined); // polling still runs
    return w;
  } catch {
    return undefined;
  }
}

async function inodeOf(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const s = await stat(path);
    return { ino: s.ino, size: s.size };
  } catch {
    return undefined;
  }
}

/**
 * Copies the log at `path` to `sink`. Rejects when the file cannot be opened (the caller has not
 * written a response yet) or the sink fails; resolves when done.
 */
export async function readLogs(path: string, opts: ReadLogsOptions, sink: LogSink, ctl?: FollowControl): Promise<void> {
  let fh: FileHandle = await open(path, 'r');
  const writer = new LogWriter(opts, sink);
  const waker = new Waker();
  let watcher: FSWatcher | undefined;
  try {
    const st = await fh.stat();
    let ino = st.ino;
    let pos = opts.tailLines === undefined ? 0 : await findTailStart(fh, st.size, opts.tailLines);
    // Without follow, a tail reads exactly that many lines even if the file grows meanwhile.
    let linesLeft = opts.tailLines !== undefined && !opts.follow ? opts.tailLines : Number.POSITIVE_INFINITY;
    if (linesLeft === 0) return;
    let pending = Buffer.alloc(0);
    let running = true;
    let lastCheck = 0;
    const pollMs = ctl?.pollMs ?? 1000;
    const buf = Buffer.alloc(BLOCK);

    const emit = (record: Buffer): boolean => {
      const rec = parseCriRecord(record);
      if (rec) writer.add(rec);
      if (endsLine(record)) linesLeft--;
      return writer.full || linesLeft <= 0;
    };

    for (;;) {
      if (ctl?.signal?.aborted) return;
      const { bytesRead } = await fh.read(buf, 0, BLOCK, pos);
      if (bytesRead > 0) {
        pos += bytesRead;
        const data = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
        let from = 0;
        let stop = false;
        for (let nl = data.indexOf(NL, from); nl >= 0 && !stop; nl = data.indexOf(NL, from)) {
          stop = emit(data.subarray(from, nl));
          from = nl + 1;
        }
        pending = data.subarray(from);
        await writer.flush();
        if (stop) return;
        continue;
      }
      // End of file.
      if (!opts.follow || !ctl) {
        // An unterminated last record is printed as it is, as upstream does without follow.
        if (pending.length) emit(pending);
        await writer.flush();
        return;
      }
      if (!running) {
        // Drained after the container stopped.
        if (pending.length) emit(pending);
        await writer.flush();
        return;
      }
      const now = await inodeOf(path);
      if (now && now.ino !== ino) {
        // Reopened by the runtime: the old file is drained (we are at its end); go on with the new one.
        const next = await open(path, 'r').catch(() => undefined);
        if (next) {
          await fh.close();
          fh = next;
          ino = (await fh.stat()).ino;
          pos = 0;
          pending = Buffer.alloc(0);
          continue;
        }
      } else if (now && now.size < pos) {
        pos = 0; // truncated in place
        pending = Buffer.alloc(0);
        continue;
      }
      if (!watcher) {
        watcher = watchFile(path, waker);
        continue; // read once more: a write may have come before the watch
      }
      if (Date.now() - lastCheck >= pollMs / 2) {
        lastCheck = Date.now();
        running = await ctl.isRunning().catch(() => false);
        if (!running) continue; // read what is left, then end
      }
      await waker.wait(pollMs, ctl.signal);
    }
  } finally {
    watcher?.close();
    await fh.close().catch(() => undefined);
  }
}
