// The indexer: objects by namespace/name key with named indexes kept in step on every change.
import { describe, expect, it } from 'vitest';
import { Indexer, NAMESPACE_INDEX, type IndexFunc } from '../../src/store.js';
import type { Pod } from '../../src/types.js';

function pod(ns: string, name: string, node?: string, rv = '1'): Pod {
  return { metadata: { namespace: ns, name, resourceVersion: rv }, spec: { containers: [], nodeName: node } };
}

const byNode: IndexFunc<Pod> = (p) => (p.spec.nodeName ? [p.spec.nodeName] : []);
const names = (ps: Pod[]): string[] => ps.map((p) => p.metadata.name ?? '').sort();

describe('Indexer', () => {
  it('stores by namespace/name (name only for cluster-scoped) and returns the previous object', () => {
    const s = new Indexer<Pod>();
    expect(s.set(pod('a', 'p1'))).toBeUndefined();
    const prev = s.set(pod('a', 'p1', undefined, '2'));
    expect(prev?.metadata.resourceVersion).toBe('1');
    s.set({ metadata: { name: 'cluster-wide' }, spec: { containers: [] } });
    expect(s.keys().sort()).toEqual(['a/p1', 'cluster-wide']);
    expect(s.get('a/p1')?.metadata.resourceVersion).toBe('2');
    expect(s.getByName('a', 'p1')?.metadata.resourceVersion).toBe('2');
    expect(s.getByName(undefined, 'cluster-wide')).toBeDefined();
    expect(s.size).toBe(2);
  });

  it('removes by object or key and returns what was stored', () => {
    const s = new Indexer<Pod>();
    s.set(pod('a', 'p1'));
    s.set(pod('a', 'p2'));
    expect(s.remove(pod('a', 'p1', undefined, '9'))?.metadata.resourceVersion).toBe('1');
    expect(s.remove('a/p2')?.metadata.name).toBe('p2');
    expect(s.remove('a/p2')).toBeUndefined();
    expect(s.size).toBe(0);
    expect(s.byIndex(NAMESPACE_INDEX, 'a')).toEqual([]);
  });

  it('indexes by namespace by default', () => {
    const s = new Indexer<Pod>();
    s.set(pod('a', 'p1'));
    s.set(pod('b', 'p2'));
    s.set(pod('a', 'p3'));
    expect(names(s.listNamespace('a'))).toEqual(['p1', 'p3']);
    expect(names(s.byIndex(NAMESPACE_INDEX, 'b'))).toEqual(['p2']);
    expect(s.listNamespace('c')).toEqual([]);
  });

  it('keeps a custom index in step on add, update and delete', () => {
    const s = new Indexer<Pod>();
    s.addIndexers({ node: byNode });
    s.set(pod('a', 'p1', 'n1'));
    s.set(pod('a', 'p2', 'n1'));
    s.set(pod('b', 'p3'));
    expect(names(s.byIndex('node', 'n1'))).toEqual(['p1', 'p2']);
    // An update that moves p2 must drop it from its old index value.
    s.set(pod('a', 'p2', 'n2', '2'));
    expect(names(s.byIndex('node', 'n1'))).toEqual(['p1']);
    expect(names(s.byIndex('node', 'n2'))).toEqual(['p2']);
    expect(s.byIndex('node', 'n2')[0]?.metadata.resourceVersion).toBe('2');
    // Unscheduled pods produce no index values.
    s.set(pod('b', 'p3', undefined, '2'));
    expect(s.byIndex('node', '')).toEqual([]);
    s.remove('a/p1');
    expect(s.byIndex('node', 'n1')).toEqual([]);
    s.set(pod('a', 'p2', undefined, '3'));
    expect(s.byIndex('node', 'n2')).toEqual([]);
  });

  it('an index with several values per object, added after objects exist, indexes them all', () => {
    const s = new Indexer<Pod>();
    const withLabels = (name: string, labels: Record<string, string>): Pod => ({ metadata: { namespace: 'a', name, labels }, spec: { containers: [] } });
    s.set(withLabels('p1', { x: '1', y: '1' }));
    s.set(withLabels('p2', { y: '1' }));
    s.addIndexers({ labelKeys: (p) => Object.keys(p.metadata.labels ?? {}) });
    expect(names(s.byIndex('labelKeys', 'y'))).toEqual(['p1', 'p2']);
    s.set(withLabels('p1', { x: '1' }));
    expect(names(s.byIndex('labelKeys', 'y'))).toEqual(['p2']);
    expect(names(s.byIndex('labelKeys', 'x'))).toEqual(['p1']);
  });

  it('rejects a duplicate index name and an unknown index', () => {
    const s = new Indexer<Pod>();
    s.addIndexers({ node: byNode });
    expect(() => s.addIndexers({ node: byNode })).toThrow(/indexer conflict: node/);
    expect(() => s.byIndex('nope', 'x')).toThrow(/index nope does not exist/);
  });

  it('without a namespace index, listNamespace filters', () => {
    const s = new Indexer<Pod>({ node: byNode });
    s.set(pod('a', 'p1', 'n1'));
    s.set(pod('b', 'p2', 'n1'));
    expect(names(s.listNamespace('a'))).toEqual(['p1']);
    expect(() => s.byIndex(NAMESPACE_INDEX, 'a')).toThrow();
  });
});
