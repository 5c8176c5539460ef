// Converts decoded wire messages (protobufjs objects: int64 as Long, bytes as Buffer slices of
// the request) into raftkv's internal request types. Put keys and values are copied so stored
// data does not pin request buffers; everything else is a view.
import type Long from 'long';
import type {
  Compare, DeleteRangeRequest, PutRequest, RangeRequest, RequestOp, TxnRequest,
} from '../types.js';
import { Errors } from '../errors.js';

export type I64 = Long | number | string;

export interface WireRange {
  key: Uint8Array; rangeEnd: Uint8Array; limit: I64; revision: I64; sortOrder: number; sortTarget: number;
  serializable: boolean; keysOnly: boolean; countOnly: boolean;
  minModRevision: I64; maxModRevision: I64; minCreateRevision: I64; maxCreateRevision: I64;
}
export interface WirePut {
  key: Uint8Array; value: Uint8Array; lease: I64; prevKv: boolean; ignoreValue: boolean; ignoreLease: boolean;
}
export interface WireDelete { key: Uint8Array; rangeEnd: Uint8Array; prevKv: boolean }
export interface WireCompare {
  result: number; target: number; key: Uint8Array; rangeEnd: Uint8Array;
  version?: I64; createRevision?: I64; modRevision?: I64; value?: Uint8Array; lease?: I64;
  targetUnion?: string;
}
export interface WireRequestOp {
  requestRange?: WireRange | null; requestPut?: WirePut | null;
  requestDeleteRange?: WireDelete | null; requestTxn?: WireTxn | null; request?: string;
}
export interface WireTxn { compare: WireCompare[]; success: WireRequestOp[]; failure: WireRequestOp[] }

const EMPTY = Buffer.alloc(0);

/** int64 → number, saturating at ±(2^53-1): larger revisions are "future" either way. */
export function num(v: I64 | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return clamp(Number(v));
  return clamp(v.toNumber());
}

function clamp(n: number): number {
  if (n > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  if (n < -Number.MAX_SAFE_INTEGER) return -Number.MAX_SAFE_INTEGER;
  return n;
}

/** A lease ID as given by a client; IDs outside the safe range are refused, never rounded. */
export function leaseId(v: I64 | null | undefined): number {
  const n = num(v);
  if (Math.abs(n) >= Number.MAX_SAFE_INTEGER) throw Errors.leaseIdRange();
  return n;
}

/** A view of request bytes, for fields used only while handling the request. */
function buf(b: Uint8Array | null | undefined): Buffer {
  if (!b || b.length === 0) return EMPTY;
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/**
 * A copy in its own allocation, for bytes the store keeps (keys, values). Copying into Node's
 * shared 8 KiB pool would let one long-lived value pin a whole slab of short-lived garbage.
 */
function owned(b: Uint8Array | null | undefined): Buffer {
  if (!b || b.length === 0) return EMPTY;
  const c = Buffer.allocUnsafeSlow(b.length);
  c.set(b);
  return c;
}

export function rangeFromWire(m: WireRange): RangeRequest {
  return {
    key: buf(m.key), rangeEnd: buf(m.rangeEnd), limit: num(m.limit), revision: num(m.revision),
    sortOrder: m.sortOrder, sortTarget: m.sortTarget, serializable: m.serializable,
    keysOnly: m.keysOnly, countOnly: m.countOnly,
    minModRevision: num(m.minModRevision), maxModRevision: num(m.maxModRevision),
    minCreateRevision: num(m.minCreateRevision), maxCreateRevision: num(m.maxCreateRevision),
  };
}

export function putFromWire(m: WirePut): PutRequest {
  return {
    key: owned(m.key), value: owned(m.value), lease: num(m.lease),
    prevKv: m.prevKv, ignoreValue: m.ignoreValue, ignoreLease: m.ignoreLease,
  };
}

export function deleteFromWire(m: WireDelete): DeleteRangeRequest {
  return { key: buf(m.key), rangeEnd: buf(m.rangeEnd), prevKv: m.prevKv };
}

function compareFromWire(c: WireCompare): Compare {
  let n: I64 | undefined;
  switch (c.targetUnion) {
    case 'version': n = c.version; break;
    case 'createRevision': n = c.createRevision; break;
    case 'modRevision': n = c.modRevision; break;
    case 'lease': n = c.lease; break;
    default: n = 0;
  }
  return {
    result: c.result, target: c.target, key: buf(c.key), rangeEnd: buf(c.rangeEnd),
    num: num(n), value: c.targetUnion === 'value' ? buf(c.value) : EMPTY,
  };
}

function opFromWire(op: WireRequestOp): RequestOp {
  switch (op.request) {
    case 'requestRange': return { range: rangeFromWire(op.requestRange as WireRange) };
    case 'requestPut': return { put: putFromWire(op.requestPut as WirePut) };
    case 'requestDeleteRange': return { deleteRange: deleteFromWire(op.requestDeleteRange as WireDelete) };
    case 'requestTxn': return { txn: txnFromWire(op.requestTxn as WireTxn) };
    default: return { empty: true };
  }
}

export function txnFromWire(m: WireTxn): TxnRequest {
  return {
    compare: m.compare.map(compareFromWire),
    success: m.success.map(opFromWire),
    failure: m.failure.map(opFromWire),
  };
}
