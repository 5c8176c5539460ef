// End-to-end compatibility: the `etcd3` npm client (gRPC) against etcd and raftkv.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Etcd3, EtcdError, EtcdLeaseInvalidError, GRPCOutOfRangeError,
  type IEvent, type IKeyValue, type IOptions, type ITxnResponse, type IWatchResponse, type Watcher,
} from 'etcd3';
import { pollUntil, ServerHandle, testPrefix } from '../support/e2e.js';
import { testKinds } from '../support/servers.js';

const COMPACTED = 'etcdserver: mvcc: required revision has been compacted';
const FUTURE_REV = 'etcdserver: mvcc: required revision is a future revision';
const LEASE_NOT_FOUND = 'etcdserver: requested lease not found';

type WatchBackoff = NonNullable<NonNullable<IOptions['faultHandling']>['watchBackoff']>;

/** Reconnect watch streams every `ms` instead of the default exponential backoff (up to 30s). */
function constantBackoff(ms: number): WatchBackoff {
  const b: WatchBackoff = { duration: ms, next: () => b };
  return b;
}

function newClient(endpoint: string): Etcd3 {
  return new Etcd3({
    hosts: endpoint,
    dialTimeout: 10_000,
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + 15_000 }),
    grpcOptions: { 'grpc.initial_reconnect_backoff_ms': 100, 'grpc.max_reconnect_backoff_ms': 1_000 },
    faultHandling: { watchBackoff: constantBackoff(200) },
  });
}

/** A flattened watch event, easy to compare with toEqual. */
interface Ev {
  type: IEvent['type'];
  key: string;
  value: string;
  modRevision: number;
  version: number;
  prev?: string;
}

function toEv(e: IEvent): Ev {
  const ev: Ev = {
    type: e.type,
    key: e.kv.key.toString(),
    value: e.kv.value.toString(),
    modRevision: Number(e.kv.mod_revision),
    version: Number(e.kv.version),
  };
  if (e.prev_kv) ev.prev = e.prev_kv.value.toString();
  return ev;
}

/** Collects every event a watcher delivers, in order. */
function collect(w: Watcher): Ev[] {
  const events: Ev[] = [];
  w.on('data', (res: IWatchResponse) => { for (const e of res.events) events.push(toEv(e)); });
  return events;
}

const rev = (r: { header: { revision: string } }): number => Number(r.header.revision);
const kvSummary = (kv: IKeyValue): [string, string, number, number, number] =>
  [kv.key.toString(), kv.value.toString(), Number(kv.create_revision), Number(kv.mod_revision), Number(kv.version)];

async function expectRejection<E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E, message: string): Promise<E> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err, 'expected the call to fail').toBeInstanceOf(type);
  expect((err as E).message).toContain(message);
  return err as E;
}

