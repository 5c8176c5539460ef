// The MVCC state machine driven step by step, without I/O: a fake history reader stands in for
// LevelDB, holding every record the store produced (as the apply loop would persist them).
import { describe, expect, it, beforeEach } from 'vitest';
import { MvccStore, revId, type StoredRecord, type HistoryReader } from '../../src/mvcc/store.js';
import { Lessor } from '../../src/lease/lessor.js';
import { EtcdError } from '../../src/errors.js';
import { checkTxnRequest } from '../../src/mvcc/validate.js';
import type { KeyValue, PutRequest, RangeRequest, TxnRequest, Compare, RequestOp } from '../../src/types.js';

const B = (s: string): Buffer => Buffer.from(s);
const EMPTY = Buffer.alloc(0);

function range(key: string, end = '', extra: Partial<RangeRequest> = {}): RangeRequest {
  return {
    key: B(key), rangeEnd: end === '' ? EMPTY : B(end), limit: 0, revision: 0, sortOrder: 0, sortTarget: 0,
    serializable: false, keysOnly: false, countOnly: false, minModRevision: 0, maxModRevision: 0,
    minCreateRevision: 0, maxCreateRevision: 0, ...extra,
  };
}
function put(key: string, value: string, extra: Partial<PutRequest> = {}): PutRequest {
  return { key: B(key), value: B(value), lease: 0, prevKv: false, ignoreValue: false, ignoreLease: false, ...extra };
}
function cmp(key: string, target: number, result: number, num: number, value = ''): Compare {
  return { key: B(key), rangeEnd: EMPTY, target, result, num, value: B(value) };
}

class FakeHistory implements HistoryReader {
  readonly records = new Map<string, KeyValue>();
  async getRecords(refs: ReadonlyArray<{ main: number; sub: number }>): Promise<Array<KeyValue | undefined>> {
    return refs.map((r) => this.records.get(revId(r.main, r.sub)));
  }
  persist(recs: readonly StoredRecord[]): void { for (const r of recs) this.records.set(revId(r.main, r.sub), r.kv); }
  drop(refs: ReadonlyArray<{ main: number; sub: number }>): void { for (const r of refs) this.records.delete(revId(r.main, r.sub)); }
}

function errOf(fn: () => unknown): EtcdError {
  try { fn(); } catch (e) { if (e instanceof EtcdError) return e; throw e; }
  throw new Error('expected an EtcdError');
}

