import { appendFile, mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findTailStart,
  LogQueryError,
  parseCriRecord,
  parsePodLogQuery,
  parseRFC3339,
  readLogs,
  readOptionsFor,
  type LogSink,
  type ReadLogsOptions,
} from '../../src/logs/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kts-logs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function collect(): { sink: LogSink; text: () => string } {
  const chunks: Buffer[] = [];
  return { sink: async (c) => void chunks.push(c), text: () => Buffer.concat(chunks).toString() };
}

async function read(path: string, opts: Partial<ReadLogsOptions>): Promise<string> {
  const c = collect();
  await readLogs(path, { follow: false, timestamps: false, ...opts }, c.sink);
  return c.text();
}

let n = 0;
async function file(content: string): Promise<string> {
  const p = join(dir, `f${n++}.log`);
  await writeFile(p, content);
  return p;
}

const T = (s: number, frac = '') => `2024-05-01T10:00:${String(s).padStart(2, '0')}${frac}Z`;

describe('time', () => {
  it('parses RFC3339Nano with variable fraction and zones, prints nine digits', () => {
    const a = parseRFC3339('2024-05-01T10:00:00.5Z')!;
    expect(a.fixed).toBe('2024-05-01T10:00:00.500000000Z');
    expect(a.ns).toBe(BigInt(Date.UTC(2024, 4, 1, 10)) * 1_000_000n + 500_000_000n);
    const b = parseRFC3339('2024-05-01T12:00:00.000000001+02:00')!;
    expect(b.ns).toBe(BigInt(Date.UTC(2024, 4, 1, 10)) * 1_000_000n + 1n);
    expect(b.fixed).toBe('2024-05-01T12:00:00.000000001+02:00');
    expect(parseRFC3339('2024-05-01T10:00:00Z')!.fixed).toBe('2024-05-01T10:00:00.000000000Z');
    expect(parseRFC3339('2024-05-01 10:00:00Z')).toBeUndefined();
    expect(parseRFC3339('yesterday')).toBeUndefined();
  });
});

describe('parseCriRecord', () => {
  it('splits time, stream, tag and content; rejects other formats', () => {
    const r = parseCriRecord(Buffer.from(`${T(1, '.25')} stderr P hello world `))!;
    expect(r.stream).toBe('stderr');
    expect(r.partial).toBe(true);
    expect(r.content.toString()).toBe('hello world ');
    expect(r.time.fixed).toBe('2024-05-01T10:00:01.250000000Z');
    expect(parseCriRecord(Buffer.from(`${T(1)} stdout F:x y`))!.partial).toBe(false);
    expect(parseCriRecord(Buffer.from(`${T(1)} stdout F`))!.content.length).toBe(0);
    expect(parseCriRecord(Buffer.from(`${T(1)} other F x`))).toBeUndefined();
    expect(parseCriRecord(Buffer.from('{"log":"x"}'))).toBeUndefined();
  });
});

describe('readLogs', () => {
  const lines = [
    `${T(1)} stdout F one`,
    `${T(2)} stderr F two`,
    `${T(3)} stdout P thr`,
    `${T(3, '.5')} stdout F ee`,
    `${T(4)} stdout F four`,
    '',
  ].join('\n');

  it('prints all streams, joining partial records', async () => {
    expect(await read(await file(lines), {})).toBe('one\ntwo\nthree\nfour\n');
  });

  it('prefixes each line (not each partial record) with its time', async () => {
    expect(await read(await file(lines), { timestamps: true })).toBe(
      [
        '2024-05-01T10:00:01.000000000Z one',
        '2024-05-01T10:00:02.000000000Z two',
        '2024-05-01T10:00:03.000000000Z three',
        '2024-05-01T10:00:04.000000000Z four',
        '',
      ].join('\n'),
    );
  });

  it('tails logical lines', async () => {
    const p = await file(lines);
    expect(await read(p, { tailLines: 2 })).toBe('three\nfour\n');
    expect(await read(p, { tailLines: 1 })).toBe('four\n');
    expect(await read(p, { tailLines: 0 })).toBe('');
    expect(await read(p, { tailLines: 10 })).toBe('one\ntwo\nthree\nfour\n');
  });

  it('tails across read blocks of a large file', async () => {
    const many = Array.from({ length: 5000 }, (_, i) => `${T(i % 60)} stdout F line-${i} ${'x'.repeat(40)}`).join('\n') + '\n';
    const p = await file(many);
    const out = await read(p, { tailLines: 3 });
    expect(out.split('\n').filter(Boolean).map((l) => l.split(' ')[0])).toEqual(['line-4997', 'line-4998', 'line-4999']);
    const fh = await open(p, 'r');
    try {
      expect(await findTailStart(fh, many.length, 5000)).toBe(0);
      expect(await findTailStart(fh, many.length, 4999)).toBe(many.indexOf('\n') + 1);
    } finally {
      await fh.close();
    }
  });

  it('skips records before since and cuts at limitBytes', async () => {
    const p = await file(lines);
    const since = parseRFC3339(T(3))!.ns;
    expect(await read(p, { sinceNs: since })).toBe('three\nfour\n');
    expect(await read(p, { limitBytes: 6 })).toBe('one\ntw');
    expect(await read(p, { limitBytes: 4, timestamps: true })).toBe('2024');
  });

  it('selects one stream', async () => {
    expect(await read(await file(lines), { streams: { stdout: false, stderr: true } })).toBe('two\n');
  });

  it('skips lines that are not CRI records and prints an unterminated last record', async () => {
    expect(await read(await file(`garbage\n${T(1)} stdout F a\n${T(2)} stdout F b`), {})).toBe('a\nb\n');
  });

  it('rejects when the file is missing', async () => {
    await expect(read(join(dir, 'nope.log'), {})).rejects.toThrow(/ENOENT/);
  });
});

