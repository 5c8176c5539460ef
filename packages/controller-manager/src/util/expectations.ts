// ControllerExpectations (controller_utils.go): a controller that just asked for N creations or
// deletions must not act on its (stale) cache for that owner until the informer has seen them,
// or it would create/delete twice. Expectations expire after 5 minutes so a lost watch event
// cannot wedge an owner forever.
import type { Clock } from '@kube-ts/client/clock';

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Entry { add: number; del: number; timestamp: number; deleteKeys: Set<string> }

export class ControllerExpectations {
  private readonly m = new Map<string, Entry>();
  constructor(private readonly clock: Clock) {}

  /** True when nothing is pending for `key` (or the record expired, or none exists). */
  satisfied(key: string): boolean {
    const e = this.m.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > EXPECTATIONS_TIMEOUT_MS;
  }

  /** SetExpectations: pending creations and deletions at once, replacing any earlier record. */
  setExpectations(key: string, add: number, del: number): void {
    this.m.set(key, { add, del, timestamp: this.clock.now(), deleteKeys: new Set() });
  }

  expectCreations(key: string, n: number): void { this.setExpectations(key, n, 0); }

  /** Deletions, optionally tracked by pod key so a deletion is counted once however it is observed. */
  expectDeletions(key: string, n: number | string[]): void {
    if (typeof n === 'number') { this.setExpectations(key, 0, n); return; }
    this.setExpectations(key, 0, n.length);
    this.m.get(key)!.deleteKeys = new Set(n);
  }

  creationObserved(key: string): void { const e = this.m.get(key); if (e) e.add--; }

  /** A deletion was observed (or a delete call failed); with `podKey`, only tracked keys count. */
  deletionObserved(key: string, podKey?: string): void {
    const e = this.m.get(key);
    if (!e) return;
    if (podKey !== undefined && e.deleteKeys.size > 0) {
      if (!e.deleteKeys.delete(podKey)) return;
    }
    e.del--;
  }

  /** Lowers the pending counts after failed calls (the call will not be observed). */
  lower(key: string, add: number, del: number): void {
    const e = this.m.get(key);
    if (e) { e.add -= add; e.del -= del; }
  }

  delete(key: string): void { this.m.delete(key); }

  pending(key: string): { add: number; del: number } | undefined {
    const e = this.m.get(key);
    return e && { add: e.add, del: e.del };
  }
}
