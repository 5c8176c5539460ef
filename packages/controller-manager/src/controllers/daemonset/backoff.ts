// flowcontrol.Backoff as the DaemonSet controller uses it for failed pods (1 s doubling to
// 15 min per DaemonSet and node): a failed pod is deleted at once, the next one on that node
// only after the delay, so a kubelet that keeps rejecting pods is not hot-looped.
import type { Clock } from '@kube-ts/client/clock';

interface Entry { backoff: number; lastUpdate: number }

export class Backoff {
  private readonly m = new Map<string, Entry>();
  constructor(readonly clock: Clock, private readonly initialMs = 1000, private readonly maxMs = 15 * 60_000) {}

  private expired(e: Entry, now: number): boolean { return now - e.lastUpdate > 2 * this.maxMs; }

  /** The current delay for `id` (0 when none). */
  get(id: string): number { return this.m.get(id)?.backoff ?? 0; }

  /** Records an attempt now: the first (or after a long quiet) waits initialMs, then doubles. */
  next(id: string, now: number): void {
    const e = this.m.get(id);
    if (!e || this.expired(e, now)) this.m.set(id, { backoff: this.initialMs, lastUpdate: now });
    else this.m.set(id, { backoff: Math.min(e.backoff * 2, this.maxMs), lastUpdate: now });
  }

  /** IsInBackOffSinceUpdate: less than the delay has passed since the last attempt. */
  inBackoffSinceUpdate(id: string, now: number): boolean {
    const e = this.m.get(id);
    if (!e || this.expired(e, now)) return false;
    return now - e.lastUpdate < e.backoff;
  }

  /** Forgets entries idle for twice the maximum (Backoff.GC). */
  gc(now: number): void {
    for (const [k, e] of this.m) if (this.expired(e, now)) this.m.delete(k);
  }
}
