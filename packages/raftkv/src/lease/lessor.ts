// Leases (etcd lessor): grant and revoke are applied from the log; keep-alive and expiry are
// local to the member that serves them (the leader, once replicated) and never logged. On
// expiry the server proposes a revoke, which deletes the attached keys in one revision.
import { Errors } from '../errors.js';
import type { LeaseHooks } from '../mvcc/store.js';

export const MAX_LEASE_TTL = 9_000_000_000;

export interface Lease {
  readonly id: number;
  /** Granted TTL in seconds. */
  readonly ttl: number;
  /** Wall-clock expiry in ms (local state, reset on restart). */
  expiry: number;
  readonly keys: Set<string>;
  /** A revoke was proposed for this expired lease; when (ms). */
  revokingSince: number;
}

export type Clock = () => number;

export class Lessor implements LeaseHooks {
  readonly leases = new Map<number, Lease>();

  /**
   * @param minTTL seconds; etcd uses ceil(1.5 × election timeout) = 2 s by default.
   */
  constructor(private readonly now: Clock = Date.now, readonly minTTL = 2) {}

  exists(id: number): boolean { return this.leases.has(id); }

  attach(id: number, key: string): void { this.leases.get(id)?.keys.add(key); }

  detach(id: number, key: string): void { this.leases.get(id)?.keys.delete(key); }

  /** Apply-time grant; returns the effective TTL. */
  grant(id: number, ttl: number): Lease {
    if (this.leases.has(id)) throw Errors.leaseExist();
    if (ttl > MAX_LEASE_TTL) throw Errors.leaseTTLTooLarge();
    const eff = Math.max(ttl, this.minTTL);
    const lease: Lease = { id, ttl: eff, expiry: this.now() + eff * 1000, keys: new Set(), revokingSince: 0 };
    this.leases.set(id, lease);
    return lease;
  }

  /** Restores a persisted lease at startup with a fresh expiry (as etcd's Promote). */
  restore(id: number, ttl: number): void {
    this.leases.set(id, { id, ttl, expiry: this.now() + ttl * 1000, keys: new Set(), revokingSince: 0 });
  }

  /** Apply-time revoke: the keys to delete. */
  revoke(id: number): string[] {
    const l = this.leases.get(id);
    if (!l) throw Errors.leaseNotFound();
    this.leases.delete(id);
    return [...l.keys];
  }

  /** Keep-alive: the granted TTL, or 0 when the lease is unknown or already expired. */
  renew(id: number): number {
    const l = this.leases.get(id);
    const now = this.now();
    if (!l || l.expiry <= now) return 0;
    l.expiry = now + l.ttl * 1000;
    return l.ttl;
  }

  /** Remaining seconds (truncated, as etcd), or -1 when not found. */
  remaining(id: number): { ttl: number; granted: number; keys: string[] } | undefined {
    const l = this.leases.get(id);
    if (!l) return undefined;
    const rem = Math.max(0, Math.trunc((l.expiry - this.now()) / 1000));
    return { ttl: rem, granted: l.ttl, keys: [...l.keys] };
  }

  /** Expired leases that need a revoke proposal (retried after `retryMs`). */
  expired(retryMs = 3000): number[] {
    const now = this.now();
    const out: number[] = [];
    for (const l of this.leases.values()) {
      if (l.expiry > now) continue;
      if (l.revokingSince !== 0 && now - l.revokingSince < retryMs) continue;
      l.revokingSince = now;
      out.push(l.id);
    }
    return out;
  }

  ids(): number[] { return [...this.leases.keys()]; }
}
