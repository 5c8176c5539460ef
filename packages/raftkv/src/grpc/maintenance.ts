// etcdserverpb.Maintenance and Cluster: status, hashes, defragment, snapshot, member list.
import type { ServerWritableStream, UntypedServiceImplementation } from '@grpc/grpc-js';
import Long from 'long';
import type { Logger } from 'pino';
import { Errors } from '../errors.js';
import { ETCD_VERSION, type EtcdServer } from '../server/etcdserver.js';
import { Crc32c } from '../storage/crc32c.js';
import { buildSnapshot } from '../storage/snapshot.js';
import { num, type I64 } from '../wire/convert.js';
import { toServiceError, unary, type Headers } from './common.js';

const SNAPSHOT_CHUNK = 32 * 1024;

export function maintenanceService(server: EtcdServer, hdr: Headers, log: Logger): UntypedServiceImplementation {
  return {
    Alarm: unary(log, () => ({ header: hdr.at(), alarms: [] })),
    Status: unary(log, () => ({
      header: hdr.at(),
      version: ETCD_VERSION,
      dbSize: server.dbSize,
      leader: hdr.memberId,
      raftIndex: server.raftIndex,
      raftTerm: server.raftTerm,
      raftAppliedIndex: server.applied,
      errors: [],
      dbSizeInUse: server.dbSize,
      isLearner: false,
    })),
    Defragment: unary(log, async () => {
      await server.backend.defragment();
      server.dbSize = server.backend.sizeOnDisk();
      return { header: hdr.at() };
    }),
    Hash: unary(log, async () => {
      await server.flush();
      const rev = server.store.currentRev;
      const crc = new Crc32c();
      for await (const [k, v] of server.backend.stateEntries()) crc.update(k).update(v);
      return { header: hdr.at(rev), hash: crc.digest() };
    }),
    HashKV: unary(log, async (m: { revision: I64 }) => {
      let rev = num(m.revision);
      const store = server.store;
      if (rev > store.currentRev) throw Errors.futureRev();
      if (rev > 0 && rev < store.compactRev) throw Errors.compacted();
      if (rev <= 0) rev = store.currentRev;
      const compactRev = store.compactRev;
      await server.flush();
      const crc = new Crc32c();
      const recs = await server.backend.recordsBetween(0, rev, Number.MAX_SAFE_INTEGER);
      for (const r of recs) {
        const k = Buffer.allocUnsafe(12);
        k.writeUInt32BE(Math.floor(r.main / 0x1_0000_0000), 0);
        k.writeUInt32BE(r.main >>> 0, 4);
        k.writeUInt32BE(r.sub, 8);
        crc.update(k).update(r.kv.key).update(r.kv.value);
      }
      return { header: hdr.at(), hash: crc.digest(), compactRevision: compactRev, hashRevision: rev };
    }),
    Snapshot: (call: ServerWritableStream<unknown, unknown>) => {
      server.flush().then(() => buildSnapshot(server.backend)).then((chunks) => {
        const whole = Buffer.concat(chunks);
        let sent = 0;
        while (sent < whole.length) {
          const blob = whole.subarray(sent, Math.min(sent + SNAPSHOT_CHUNK, whole.length));
          sent += blob.length;
          call.write({ header: hdr.at(), remainingBytes: whole.length - sent, blob, version: ETCD_VERSION });
        }
        call.end();
      }).catch((err: unknown) => call.emit('error', toServiceError(err, log)));
    },
  };
}

export function clusterService(server: EtcdServer, hdr: Headers, log: Logger): UntypedServiceImplementation {
  return {
    MemberList: unary(log, () => {
      const id = server.identity;
      return {
        header: hdr.at(),
        members: [{ ID: Long.fromString(id.memberId, true), name: id.name, peerURLs: id.peerURLs, clientURLs: id.clientURLs, isLearner: false }],
      };
    }),
  };
}

/** grpc.health.v1.Health, as etcd registers it: the empty service name is SERVING. */
export function healthService(log: Logger): UntypedServiceImplementation {
  const SERVING = 1;
  return {
    Check: unary(log, () => ({ status: SERVING })),
    Watch: (call: ServerWritableStream<unknown, unknown>) => { call.write({ status: SERVING }); },
  };
}
