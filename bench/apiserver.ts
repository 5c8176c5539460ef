/**
 * kube-apiserver on raftkv vs on a real etcd 3.4, side by side in one run: each kind gets a fresh
 * store and one kube-apiserver (packages/apiserver/test/support/cluster.ts), driven over
 * keep-alive HTTPS from this process. Markdown tables on stdout (progress on stderr), --json too.
 *
 *   npx vite-node bench/apiserver.ts                        # both kinds (needs `npm run build`)
 *   npx vite-node bench/apiserver.ts --kinds raftkv --seconds 2
 *   npx vite-node bench/apiserver.ts --rows create,paced --json out.json
 *
 * Rows:
 *   create   POST configmaps, N concurrent clients, closed loop, for --seconds
 *   get      GET one of the created configmaps, N clients
 *   list     LIST a namespace of 100 configmaps (consistent list: read from the store), N clients
 *   watch    open a watch (until the 200 and headers arrive), then close it, N clients
 *   paced    open loop: --rate merge PATCHes/s on 200 objects for --paced-seconds; latency is
 *            measured from each request's scheduled send time (no coordinated omission); upstream
 *            SLO: p99 of single-object mutations < 1 s
 *   fanout   --watchers watches on one namespace; --fanout-writes sequential creates; latency per
 *            watcher and event, from the write's send (table) and from its response (ack, notes:
 *            events that beat the ack to this process count as 0)
 * Latencies are client wall times (process.hrtime.bigint()); percentiles are nearest-rank.
 */
import { request as httpsRequest, type Agent } from 'node:https';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startCluster, type Cluster } from '../packages/apiserver/test/support/cluster.js';
import type { ServerKind } from '../packages/raftkv/test/support/servers.js';

const ROW_IDS = ['create', 'get', 'list', 'watch', 'paced', 'fanout'] as const;
type RowId = (typeof ROW_IDS)[number];
const ALL_KINDS: readonly ServerKind[] = ['raftkv', 'etcd'];
const SLO_MS = 1_000;

const USAGE = `Usage: npx vite-node bench/apiserver.ts [flags]
  --kinds LIST          store kinds (env BENCH_KINDS; default raftkv,etcd)
  --rows LIST           subset of ${ROW_IDS.join(',')} (default all)
  --clients N           concurrent clients for create/get/list/watch (default 50)
  --seconds N           measured seconds per closed-loop row (default 5)
  --rate N              writes/s of the paced row (default 500)
  --paced-seconds N     duration of the paced row (default 10)
  --watchers N          watchers of the fanout row (default 100)
  --fanout-writes N     writes of the fanout row (default 50)
  --json FILE           also write the results as JSON
`;

interface Config {
  kinds: ServerKind[]; rows: RowId[]; clients: number; seconds: number; rate: number; pacedSeconds: number;
  watchers: number; fanoutWrites: number; jsonFile: string | undefined;
}

function parseList<T extends string>(raw: string, allowed: readonly T[], what: string): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!(allowed as readonly string[]).includes(i)) throw new Error(`unknown ${what} '${i}' (expected one of: ${allowed.join(', ')})`);
  if (items.length === 0) throw new Error(`empty ${what} list`);
  return [...new Set(items)] as T[];
}

