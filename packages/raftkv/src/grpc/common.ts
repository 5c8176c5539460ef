// Shared gRPC plumbing: response headers, error mapping, unary handler wrapper.
import Long from 'long';
import { status, type sendUnaryData, type ServerUnaryCall, type ServiceError, Metadata } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import { isEtcdError } from '../errors.js';
import type { EtcdServer } from '../server/etcdserver.js';

export interface WireHeader { clusterId: Long; memberId: Long; revision: number; raftTerm: number }

export class Headers {
  readonly clusterId: Long;
  readonly memberId: Long;
  constructor(private readonly server: EtcdServer) {
    this.clusterId = Long.fromString(server.identity.clusterId, true);
    this.memberId = Long.fromString(server.identity.memberId, true);
  }
  /** A full response header at `revision` (default: the current revision). */
  at(revision = this.server.store.currentRev): WireHeader {
    return { clusterId: this.clusterId, memberId: this.memberId, revision, raftTerm: this.server.raftTerm };
  }
}

export function toServiceError(err: unknown, log: Logger): Partial<ServiceError> {
  if (isEtcdError(err)) return { code: err.code, details: err.message, metadata: new Metadata() };
  log.error({ err }, 'request failed');
  const msg = err instanceof Error ? err.message : String(err);
  return { code: status.INTERNAL, details: `etcdserver: ${msg}`, metadata: new Metadata() };
}

/** Wraps a unary handler: sync or async results, thrown EtcdErrors become gRPC statuses. */
export function unary<Req, Res>(log: Logger, fn: (req: Req) => Res | Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, cb: sendUnaryData<Res>): void => {
    let r: Res | Promise<Res>;
    try {
      r = fn(call.request);
    } catch (err) {
      cb(toServiceError(err, log));
      return;
    }
    if (r instanceof Promise) r.then((v) => cb(null, v), (err: unknown) => cb(toServiceError(err, log)));
    else cb(null, r);
  };
}