describe('MvccStore', () => {
  let hist: FakeHistory;
  let lessor: Lessor;
  let s: MvccStore;
  const doPut = (k: string, v: string, extra: Partial<PutRequest> = {}) => {
    const r = s.put(put(k, v, extra));
    hist.persist(r.effects.records);
    s.persisted(r.effects.records);
    return r;
  };

  beforeEach(() => {
    hist = new FakeHistory();
    lessor = new Lessor(() => 0);
    s = new MvccStore(lessor, hist);
  });

  it('starts at revision 1 and gives each write one revision, tracking create/mod/version', () => {
    expect(s.currentRev).toBe(1);
    expect(doPut('a', '1').resp.header.revision).toBe(2);
    doPut('a', '2');
    const kv = s.rangeLatest(range('a')).kvs[0]!;
    expect(kv).toMatchObject({ createRevision: 2, modRevision: 3, version: 2 });
    expect(kv.value.toString()).toBe('2');
  });

  it('delete resets version; re-creation starts a new generation', () => {
    doPut('a', '1');
    const d = s.deleteRange({ key: B('a'), rangeEnd: EMPTY, prevKv: true });
    expect(d.resp.deleted).toBe(1);
    expect(d.resp.prevKvs[0]!.value.toString()).toBe('1');
    expect(d.resp.header.revision).toBe(3);
    hist.persist(d.effects.records);
    doPut('a', 'again');
    expect(s.rangeLatest(range('a')).kvs[0]).toMatchObject({ createRevision: 4, modRevision: 4, version: 1 });
  });

  it('a delete that matches nothing does not advance the revision', () => {
    doPut('a', '1');
    const d = s.deleteRange({ key: B('zzz'), rangeEnd: EMPTY, prevKv: false });
    expect(d.resp.deleted).toBe(0);
    expect(s.currentRev).toBe(2);
    expect(d.effects.records).toHaveLength(0);
  });

  it('range_end semantics: single key, [key,end), "\\0" = every key >= key', () => {
    for (const k of ['a', 'b', 'b1', 'c', 'd']) doPut(k, k);
    expect(s.rangeLatest(range('b')).kvs.map((kv) => kv.key.toString())).toEqual(['b']);
    expect(s.rangeLatest(range('b', 'd')).kvs.map((kv) => kv.key.toString())).toEqual(['b', 'b1', 'c']);
    expect(s.rangeLatest(range('c', '\0')).kvs.map((kv) => kv.key.toString())).toEqual(['c', 'd']);
    expect(s.rangeLatest(range('\0', '\0')).count).toBe(5);
    expect(s.rangeLatest(range('d', 'b')).count).toBe(0);
  });

  it('limit keeps the exact count and sets more; count_only and keys_only', () => {
    for (let i = 0; i < 10; i++) doPut(`k${i}`, `v${i}`);
    const r = s.rangeLatest(range('k', 'l', { limit: 3 }));
    expect(r.kvs).toHaveLength(3);
    expect(r.count).toBe(10);
    expect(r.more).toBe(true);
    const all = s.rangeLatest(range('k', 'l', { limit: 10 }));
    expect(all.more).toBe(false);
    const co = s.rangeLatest(range('k', 'l', { countOnly: true }));
    expect(co).toMatchObject({ count: 10, kvs: [] });
    const ko = s.rangeLatest(range('k', 'l', { keysOnly: true, limit: 1 }));
    expect(ko.kvs[0]!.value.length).toBe(0);
    expect(ko.kvs[0]!.key.toString()).toBe('k0');
  });

  it('sorts before applying the limit (etcd collects everything when sorting)', () => {
    doPut('a', '3'); doPut('b', '1'); doPut('c', '2');
    const byValue = s.rangeLatest(range('a', 'z', { sortTarget: 4, sortOrder: 2, limit: 2 }));
    expect(byValue.kvs.map((kv) => kv.value.toString())).toEqual(['3', '2']);
    expect(byValue.more).toBe(true);
    const byMod = s.rangeLatest(range('a', 'z', { sortTarget: 3 })); // order NONE + target != KEY → ascend
    expect(byMod.kvs.map((kv) => kv.key.toString())).toEqual(['a', 'b', 'c']);
  });

  it('reads at past revisions through history, and rejects future and compacted ones', async () => {
    doPut('a', 'v1'); // rev 2
    doPut('a', 'v2'); // rev 3
    doPut('b', 'x'); // rev 4
    const at2 = await s.range(range('a', '', { revision: 2 }));
    expect(at2.kvs[0]!.value.toString()).toBe('v1');
    expect(at2.header.revision).toBe(4);
    const at3 = await s.range(range('\0', '\0', { revision: 3 }));
    expect(at3.count).toBe(1);
    expect(errOf(() => s.range(range('a', '', { revision: 5 }))).message).toBe('etcdserver: mvcc: required revision is a future revision');
    const { dropped } = s.compact(3);
    hist.drop(dropped);
    expect(dropped).toEqual([{ main: 2, sub: 0 }]);
    expect(errOf(() => s.range(range('a', '', { revision: 2 }))).message).toBe('etcdserver: mvcc: required revision has been compacted');
    expect((await s.range(range('a', '', { revision: 3 }))).kvs[0]!.value.toString()).toBe('v2');
    expect(errOf(() => s.compact(3)).message).toBe('etcdserver: mvcc: required revision has been compacted');
    expect(errOf(() => s.compact(9)).message).toBe('etcdserver: mvcc: required revision is a future revision');
  });

  it('compaction drops a tombstone at or below the compact revision and forgets the key', () => {
    doPut('gone', '1'); // 2
    const d = s.deleteRange({ key: B('gone'), rangeEnd: EMPTY, prevKv: false }); // 3
    hist.persist(d.effects.records);
    doPut('other', 'x'); // 4
    const { dropped } = s.compact(4);
    expect(dropped).toEqual([{ main: 2, sub: 0 }, { main: 3, sub: 0 }]);
    expect(s.keys.get('gone')).toBeUndefined();
    expect(s.keys.size).toBe(1);
  });

  it('put options: prev_kv, ignore_value, ignore_lease, and missing leases', () => {
    lessor.grant(7, 60);
    doPut('a', 'v1', { lease: 7 });
    const r = doPut('a', '', { ignoreValue: true, prevKv: true });
    expect(r.resp.prevKv!.value.toString()).toBe('v1');
    const kv = s.rangeLatest(range('a')).kvs[0]!;
    expect(kv.value.toString()).toBe('v1');
    expect(kv.lease).toBe(0); // the lease is not carried over without ignore_lease
    doPut('a', 'v2', { ignoreLease: false, lease: 7 });
    doPut('a', 'v3', { ignoreLease: true });
    expect(s.rangeLatest(range('a')).kvs[0]!.lease).toBe(7);
    expect([...lessor.leases.get(7)!.keys]).toEqual(['a']);
    expect(errOf(() => s.put(put('b', 'x', { lease: 99 }))).message).toBe('etcdserver: requested lease not found');
    expect(errOf(() => s.put(put('missing', '', { ignoreValue: true }))).message).toBe('etcdserver: key not found');
  });

  it('txn: compares on every target, one revision for all writes, reads see earlier writes', () => {
    doPut('a', '1'); // rev 2
    const t: TxnRequest = {
      compare: [cmp('a', 2 /* MOD */, 0 /* EQUAL */, 2), cmp('a', 3 /* VALUE */, 0, 0, '1'), cmp('missing', 0 /* VERSION */, 0, 0)],
      success: [{ put: put('a', '2') }, { put: put('b', 'x') }, { range: range('a', 'c') }],
      failure: [{ range: range('a') }],
    };
    const { resp, effects } = s.txn(t);
    expect(resp.succeeded).toBe(true);
    expect(resp.header.revision).toBe(3);
    expect(effects.records.map((r) => [r.main, r.sub])).toEqual([[3, 0], [3, 1]]);
    const rr = (resp.responses[2] as { responseRange: { kvs: KeyValue[] } }).responseRange;
    expect(rr.kvs.map((kv) => `${kv.key}=${kv.value}@${kv.modRevision}`)).toEqual(['a=2@3', 'b=x@3']);
    // Failure branch: no writes, no revision bump.
    const f = s.txn({ compare: [cmp('a', 2, 0, 2)], success: [{ put: put('a', 'nope') }], failure: [{ range: range('a') }] });
    expect(f.resp.succeeded).toBe(false);
    expect(s.currentRev).toBe(3);
    // A value compare on a missing key always fails; LESS/GREATER/NOT_EQUAL work.
    expect(s.txn({ compare: [cmp('zz', 3, 0, 0, '')], success: [], failure: [] }).resp.succeeded).toBe(false);
    expect(s.txn({ compare: [cmp('a', 1 /* CREATE */, 2 /* LESS */, 3)], success: [], failure: [] }).resp.succeeded).toBe(true);
    expect(s.txn({ compare: [cmp('a', 0, 1 /* GREATER */, 1)], success: [], failure: [] }).resp.succeeded).toBe(true);
    expect(s.txn({ compare: [cmp('a', 4 /* LEASE */, 3 /* NOT_EQUAL */, 0)], success: [], failure: [] }).resp.succeeded).toBe(false);
  });

  it('nested txns follow their own compares', () => {
    doPut('x', '1');
    const inner: TxnRequest = { compare: [cmp('x', 3, 0, 0, '1')], success: [{ put: put('inner', 'then') }], failure: [{ put: put('inner', 'else') }] };
    const { resp } = s.txn({ compare: [], success: [{ txn: inner }], failure: [] });
    expect(resp.succeeded).toBe(true);
    expect((resp.responses[0] as { responseTxn: { succeeded: boolean } }).responseTxn.succeeded).toBe(true);
    expect(s.rangeLatest(range('inner')).kvs[0]!.value.toString()).toBe('then');
  });

  it('a txn error leaves no partial writes', () => {
    const { effects } = s.txn({ compare: [], success: [{ put: put('ok', '1') }], failure: [] });
    hist.persist(effects.records);
    const before = s.currentRev;
    expect(errOf(() => s.txn({ compare: [], success: [{ put: put('a', '1') }, { put: put('b', '1', { lease: 5 }) }], failure: [] })).message)
      .toBe('etcdserver: requested lease not found');
    expect(s.currentRev).toBe(before);
    expect(s.rangeLatest(range('a')).count).toBe(0);
  });

  it('lease revoke deletes every attached key in one revision', () => {
    lessor.grant(1, 10);
    doPut('l1', 'a', { lease: 1 });
    doPut('l2', 'b', { lease: 1 });
    doPut('keep', 'c');
    const keys = lessor.revoke(1);
    const ef = s.deleteKeys(keys);
    expect(ef.records.every((r) => r.main === ef.rev)).toBe(true);
    expect(ef.records).toHaveLength(2);
    expect(s.rangeLatest(range('\0', '\0')).kvs.map((kv) => kv.key.toString())).toEqual(['keep']);
  });

  it('loading persisted records rebuilds the same state', () => {
    lessor.grant(3, 30);
    const all: StoredRecord[] = [];
    const keep = (r: { effects: { records: StoredRecord[] } }) => { all.push(...r.effects.records); return r; };
    keep(doPut('a', '1', { lease: 3 }));
    keep(doPut('b', '2'));
    keep(s.deleteRange({ key: B('b'), rangeEnd: EMPTY, prevKv: false }));
    keep(doPut('a', '3'));
    const l2 = new Lessor(() => 0);
    l2.restore(3, 30);
    const s2 = new MvccStore(l2, hist);
    for (const r of all) s2.load(r);
    expect(s2.currentRev).toBe(s.currentRev);
    expect(s2.rangeLatest(range('\0', '\0'))).toEqual(s.rangeLatest(range('\0', '\0')));
    expect(l2.leases.get(3)!.keys.size).toBe(0); // 'a' was re-put without the lease
  });
});

