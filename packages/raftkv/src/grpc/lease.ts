// etcdserverpb.Lease: grant/revoke through the log; keep-alive, time-to-live and listing are
// answered from the lessor's local state.
import type { ServerDuplexStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { EtcdServer } from '../server/etcdserver.js';
import { leaseId, num, type I64 } from '../wire/convert.js';
import { toServiceError, unary, type Headers } from './common.js';

export function leaseService(server: EtcdServer, hdr: Headers, log: Logger): UntypedServiceImplementation {
  const lessor = server.lessor;
  return {
    LeaseGrant: unary(log, async (m: { TTL: I64; ID: I64 }) => {
      const r = await server.leaseGrant(num(m.TTL), leaseId(m.ID));
      return { header: hdr.at(), ID: r.id, TTL: r.ttl, error: '' };
    }),
    LeaseRevoke: unary(log, async (m: { ID: I64 }) => {
      const r = await server.leaseRevoke(num(m.ID));
      return { header: hdr.at(r.revision) };
    }),
    LeaseTimeToLive: unary(log, (m: { ID: I64; keys: boolean }) => {
      const id = num(m.ID);
      const rem = lessor.remaining(id);
      if (!rem) return { header: hdr.at(), ID: id, TTL: -1, grantedTTL: 0, keys: [] };
      return {
        header: hdr.at(), ID: id, TTL: rem.ttl, grantedTTL: rem.granted,
        keys: m.keys ? rem.keys.map((k) => Buffer.from(k, 'latin1')) : [],
      };
    }),
    LeaseLeases: unary(log, () => ({ header: hdr.at(), leases: lessor.ids().map((ID) => ({ ID })) })),
    LeaseKeepAlive: (call: ServerDuplexStream<{ ID: I64 }, unknown>) => {
      call.on('data', (m: { ID: I64 }) => {
        try {
          const id = num(m.ID);
          call.write({ header: hdr.at(), ID: id, TTL: lessor.renew(id) });
        } catch (err) {
          call.emit('error', toServiceError(err, log));
        }
      });
      call.on('end', () => call.end());
      call.on('error', () => { /* client went away */ });
    },
  };
}
