// Log entries: one byte of kind, then the request in etcd's wire format. Client writes are
// logged as the bytes they arrived in; replay decodes them exactly as a live request.
import { T } from '@kube-ts/etcd-api';
import {
  deleteFromWire, leaseId, num, putFromWire, txnFromWire,
  type WireDelete, type WirePut, type WireTxn, type I64,
} from '../wire/convert.js';
import type { DeleteRangeRequest, PutRequest, TxnRequest } from '../types.js';

export type Proposal =
  | { kind: 'put'; req: PutRequest }
  | { kind: 'deleteRange'; req: DeleteRangeRequest }
  | { kind: 'txn'; req: TxnRequest }
  | { kind: 'compact'; rev: number }
  | { kind: 'leaseGrant'; id: number; ttl: number }
  | { kind: 'leaseRevoke'; id: number };

const KIND = { put: 1, deleteRange: 2, txn: 3, compact: 4, leaseGrant: 5, leaseRevoke: 6 } as const;

/** Encodes a proposal; `wire` is the client's request bytes when the proposal carries them. */
export function encodeEntry(p: Proposal, wire?: Buffer): Buffer {
  let body: Uint8Array;
  if (wire) body = wire;
  else {
    switch (p.kind) {
      case 'compact': body = T.CompactionRequest.encode({ revision: p.rev }).finish(); break;
      case 'leaseGrant': body = T.LeaseGrantRequest.encode({ TTL: p.ttl, ID: p.id }).finish(); break;
      case 'leaseRevoke': body = T.LeaseRevokeRequest.encode({ ID: p.id }).finish(); break;
      case 'put': body = T.PutRequest.encode(p.req).finish(); break;
      case 'deleteRange': body = T.DeleteRangeRequest.encode(p.req).finish(); break;
      case 'txn': throw new Error('txn entries are logged from their wire bytes');
    }
  }
  const out = Buffer.allocUnsafe(1 + body.length);
  out[0] = KIND[p.kind];
  out.set(body, 1);
  return out;
}

export function decodeEntry(data: Buffer): Proposal {
  const body = data.subarray(1);
  switch (data[0]) {
    case KIND.put: return { kind: 'put', req: putFromWire(T.PutRequest.decode(body) as unknown as WirePut) };
    case KIND.deleteRange: return { kind: 'deleteRange', req: deleteFromWire(T.DeleteRangeRequest.decode(body) as unknown as WireDelete) };
    case KIND.txn: return { kind: 'txn', req: txnFromWire(T.TxnRequest.decode(body) as unknown as WireTxn) };
    case KIND.compact: return { kind: 'compact', rev: num((T.CompactionRequest.decode(body) as unknown as { revision: I64 }).revision) };
    case KIND.leaseGrant: {
      const m = T.LeaseGrantRequest.decode(body) as unknown as { TTL: I64; ID: I64 };
      return { kind: 'leaseGrant', id: leaseId(m.ID), ttl: num(m.TTL) };
    }
    case KIND.leaseRevoke: return { kind: 'leaseRevoke', id: leaseId((T.LeaseRevokeRequest.decode(body) as unknown as { ID: I64 }).ID) };
    default: throw new Error(`unknown log entry kind ${data[0]}`);
  }
}
