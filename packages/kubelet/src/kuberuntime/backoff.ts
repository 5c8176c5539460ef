// Crash-loop back-off per container (client-go flowcontrol.Backoff as the kubelet uses it): 10 s,
// doubling to 5 min; an entry is forgotten after it stayed idle for twice the maximum.
import type { Clock } from '@kube-ts/client';
import { formatDuration } from '../config/duration.js';

interface Entry { durationMs: number; lastUpdate: number }

export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    readonly initialMs = 10_000,
    readonly maxMs = 300_000,
  ) {}

  /** Records a restart attempt for an event (a container exit) at eventTime; returns the new
   *  back-off. An entry idle for twice the maximum starts over (the container ran long enough). */
  next(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e || eventTime - e.lastUpdate > 2 * this.maxMs) {
      this.entries.set(key, { durationMs: this.initialMs, lastUpdate: eventTime });
      return this.initialMs;
    }
    e.durationMs = Math.min(e.durationMs * 2, this.maxMs);
    e.lastUpdate = eventTime;
    return e.durationMs;
  }

  /** True while `now` is within the current back-off window after eventTime. */
  isInBackOffSince(key: string, eventTime: number): boolean {
    const e = this.entries.get(key);
    if (!e) return false;
    if (this.clock.now() - e.lastUpdate > 2 * this.maxMs) return false;
    return this.clock.now() - eventTime < e.durationMs;
  }

  /** Milliseconds until the window after eventTime ends (0 when not backing off). */
  remainingMs(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.durationMs - (this.clock.now() - eventTime));
  }

  get(key: string): number {
    return this.entries.get(key)?.durationMs ?? 0;
  }

  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }
}

/** A back-off as the kubelet prints it: whole seconds, Go style (10s, 1m20s, 5m0s). */
export function goDuration(ms: number): string {
  return formatDuration(Math.round(ms / 1000) * 1000);
}
