// TimedWorkerQueue (tainteviction/timed_workers.go): one timer per pod key that runs the
// deletion when it fires. A finished deletion keeps its key (with no timer) so the same pod is
// not scheduled again until its deletion is observed and the key cancelled.
import type { Clock, Timer } from '@kube-ts/client/clock';

interface Worker { createdAt: number; fireAt: number; timer: Timer | undefined }

export class TimedWorkerQueue {
  private readonly workers = new Map<string, Worker>();

  constructor(private readonly clock: Clock, private readonly work: (key: string, fireAt: number) => Promise<void>) {}

  /** Schedules `key` at `fireAt` unless it already has work (pending or done). */
  addWork(key: string, createdAt: number, fireAt: number): void {
    if (this.workers.has(key)) return;
    const w: Worker = { createdAt, fireAt, timer: undefined };
    this.workers.set(key, w);
    w.timer = this.clock.after(Math.max(0, fireAt - this.clock.now()), () => { void this.fire(key, w); });
  }

  /** Cancels pending work; true when there was work pending (not already done). */
  cancelWork(key: string): boolean {
    const w = this.workers.get(key);
    if (!w) return false;
    this.workers.delete(key);
    if (!w.timer) return false;
    w.timer.cancel();
    return true;
  }

  /** The pending (not yet fired) work for `key`. */
  get(key: string): { createdAt: number; fireAt: number; pending: boolean } | undefined {
    const w = this.workers.get(key);
    return w && { createdAt: w.createdAt, fireAt: w.fireAt, pending: w.timer !== undefined };
  }

  keys(): string[] { return [...this.workers.keys()]; }

  private async fire(key: string, w: Worker): Promise<void> {
    if (this.workers.get(key) !== w) return;
    w.timer = undefined;
    try {
      await this.work(key, w.fireAt);
    } catch {
      // A failed deletion forgets the key, so the next pod or node update schedules it again.
      if (this.workers.get(key) === w) this.workers.delete(key);
    }
  }
}
