// etcdserverpb.KV: request checks, then reads from the applied state or writes via the log.
import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { Raw } from '@kube-ts/etcd-api';
import {
  deleteFromWire, num, putFromWire, rangeFromWire, txnFromWire,
  type I64, type WireDelete, type WirePut, type WireRange, type WireTxn,
} from '../wire/convert.js';
import { checkDelete, checkPut, checkRange, checkTxnRequest } from '../mvcc/validate.js';
import type { EtcdServer } from '../server/etcdserver.js';
import type { RangeResponse } from '../types.js';
import { unary, type Headers } from './common.js';

export function kvService(server: EtcdServer, hdr: Headers, log: Logger): UntypedServiceImplementation {
  const withHeader = <T extends { header: { revision: number } }>(r: T): T => ({ ...r, header: hdr.at(r.header.revision) });
  return {
    Range: unary(log, (m: WireRange) => {
      const req = rangeFromWire(m);
      checkRange(req);
      const r = server.range(req);
      return r instanceof Promise ? r.then((v: RangeResponse) => withHeader(v)) : withHeader(r);
    }),
    Put: unary(log, async ({ raw, msg }: Raw<WirePut>) => {
      const req = putFromWire(msg);
      checkPut(req);
      return withHeader(await server.put(req, raw));
    }),
    DeleteRange: unary(log, async ({ raw, msg }: Raw<WireDelete>) => {
      const req = deleteFromWire(msg);
      checkDelete(req);
      return withHeader(await server.deleteRange(req, raw));
    }),
    Txn: unary(log, async ({ raw, msg }: Raw<WireTxn>) => {
      const req = txnFromWire(msg);
      checkTxnRequest(req, server.cfg.maxTxnOps);
      return withHeader(await server.txn(req, raw));
    }),
    Compact: unary(log, async ({ raw, msg }: Raw<{ revision: I64; physical: boolean }>) => {
      const r = await server.compact(num(msg.revision), raw);
      return { header: hdr.at(r.revision) };
    }),
  };
}

export const KV_RAW_METHODS = ['Put', 'DeleteRange', 'Txn', 'Compact'] as const;
