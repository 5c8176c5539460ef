// Loads our own .proto subset of the etcd API with protobufjs and builds grpc-js service
// definitions from it (server and client side), so method paths (/etcdserverpb.KV/Range ...)
// come from one declaration shared by raftkv and kube-apiserver's etcd client.
import protobuf from 'protobufjs';
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const protoDir = resolve(dirname(fileURLToPath(import.meta.url)), '../proto');

export const root: protobuf.Root = new protobuf.Root();
root.resolvePath = (_origin, target) => resolve(protoDir, target.replace(/^.*\//, ''));
root.loadSync(['rpc.proto', 'kv.proto', 'health.proto'], { keepCase: false });
root.resolveAll();

export function messageType(name: string): protobuf.Type {
  return root.lookupType(name);
}

export const T = {
  KeyValue: messageType('mvccpb.KeyValue'),
  Event: messageType('mvccpb.Event'),
  RangeRequest: messageType('etcdserverpb.RangeRequest'),
  PutRequest: messageType('etcdserverpb.PutRequest'),
  DeleteRangeRequest: messageType('etcdserverpb.DeleteRangeRequest'),
  TxnRequest: messageType('etcdserverpb.TxnRequest'),
  CompactionRequest: messageType('etcdserverpb.CompactionRequest'),
  LeaseGrantRequest: messageType('etcdserverpb.LeaseGrantRequest'),
  LeaseRevokeRequest: messageType('etcdserverpb.LeaseRevokeRequest'),
} as const;

/** A decoded request plus the bytes it came from (write requests are logged as received). */
export interface Raw<M> {
  raw: Buffer;
  msg: M;
}

/** Service definition for grpc-js; `rawRequests` names methods whose handlers get Raw<M>. */
export function serviceDefinition(serviceName: string, rawRequests: readonly string[] = []): ServiceDefinition {
  const svc = root.lookupService(serviceName);
  const def: Record<string, MethodDefinition<unknown, unknown>> = {};
  for (const m of svc.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType;
    const res = m.resolvedResponseType;
    if (!req || !res) throw new Error(`unresolved types for ${serviceName}.${m.name}`);
    const keepRaw = rawRequests.includes(m.name);
    def[m.name] = {
      path: `/${serviceName}/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (v: unknown) => Buffer.from(req.encode(v as protobuf.Message).finish()),
      requestDeserialize: keepRaw
        ? (b: Buffer) => ({ raw: b, msg: req.decode(b) })
        : (b: Buffer) => req.decode(b),
      // Responses are plain objects; protobufjs encodes them without a verify pass.
      responseSerialize: (v: unknown) => {
        try {
          const w = res.encode(v as protobuf.Message).finish();
          return Buffer.from(w.buffer, w.byteOffset, w.byteLength);
        } catch (err) {
          // grpc-js turns a throwing serializer into a bare RST_STREAM; say what failed.
          process.emitWarning(`cannot encode ${res.fullName} for ${serviceName}/${m.name}: ${(err as Error).message}`);
          throw err;
        }
      },
      responseDeserialize: (b: Buffer) => res.decode(b),
    };
  }
  return def as ServiceDefinition;
}
