// One serialized sync loop per pod UID (pod_workers.go): triggers while a sync runs collapse into
// one follow-up sync; a sync may ask to run again after a delay (back-off expiry, periodic resync).
import type { Logger } from 'pino';

export interface WorkerResult {
  requeueAfterMs?: number;
  /** The pod is fully cleaned up: forget its worker. */
  done?: boolean;
}

interface Worker {
  running: boolean;
  dirty: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private stopped = false;

  constructor(
    private readonly sync: (uid: string) => Promise<WorkerResult>,
    private readonly logger: Logger,
    private readonly errorBackoffMs = 2_000,
  ) {}

  trigger(uid: string, delayMs = 0): void {
    if (this.stopped) return;
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, dirty: false };
      this.workers.set(uid, w);
    }
    if (delayMs > 0) {
      const at = Date.now() + delayMs;
      if (w.timer && w.timerAt !== undefined && w.timerAt <= at) return;
      if (w.timer) clearTimeout(w.timer);
      w.timerAt = at;
      w.timer = setTimeout(() => {
        w!.timer = undefined;
        w!.timerAt = undefined;
        this.trigger(uid);
      }, delayMs);
      w.timer.unref();
      return;
    }
    if (w.running) {
      w.dirty = true;
      return;
    }
    void this.run(uid, w);
  }

  private async run(uid: string, w: Worker): Promise<void> {
    w.running = true;
    do {
      w.dirty = false;
      let r: WorkerResult = {};
      try {
        r = await this.sync(uid);
      } catch (err) {
        this.logger.warn({ err, podUid: uid }, 'pod sync failed; retrying');
        r = { requeueAfterMs: this.errorBackoffMs };
      }
      if (r.done) {
        if (w.timer) clearTimeout(w.timer);
        if (!w.dirty) {
          this.workers.delete(uid);
          w.running = false;
          return;
        }
      } else if (r.requeueAfterMs !== undefined && !this.stopped) {
        // 0 marks the worker dirty (another pass at once); more arms its timer.
        this.trigger(uid, r.requeueAfterMs);
      }
    } while (w.dirty && !this.stopped);
    w.running = false;
  }

  known(): string[] {
    return [...this.workers.keys()];
  }

  stop(): void {
    this.stopped = true;
    for (const w of this.workers.values()) if (w.timer) clearTimeout(w.timer);
  }
}