function parsePositive(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} must be a positive number, got '${raw}'`);
  return n;
}

function parseConfig(argv: string[]): Config {
  const { values: v } = parseArgs({
    args: argv, strict: true, allowPositionals: false,
    options: {
      kinds: { type: 'string' }, rows: { type: 'string' },
      clients: { type: 'string', default: '50' }, seconds: { type: 'string', default: '5' },
      rate: { type: 'string', default: '500' }, 'paced-seconds': { type: 'string', default: '10' },
      watchers: { type: 'string', default: '100' }, 'fanout-writes': { type: 'string', default: '50' },
      json: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) { process.stdout.write(USAGE); process.exit(0); }
  return {
    kinds: parseList(v.kinds ?? process.env.BENCH_KINDS ?? ALL_KINDS.join(','), ALL_KINDS, 'kind'),
    rows: v.rows ? parseList(v.rows, ROW_IDS, 'row') : [...ROW_IDS],
    clients: Math.round(parsePositive(v.clients, '--clients')),
    seconds: parsePositive(v.seconds, '--seconds'),
    rate: parsePositive(v.rate, '--rate'),
    pacedSeconds: parsePositive(v['paced-seconds'], '--paced-seconds'),
    watchers: Math.round(parsePositive(v.watchers, '--watchers')),
    fanoutWrites: Math.round(parsePositive(v['fanout-writes'], '--fanout-writes')),
    jsonFile: v.json,
  };
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface Res { status: number; body: string }

function call(c: Cluster, agent: Agent, method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Res> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (payload) { headers['Content-Type'] = contentType; headers['Content-Length'] = String(payload.length); }
    const req = httpsRequest({ host: '127.0.0.1', port: c.apiservers[0]!.port, method, path, headers, ca: c.ca, agent }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (d: Buffer) => chunks.push(d));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      r.on('error', reject);
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

interface RowResult { row: RowId; ops: number; errors: number; seconds: number; opsPerSec: number; p50Ms: number; p99Ms: number; maxMs: number; note?: string }

function summarize(row: RowId, lat: number[], errors: number, seconds: number, note?: string): RowResult {
  const s = [...lat].sort((a, b) => a - b);
  return { row, ops: lat.length, errors, seconds, opsPerSec: lat.length / seconds, p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s.length ? s[s.length - 1]! : NaN, ...(note ? { note } : {}) };
}

/** N closed-loop clients running `op` for `seconds`. */
async function closedLoop(row: RowId, clients: number, seconds: number, op: (client: number, i: number) => Promise<boolean>): Promise<RowResult> {
  const lat: number[] = [];
  let errors = 0;
  const start = nowMs();
  const end = start + seconds * 1000;
  await Promise.all(Array.from({ length: clients }, async (_, client) => {
    for (let i = 0; nowMs() < end; i++) {
      const t0 = nowMs();
      let ok = false;
      try { ok = await op(client, i); } catch { ok = false; }
      if (ok) lat.push(nowMs() - t0); else errors++;
    }
  }));
  return summarize(row, lat, errors, (nowMs() - start) / 1000);
}

const cm = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...extra }, data: { payload: 'x'.repeat(200) } });

async function ensureNamespace(c: Cluster, agent: Agent, ns: string): Promise<void> {
  const r = await call(c, agent, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (r.status !== 201 && r.status !== 409) throw new Error(`create namespace ${ns}: ${r.status} ${r.body}`);
}

/** Opens a watch and calls `onEvent` per event line; resolves once the 200 is in. */
function openWatch(c: Cluster, path: string, onEvent: (type: string, name: string) => void): Promise<{ close(): void }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: c.apiservers[0]!.port, path, ca: c.ca, agent: false, headers: { Accept: 'application/json' } }, (r) => {
      if (r.statusCode !== 200) { reject(new Error(`watch ${path}: ${r.statusCode}`)); req.destroy(); return; }
      let buf = '';
      r.on('data', (d: Buffer) => {
        buf += d.toString();
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          const e = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
          onEvent(e.type, e.object.metadata?.name ?? '');
        }
      });
      r.on('error', () => {});
      resolve({ close: () => req.destroy() });
    });
    req.on('error', (e) => reject(e));
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// Rows

async function runKind(kind: ServerKind, cfg: Config): Promise<RowResult[]> {
  process.stderr.write(`[${kind}] starting store and kube-apiserver\n`);
  const c = await startCluster(kind);
  const agent = c.agent;
  const out: RowResult[] = [];
  const want = (r: RowId): boolean => cfg.rows.includes(r);
  const log = (r: RowResult): void => {
    out.push(r);
    process.stderr.write(`[${kind}] ${r.row}: ${r.opsPerSec.toFixed(0)} ops/s p50 ${r.p50Ms.toFixed(1)} ms p99 ${r.p99Ms.toFixed(1)} ms (${r.errors} errors)${r.note ? ` ${r.note}` : ''}\n`);
  };
  try {
    await ensureNamespace(c, agent, 'bench');
    // Warmup: JIT and connections, not measured.
    await closedLoop('create', cfg.clients, 1, async (cl, i) => (await call(c, agent, 'POST', '/api/v1/namespaces/bench/configmaps', cm(`warm-${cl}-${i}`))).status === 201);

    const created: string[] = [];
    if (want('create') || want('get')) {
      const r = await closedLoop('create', cfg.clients, cfg.seconds, async (cl, i) => {
        const name = `c-${cl}-${i}`;
        const ok = (await call(c, agent, 'POST', '/api/v1/namespaces/bench/configmaps', cm(name))).status === 201;
        if (ok) created.push(name);
        return ok;
      });
      if (want('create')) log(r);
    }
    if (want('get')) {
      log(await closedLoop('get', cfg.clients, cfg.seconds, async (cl, i) =>
        (await call(c, agent, 'GET', `/api/v1/namespaces/bench/configmaps/${created[(cl * 7919 + i) % created.length]}`)).status === 200));
    }
    if (want('list')) {
      await ensureNamespace(c, agent, 'bench-list');
      for (let i = 0; i < 100; i++) await call(c, agent, 'POST', '/api/v1/namespaces/bench-list/configmaps', cm(`l-${i}`));
      log({ ...(await closedLoop('list', cfg.clients, cfg.seconds, async () => {
        const r = await call(c, agent, 'GET', '/api/v1/namespaces/bench-list/configmaps');
        return r.status === 200;
      })), note: '100 items per list' });
    }
    if (want('watch')) {
      log(await closedLoop('watch', cfg.clients, cfg.seconds, async () => {
        const w = await openWatch(c, '/api/v1/namespaces/bench-list/configmaps?watch=true&resourceVersion=0&fieldSelector=metadata.name%3Dnone', () => {});
        w.close();
        return true;
      }));
    }
    if (want('paced')) {
      await ensureNamespace(c, agent, 'bench-paced');
      const N = 200;
      for (let i = 0; i < N; i++) await call(c, agent, 'POST', '/api/v1/namespaces/bench-paced/configmaps', cm(`p-${i}`));
      const total = Math.round(cfg.rate * cfg.pacedSeconds);
      const interval = 1000 / cfg.rate;
      const lat: number[] = [];
      let errors = 0;
      const start = nowMs();
      const pending: Promise<void>[] = [];
      for (let k = 0; k < total; k++) {
        const due = start + k * interval;
        const wait = due - nowMs();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        pending.push(call(c, agent, 'PATCH', `/api/v1/namespaces/bench-paced/configmaps/p-${k % N}`, { data: { n: String(k) } }, 'application/merge-patch+json')
          .then((r) => { if (r.status === 200) lat.push(nowMs() - due); else errors++; }, () => { errors++; }));
      }
      await Promise.all(pending);
      const secs = (nowMs() - start) / 1000;
      const r = summarize('paced', lat, errors, secs);
      r.note = `target ${cfg.rate}/s; SLO p99 < ${SLO_MS} ms: ${r.p99Ms < SLO_MS && errors === 0 ? 'met' : 'MISSED'}`;
      log(r);
    }
    if (want('fanout')) {
      await ensureNamespace(c, agent, 'bench-fanout');
      const arrivals = new Map<string, number[]>();
      const watches = await Promise.all(Array.from({ length: cfg.watchers }, () => openWatch(c, '/api/v1/namespaces/bench-fanout/configmaps?watch=true', (type, name) => {
        if (type !== 'ADDED') return;
        let a = arrivals.get(name);
        if (!a) arrivals.set(name, (a = []));
        a.push(nowMs());
      })));
      const lat: number[] = [];
      const fromAck: number[] = [];
      let errors = 0;
      let negative = 0;
      const start = nowMs();
      for (let i = 0; i < cfg.fanoutWrites; i++) {
        const name = `f-${i}`;
        const sent = nowMs();
        const r = await call(c, agent, 'POST', '/api/v1/namespaces/bench-fanout/configmaps', cm(name));
        const ack = nowMs();
        if (r.status !== 201) { errors++; continue; }
        const deadline = ack + 10_000;
        while ((arrivals.get(name)?.length ?? 0) < cfg.watchers && nowMs() < deadline) await new Promise((res) => setTimeout(res, 1));
        const got = arrivals.get(name) ?? [];
        errors += cfg.watchers - got.length;
        for (const t of got) { const d = t - ack; if (d < 0) negative++; fromAck.push(Math.max(0, d)); lat.push(t - sent); }
      }
      const secs = (nowMs() - start) / 1000;
      for (const w of watches) w.close();
      const r = summarize('fanout', lat, errors, secs);
      const ackSorted = fromAck.sort((a, b) => a - b);
      r.note = `${cfg.watchers} watchers x ${cfg.fanoutWrites} writes; latency in the table is write sent → event; write ack → event: p50 ${fmt(percentile(ackSorted, 50))} ms, p99 ${fmt(percentile(ackSorted, 99))} ms (${negative} of ${fromAck.length} events arrived before the ack, counted as 0)`;
      log(r);
    }
  } finally {
    await c.teardown();
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Report

const TITLES: Record<RowId, string> = {
  create: 'create (POST configmap)',
  get: 'get (GET configmap)',
  list: 'list (100 configmaps)',
  watch: 'watch open (until 200)',
  paced: 'paced merge PATCH',
  fanout: 'watch fan-out (sent → event)',
};

function fmt(n: number, digits = 1): string { return Number.isFinite(n) ? n.toFixed(digits) : '-'; }

async function main(): Promise<void> {
  const cfg = parseConfig(process.argv.slice(2));
  const results: Record<string, RowResult[]> = {};
  const t0 = Date.now();
  for (const kind of cfg.kinds) results[kind] = await runKind(kind, cfg);
  const lines: string[] = [];
  lines.push(`kube-apiserver benchmark: ${cfg.clients} clients, ${cfg.seconds} s per closed-loop row; paced ${cfg.rate}/s for ${cfg.pacedSeconds} s; fan-out ${cfg.watchers} watchers x ${cfg.fanoutWrites} writes (${((Date.now() - t0) / 1000).toFixed(0)} s total)`);
  lines.push('');
  lines.push(`| row | ${cfg.kinds.map((k) => `${k} ops/s | ${k} p50 ms | ${k} p99 ms | ${k} errors`).join(' | ')} |`);
  lines.push(`|---|${cfg.kinds.map(() => '---:|---:|---:|---:').join('|')}|`);
  for (const row of cfg.rows) {
    const cells = cfg.kinds.map((k) => {
      const r = results[k]!.find((x) => x.row === row);
      return r ? `${fmt(r.opsPerSec, 0)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${r.errors}` : '- | - | - | -';
    });
    lines.push(`| ${TITLES[row]} | ${cells.join(' | ')} |`);
  }
  const notes = cfg.kinds.flatMap((k) => results[k]!.filter((r) => r.note).map((r) => `- ${k} ${r.row}: ${r.note} (max ${fmt(r.maxMs)} ms)`));
  if (notes.length) lines.push('', ...notes);
  process.stdout.write(`${lines.join('\n')}\n`);
  if (cfg.jsonFile) writeFileSync(cfg.jsonFile, JSON.stringify({ config: cfg, results }, null, 2));
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