describe.each(testKinds())('etcd3 client against %s', (kind) => {
  let srv: ServerHandle;
  let client: Etcd3;
  const clients: Etcd3[] = [];

  const ns = (name: string): string => testPrefix('etcd3', name);
  const track = (c: Etcd3): Etcd3 => { clients.push(c); return c; };

  beforeAll(async () => {
    srv = await ServerHandle.start(kind);
    client = track(newClient(srv.endpoint));
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await srv?.destroy();
  });

  async function currentRevision(): Promise<number> {
    return rev(await client.get('__e2e_revision_probe').exec());
  }

  describe('kv', () => {
    it('put / get / overwrite / missing key', async () => {
      const k = `${ns('put-get')}key`;
      const p1 = await client.put(k).value('v1').exec();
      const p2 = await client.put(k).value('v2').exec();
      expect(rev(p2)).toBe(rev(p1) + 1);
      expect(await client.get(k).string()).toBe('v2');
      expect(await client.get(`${k}-missing`).string()).toBeNull();
      const res = await client.get(k).exec();
      expect(rev(res)).toBe(rev(p2));
      expect(res.count).toBe('1');
      expect(res.more).toBe(false);
      expect(res.kvs.map(kvSummary)).toEqual([[k, 'v2', rev(p1), rev(p2), 2]]);
      expect(res.kvs[0]!.lease).toBe('0');
      const prev = await client.put(k).value('v3').getPrevious();
      expect(prev && kvSummary(prev)).toEqual([k, 'v2', rev(p1), rev(p2), 2]);
    });

    it('prefix reads, limit / count / more, sorting', async () => {
      const base = ns('prefix');
      for (const k of ['b', 'a', 'c', 'e', 'd']) await client.put(`${base}dir/${k}`).value(k.toUpperCase()).exec();
      await client.put(`${base}dir0`).value('outside').exec();
      expect(await client.getAll().prefix(`${base}dir/`).keys()).toEqual(['a', 'b', 'c', 'd', 'e'].map((k) => `${base}dir/${k}`));
      expect(await client.getAll().prefix(`${base}dir/`).count()).toBe(5);
      const limited = await client.getAll().prefix(`${base}dir/`).limit(2).exec();
      expect(limited.count).toBe('5');
      expect(limited.more).toBe(true);
      expect(limited.kvs.map((kv) => kv.value.toString())).toEqual(['A', 'B']);
      const desc = await client.getAll().prefix(`${base}dir/`).sort('Key', 'Descend').limit(2).strings();
      expect(desc).toEqual({ [`${base}dir/e`]: 'E', [`${base}dir/d`]: 'D' });
      const byCreate = await client.getAll().prefix(`${base}dir/`).sort('Create', 'Ascend').keys();
      expect(byCreate).toEqual(['b', 'a', 'c', 'e', 'd'].map((k) => `${base}dir/${k}`));
      const range = await client.getAll().inRange({ start: `${base}dir/b`, end: `${base}dir/d` }).keys();
      expect(range).toEqual([`${base}dir/b`, `${base}dir/c`]); // end is exclusive
    });

    it('reads at a past revision', async () => {
      const k = `${ns('rev')}key`;
      const r1 = rev(await client.put(k).value('v1').exec());
      const r2 = rev(await client.put(k).value('v2').exec());
      await client.delete().key(k).exec();
      expect(await client.get(k).string()).toBeNull();
      expect(await client.get(k).revision(r1).string()).toBe('v1');
      expect(await client.get(k).revision(r2).string()).toBe('v2');
      expect(await client.get(k).revision(r1 - 1).string()).toBeNull();
      const old = await client.get(k).revision(r1).exec();
      expect(rev(old)).toBe(r2 + 1); // header: current revision
      expect(old.kvs.map(kvSummary)).toEqual([[k, 'v1', r1, r1, 1]]);
    });

    it('delete: single, prefix, with prevKv, and of a missing key', async () => {
      const base = ns('delete');
      const r1 = rev(await client.put(`${base}a`).value('va').exec());
      await client.put(`${base}b`).value('vb').exec();
      await client.put(`${base}c`).value('vc').exec();
      const prev = await client.delete().key(`${base}a`).getPrevious();
      expect(prev.map(kvSummary)).toEqual([[`${base}a`, 'va', r1, r1, 1]]);
      const before = await currentRevision();
      const missing = await client.delete().key(`${base}a`).exec();
      expect(missing.deleted).toBe('0');
      expect(rev(missing)).toBe(before); // a no-op delete does not create a revision
      const all = await client.delete().prefix(base).exec();
      expect(all.deleted).toBe('2');
      expect(rev(all)).toBe(before + 1);
      expect(await client.getAll().prefix(base).count()).toBe(0);
    });

    it('16 concurrent puts are all acknowledged with distinct revisions', async () => {
      const base = ns('concurrent');
      const n = 16;
      const results = await Promise.all(Array.from({ length: n }, (_, i) => client.put(`${base}${String(i).padStart(2, '0')}`).value(`v${i}`).exec()));
      const revs = results.map(rev).sort((a, b) => a - b);
      expect(new Set(revs).size).toBe(n);
      expect(revs[n - 1]! - revs[0]!).toBe(n - 1); // contiguous: one revision per put
      const stored = await client.getAll().prefix(base).strings();
      expect(Object.keys(stored)).toHaveLength(n);
      for (let i = 0; i < n; i++) expect(stored[`${base}${String(i).padStart(2, '0')}`]).toBe(`v${i}`);
    });
  });

  describe('txn', () => {
    it('takes the then / else branches', async () => {
      const base = ns('txn');
      const k = `${base}key`;
      const create = (): Promise<ITxnResponse> =>
        client.if(k, 'Mod', '==', 0).then(client.put(k).value('v1')).else(client.get(k)).commit();
      const first = await create();
      expect(first.succeeded).toBe(true);
      const r1 = rev(first);
      expect(first.responses).toHaveLength(1);
      expect(rev(first.responses[0]!.response_put)).toBe(r1);
      const second = await create();
      expect(second.succeeded).toBe(false);
      expect(rev(second)).toBe(r1); // read-only branch
      expect(second.responses[0]!.response_range.kvs.map(kvSummary)).toEqual([[k, 'v1', r1, r1, 1]]);

      const byValue = await client.if(k, 'Value', '==', 'v1').and(k, 'Version', '==', 1)
        .then(client.put(k).value('v2'), client.put(`${base}other`).value('o'))
        .else(client.put(k).value('wrong'))
        .commit();
      expect(byValue.succeeded).toBe(true);
      const r2 = rev(byValue);
      expect(r2).toBe(r1 + 1); // one revision for the whole txn
      const both = await client.getAll().prefix(base).exec();
      expect(both.kvs.map(kvSummary)).toEqual([[k, 'v2', r1, r2, 2], [`${base}other`, 'o', r2, r2, 1]]);

      const miss = await client.if(k, 'Value', '==', 'v1').then(client.put(k).value('never')).else(client.delete().key(`${base}other`)).commit();
      expect(miss.succeeded).toBe(false);
      expect(miss.responses[0]!.response_delete_range.deleted).toBe('1');
      expect(await client.get(k).string()).toBe('v2');
    });
  });

  describe('lease', () => {
    it('grant, attach, time-to-live, keepaliveOnce, revoke', async () => {
      const base = ns('lease');
      const lease = client.lease(30, { autoKeepAlive: false });
      const id = await lease.grant();
      expect(id).toMatch(/^\d+$/);
      await lease.put(`${base}a`).value('x').exec();
      await lease.put(`${base}b`).value('y').exec();
      expect((await client.get(`${base}a`).exec()).kvs[0]!.lease).toBe(id);
      const ttl = await client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      expect(ttl.ID).toBe(id);
      expect(ttl.grantedTTL).toBe('30');
      expect(Number(ttl.TTL)).toBeGreaterThan(20);
      expect(Number(ttl.TTL)).toBeLessThanOrEqual(30);
      expect(ttl.keys.map((b) => b.toString()).sort()).toEqual([`${base}a`, `${base}b`]);
      const ka = await lease.keepaliveOnce();
      expect(ka.ID).toBe(id);
      expect(ka.TTL).toBe('30');
      const leases = await client.leaseClient.leaseLeases({});
      expect(leases.leases.map((l) => l.ID)).toContain(id);

      const before = await currentRevision();
      await lease.revoke();
      expect(await client.getAll().prefix(base).count()).toBe(0);
      expect(await currentRevision()).toBe(before + 1);
      const gone = await client.leaseClient.leaseTimeToLive({ ID: id, keys: true });
      expect(gone.TTL).toBe('-1');
      expect(gone.grantedTTL).toBe('0');
      expect(gone.keys).toEqual([]);
      await expectRejection(client.leaseClient.leaseRevoke({ ID: id }), EtcdLeaseInvalidError, LEASE_NOT_FOUND);
      await expectRejection(client.put(`${base}c`).value('v').lease(id).exec(), EtcdLeaseInvalidError, LEASE_NOT_FOUND);
    });

    it('automatic keepalive holds a short lease; the key expires once keepalives stop', async () => {
      const k = `${ns('lease-keepalive')}key`;
      const lease = client.lease(2); // keepalive every ttl/3
      let keepalives = 0;
      lease.on('keepaliveSucceeded', () => { keepalives += 1; });
      await lease.put(k).value('held').exec();
      const t0 = Date.now();
      // several keepalives, spanning more than the 2s TTL
      await pollUntil(() => (keepalives >= 5 && Date.now() - t0 > 3_000 ? true : undefined), { timeoutMs: 20_000, what: 'keepalives' });
      expect(await client.get(k).string()).toBe('held');
      expect(lease.revoked()).toBe(false);
      lease.release(); // stop keepalives without revoking
      await pollUntil(async () => ((await client.get(k).string()) === null ? true : undefined),
        { timeoutMs: 20_000, intervalMs: 200, what: 'the leased key to expire' });
    }, 45_000);

    it('an unrenewed lease expires and deletes its key', async () => {
      const k = `${ns('lease-expire')}key`;
      const lease = client.lease(2, { autoKeepAlive: false });
      const id = await lease.grant();
      await lease.put(k).value('v').exec();
      expect(await client.get(k).string()).toBe('v');
      await pollUntil(async () => ((await client.get(k).string()) === null ? true : undefined),
        { timeoutMs: 20_000, intervalMs: 200, what: 'the leased key to expire' });
      const gone = await client.leaseClient.leaseTimeToLive({ ID: id });
      expect(gone.TTL).toBe('-1');
      await expectRejection(client.leaseClient.leaseRevoke({ ID: id }), EtcdLeaseInvalidError, LEASE_NOT_FOUND);
    }, 45_000);
  });

  describe('watch', () => {
    it('live watch on a key and on a prefix (with previous values)', async () => {
      const base = ns('watch');
      const k = `${base}dir/key`;
      const keyWatcher = await client.watch().key(k).create();
      const prefixWatcher = await client.watch().prefix(`${base}dir/`).withPreviousKV().create();
      const keyEvents = collect(keyWatcher);
      const prefixEvents = collect(prefixWatcher);
      try {
        const r1 = rev(await client.put(k).value('a').exec());
        const r2 = rev(await client.put(`${base}dir/other`).value('o').exec());
        const r3 = rev(await client.put(`${base}dir0`).value('outside').exec());
        const r4 = rev(await client.put(k).value('b').exec());
        const r5 = rev((await client.delete().prefix(`${base}dir/`).exec()));
        await pollUntil(() => (keyEvents.length >= 3 && prefixEvents.length >= 5 ? true : undefined), { what: 'watch events' });
        expect(r3).toBe(r2 + 1);
        expect(keyEvents).toEqual([
          { type: 'Put', key: k, value: 'a', modRevision: r1, version: 1 },
          { type: 'Put', key: k, value: 'b', modRevision: r4, version: 2 },
          { type: 'Delete', key: k, value: '', modRevision: r5, version: 0 },
        ]);
        expect(prefixEvents).toEqual([
          { type: 'Put', key: k, value: 'a', modRevision: r1, version: 1 },
          { type: 'Put', key: `${base}dir/other`, value: 'o', modRevision: r2, version: 1 },
          { type: 'Put', key: k, value: 'b', modRevision: r4, version: 2, prev: 'a' },
          { type: 'Delete', key: k, value: '', modRevision: r5, version: 0, prev: 'b' },
          { type: 'Delete', key: `${base}dir/other`, value: '', modRevision: r5, version: 0, prev: 'o' },
        ]);
      } finally {
        await keyWatcher.cancel();
        await prefixWatcher.cancel();
      }
    });

    it('watch from a past revision replays history, then continues live', async () => {
      const k = `${ns('watch-rev')}key`;
      const r1 = rev(await client.put(k).value('v1').exec());
      const r2 = rev(await client.put(k).value('v2').exec());
      const r3 = rev(await client.delete().key(k).exec());
      const watcher = await client.watch().key(k).startRevision(String(r1)).create();
      const events = collect(watcher);
      try {
        await pollUntil(() => (events.length >= 3 ? true : undefined), { what: 'replayed events' });
        const r4 = rev(await client.put(k).value('v3').exec());
        await pollUntil(() => (events.length >= 4 ? true : undefined), { what: 'live event' });
        expect(events).toEqual([
          { type: 'Put', key: k, value: 'v1', modRevision: r1, version: 1 },
          { type: 'Put', key: k, value: 'v2', modRevision: r2, version: 2 },
          { type: 'Delete', key: k, value: '', modRevision: r3, version: 0 },
          { type: 'Put', key: k, value: 'v3', modRevision: r4, version: 1 },
        ]);
      } finally {
        await watcher.cancel();
      }
    });
  });

  describe('compaction', () => {
    it('reads below the compacted revision fail with OutOfRange', async () => {
      const k = `${ns('compact')}key`;
      const r1 = rev(await client.put(k).value('v1').exec());
      const r2 = rev(await client.put(k).value('v2').exec());
      const r3 = rev(await client.put(k).value('v3').exec());
      const compact = await client.kv.compact({ revision: r2, physical: true });
      expect(rev(compact)).toBe(r3); // compaction does not create a revision
      await expectRejection(client.get(k).revision(r1).string(), GRPCOutOfRangeError, COMPACTED);
      expect(await client.get(k).revision(r2).string()).toBe('v2');
      await expectRejection(client.get(k).revision(r3 + 1).string(), GRPCOutOfRangeError, FUTURE_REV);
      await expectRejection(client.kv.compact({ revision: r2 }), GRPCOutOfRangeError, COMPACTED);
      await expectRejection(client.kv.compact({ revision: r3 + 10 }), GRPCOutOfRangeError, FUTURE_REV);
      // a watch from a compacted revision is cancelled by the server
      // (create() resolves first: etcd acknowledges the watch, then cancels it.)
      const watcher = await client.watch().key(k).startRevision(String(r1)).create();
      let cancelledByServer = false;
      try {
        const err = await new Promise<Error>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error('watch from a compacted revision was not cancelled')), 15_000);
          watcher.on('error', (e: Error) => { cancelledByServer = true; clearTimeout(t); resolve(e); });
        });
        expect(err).toBeInstanceOf(EtcdError);
        expect(err.message).toMatch(/^Watcher canceled/);
      } finally {
        // cancel() of a watcher the server already cancelled never resolves (etcd3 client quirk)
        if (!cancelledByServer) await watcher.cancel();
      }
    });
  });

  // Last: restarts the server this describe block shares.
  describe('watch across a server restart', () => {
    it('resumes from the last seen revision without duplicates or gaps', async () => {
      const base = ns('resume');
      const watchClient = track(newClient(srv.endpoint));
      const watcher = await watchClient.watch().prefix(base).create();
      const events = collect(watcher);
      let disconnects = 0;
      watcher.on('disconnected', () => { disconnects += 1; });
      try {
        const expected: Ev[] = [];
        for (const i of [1, 2, 3]) {
          const r = rev(await client.put(`${base}${i}`).value(`before-${i}`).exec());
          expected.push({ type: 'Put', key: `${base}${i}`, value: `before-${i}`, modRevision: r, version: 1 });
        }
        await pollUntil(() => (events.length >= 3 ? true : undefined), { what: 'events before the restart' });

        await srv.restart();
        await pollUntil(() => (disconnects > 0 ? true : undefined), { what: 'the watcher to notice the restart' });

        const writer = track(newClient(srv.endpoint));
        for (const i of [4, 5, 6]) {
          const r = rev(await writer.put(`${base}${i}`).value(`after-${i}`).exec());
          expected.push({ type: 'Put', key: `${base}${i}`, value: `after-${i}`, modRevision: r, version: 1 });
        }
        await writer.put(`${base}1`).value('overwrite').exec();
        const r = rev(await writer.delete().key(`${base}2`).exec());
        expected.push({ type: 'Put', key: `${base}1`, value: 'overwrite', modRevision: r - 1, version: 2 });
        expected.push({ type: 'Delete', key: `${base}2`, value: '', modRevision: r, version: 0 });
        // The delete is the last write; anything duplicated would have to arrive before it.
        await pollUntil(() => (events.some((e) => e.type === 'Delete') ? true : undefined),
          { timeoutMs: 30_000, what: `events after the restart (got ${events.length})` });
        expect(events).toEqual(expected);
        const revs = expected.map((e) => e.modRevision);
        expect(revs.slice(3)).toEqual([revs[2]! + 1, revs[2]! + 2, revs[2]! + 3, revs[2]! + 4, revs[2]! + 5]);
      } finally {
        await watcher.cancel();
      }
    }, 60_000);
  });
});
