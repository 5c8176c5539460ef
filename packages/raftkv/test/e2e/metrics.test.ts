// /metrics and /health on --listen-metrics-urls, and group commit seen from outside: many
// concurrent puts share few fsyncs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startServer, type RunningServer } from '../support/servers.js';
import { RawClient, b64 } from '../support/rawclient.js';

const KV = 'etcdserverpb.KV';

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`metric ${name} missing`);
  return Number(line.split(' ')[1]);
}

describe('raftkv metrics endpoint', () => {
  let srv: RunningServer;
  let url: string;
  beforeAll(async () => {
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    srv = await startServer('raftkv', { extraArgs: ['--listen-metrics-urls', url] });
  });
  afterAll(async () => { await srv?.destroy(); });

  it('serves /health', async () => {
    const r = await fetch(`${url}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ health: 'true', reason: '' });
  });

  it('shows concurrent puts sharing fsyncs (group commit)', async () => {
    const c = new RawClient(`127.0.0.1:${srv.clientPort}`);
    const before = await (await fetch(`${url}/metrics`)).text();
    const results = await Promise.all(Array.from({ length: 256 }, (_, i) => c.call(KV, 'Put', { key: b64(`gc/${i}`), value: b64('v') })));
    expect(results.every((r) => r.ok)).toBe(true);
    const after = await (await fetch(`${url}/metrics`)).text();
    c.close();
    const proposals = metric(after, 'etcd_server_proposals_committed_total') - metric(before, 'etcd_server_proposals_committed_total');
    const fsyncs = metric(after, 'raftkv_wal_fsync_total') - metric(before, 'raftkv_wal_fsync_total');
    expect(proposals).toBe(256);
    expect(fsyncs).toBeGreaterThan(0);
    expect(fsyncs).toBeLessThan(64); // 256 writes in flight at once never take one fsync each
    expect(metric(after, 'etcd_mvcc_put_total')).toBeGreaterThanOrEqual(256);
    expect(metric(after, 'etcd_debugging_mvcc_keys_total')).toBe(256);
  });
});

