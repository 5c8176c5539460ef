import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validatePath, writeAtomic } from '../../src/volume/atomicwriter.js';
import type { Payload } from '../../src/volume/types.js';

const TS_DIR = /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\..+$/;

function payload(entries: Record<string, string | [string, number]>): Payload {
  const p: Payload = new Map();
  for (const [k, v] of Object.entries(entries)) {
    const [text, mode] = typeof v === 'string' ? [v, 0o644] : v;
    p.set(k, { data: Buffer.from(text), mode });
  }
  return p;
}

describe('atomic writer', () => {
  let dir: string;
  const now = (): number => Date.UTC(2026, 0, 2, 15, 4, 5);
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'kvol-aw-')); });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  it('lays files out behind ..data and per-name symlinks with exact modes', async () => {
    const old = process.umask(0o077);
    try {
      expect(await writeAtomic(dir, payload({ 'a.conf': 'A', 'sub/dir/b': ['B', 0o400], c: ['C', 0o755] }), { now })).toBe(true);
    } finally { process.umask(old); }
    const names = readdirSync(dir).sort();
    const ts = names.filter((n) => TS_DIR.test(n));
    expect(ts).toHaveLength(1);
    expect(ts[0]!.startsWith('..2026_01_02_15_04_05.')).toBe(true);
    expect(names.filter((n) => !TS_DIR.test(n))).toEqual(['..data', 'a.conf', 'c', 'sub']);
    expect(readlinkSync(join(dir, '..data'))).toBe(ts[0]);
    expect(readlinkSync(join(dir, 'a.conf'))).toBe('..data/a.conf');
    expect(readlinkSync(join(dir, 'sub'))).toBe('..data/sub');
    expect(readFileSync(join(dir, 'sub/dir/b'), 'utf8')).toBe('B');
    // Modes are exact whatever the umask; the timestamped dir is traversable.
    expect(statSync(join(dir, 'a.conf')).mode & 0o7777).toBe(0o644);
    expect(statSync(join(dir, 'sub/dir/b')).mode & 0o7777).toBe(0o400);
    expect(statSync(join(dir, 'c')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dir, ts[0]!)).mode & 0o777).toBe(0o755);
  });

  it('skips unchanged payloads, swaps changed ones and prunes removed names', async () => {
    await writeAtomic(dir, payload({ a: '1', b: '2', 'n/x': '3' }), { now });
    const first = readlinkSync(join(dir, '..data'));
    expect(await writeAtomic(dir, payload({ a: '1', b: '2', 'n/x': '3' }), { now })).toBe(false);
    expect(readlinkSync(join(dir, '..data'))).toBe(first);

    expect(await writeAtomic(dir, payload({ a: '1*', n2: 'new' }), { now })).toBe(true);
    const second = readlinkSync(join(dir, '..data'));
    expect(second).not.toBe(first);
    expect(readdirSync(dir).filter((n) => TS_DIR.test(n))).toEqual([second]); // old one removed
    expect(readdirSync(dir).filter((n) => !TS_DIR.test(n)).sort()).toEqual(['..data', 'a', 'n2']);
    expect(readFileSync(join(dir, 'a'), 'utf8')).toBe('1*');
    expect(() => lstatSync(join(dir, 'b'))).toThrow(/ENOENT/);

    // Removing a name alone (no content change) still writes.
    expect(await writeAtomic(dir, payload({ a: '1*' }), { now })).toBe(true);
    expect(readdirSync(dir).filter((n) => !TS_DIR.test(n)).sort()).toEqual(['..data', 'a']);
  });

  it('readers never see a half-written file while contents swap', async () => {
    const A = 'a'.repeat(1 << 20);
    const B = `${'b'.repeat((1 << 20) + 12345)}end`;
    await writeAtomic(dir, payload({ key: A }), { now });
    const stopBuf = new SharedArrayBuffer(4);
    // A reader in another thread reads through the user-visible symlink as fast as it can.
    const worker = new Worker(`
      const { parentPort, workerData } = require('node:worker_threads');
      const { readFileSync } = require('node:fs');
      const stop = new Int32Array(workerData.stop);
      let reads = 0, bad = 0, a = 0, b = 0;
      const sizes = [];
      while (Atomics.load(stop, 0) === 0) {
        let t;
        try { t = readFileSync(workerData.file, 'utf8'); } catch (e) { bad++; sizes.push(String(e.code)); continue; }
        reads++;
        if (t === workerData.a) a++;
        else if (t.length === workerData.bLen && t.endsWith('end') && !t.includes('a')) b++;
        else { bad++; sizes.push(t.length); }
      }
      parentPort.postMessage({ reads, bad, a, b, sizes: sizes.slice(0, 5) });
    `, { eval: true, workerData: { file: join(dir, 'key'), stop: stopBuf, a: A, bLen: B.length } });
    const result = new Promise<{ reads: number; bad: number; a: number; b: number; sizes: unknown[] }>((res, rej) => {
      worker.once('message', res);
      worker.once('error', rej);
    });
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 60; i++) await writeAtomic(dir, payload({ key: i % 2 ? A : B }), { now });
    await new Promise((r) => setTimeout(r, 20));
    Atomics.store(new Int32Array(stopBuf), 0, 1);
    const r = await result;
    await worker.terminate();
    expect(r.bad, JSON.stringify(r.sizes)).toBe(0);
    expect(r.a).toBeGreaterThan(0);
    expect(r.b).toBeGreaterThan(0);
    expect(readdirSync(dir).filter((n) => TS_DIR.test(n))).toHaveLength(1);
  });
});

describe('validatePath', () => {
  it.each([
    ['', 'invalid path: must not be empty: ""'],
    ['/abs', 'invalid path: must be relative path: /abs'],
    ['a/../b', "invalid path: must not contain '..': a/../b"],
    ['..data', "invalid path: must not start with '..': ..data"],
    ['x'.repeat(256), 'invalid path: filenames must be less than or equal to 255 characters'],
  ])('%s', (p, msg) => {
    expect(() => validatePath(p)).toThrow(msg);
  });
  it('accepts nested and dotted names', () => {
    expect(() => validatePath('a/b.c/..d')).not.toThrow();
  });
});
