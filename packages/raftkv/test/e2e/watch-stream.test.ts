// The Watch stream at the wire level: many watchers on one stream, created responses in request
// order, filters, prev_kv, history replay, cancel, duplicate IDs, empty ranges, compaction, and
// progress requests. Runs against etcd too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, testKinds, type RunningServer } from '../support/servers.js';
import { RawClient, b64, type WatchResp } from '../support/rawclient.js';

const KV = 'etcdserverpb.KV';
const s64 = (b: string): string => Buffer.from(b, 'base64').toString();

describe.each(testKinds())('watch stream against %s', (kind) => {
  let srv: RunningServer;
  let c: RawClient;
  beforeAll(async () => {
    srv = await startServer(kind);
    c = new RawClient(`127.0.0.1:${srv.clientPort}`);
  });
  afterAll(async () => { c?.close(); await srv?.destroy(); });

  const put = async (k: string, v: string): Promise<number> => {
    const r = await c.call<{ header: { revision: string } }>(KV, 'Put', { key: b64(k), value: b64(v) });
    if (!r.ok) throw new Error(r.details);
    return Number(r.value.header.revision);
  };

  it('serves several watchers on one stream with filters, prev_kv and history', async () => {
    const r1 = await put('ws/a', '1');
    await put('ws/a', '2');
    const cur = await put('ws/b', '1');
    const w = c.watch();
    try {
      w.send({ createRequest: { key: b64('ws/a') } });
      w.send({ createRequest: { key: b64('ws/'), rangeEnd: b64('ws0'), filters: ['NOPUT'] } });
      w.send({ createRequest: { key: b64('ws/a'), startRevision: String(r1), prevKv: true } });
      const created = await w.next((r) => r.created, 3);
      expect(created.map((r) => r.watchId)).toEqual(['0', '1', '2']);
      for (const r of created) expect(Number(r.header.revision)).toBe(cur);
      // History: watcher 2 replays both puts of ws/a, the second with its prev_kv.
      const [hist] = await w.next((r) => r.watchId === '2' && r.events.length > 0);
      expect(hist!.events.map((e) => `${e.type}:${s64(e.kv.value)}@${e.kv.modRevision}`)).toEqual([`PUT:1@${r1}`, `PUT:2@${r1 + 1}`]);
      expect(hist!.events[1]!.prevKv && s64(hist!.events[1]!.prevKv.value)).toBe('1');
      // Live: a put reaches watchers 0 and 2 but not the NOPUT watcher; a delete reaches all three.
      const p = await put('ws/a', '3');
      const d = await c.call<{ header: { revision: string } }>(KV, 'DeleteRange', { key: b64('ws/a') });
      const drev = d.ok ? Number(d.value.header.revision) : -1;
      const ev0 = await w.next((r) => r.watchId === '0' && r.events.length > 0, 2);
      expect(ev0.map((r) => `${r.events[0]!.type}@${r.events[0]!.kv.modRevision}`)).toEqual([`PUT@${p}`, `DELETE@${drev}`]);
      expect(ev0[0]!.events[0]!.prevKv).toBeFalsy(); // watcher 0 did not ask for prev_kv
      const ev1 = await w.next((r) => r.watchId === '1' && r.events.length > 0);
      expect(ev1[0]!.events.map((e) => `${e.type}:${s64(e.kv.key)}`)).toEqual(['DELETE:ws/a']);
      const ev2 = await w.next((r) => r.watchId === '2' && r.events.length > 0, 3);
      expect(ev2[2]!.events[0]!.type).toBe('DELETE');
      expect(s64(ev2[2]!.events[0]!.prevKv!.value)).toBe('3');
      expect(w.received.some((r) => r.watchId === '1' && r.events.some((e) => e.type === 'PUT'))).toBe(false);
    } finally {
      w.close();
    }
  });

  it('cancels, refuses duplicate IDs and empty ranges, and cancels compacted starts', async () => {
    const w = c.watch();
    try {
      w.send({ createRequest: { key: b64('wc/x'), watchId: '7' } });
      await w.next((r) => r.created && r.watchId === '7');
      w.send({ createRequest: { key: b64('wc/y'), watchId: '7' } });
      const [dup] = await w.next((r) => r.created && r.canceled);
      expect(dup!.cancelReason).toBe('mvcc: duplicate watch ID provided on the WatchStream');
      w.send({ createRequest: { key: b64('wc/z'), rangeEnd: b64('wc/a') } });
      const [empty] = await w.next((r) => r.created && r.canceled, 2).then((x) => x.slice(1));
      expect(empty!.cancelReason).toBe('mvcc: watcher range is empty');
      expect(empty!.watchId).toBe('-1');
      w.send({ cancelRequest: { watchId: '7' } });
      const [cancelled] = await w.next((r) => r.canceled && !r.created && r.watchId === '7');
      expect(cancelled).toBeDefined();
      const old = await put('wc/k', '1');
      await put('wc/k', '2');
      const cur = await put('wc/k', '3');
      const comp = await c.call(KV, 'Compact', { revision: String(cur), physical: true });
      expect(comp.ok).toBe(true);
      w.send({ createRequest: { key: b64('wc/k'), startRevision: String(old) } });
      const [compacted] = await w.next((r) => r.canceled && r.compactRevision !== '0');
      expect(compacted!.compactRevision).toBe(String(cur));
      // Watching from the compaction revision itself is allowed and replays it.
      w.send({ createRequest: { key: b64('wc/k'), startRevision: String(cur) } });
      const [fromCompact] = await w.next((r) => r.events.length > 0);
      expect(fromCompact!.events.map((e) => s64(e.kv.value))).toEqual(['3']);
    } finally {
      w.close();
    }
  });

  it('answers a progress request with watch ID -1 at a revision covering every event sent', async () => {
    const w = c.watch();
    try {
      const first = await put('wp/0', 'v');
      for (let i = 1; i < 50; i++) await put(`wp/${i}`, 'v');
      const cur = await put('wp/last', 'v');
      w.send({ createRequest: { key: b64('wp/'), rangeEnd: b64('wp0'), startRevision: String(first) } });
      w.send({ progressRequest: {} });
      const [progress] = await w.next((r) => r.watchId === '-1' && !r.created);
      expect(Number(progress!.header.revision)).toBeGreaterThanOrEqual(cur);
      if (kind === 'raftkv') {
        // raftkv answers only once the watcher caught up (etcd 3.4.23 predates that fix), so
        // every replayed event arrived before the progress response.
        const idx = w.received.indexOf(progress!);
        const before = w.received.slice(0, idx).flatMap((r: WatchResp) => r.events);
        expect(before.length).toBe(51);
      }
    } finally {
      w.close();
    }
  });
});
