// KeyedHeap: the keyed binary heap behind activeQ and backoffQ (upstream internal/heap heap_test.go:
// TestHeap_Add, TestHeap_Delete, TestHeap_Update, plus a randomized check against a sorted array).
import { describe, expect, it } from 'vitest';
import { KeyedHeap } from '../../src/backend/heap.js';

interface Item { key: string; val: number }

const newHeap = (): KeyedHeap<Item> => new KeyedHeap<Item>((i) => i.key, (a, b) => a.val < b.val);
const item = (key: string, val: number): Item => ({ key, val });

/** Pops everything, returning the keys in pop order. */
function drain(h: KeyedHeap<Item>): string[] {
  const out: string[] = [];
  for (let it = h.pop(); it; it = h.pop()) out.push(it.key);
  return out;
}

/** A small deterministic PRNG so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('KeyedHeap', () => {
  it('pops in ascending order of the less function (TestHeap_Add)', () => {
    const h = newHeap();
    h.addOrUpdate(item('foo', 10));
    h.addOrUpdate(item('bar', 1));
    h.addOrUpdate(item('baz', 11));
    h.addOrUpdate(item('zab', 30));
    h.addOrUpdate(item('foo', 13)); // update
    expect(h.size).toBe(4);
    expect(h.peek()?.key).toBe('bar');
    expect(drain(h)).toEqual(['bar', 'baz', 'foo', 'zab']);
    expect(h.size).toBe(0);
    expect(h.pop()).toBeUndefined();
    expect(h.peek()).toBeUndefined();
  });

  it('addOrUpdate replaces the entry with the same key and restores order both ways (TestHeap_Update)', () => {
    const h = newHeap();
    for (const [k, v] of [['a', 5], ['b', 6], ['c', 7], ['d', 8]] as const) h.addOrUpdate(item(k, v));
    h.addOrUpdate(item('d', 1)); // moves up
    expect(h.peek()).toEqual(item('d', 1));
    h.addOrUpdate(item('d', 100)); // moves down
    expect(h.get('d')).toEqual(item('d', 100));
    expect(h.size).toBe(4);
    expect(drain(h)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('deletes from the middle and keeps the rest ordered (TestHeap_Delete)', () => {
    const h = newHeap();
    const vals: Array<[string, number]> = [['foo', 10], ['bar', 1], ['bal', 31], ['baz', 11], ['zab', 30], ['x', 2], ['y', 40]];
    for (const [k, v] of vals) h.addOrUpdate(item(k, v));
    expect(h.delete('baz')).toEqual(item('baz', 11));
    expect(h.has('baz')).toBe(false);
    expect(h.delete('baz')).toBeUndefined();
    expect(h.delete('nope')).toBeUndefined();
    // Deleting the last array slot takes the i === length branch.
    const last = h.list()[h.size - 1]!;
    expect(h.delete(last.key)).toEqual(last);
    const rest = vals.filter(([k]) => k !== 'baz' && k !== last.key).sort((a, b) => a[1] - b[1]).map(([k]) => k);
    expect(drain(h)).toEqual(rest);
  });

  it('has/get/list reflect the contents', () => {
    const h = newHeap();
    h.addOrUpdate(item('a', 3));
    h.addOrUpdate(item('b', 2));
    expect(h.has('a')).toBe(true);
    expect(h.has('z')).toBe(false);
    expect(h.get('b')).toEqual(item('b', 2));
    expect(h.get('z')).toBeUndefined();
    expect(h.list().map((i) => i.key).sort()).toEqual(['a', 'b']);
    // list() is a copy: mutating it does not touch the heap.
    h.list().pop();
    expect(h.size).toBe(2);
  });

  it('matches a sorted array under random adds, updates and deletes', () => {
    const rand = rng(42);
    for (let round = 0; round < 20; round++) {
      const h = newHeap();
      const model = new Map<string, number>();
      for (let op = 0; op < 300; op++) {
        const key = `k${Math.floor(rand() * 60)}`;
        const r = rand();
        if (r < 0.6) {
          // Distinct values keep the expected order unambiguous.
          const val = Math.floor(rand() * 1e6) * 100 + Number(key.slice(1));
          h.addOrUpdate(item(key, val));
          model.set(key, val);
        } else if (r < 0.85) {
          const got = h.delete(key);
          expect(got?.val).toBe(model.get(key));
          model.delete(key);
        } else if (model.size) {
          const min = Math.min(...model.values());
          const top = h.pop()!;
          expect(top.val).toBe(min);
          model.delete(top.key);
        }
        expect(h.size).toBe(model.size);
      }
      const want = [...model].sort((a, b) => a[1] - b[1]).map(([k]) => k);
      expect(drain(h)).toEqual(want);
    }
  });
});
