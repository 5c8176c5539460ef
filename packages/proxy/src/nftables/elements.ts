// The elements of the shared sets/maps as programmed, with the service ports that want each
// one. Several ports may want the same element (every port of a Service shares its ClusterIP in
// cluster-ips; two Services may claim one externalIP:port), so an element is deleted only when
// its last owner lets go, and a value whose owner leaves is replaced by another owner's.
import type { NftScript } from './script.js';
import type { ElementSpec } from './service.js';

interface Claim { value: string; comment?: string }

interface Entry {
  container: string;
  key: string[];
  /** What the kernel holds now (null: nothing yet). */
  programmed: Claim | null;
  owners: Map<string, Claim>;
}

function idOf(e: Pick<ElementSpec, 'container' | 'key'>): string {
  return `${e.container} ${e.key.join(' . ')}`;
}

function claimOf(e: ElementSpec): Claim {
  return { value: (e.value ?? []).join(' . '), comment: e.comment };
}

export class ElementStore {
  private readonly entries = new Map<string, Entry>();
  private readonly touched = new Set<string>();
  private programmedCount = 0;

  /** Elements the kernel holds. */
  get size(): number {
    return this.programmedCount;
  }

  /** Replaces what `owner` wants: `before` is what it wanted so far, `after` what it wants now. */
  replaceOwner(owner: string, before: readonly ElementSpec[], after: readonly ElementSpec[]): void {
    const keep = new Set(after.map(idOf));
    for (const e of before) {
      const id = idOf(e);
      if (keep.has(id)) continue;
      const entry = this.entries.get(id);
      if (entry?.owners.delete(owner)) this.touched.add(id);
    }
    for (const e of after) {
      const id = idOf(e);
      let entry = this.entries.get(id);
      if (!entry) {
        entry = { container: e.container, key: [...e.key], programmed: null, owners: new Map() };
        this.entries.set(id, entry);
      }
      const claim = claimOf(e);
      const prev = entry.owners.get(owner);
      if (!prev || prev.value !== claim.value || prev.comment !== claim.comment) this.touched.add(id);
      entry.owners.set(owner, claim);
    }
  }

  /**
   * Writes the adds/deletes that bring the kernel to what the owners want, for the elements
   * touched since the last call, and takes them as programmed (the caller forgets the whole
   * store when the transaction fails).
   */
  reconcile(tx: NftScript): void {
    for (const id of this.touched) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      const current = entry.programmed;
      let want: Claim | null = null;
      if (entry.owners.size > 0) {
        // Keep the programmed value while some owner still wants it: no churn for the others.
        want = current ? [...entry.owners.values()].find((c) => c.value === current.value) ?? null : null;
        want ??= entry.owners.values().next().value ?? null;
      }
      if (current && (!want || want.value !== current.value)) {
        tx.deleteElement(entry.container, entry.key);
        this.programmedCount--;
      }
      if (want && (!current || want.value !== current.value)) {
        tx.addElement(entry.container, entry.key, want.value === '' ? undefined : want.value.split(' . '), want.comment);
        this.programmedCount++;
      }
      entry.programmed = want;
      if (!want) this.entries.delete(id);
    }
    this.touched.clear();
  }

  /** For tests and debugging: the programmed elements of one container, as "key : value". */
  programmed(container: string): string[] {
    const out: string[] = [];
    for (const e of this.entries.values()) {
      if (e.container !== container || !e.programmed) continue;
      out.push(e.programmed.value ? `${e.key.join(' . ')} : ${e.programmed.value}` : e.key.join(' . '));
    }
    return out.sort();
  }
}
