// Prometheus metrics and /health over plain HTTP on --listen-metrics-urls (etcd's flag): the
// client port speaks gRPC only.
import { createServer, type Server } from 'node:http';
import { Registry, Gauge, Counter, collectDefaultMetrics } from 'prom-client';
import type { EtcdServer } from './server/etcdserver.js';

export function metricsRegistry(server: EtcdServer): Registry {
  const reg = new Registry();
  collectDefaultMetrics({ register: reg });
  const gauge = (name: string, help: string, get: () => number): void => {
    new Gauge({ name, help, registers: [reg], collect() { this.set(get()); } });
  };
  gauge('etcd_server_has_leader', 'Whether a leader exists (1) or not (0).', () => 1);
  gauge('etcd_server_is_leader', 'Whether this member is the leader.', () => 1);
  gauge('etcd_mvcc_db_total_size_in_bytes', 'Backend size on disk.', () => server.dbSize);
  gauge('etcd_debugging_mvcc_current_revision', 'Current MVCC revision.', () => server.store.currentRev);
  gauge('etcd_debugging_mvcc_compact_revision', 'Last compaction revision.', () => server.store.compactRev);
  gauge('etcd_debugging_mvcc_keys_total', 'Keys in the index.', () => server.store.keys.size);
  gauge('etcd_debugging_mvcc_watcher_total', 'Watchers.', () => server.hub.watcherCount);
  gauge('etcd_server_proposals_committed_total', 'Committed proposals.', () => server.raftIndex);
  gauge('etcd_server_proposals_applied_total', 'Applied proposals.', () => server.applied);
  gauge('etcd_debugging_lease_granted_total', 'Live leases.', () => server.lessor.leases.size);
  const c = server.counters;
  const counter = (name: string, help: string, get: () => number): void => {
    let last = 0;
    new Counter({ name, help, registers: [reg], collect() { const v = get(); this.inc(v - last); last = v; } });
  };
  counter('etcd_mvcc_put_total', 'Puts applied.', () => c.puts);
  counter('etcd_mvcc_delete_total', 'Deletes applied.', () => c.deletes);
  counter('etcd_mvcc_txn_total', 'Txns applied.', () => c.txns);
  counter('etcd_mvcc_range_total', 'Ranges served.', () => c.ranges);
  counter('etcd_server_proposals_failed_total', 'Failed proposals.', () => c.proposalsFailed);
  counter('raftkv_wal_fsync_total', 'Durable log appends (group commit: many proposals per fsync).', () => server.walFsyncs);
  return reg;
}

export async function startMetrics(server: EtcdServer, urls: string[]): Promise<Server[]> {
  const reg = metricsRegistry(server);
  const out: Server[] = [];
  for (const url of urls) {
    const u = new URL(url);
    const http = createServer((req, res) => {
      if (req.url === '/metrics') {
        reg.metrics().then((body) => { res.writeHead(200, { 'content-type': reg.contentType }); res.end(body); },
          (err: unknown) => { res.writeHead(500); res.end(String(err)); });
      } else if (req.url === '/health' || req.url === '/readyz' || req.url === '/livez') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ health: 'true', reason: '' }));
      } else { res.writeHead(404); res.end('404 page not found\n'); }
    });
    await new Promise<void>((res, rej) => { http.once('error', rej); http.listen(Number(u.port), u.hostname, () => res()); });
    out.push(http);
  }
  return out;
}
