// A bare gRPC client over raftkv's own proto definitions: no retries, no client-side checks,
// and able to send arbitrary bytes, so tests see exactly what the server answers.
import { credentials, makeGenericClientConstructor, Metadata, type Client, type ClientDuplexStream, type ServiceError } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { root } from '@kube-ts/etcd-api';

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

  /** A Watch stream: send WatchRequest objects, read WatchResponses as they arrive. */
  watch(): RawWatch {
    const reqT = root.lookupType('etcdserverpb.WatchRequest');
    const resT = root.lookupType('etcdserverpb.WatchResponse');
    const call = this.client('etcdserverpb.Watch').makeBidiStreamRequest(
      '/etcdserverpb.Watch/Watch',
      (v: Record<string, unknown>) => Buffer.from(reqT.encode(reqT.fromObject(v)).finish()),
      (b: Buffer) => resT.toObject(resT.decode(b), { longs: String, bytes: String, enums: String, defaults: true }) as WatchResp,
      new Metadata(),
    );
    return new RawWatch(call);
  }

  close(): void { for (const c of this.clients.values()) c.close(); }
}

export interface WatchEvent { type: string; kv: { key: string; value: string; modRevision: string; createRevision: string; version: string }; prevKv?: { value: string } | null }
export interface WatchResp {
  header: { revision: string }; watchId: string; created: boolean; canceled: boolean;
  compactRevision: string; cancelReason: string; events: WatchEvent[];
}

export class RawWatch {
  readonly received: WatchResp[] = [];
  private waiters: Array<() => void> = [];
  constructor(private readonly call: ClientDuplexStream<Record<string, unknown>, WatchResp>) {
    call.on('data', (r: WatchResp) => { this.received.push(r); for (const w of this.waiters.splice(0)) w(); });
    call.on('error', () => { /* cancelled at close */ });
  }
  send(req: Record<string, unknown>): void { this.call.write(req); }
  /** Resolves with the first `n` responses matching `pred` (from the start of the stream). */
  async next(pred: (r: WatchResp) => boolean, n = 1, timeoutMs = 10_000): Promise<WatchResp[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = this.received.filter(pred);
      if (hits.length >= n) return hits.slice(0, n);
      if (Date.now() > deadline) throw new Error(`timed out; received ${JSON.stringify(this.received).slice(0, 2000)}`);
      await new Promise<void>((res) => { this.waiters.push(res); setTimeout(res, 100); });
    }
  }
  close(): void { this.call.cancel(); }
}

export const b64 = (s: string): string => Buffer.from(s).toString('base64');
export { protobuf };
