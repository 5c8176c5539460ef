// Bad requests get etcd's codes and error strings, and the server keeps serving. Runs against a
// real etcd too, so every expectation here is etcd's own behaviour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { status } from '@grpc/grpc-js';
import { startServer, testKinds, type RunningServer } from '../support/servers.js';
import { RawClient, b64 } from '../support/rawclient.js';

const KV = 'etcdserverpb.KV';
const LEASE = 'etcdserverpb.Lease';

describe.each(testKinds())('bad input against %s', (kind) => {
  let srv: RunningServer;
  let c: RawClient;
  beforeAll(async () => {
    srv = await startServer(kind);
    c = new RawClient(`127.0.0.1:${srv.clientPort}`);
  });
  afterAll(async () => { c?.close(); await srv?.destroy(); });

  const expectServing = async (): Promise<void> => {
    const p = await c.call(KV, 'Put', { key: b64('alive'), value: b64(String(Date.now())) });
    expect(p.ok).toBe(true);
  };

  it('malformed protobuf bytes are refused with INTERNAL and the server keeps serving', async () => {
    for (const junk of [Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f]), Buffer.from([0x0a, 0x7f, 0x01]), Buffer.from('\x12\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01')]) {
      for (const method of ['Put', 'Range', 'Txn']) {
        const r = await c.call(KV, method, junk);
        expect(r.ok, `${method} with junk`).toBe(false);
        if (!r.ok) expect(r.code).toBe(status.INTERNAL);
      }
    }
    await expectServing();
  });

  it('empty keys, bad sort options and empty txn ops get etcd errors', async () => {
    const cases: Array<[string, Record<string, unknown>, number, string]> = [
      ['Range', { key: '' }, status.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
      ['Put', { key: '', value: b64('v') }, status.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
      ['DeleteRange', { key: '' }, status.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
      ['Range', { key: b64('a'), sortOrder: 9 }, status.INVALID_ARGUMENT, 'etcdserver: invalid sort option'],
      ['Range', { key: b64('a'), sortTarget: 9 }, status.INVALID_ARGUMENT, 'etcdserver: invalid sort option'],
      ['Put', { key: b64('a'), value: b64('v'), ignoreValue: true }, status.INVALID_ARGUMENT, 'etcdserver: value is provided'],
      ['Put', { key: b64('a'), lease: '5', ignoreLease: true }, status.INVALID_ARGUMENT, 'etcdserver: lease is provided'],
      ['Put', { key: b64('never-written'), ignoreValue: true }, status.INVALID_ARGUMENT, 'etcdserver: key not found'],
      ['Txn', { success: [{}] }, status.INVALID_ARGUMENT, 'etcdserver: key not found'],
      ['Txn', { compare: [{ key: '' }] }, status.INVALID_ARGUMENT, 'etcdserver: key is not provided'],
      ['Txn', { success: [{ requestPut: { key: b64('d'), value: '' } }, { requestPut: { key: b64('d'), value: '' } }] },
        status.INVALID_ARGUMENT, 'etcdserver: duplicate key given in txn request'],
      ['Txn', { success: Array.from({ length: 129 }, (_, i) => ({ requestPut: { key: b64(`t${i}`) } })) },
        status.INVALID_ARGUMENT, 'etcdserver: too many operations in txn request'],
      ['Range', { key: b64('a'), revision: '999999' }, status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'],
      ['Compact', { revision: '999999' }, status.OUT_OF_RANGE, 'etcdserver: mvcc: required revision is a future revision'],
    ];
    // etcd 3.4 does not validate sort options (3.5 does, and raftkv reports 3.5).
    const applicable = kind === 'etcd' ? cases.filter((c) => c[3] !== 'etcdserver: invalid sort option') : cases;
    for (const [method, req, code, details] of applicable) {
      const r = await c.call(KV, method, req);
      expect(r, `${method} ${JSON.stringify(req).slice(0, 80)}`).toEqual({ ok: false, code, details });
    }
    await expectServing();
  });

  it('a range whose end is before its key is empty, not an error', async () => {
    await c.call(KV, 'Put', { key: b64('m'), value: b64('v') });
    const r = await c.call<{ count: string; kvs: unknown[] }>(KV, 'Range', { key: b64('z'), rangeEnd: b64('a') });
    expect(r.ok && r.value.count).toBe('0');
  });

  it('unknown lease IDs', async () => {
    const id = '1234567';
    expect(await c.call(LEASE, 'LeaseRevoke', { ID: id })).toEqual({ ok: false, code: status.NOT_FOUND, details: 'etcdserver: requested lease not found' });
    expect(await c.call(KV, 'Put', { key: b64('l'), value: b64('v'), lease: id })).toEqual({ ok: false, code: status.NOT_FOUND, details: 'etcdserver: requested lease not found' });
    const ttl = await c.call<{ TTL: string }>(LEASE, 'LeaseTimeToLive', { ID: id });
    expect(ttl.ok && ttl.value.TTL).toBe('-1');
    const g = await c.call<{ ID: string; TTL: string }>(LEASE, 'LeaseGrant', { TTL: '30', ID: '777' });
    expect(g.ok && g.value.ID).toBe('777');
    expect(await c.call(LEASE, 'LeaseGrant', { TTL: '30', ID: '777' })).toEqual({ ok: false, code: status.FAILED_PRECONDITION, details: 'etcdserver: lease already exists' });
    expect(await c.call(LEASE, 'LeaseGrant', { TTL: '9000000001' })).toEqual({ ok: false, code: status.OUT_OF_RANGE, details: 'etcdserver: too large lease TTL' });
    await expectServing();
  });

  it('oversize requests are refused as etcd does', async () => {
    const big = Buffer.alloc(1024 * 1024 + 600 * 1024, 0x61).toString('base64'); // 1.6 MiB > --max-request-bytes
    expect(await c.call(KV, 'Put', { key: b64('big'), value: big })).toEqual({ ok: false, code: status.INVALID_ARGUMENT, details: 'etcdserver: request is too large' });
    const huge = Buffer.alloc(3 * 1024 * 1024, 0x61).toString('base64'); // above the gRPC receive limit
    const r = await c.call(KV, 'Put', { key: b64('huge'), value: huge });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(status.RESOURCE_EXHAUSTED);
    const fine = Buffer.alloc(1024 * 1024, 0x61).toString('base64');
    expect((await c.call(KV, 'Put', { key: b64('onemeg'), value: fine })).ok).toBe(true);
    await expectServing();
  });

  it('methods it does not serve answer UNIMPLEMENTED', async () => {
    const dg = await c.call('etcdserverpb.Maintenance', 'Downgrade', Buffer.alloc(0));
    expect(dg.ok).toBe(false);
    if (!dg.ok) expect(dg.code).toBe(status.UNIMPLEMENTED);
    if (kind === 'raftkv') {
      // etcd serves Auth; raftkv has no auth yet, so it must say so rather than pretend.
      const r = await c.call('etcdserverpb.Auth', 'Authenticate', Buffer.alloc(0));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.code).toBe(status.UNIMPLEMENTED);
    }
    const rs = await c.call(KV, 'RangeStream', Buffer.from([0x0a, 0x01, 0x61]));
    expect(rs.ok).toBe(false);
    if (!rs.ok) expect(rs.code).toBe(status.UNIMPLEMENTED);
    await expectServing();
  });
});
