// Durability under kill -9: every acknowledged write survives, and revisions never go backwards.
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, testKinds, type RunningServer } from '../support/servers.js';
import { RawClient, b64 } from '../support/rawclient.js';

const KV = 'etcdserverpb.KV';
interface Header { revision: string }
interface Kv { key: string; value: string; modRevision: string }

async function currentRevision(c: RawClient): Promise<number> {
  const r = await c.call<{ header: Header }>(KV, 'Range', { key: b64('\0'), limit: '1' });
  if (!r.ok) throw new Error(`range failed: ${r.details}`);
  return Number(r.value.header.revision);
}

describe.each(testKinds())('crash safety of %s', (kind) => {
  const servers: RunningServer[] = [];
  afterAll(async () => { for (const s of servers) await s.destroy(); });

  it('acknowledged puts from 16 concurrent writers survive SIGKILL, three times over', async () => {
    let srv = await startServer(kind);
    servers.push(srv);
    const acked = new Map<string, { value: string; rev: number }>();
    let maxAcked = 0;
    for (let round = 0; round < 3; round++) {
      const c = new RawClient(`127.0.0.1:${srv.clientPort}`);
      let stop = false;
      const writer = async (w: number): Promise<void> => {
        for (let n = 0; !stop; n++) {
          const key = `crash/r${round}/w${w}/${n}`;
          const r = await c.call<{ header: Header }>(KV, 'Put', { key: b64(key), value: b64(`v${n}`) });
          if (!r.ok) return; // the server died under us: this put was never acknowledged
          const rev = Number(r.value.header.revision);
          acked.set(key, { value: `v${n}`, rev });
          maxAcked = Math.max(maxAcked, rev);
        }
      };
      const writers = Array.from({ length: 16 }, (_, w) => writer(w));
      // Kill mid-stream once writes are flowing.
      const before = acked.size;
      while (acked.size < before + 300) await new Promise((r) => setTimeout(r, 10));
      await srv.kill9();
      stop = true;
      await Promise.all(writers);
      c.close();

      srv = await srv.restart();
      servers.push(srv);
      const c2 = new RawClient(`127.0.0.1:${srv.clientPort}`);
      const all = await c2.call<{ kvs: Kv[]; count: string }>(KV, 'Range', { key: b64('crash/'), rangeEnd: b64('crash0') });
      expect(all.ok).toBe(true);
      if (!all.ok) return;
      const found = new Map(all.value.kvs.map((kv) => [Buffer.from(kv.key, 'base64').toString(), kv]));
      const lost: string[] = [];
      for (const [key, a] of acked) {
        const kv = found.get(key);
        if (!kv || Buffer.from(kv.value, 'base64').toString() !== a.value || Number(kv.modRevision) !== a.rev) lost.push(key);
      }
      expect(lost, `round ${round}: acknowledged puts lost`).toEqual([]);
      const rev = await currentRevision(c2);
      expect(rev).toBeGreaterThanOrEqual(maxAcked);
      const next = await c2.call<{ header: Header }>(KV, 'Put', { key: b64(`crash-after/${round}`), value: b64('x') });
      expect(next.ok && Number(next.value.header.revision)).toBeGreaterThan(maxAcked);
      c2.close();
    }
    expect(acked.size).toBeGreaterThanOrEqual(900);
  });

  it('the revision does not go backwards after a kill following a compaction of every key', async () => {
    let srv = await startServer(kind);
    servers.push(srv);
    const c = new RawClient(`127.0.0.1:${srv.clientPort}`);
    for (let i = 0; i < 20; i++) await c.call(KV, 'Put', { key: b64(`gone/${i}`), value: b64('v') });
    await c.call(KV, 'DeleteRange', { key: b64('gone/'), rangeEnd: b64('gone0') });
    const rev = await currentRevision(c);
    const comp = await c.call(KV, 'Compact', { revision: String(rev), physical: true });
    expect(comp.ok).toBe(true);
    c.close();
    await srv.kill9();
    srv = await srv.restart();
    servers.push(srv);
    const c2 = new RawClient(`127.0.0.1:${srv.clientPort}`);
    expect(await currentRevision(c2)).toBe(rev);
    const r = await c2.call(KV, 'Range', { key: b64('gone/'), revision: String(rev - 1) });
    expect(r).toEqual({ ok: false, code: 11, details: 'etcdserver: mvcc: required revision has been compacted' });
    c2.close();
  });
});
