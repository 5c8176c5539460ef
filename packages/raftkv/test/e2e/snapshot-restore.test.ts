// etcdctl snapshot save against raftkv, then `raftkv snapshot restore` into a new data dir: the
// restored member serves the same keys, history and revision.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { RAFTKV_CLI, startServer, type RunningServer } from '../support/servers.js';
import { RawClient, b64 } from '../support/rawclient.js';

const run = promisify(execFile);
const KV = 'etcdserverpb.KV';

describe('raftkv snapshot restore', () => {
  const dirs: string[] = [];
  const servers: RunningServer[] = [];
  afterAll(async () => {
    for (const s of servers) await s.destroy();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('restores what etcdctl snapshot save captured', async () => {
    const src = await startServer('raftkv');
    servers.push(src);
    const c = new RawClient(`127.0.0.1:${src.clientPort}`);
    for (let i = 0; i < 50; i++) await c.call(KV, 'Put', { key: b64(`snap/${i % 10}`), value: b64(`v${i}`) });
    await c.call(KV, 'DeleteRange', { key: b64('snap/9') });
    const head = await c.call<{ header: { revision: string } }>(KV, 'Range', { key: b64('snap/') });
    if (!head.ok) throw new Error(head.details);
    const rev = Number(head.value.header.revision);
    expect(rev).toBe(52); // 1 + 50 puts + 1 delete
    c.close();
    const tmp = mkdtempSync(join(tmpdir(), 'raftkv-snap-'));
    dirs.push(tmp);
    const file = join(tmp, 'snap.db');
    const saved = await run('etcdctl', [`--endpoints=${src.endpoint}`, 'snapshot', 'save', file], { env: { ...process.env, ETCDCTL_API: '3' } });
    expect(saved.stdout).toContain(`Snapshot saved at ${file}`);
    expect(statSync(file).size % 512).toBe(32);

    const dataDir = join(tmp, 'restored');
    const restored = await run(process.execPath, [RAFTKV_CLI, 'snapshot', 'restore', file, '--data-dir', dataDir]);
    expect(restored.stdout).toMatch(new RegExp(`at revision ${rev} into`));
    const again = await run(process.execPath, [RAFTKV_CLI, 'snapshot', 'restore', file, '--data-dir', dataDir]).catch((e: { stderr: string; code: number }) => e);
    expect(again).toMatchObject({ code: 1, stderr: expect.stringContaining('exists') });

    const dst = await startServer('raftkv', { dataDir });
    servers.push(dst);
    const d = new RawClient(`127.0.0.1:${dst.clientPort}`);
    const all = await d.call<{ header: { revision: string }; kvs: Array<{ key: string; value: string }> }>(KV, 'Range', { key: b64('snap/'), rangeEnd: b64('snap0') });
    expect(all.ok).toBe(true);
    if (!all.ok) return;
    expect(Number(all.value.header.revision)).toBe(rev);
    expect(all.value.kvs.map((kv) => `${Buffer.from(kv.key, 'base64')}=${Buffer.from(kv.value, 'base64')}`))
      .toEqual(Array.from({ length: 9 }, (_, i) => `snap/${i}=v${40 + i}`));
    const old = await d.call<{ kvs: Array<{ value: string }> }>(KV, 'Range', { key: b64('snap/0'), revision: '2' });
    expect(old.ok && Buffer.from(old.value.kvs[0]!.value, 'base64').toString()).toBe('v0');
    d.close();
  });

  it('refuses a corrupt or foreign file', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'raftkv-snap-'));
    dirs.push(tmp);
    const bad = join(tmp, 'bad.db');
    writeFileSync(bad, Buffer.alloc(512 + 32, 1));
    const r = await run(process.execPath, [RAFTKV_CLI, 'snapshot', 'restore', bad, '--data-dir', join(tmp, 'x')]).catch((e: { stderr: string; code: number }) => e);
    expect(r).toMatchObject({ code: 1, stderr: expect.stringContaining('sha256 mismatch') });
  });
});
