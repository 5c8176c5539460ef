// gRPC probes (pkg/probe/grpc): connect (blocking, within the timeout), call
// grpc.health.v1.Health/Check with the probe's service; SERVING is success, anything else failure.
import grpc from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { goQuote, goSeconds, grpcErrorText, joinHostPort } from './goerrors.js';
import { PROBE_USER_AGENT, type ActionOutcome } from './outcome.js';

const protoFile = resolve(dirname(fileURLToPath(import.meta.url)), '../../proto/health.proto');
const root = new protobuf.Root();
root.loadSync(protoFile, { keepCase: false });
root.resolveAll();

const reqType = root.lookupType('grpc.health.v1.HealthCheckRequest');
const resType = root.lookupType('grpc.health.v1.HealthCheckResponse');
const convert: protobuf.IConversionOptions = { enums: String, defaults: true };

export interface HealthCheckRequest { service: string }
export interface HealthCheckResponse { status: 'UNKNOWN' | 'SERVING' | 'NOT_SERVING' | 'SERVICE_UNKNOWN' }

/** grpc.health.v1.Health with Check only; servers (tests) and the probe client share it. */
export const healthServiceDefinition: grpc.ServiceDefinition = {
  Check: {
    path: '/grpc.health.v1.Health/Check',
    requestStream: false,
    responseStream: false,
    requestSerialize: (v: unknown) => Buffer.from(reqType.encode(reqType.fromObject(v as Record<string, unknown>)).finish()),
    requestDeserialize: (b: Buffer) => reqType.toObject(reqType.decode(b), convert),
    responseSerialize: (v: unknown) => Buffer.from(resType.encode(resType.fromObject(v as Record<string, unknown>)).finish()),
    responseDeserialize: (b: Buffer) => resType.toObject(resType.decode(b), convert),
  },
};

const HealthClient = grpc.makeGenericClientConstructor(healthServiceDefinition, 'Health');

type CheckFn = (
  req: HealthCheckRequest,
  meta: grpc.Metadata,
  opts: grpc.CallOptions,
  cb: (err: grpc.ServiceError | null, res?: HealthCheckResponse) => void,
) => void;

export async function grpcProbe(host: string, service: string, port: number, timeoutSeconds: number): Promise<ActionOutcome> {
  const addr = joinHostPort(host, port);
  const within = goSeconds(timeoutSeconds);
  const deadline = Date.now() + timeoutSeconds * 1000;
  const client = new HealthClient(addr, grpc.credentials.createInsecure(), {
    'grpc.primary_user_agent': PROBE_USER_AGENT,
    // One probe, one connection: never share a channel between probes.
    'grpc.use_local_subchannel_pool': 1,
  });
  try {
    const ready = await new Promise<Error | undefined>((r) => client.waitForReady(deadline, (err) => r(err ?? undefined)));
    if (ready) {
      return { result: 'failure', output: `timeout: failed to connect service ${goQuote(addr)} within ${within}: context deadline exceeded` };
    }
    const check = (client as unknown as { Check: CheckFn }).Check.bind(client);
    const res = await new Promise<{ err: grpc.ServiceError | null; res?: HealthCheckResponse }>((r) =>
      check({ service }, new grpc.Metadata(), { deadline }, (err, res) => r({ err, res })),
    );
    if (res.err) {
      if (res.err.code === grpc.status.UNIMPLEMENTED) {
        return { result: 'failure', output: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${res.err.details}` };
      }
      if (res.err.code === grpc.status.DEADLINE_EXCEEDED) return { result: 'failure', output: `timeout: health rpc did not complete within ${within}` };
      return { result: 'failure', output: `error: health rpc probe failed: ${grpcErrorText(res.err)}` };
    }
    const status = res.res?.status ?? 'UNKNOWN';
    if (status !== 'SERVING') return { result: 'failure', output: `service unhealthy (responded with ${goQuote(status)})` };
    return { result: 'success', output: 'service healthy' };
  } finally {
    client.close();
  }
}
