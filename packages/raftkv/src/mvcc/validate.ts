// Request checks done before a request is proposed (etcd v3rpc key.go): they depend only on the
// request, so a bad request never reaches the log.
import { Errors } from '../errors.js';
import type { DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest } from '../types.js';

export function checkRange(r: RangeRequest): void {
  if (r.key.length === 0) throw Errors.emptyKey();
  if (r.sortOrder < 0 || r.sortOrder > 2) throw Errors.invalidSortOption();
  if (r.sortTarget < 0 || r.sortTarget > 4) throw Errors.invalidSortOption();
}

export function checkPut(p: PutRequest): void {
  if (p.key.length === 0) throw Errors.emptyKey();
  if (p.ignoreValue && p.value.length !== 0) throw Errors.valueProvided();
  if (p.ignoreLease && p.lease !== 0) throw Errors.leaseProvided();
}

export function checkDelete(d: DeleteRangeRequest): void {
  if (d.key.length === 0) throw Errors.emptyKey();
}

export function checkTxn(t: TxnRequest, maxTxnOps: number): void {
  const opc = Math.max(t.compare.length, t.success.length, t.failure.length);
  if (opc > maxTxnOps) throw Errors.tooManyOps();
  for (const c of t.compare) if (c.key.length === 0) throw Errors.emptyKey();
  for (const op of t.success) checkOp(op, maxTxnOps - opc);
  for (const op of t.failure) checkOp(op, maxTxnOps - opc);
}

function checkOp(op: RequestOp, maxTxnOps: number): void {
  if ('range' in op) return checkRange(op.range);
  if ('put' in op) return checkPut(op.put);
  if ('deleteRange' in op) return checkDelete(op.deleteRange);
  if ('txn' in op) return checkTxn(op.txn, maxTxnOps);
  throw Errors.keyNotFound(); // an empty RequestOp
}

/** A delete's interval as etcd's checkIntervals sees it (latin1 strings order like bytes). */
interface Interval { from: string; to: string | null } // to null: a single key

function intersects(dels: readonly Interval[], k: string): boolean {
  for (const d of dels) {
    if (d.to === null ? d.from === k : k >= d.from && k < d.to) return true;
  }
  return false;
}

/**
 * etcd checkIntervals: a txn may not put the same key twice, nor put a key it also deletes, at
 * one level or through nested txns (then/else of one nested txn are exclusive, so may repeat).
 */
export function checkIntervals(reqs: readonly RequestOp[]): { puts: Set<string>; dels: Interval[] } {
  const dels: Interval[] = [];
  for (const r of reqs) {
    if (!('deleteRange' in r)) continue;
    const d = r.deleteRange;
    dels.push({ from: d.key.toString('latin1'), to: d.rangeEnd.length ? d.rangeEnd.toString('latin1') : null });
  }
  const puts = new Set<string>();
  for (const r of reqs) {
    if (!('txn' in r)) continue;
    const then = checkIntervals(r.txn.success);
    const els = checkIntervals(r.txn.failure);
    for (const k of then.puts) {
      if (puts.has(k) || intersects(dels, k)) throw Errors.duplicateKey();
      puts.add(k);
    }
    for (const k of els.puts) {
      if (puts.has(k) && !then.puts.has(k)) throw Errors.duplicateKey();
      if (intersects(dels, k)) throw Errors.duplicateKey();
      puts.add(k);
    }
    dels.push(...then.dels, ...els.dels);
  }
  for (const r of reqs) {
    if (!('put' in r)) continue;
    const k = r.put.key.toString('latin1');
    if (puts.has(k) || intersects(dels, k)) throw Errors.duplicateKey();
    puts.add(k);
  }
  return { puts, dels };
}

export function checkTxnRequest(t: TxnRequest, maxTxnOps: number): void {
  checkTxn(t, maxTxnOps);
  checkIntervals(t.success);
  checkIntervals(t.failure);
}
