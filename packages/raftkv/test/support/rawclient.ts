// A bare gRPC client over raftkv's own proto definitions: no retries, no client-side checks,
// and able to send arbitrary bytes, so tests see exactly what the server answers.
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { root } from '../../src/wire/proto.js';

export interface CallResult<T> { ok: true; value: T }
export interface CallError { ok: false; code: number; details: string }

export class RawClient {
  private readonly clients = new Map<string, Client>();
  constructor(readonly address: string) {}

  private client(service: string): Client {
    let c = this.clients.get(service);
    if (!c) {
      const Ctor = makeGenericClientConstructor({}, service);
      c = new Ctor(this.address, credentials.createInsecure(), { 'grpc.max_send_message_length': 64 * 1024 * 1024 });
      this.clients.set(service, c);
    }
    return c;
  }

  /** Unary call with a message object (encoded with our proto) or raw bytes. */
  call<T = Record<string, unknown>>(service: string, method: string, req: Record<string, unknown> | Buffer, responseType?: string): Promise<CallResult<T> | CallError> {
    const svc = root.lookup(service);
    const m: protobuf.Method | undefined = svc instanceof protobuf.Service ? (svc.methods[method] as protobuf.Method | undefined) : undefined;
    m?.resolve();
    const reqType = m?.resolvedRequestType ?? undefined;
    const resType = responseType ? root.lookupType(responseType) : m ? m.resolvedResponseType! : undefined;
    const ser = (v: Record<string, unknown> | Buffer): Buffer =>
      Buffer.isBuffer(v) ? v : Buffer.from(reqType!.encode(reqType!.fromObject(v)).finish());
    const de = (b: Buffer): T => (resType
      ? (resType.toObject(resType.decode(b), { longs: String, bytes: String, defaults: true }) as T)
      : ({} as T));
    return new Promise((resolve) => {
      this.client(service).makeUnaryRequest(`/${service}/${method}`, ser, de, req, new Metadata(), { deadline: Date.now() + 10_000 },
        (err: ServiceError | null, value?: T) => {
          if (err) resolve({ ok: false, code: err.code, details: err.details });
          else resolve({ ok: true, value: value as T });
        });
    });
  }

  close(): void { for (const c of this.clients.values()) c.close(); }
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');
export { protobuf };
