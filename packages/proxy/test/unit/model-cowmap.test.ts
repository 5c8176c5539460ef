// CowMap: the tracker's copy-on-write state maps — a draft never changes the version it came from.
import { describe, expect, it } from 'vitest';
import { CowMap } from '../../src/model/cowmap.js';

describe('CowMap', () => {
  it('behaves as a ReadonlyMap across versions', () => {
    const v0 = CowMap.empty<number>();
    const d1 = v0.edit();
    for (let i = 0; i < 1000; i++) d1.set(`k${i}`, i);
    d1.set('k1', 100);
    const v1 = d1.finish();
    expect(v0.size).toBe(0);
    expect(v1.size).toBe(1000);
    expect(v1.get('k1')).toBe(100);
    expect(v1.has('k999')).toBe(true);
    expect(v1.has('nope')).toBe(false);
    expect([...v1.keys()].sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `k${i}`).sort());
    expect(new Map(v1).get('k2')).toBe(2);
    let n = 0;
    v1.forEach((v, k, m) => { n++; expect(m.get(k)).toBe(v); });
    expect(n).toBe(1000);
    expect([...v1.values()].reduce((a, b) => a + b, 0)).toBe((999 * 1000) / 2 + 99);

    const d2 = v1.edit();
    d2.delete('k5');
    d2.delete('absent');
    d2.set('k6', -6);
    d2.set('new', 1);
    expect(d2.get('k6')).toBe(-6);
    const v2 = d2.finish();
    expect(v2.size).toBe(1000);
    expect(v2.has('k5')).toBe(false);
    expect(v2.get('k6')).toBe(-6);
    // The older version is untouched.
    expect(v1.has('k5')).toBe(true);
    expect(v1.get('k6')).toBe(6);
    expect(v1.has('new')).toBe(false);
    expect([...v2.entries()]).toHaveLength(1000);
  });

  it('changedKeys names the keys of the shards two versions do not share', () => {
    const d = CowMap.empty<number>().edit();
    for (let i = 0; i < 5000; i++) d.set(`k${i}`, i);
    const v1 = d.finish();
    const d2 = v1.edit();
    d2.set('k7', 70);
    d2.delete('k8');
    d2.set('fresh', 1);
    const v2 = d2.finish();
    const changed = CowMap.changedKeys(v1, v2);
    expect(changed).not.toBeNull();
    for (const k of ['k7', 'k8', 'fresh']) expect(changed!.has(k)).toBe(true);
    // Only the touched shards: a small fraction of the 5000 keys.
    expect(changed!.size).toBeLessThan(200);
    expect(CowMap.changedKeys(v2, v2)!.size).toBe(0);
    expect(CowMap.changedKeys(v1, new Map())).toBeNull();
  });
});
