// Loads proto/cri.proto with protobufjs and turns each service into a grpc-js client constructor.
// Requests go through Type.fromObject (enum names, int64 strings), replies come back as plain
// objects with enum names and int64 as strings.
import protobuf from 'protobufjs';
import grpc from '@grpc/grpc-js';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const protoFile = resolve(dirname(fileURLToPath(import.meta.url)), '../../proto/cri.proto');
const root = new protobuf.Root();
root.loadSync(protoFile, { keepCase: false });
root.resolveAll();

const toObjectOptions: protobuf.IConversionOptions = {
  longs: String,
  enums: String,
  bytes: Buffer,
  defaults: true,
  arrays: true,
  objects: true,
};

export function serviceClient(name: 'RuntimeService' | 'ImageService'): grpc.ServiceClientConstructor {
  const svc = root.lookupService(`runtime.v1.${name}`);
  const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of svc.methodsArray) {
    m.resolve();
    const req = m.resolvedRequestType;
    const res = m.resolvedResponseType;
    if (!req || !res) throw new Error(`unresolved CRI types for ${name}.${m.name}`);
    def[m.name] = {
      path: `/runtime.v1.${name}/${m.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (v: unknown) => Buffer.from(req.encode(req.fromObject(v as Record<string, unknown>)).finish()),
      requestDeserialize: (b: Buffer) => req.toObject(req.decode(b), toObjectOptions),
      responseSerialize: (v: unknown) => Buffer.from(res.encode(res.fromObject(v as Record<string, unknown>)).finish()),
      responseDeserialize: (b: Buffer) => res.toObject(res.decode(b), toObjectOptions),
    };
  }
  return grpc.makeGenericClientConstructor(def as grpc.ServiceDefinition, name);
}

/** Encodes a CRI message (tests use this to build fake-runtime replies). */
export function messageType(name: string): protobuf.Type {
  return root.lookupType(`runtime.v1.${name}`);
}