describe('readLogs follow', () => {
  it('streams appended lines, survives rotation, ends when the container stopped and the file is drained', async () => {
    const p = await file(`${T(1)} stdout F first\n`);
    let running = true;
    const chunks: string[] = [];
    let seen = (): void => undefined;
    const sink: LogSink = async (c) => {
      chunks.push(c.toString());
      seen();
    };
    const until = (text: string) =>
      new Promise<void>((resolve) => {
        seen = () => chunks.join('').includes(text) && resolve();
        seen();
      });
    const done = readLogs(p, { follow: true, timestamps: false, tailLines: 1 }, sink, { isRunning: async () => running, pollMs: 200 });
    await until('first\n');
    await appendFile(p, `${T(2)} stdout F sec`);
    await appendFile(p, `ond\n${T(3)} stdout F third\n`); // a record split across writes
    await until('third\n');
    // Rotation as the kubelet does it: rename, then the runtime reopens a new file at the path.
    await appendFile(p, `${T(4)} stdout F before-rotate\n`);
    await rename(p, `${p}.20240501-100005`);
    await writeFile(p, `${T(5)} stdout F after-rotate\n`);
    await until('after-rotate\n');
    running = false;
    await appendFile(p, `${T(6)} stdout F last\n`);
    await done;
    expect(chunks.join('')).toBe('first\nsecond\nthird\nbefore-rotate\nafter-rotate\nlast\n');
  });

  it('ends when the client goes away', async () => {
    const p = await file(`${T(1)} stdout F x\n`);
    const ac = new AbortController();
    const c = collect();
    const done = readLogs(p, { follow: true, timestamps: false }, c.sink, { isRunning: async () => true, signal: ac.signal, pollMs: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    ac.abort();
    await done;
    expect(c.text()).toBe('x\n');
  });

  it('reads to the end of an exited container and returns', async () => {
    const p = await file(`${T(1)} stdout F a\n${T(2)} stdout F b\n`);
    const c = collect();
    await readLogs(p, { follow: true, timestamps: false }, c.sink, { isRunning: async () => false });
    expect(c.text()).toBe('a\nb\n');
  });
});

describe('parsePodLogQuery', () => {
  const q = (s: string) => parsePodLogQuery(new URLSearchParams(s));
  const err = (s: string): LogQueryError => {
    try {
      q(s);
    } catch (e) {
      return e as LogQueryError;
    }
    throw new Error('no error');
  };

  it('decodes as the parameter codec does', () => {
    expect(q('follow=true&timestamps=1&previous=false&tailLines=5&limitBytes=10')).toMatchObject({
      follow: true,
      timestamps: true,
      previous: false,
      tailLines: 5,
      limitBytes: 10,
    });
    expect(q('follow=&tail=all&tailLines=3').follow).toBe(true);
    expect(q('tail=all&tailLines=3').tailLines).toBeUndefined();
    expect(q('tail=7').tailLines).toBe(7);
    expect(q('sinceTime=2024-05-01T10:00:00Z').sinceTimeNs).toBe(BigInt(Date.UTC(2024, 4, 1, 10)) * 1_000_000n);
  });

  it('answers upstream codes and bodies', () => {
    expect(err('tailLines=x')).toMatchObject({ code: 400, message: '{"message": "Unable to decode query."}' });
    expect(err('sinceTime=yesterday').code).toBe(400);
    expect(err('tailLines=-1')).toMatchObject({ code: 422, message: '{"message": "Invalid request."}' });
    expect(err('limitBytes=0').code).toBe(422);
    expect(err('sinceSeconds=0').code).toBe(422);
    expect(err('sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z').code).toBe(422);
    expect(err('stream=Stdout')).toMatchObject({ code: 400 });
    expect(err('stream=Stdout').message).toContain('PodLogsQuerySplitStreams');
    expect(q('stream=All').stream).toBe('All');
  });

  it('turns sinceSeconds into a time before now', () => {
    const now = Date.UTC(2024, 4, 1, 10, 0, 10);
    expect(readOptionsFor(q('sinceSeconds=4'), now).sinceNs).toBe(BigInt(now - 4000) * 1_000_000n);
    expect(readOptionsFor(q(''), now).sinceNs).toBeUndefined();
  });
});
