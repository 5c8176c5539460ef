// The client-facing gRPC server: listen URLs (http/https/unix), TLS and mTLS, size limits.
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { EtcdServer } from '../server/etcdserver.js';
import { serviceDefinition } from '@kube-ts/etcd-api';
import { Headers } from './common.js';
import { KV_RAW_METHODS, kvService } from './kv.js';
import { leaseService } from './lease.js';
import { clusterService, healthService, maintenanceService } from './maintenance.js';
import { watchService } from './watch.js';

export interface ClientTls {
  certFile: string;
  keyFile: string;
  trustedCaFile?: string;
  clientCertAuth: boolean;
}

/** etcd gives gRPC this much room above --max-request-bytes, then rejects in the server. */
const GRPC_OVERHEAD_BYTES = 512 * 1024;

/** http://h:p → grpc-js bind address; unix:// sockets pass through. */
export function bindTarget(url: string): { target: string; secure: boolean } {
  const u = new URL(url);
  const secure = u.protocol === 'https:' || u.protocol === 'unixs:';
  if (u.protocol === 'unix:' || u.protocol === 'unixs:') return { target: `unix://${u.pathname || u.host}`, secure };
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`unsupported listen URL scheme in ${url}`);
  if (!u.port) throw new Error(`listen URL ${url} has no port`);
  return { target: `${u.hostname}:${u.port}`, secure };
}

export async function startGrpc(server: EtcdServer, urls: string[], tls: ClientTls | undefined, log: Logger): Promise<Server> {
  const g = new Server({
    'grpc.max_receive_message_length': server.cfg.maxRequestBytes + GRPC_OVERHEAD_BYTES,
    'grpc.max_send_message_length': 2 ** 31 - 1,
    'grpc.max_concurrent_streams': 2 ** 31 - 1,
    // etcd's keepalive enforcement: clients may ping every 5 s, with or without streams.
    'grpc.http2.min_ping_interval_without_data_ms': 5000,
    'grpc.keepalive_permit_without_calls': 1,
    // channelz bookkeeping runs on every call and nothing here reads it.
    'grpc.enable_channelz': 0,
  });
  const hdr = new Headers(server);
  g.addService(serviceDefinition('etcdserverpb.KV', KV_RAW_METHODS), kvService(server, hdr, log));
  g.addService(serviceDefinition('etcdserverpb.Watch'), watchService(server, hdr, log));
  g.addService(serviceDefinition('etcdserverpb.Lease'), leaseService(server, hdr, log));
  g.addService(serviceDefinition('etcdserverpb.Maintenance'), maintenanceService(server, hdr, log));
  g.addService(serviceDefinition('etcdserverpb.Cluster'), clusterService(server, hdr, log));
  g.addService(serviceDefinition('grpc.health.v1.Health'), healthService(log));

  for (const url of urls) {
    const { target, secure } = bindTarget(url);
    let creds = ServerCredentials.createInsecure();
    if (secure) {
      if (!tls) throw new Error(`TLS key/cert (--cert-file, --key-file) must be provided for client url ${url} with HTTPS scheme`);
      const ca = tls.trustedCaFile ? readFileSync(tls.trustedCaFile) : null;
      if (tls.clientCertAuth && !ca) throw new Error('--client-cert-auth requires --trusted-ca-file');
      creds = ServerCredentials.createSsl(ca, [{ cert_chain: readFileSync(tls.certFile), private_key: readFileSync(tls.keyFile) }], tls.clientCertAuth);
    }
    await new Promise<void>((res, rej) => g.bindAsync(target, creds, (err) => (err ? rej(err) : res())));
    log.info({ url, tls: secure, clientCertAuth: secure && tls?.clientCertAuth }, 'serving client requests');
  }
  return g;
}