describe('request validation', () => {
  const t = (success: RequestOp[], failure: RequestOp[] = []): TxnRequest => ({ compare: [], success, failure });
  const msg = (fn: () => void): string => { try { fn(); } catch (e) { return (e as Error).message; } return 'ok'; };

  it('rejects duplicate puts and put/delete overlap, as etcd checkIntervals', () => {
    expect(msg(() => checkTxnRequest(t([{ put: put('a', '1') }, { put: put('a', '2') }]), 128))).toBe('etcdserver: duplicate key given in txn request');
    expect(msg(() => checkTxnRequest(t([{ deleteRange: { key: B('a'), rangeEnd: B('c'), prevKv: false } }, { put: put('b', '2') }]), 128)))
      .toBe('etcdserver: duplicate key given in txn request');
    const nested = t([{ txn: t([{ put: put('a', '1') }], [{ put: put('a', '2') }]) }]);
    expect(msg(() => checkTxnRequest(nested, 128))).toBe('ok');
    expect(msg(() => checkTxnRequest(t([{ put: put('a', '1') }], [{ put: put('a', '1') }]), 128))).toBe('ok');
  });

  it('rejects too many ops, empty keys and empty ops', () => {
    const many = Array.from({ length: 129 }, (_, i) => ({ put: put(`k${i}`, 'v') }));
    expect(msg(() => checkTxnRequest(t(many), 128))).toBe('etcdserver: too many operations in txn request');
    expect(msg(() => checkTxnRequest(t([{ put: put('', 'v') }]), 128))).toBe('etcdserver: key is not provided');
    expect(msg(() => checkTxnRequest(t([{ empty: true }]), 128))).toBe('etcdserver: key not found');
  });
});
