// Owners verified absent (upstream ReferenceCache, an LRU of 500): dependents naming them are
// garbage without another GET.
import { identityKey, type ObjectIdentity } from './graph.js';

export class AbsentOwnerCache {
  private readonly m = new Map<string, true>();
  constructor(private readonly max = 500) {}

  add(i: ObjectIdentity): void {
    const k = identityKey(i);
    this.m.delete(k);
    this.m.set(k, true);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }

  has(i: ObjectIdentity): boolean {
    const k = identityKey(i);
    if (!this.m.has(k)) return false;
    this.m.delete(k);
    this.m.set(k, true);
    return true;
  }
}
