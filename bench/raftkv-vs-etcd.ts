/**
 * raftkv vs etcd: the same etcd3-client workload against each server kind, each server on a fresh
 * data dir, reported as Markdown tables on stdout (progress on stderr) and optionally as JSON.
 *
 *   npx vite-node bench/raftkv-vs-etcd.ts                       # etcd and raftkv (raftkv needs `npm run build`)
 *   npx vite-node bench/raftkv-vs-etcd.ts --kinds etcd          # etcd only
 *   npx vite-node bench/raftkv-vs-etcd.ts --scale 0.2 --repeat 1  # smoke run (~15 s per kind)
 *   npx vite-node bench/raftkv-vs-etcd.ts --rows put-seq,watch --json out.json
 *
 * Rows 1-6 (puts at 1/16/64 in flight, CAS txns, linearizable gets, watch fan-out latency) each run
 * for a fixed time after a short warmup, on one server per kind and repetition that first gets a
 * 1.5 s mixed-op warmup (raftkv's JIT would otherwise tax whichever row comes first). With --repeat N
 * (default 3) the kinds alternate ABBA-style, each repetition on a new server, and the tables show
 * per-metric medians, so a slow patch of a shared machine hits both kinds alike. Row 7 (memory)
 * runs once per kind on another fresh server so its RSS is not inflated by the MVCC history of
 * the other rows. Latencies are per-op client wall times from process.hrtime.bigint(); percentiles
 * are nearest-rank. The report also says how much CPU unrelated processes used meanwhile: above
 * ~10% of a core, treat the figures as noisy.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Etcd3, type IKeyValue, type Watcher } from 'etcd3';
import { RAFTKV_CLI, startServer, type RunningServer, type ServerKind } from '../packages/raftkv/test/support/servers.js';

// ---------------------------------------------------------------------------------------------
// Configuration

const ROW_IDS = ['put-seq', 'put-c16', 'put-c64', 'txn-cas', 'get-lin', 'watch', 'memory'] as const;
type RowId = (typeof ROW_IDS)[number];
type TimedRowId = Exclude<RowId, 'memory'>;
const ALL_KINDS: readonly ServerKind[] = ['etcd', 'raftkv'];

const ROW_TITLES: Record<RowId, string> = {
  'put-seq': 'put, sequential (1 in flight)',
  'put-c16': 'put, 16 in flight',
  'put-c64': 'put, 64 in flight',
  'txn-cas': 'CAS txn (Mod==rev → put), sequential',
  'get-lin': 'linearizable get, sequential',
  watch: 'watch put→event latency',
  memory: 'memory',
};

/** Measured seconds per timed row and repetition at --scale 1 (warmup comes on top). */
const ROW_SECONDS = 2;
const WARMUP_FRACTION = 0.1;
const MIN_WARMUP_MS = 250;
/**
 * Mixed-op warmup of every server started for rows 1-6 before its first row: raftkv's JIT (and
 * this process's) would otherwise charge the first row with compilation; etcd is indifferent.
 */
const SERVER_WARMUP_MS = 1_500;
/** Keys the memory row writes at --scale 1. */
const MEMORY_KEYS = 100_000;
const MEMORY_VALUE_SIZE = 1_024;
const MEMORY_CONCURRENCY = 64;
const MEMORY_IDLE_MS = 1_000;
/** Distinct keys the put rows cycle through. */
const PUT_KEYSPACE = 1_000;
const CALL_DEADLINE_MS = 10_000;
const WATCH_EVENT_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 20_000;
const SETTLE_MS = 250;
/** Average CPU (in cores) used by unrelated processes above which the report is flagged noisy. */
const BACKGROUND_WARN_CORES = 0.1;

const USAGE = `Usage: npx vite-node bench/raftkv-vs-etcd.ts [flags]
  --kinds LIST         server kinds (env BENCH_KINDS; default etcd,raftkv)
  --rows LIST          subset of ${ROW_IDS.join(',')} (default all)
  --scale N            multiply row durations (${ROW_SECONDS} s) and memory keys (${MEMORY_KEYS}) (default 1)
  --repeat N           repetitions of rows 1-6 per kind, ABBA order, medians reported (default 3)
  --memory-keys N      keys written by the memory row (default ${MEMORY_KEYS} x scale)
  --value-size BYTES   value size for rows 1-6 (default 300)
  --watchers N         watchers in the watch row (default 100)
  --watch-clients N    etcd3 clients the watchers are spread over (default 4)
  --json FILE          also write the raw per-repetition results as JSON
`;

interface Config {
  kinds: ServerKind[];
  rows: RowId[];
  scale: number;
  repeat: number;
  memoryKeys: number;
  valueSize: number;
  watchers: number;
  watchClients: number;
  jsonFile: string | undefined;
  /** Derived: measured and warmup time per timed row. */
  rowMs: number;
  warmupMs: number;
}

function parseList<T extends string>(raw: string, allowed: readonly T[], what: string): T[] {
  const items = raw.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) {
      throw new Error(`unknown ${what} '${item}' (expected one of: ${allowed.join(', ')})`);
    }
  }
  if (items.length === 0) throw new Error(`empty ${what} list`);
  return [...new Set(items)] as T[];
}

function parsePositive(raw: string, flag: string, integer: boolean): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new Error(`${flag} must be a positive ${integer ? 'integer' : 'number'}, got '${raw}'`);
  }
  return n;
}

function parseConfig(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      kinds: { type: 'string' },
      rows: { type: 'string' },
      scale: { type: 'string', default: '1' },
      repeat: { type: 'string', default: '3' },
      'memory-keys': { type: 'string' },
      'value-size': { type: 'string', default: '300' },
      watchers: { type: 'string', default: '100' },
      'watch-clients': { type: 'string', default: '4' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const scale = parsePositive(values.scale, '--scale', false);
  const valueSize = parsePositive(values['value-size'], '--value-size', true);
  if (valueSize < 64) throw new Error('--value-size must be at least 64 (the watch row embeds a timestamp)');
  const rowMs = ROW_SECONDS * 1000 * scale;
  return {
    kinds: parseList(values.kinds ?? process.env.BENCH_KINDS ?? ALL_KINDS.join(','), ALL_KINDS, 'kind'),
    rows: parseList(values.rows ?? ROW_IDS.join(','), ROW_IDS, 'row'),
    scale,
    repeat: parsePositive(values.repeat, '--repeat', true),
    memoryKeys: values['memory-keys'] !== undefined
      ? parsePositive(values['memory-keys'], '--memory-keys', true)
      : Math.max(1_000, Math.round(MEMORY_KEYS * scale)),
    valueSize,
    watchers: parsePositive(values.watchers, '--watchers', true),
    watchClients: parsePositive(values['watch-clients'], '--watch-clients', true),
    jsonFile: values.json,
    rowMs,
    warmupMs: Math.max(MIN_WARMUP_MS, rowMs * WARMUP_FRACTION),
  };
}

// ---------------------------------------------------------------------------------------------
// Results

interface CpuReading {
  /** CPU seconds used by the server process tree during the measured phase. */
  serverCpuSec: number;
  /** CPU seconds used by this (client) process. */
  clientCpuSec: number;
  /** CPU seconds used by everything else on the machine, hypervisor steal included: noise. */
  otherCpuSec: number;
}

interface LatencyStats extends CpuReading {
  /** Measured operations (warmup excluded); for the watch row, delivered events. */
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

interface MemoryStats {
  keys: number;
  valueBytes: number;
  writeOpsPerSec: number;
  rssBaselineMiB: number;
  rssAfterWriteMiB: number;
  rssAfterIdleMiB: number;
  peakRssMiB: number;
  dataDirMiB: number;
}

interface OutcomeBase {
  kind: ServerKind;
  row: RowId;
  /** Repetition, 0-based; the memory row runs once, after all repetitions. */
  rep: number;
}

type RowOutcome =
  | (OutcomeBase & { status: 'ok'; latency: LatencyStats; note?: string })
  | (OutcomeBase & { row: 'memory'; status: 'ok'; memory: MemoryStats })
  | (OutcomeBase & { status: 'error'; error: string });

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  if (s.length === 0) return Number.NaN;
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Nearest-rank percentile of an ascending array. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] as number;
}

function summarize(latMs: number[], seconds: number, cpu: CpuReading): LatencyStats {
  const sorted = Float64Array.from(latMs).sort();
  return {
    ops: latMs.length,
    seconds,
    opsPerSec: latMs.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
    ...cpu,
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

const log = (msg: string): void => { process.stderr.write(`[bench] ${msg}\n`); };
const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));
const now = (): bigint => process.hrtime.bigint();
const elapsedMs = (t0: bigint): number => Number(now() - t0) / 1e6;
const errText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

function newClient(endpoint: string): Etcd3 {
  return new Etcd3({
    hosts: endpoint,
    // Fail a hung call instead of hanging the benchmark; streams (watch) get no deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + CALL_DEADLINE_MS }),
  });
}

/** Fresh random bytes per op, so neither server's storage can profit from compressing values. */
function value(size: number): Buffer {
  return randomBytes(size);
}

type Limit = { ops: number } | { ms: number };

/**
 * Calls `op(0)`, `op(1)`, ... with `concurrency` calls in flight (closed loop) until `limit` ops
 * have been started or `limit` ms have passed; returns per-op latencies in ms and the elapsed
 * time. The first failure stops all workers and is rethrown.
 */
async function closedLoop(
  limit: Limit,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ latMs: number[]; seconds: number }> {
  const latMs: number[] = [];
  const maxOps = 'ops' in limit ? limit.ops : Number.POSITIVE_INFINITY;
  const start = now();
  const deadline = 'ms' in limit ? start + BigInt(Math.round(limit.ms * 1e6)) : undefined;
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < maxOps) {
      const t0 = now();
      if (deadline !== undefined && t0 >= deadline) return;
      const i = next++;
      try {
        await op(i);
      } catch (e) {
        failed = true;
        throw new Error(`op #${i} failed: ${errText(e)}`);
      }
      latMs.push(Number(now() - t0) / 1e6);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latMs, seconds: elapsedMs(start) / 1000 };
}

/** Warmup (discarded), then a measured closed loop of cfg.rowMs. */
async function timedRow(
  ctx: RowContext,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<LatencyStats> {
  await closedLoop({ ms: ctx.cfg.warmupMs }, concurrency, op);
  const cpu = cpuMeter(ctx.server.pid);
  const { latMs, seconds } = await closedLoop({ ms: ctx.cfg.rowMs }, concurrency, op);
  return summarize(latMs, seconds, cpu.read());
}

// --- /proc readings --------------------------------------------------------------------------

/** Fields of /proc/<pid>/stat after the ")" closing comm: index 0 is stat field 3 (state). */
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** pid plus all its descendants (a server might fork helpers; their resources count too). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let ppid: number;
    try { ppid = Number(statFields(Number(entry))[1]); } catch { continue; }
    const list = children.get(ppid) ?? [];
    list.push(Number(entry));
    children.set(ppid, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m?.[1]) throw new Error(`no ${field} in /proc/${pid}/status (process gone?)`);
  return Number(m[1]);
}

function treeMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  let kib = 0;
  for (const p of processTree(pid)) {
    try { kib += statusKiB(p, field); } catch (e) { if (p === pid) throw e; }
  }
  return kib / 1024;
}

let clockTicks: number | undefined;

function ticksToSec(ticks: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks / clockTicks;
}

/** utime+stime of a process tree, in seconds. */
function treeCpuSec(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const f = statFields(p);
      ticks += Number(f[11]) + Number(f[12]); // stat fields 14, 15: utime, stime
    } catch {
      // exited meanwhile
    }
  }
  return ticksToSec(ticks);
}

/** Non-idle CPU time of the whole machine (user+nice+system+irq+softirq+steal), in seconds. */
function machineBusySec(): number {
  const first = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const f = first.trim().split(/\s+/).slice(1).map(Number);
  return ticksToSec((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0));
}

/** CPU of this process plus its reaped children (every server this run started and destroyed). */
function ownCpuSec(): number {
  const f = statFields('self');
  return ticksToSec(Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
}

function cpuMeter(serverPid: number): { read(): CpuReading } {
  const server0 = treeCpuSec(serverPid);
  const client0 = process.cpuUsage();
  const machine0 = machineBusySec();
  return {
    read() {
      const c = process.cpuUsage(client0);
      const serverCpuSec = treeCpuSec(serverPid) - server0;
      const clientCpuSec = (c.user + c.system) / 1e6;
      const otherCpuSec = Math.max(0, machineBusySec() - machine0 - serverCpuSec - clientCpuSec);
      return { serverCpuSec, clientCpuSec, otherCpuSec };
    },
  };
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const st = lstatSync(path);
    total += st.isDirectory() ? dirBytes(path) : st.size;
  }
  return total;
}

// --- servers ---------------------------------------------------------------------------------

const liveServers = new Set<RunningServer>();

function alive(server: RunningServer): boolean {
  try {
    return statFields(server.pid)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function waitReady(endpoint: string): Promise<void> {
  const client = newClient(endpoint);
  const deadline = Date.now() + READY_TIMEOUT_MS;
  try {
    for (;;) {
      try {
        await client.put('bench/ready').value('1').exec();
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`server not serving puts after ${READY_TIMEOUT_MS} ms: ${errText(e)}`);
        await sleep(100);
      }
    }
  } finally {
    client.close();
  }
}

async function launch(kind: ServerKind): Promise<RunningServer> {
  if (kind === 'raftkv' && !existsSync(RAFTKV_CLI)) {
    throw new Error(`${RAFTKV_CLI} not found: run \`npm run build\` first (or pass --kinds etcd)`);
  }
  const server = await startServer(kind);
  liveServers.add(server);
  try {
    await waitReady(server.endpoint);
  } catch (e) {
    await destroy(server);
    throw new Error(`${errText(e)}; server output: ${server.output().slice(-500)}`);
  }
  log(`${kind}: pid ${server.pid}, ${server.endpoint}, data dir ${server.dataDir}`);
  return server;
}

/** SIGKILL (the launcher's destroy) and remove the data dir. */
async function destroy(server: RunningServer): Promise<void> {
  liveServers.delete(server);
  await server.destroy();
}

function installSignalCleanup(): void {
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`${sig}: stopping ${liveServers.size} server(s)`);
    void Promise.allSettled([...liveServers].map((s) => s.destroy())).then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

// ---------------------------------------------------------------------------------------------
// Rows

interface RowContext {
  client: Etcd3;
  server: RunningServer;
  cfg: Config;
  rep: number;
}

const putKey = (row: RowId, i: number): string => `bench/${row}/${String(i % PUT_KEYSPACE).padStart(6, '0')}`;

function putRow(ctx: RowContext, row: 'put-seq' | 'put-c16' | 'put-c64', concurrency: number): Promise<LatencyStats> {
  return timedRow(ctx, concurrency, async (i) => {
    await ctx.client.put(putKey(row, i)).value(value(ctx.cfg.valueSize)).exec();
  });
}

async function casRow(ctx: RowContext): Promise<{ latency: LatencyStats; note: string }> {
  const key = 'bench/txn-cas/key';
  let rev = (await ctx.client.put(key).value(value(ctx.cfg.valueSize)).exec()).header.revision;
  let txns = 0;
  const latency = await timedRow(ctx, 1, async (i) => {
    const res = await ctx.client
      .if(key, 'Mod', '==', rev)
      .then(ctx.client.put(key).value(value(ctx.cfg.valueSize)))
      .commit();
    if (!res.succeeded) throw new Error(`CAS txn #${i} did not succeed (expected mod_revision ${rev})`);
    // A txn whose only op is one put creates exactly one revision: the header revision is the
    // key's new mod_revision (checked against a read below).
    rev = res.header.revision;
    txns++;
  });
  const modRev = (await ctx.client.get(key).exec()).kvs[0]?.mod_revision;
  if (modRev !== rev) throw new Error(`after the CAS loop the key's mod_revision is ${modRev}, last txn revision ${rev}`);
  return { latency, note: `${txns} txns, all succeeded` };
}

async function getRow(ctx: RowContext): Promise<LatencyStats> {
  const key = 'bench/get-lin/key';
  await ctx.client.put(key).value(value(ctx.cfg.valueSize)).exec();
  return timedRow(ctx, 1, async (i) => {
    // serializable(false) is the default; spelled out so the row is unambiguously linearizable.
    const v = await ctx.client.get(key).serializable(false).buffer();
    if (v?.length !== ctx.cfg.valueSize) throw new Error(`get #${i}: unexpected value (${v?.length ?? 'null'} bytes)`);
  });
}

/**
 * cfg.watchers watchers on one key, spread over cfg.watchClients clients (etcd3 multiplexes the
 * watchers of a client on one gRPC stream). One put at a time: its value carries a sequence number
 * and the put's hrtime start, and the next put goes out only after every watcher has seen the
 * previous one. Latency = put start → 'put' callback, per watcher; ops/s = delivered events/s.
 */
async function watchRow(ctx: RowContext): Promise<{ latency: LatencyStats; note: string }> {
  const { watchers: nWatchers, watchClients: nClients, valueSize, warmupMs, rowMs } = ctx.cfg;
  const key = 'bench/watch/key';
  const clients = Array.from({ length: nClients }, () => newClient(ctx.server.endpoint));
  const watchers: Watcher[] = [];
  const latMs: number[] = [];
  /** Puts before this sequence number are warmup. */
  let firstMeasured = Number.POSITIVE_INFINITY;
  let anomaly: Error | undefined;
  let pending: { seq: number; remaining: number; resolve: () => void; reject: (e: Error) => void } | undefined;

  const fail = (e: Error): void => {
    anomaly ??= e;
    pending?.reject(e);
  };

  try {
    for (let w = 0; w < nWatchers; w++) {
      const watcher = await (clients[w % nClients] as Etcd3).watch().key(key).create();
      let expectSeq = 0;
      watcher.on('put', (kv: IKeyValue) => {
        const at = now();
        const v = kv.value;
        const bar1 = v.indexOf(0x7c);
        const bar2 = v.indexOf(0x7c, bar1 + 1);
        const seq = Number(v.toString('latin1', 0, bar1));
        const t0 = BigInt(v.toString('latin1', bar1 + 1, bar2));
        if (seq !== expectSeq) return fail(new Error(`watcher ${w}: got put #${seq}, expected #${expectSeq}`));
        expectSeq++;
        if (seq >= firstMeasured) latMs.push(Number(at - t0) / 1e6);
        if (pending?.seq === seq && --pending.remaining === 0) pending.resolve();
      });
      watcher.on('error', (e) => fail(new Error(`watcher ${w}: ${errText(e)}`)));
      watcher.on('disconnected', (e) => fail(new Error(`watcher ${w} disconnected: ${errText(e)}`)));
      watchers.push(watcher);
    }

    const begin = now();
    let start = begin;
    let cpu: { read(): CpuReading } | undefined;
    let seq = 0;
    for (;; seq++) {
      const t = elapsedMs(begin);
      if (cpu === undefined && t >= warmupMs) {
        firstMeasured = seq;
        start = now();
        cpu = cpuMeter(ctx.server.pid);
      }
      if (cpu !== undefined && elapsedMs(start) >= rowMs) break;
      let timer: NodeJS.Timeout | undefined;
      const delivered = new Promise<void>((resolve, reject) => {
        pending = { seq, remaining: nWatchers, resolve, reject };
        timer = setTimeout(() => reject(new Error(
          `put #${seq}: ${nWatchers - (pending?.remaining ?? 0)}/${nWatchers} events within ${WATCH_EVENT_TIMEOUT_MS} ms`,
        )), WATCH_EVENT_TIMEOUT_MS);
      });
      delivered.catch(() => undefined); // awaited below; keeps a rejection during the put from going unhandled
      try {
        if (anomaly) throw anomaly;
        const t0 = now();
        const head = Buffer.from(`${seq}|${t0}|`, 'latin1');
        await ctx.client.put(key).value(Buffer.concat([head, value(valueSize - head.length)])).exec();
        await delivered;
      } finally {
        clearTimeout(timer);
        pending = undefined;
      }
    }
    const seconds = elapsedMs(start) / 1000;
    const cpuUsed = (cpu as { read(): CpuReading }).read();
    await sleep(100); // let duplicate or stray deliveries surface
    if (anomaly) throw anomaly;
    const puts = seq - firstMeasured;
    if (latMs.length !== puts * nWatchers) throw new Error(`${latMs.length} events for ${puts} puts × ${nWatchers} watchers`);
    return {
      latency: summarize(latMs, seconds, cpuUsed),
      note: `${nWatchers} watchers on ${nClients} clients, ${puts} puts`,
    };
  } finally {
    await Promise.allSettled(watchers.map((w) => w.cancel()));
    for (const c of clients) c.close();
  }
}

/** Fresh server: RSS before and after writing cfg.memoryKeys keys of 1 KiB, then after idling. */
async function memoryRow(kind: ServerKind, cfg: Config): Promise<MemoryStats> {
  const keys = cfg.memoryKeys;
  const server = await launch(kind);
  const client = newClient(server.endpoint);
  try {
    await sleep(SETTLE_MS);
    const rssBaselineMiB = treeMiB(server.pid, 'VmRSS');
    const { seconds } = await closedLoop({ ops: keys }, MEMORY_CONCURRENCY, async (i) => {
      await client.put(`bench/mem/${String(i).padStart(8, '0')}`).value(value(MEMORY_VALUE_SIZE)).exec();
    });
    const rssAfterWriteMiB = treeMiB(server.pid, 'VmRSS');
    await sleep(MEMORY_IDLE_MS);
    const rssAfterIdleMiB = treeMiB(server.pid, 'VmRSS');
    const peakRssMiB = treeMiB(server.pid, 'VmHWM');
    const count = await client.getAll().prefix('bench/mem/').count();
    if (count !== keys) throw new Error(`wrote ${keys} keys, but a count over their prefix says ${count}`);
    return {
      keys,
      valueBytes: MEMORY_VALUE_SIZE,
      writeOpsPerSec: keys / seconds,
      rssBaselineMiB,
      rssAfterWriteMiB,
      rssAfterIdleMiB,
      peakRssMiB,
      dataDirMiB: dirBytes(server.dataDir) / 2 ** 20,
    };
  } finally {
    client.close();
    await destroy(server);
  }
}

async function runRow(ctx: RowContext, row: TimedRowId): Promise<RowOutcome> {
  const base = { kind: ctx.server.kind, row, rep: ctx.rep };
  try {
    switch (row) {
      case 'put-seq': return { ...base, status: 'ok', latency: await putRow(ctx, row, 1) };
      case 'put-c16': return { ...base, status: 'ok', latency: await putRow(ctx, row, 16) };
      case 'put-c64': return { ...base, status: 'ok', latency: await putRow(ctx, row, 64) };
      case 'txn-cas': return { ...base, status: 'ok', ...(await casRow(ctx)) };
      case 'get-lin': return { ...base, status: 'ok', latency: await getRow(ctx) };
      case 'watch': return { ...base, status: 'ok', ...(await watchRow(ctx)) };
    }
  } catch (e) {
    const dead = alive(ctx.server) ? '' : ` (server exited; last output: ${ctx.server.output().slice(-500)})`;
    return { ...base, status: 'error', error: errText(e) + dead };
  }
}

/** Puts, txns and gets, at 16 in flight and then one at a time, for SERVER_WARMUP_MS (see there). */
async function warmUp(client: Etcd3, cfg: Config): Promise<void> {
  const key = 'bench/warmup/txn';
  const mixed = async (i: number): Promise<void> => {
    if (i % 2 === 0) await client.put(putKey('put-c16', i)).value(value(cfg.valueSize)).exec();
    else await client.if(key, 'Mod', '>', 0).then(client.put(key).value(value(cfg.valueSize))).commit();
    await client.get(key).buffer();
  };
  await closedLoop({ ms: SERVER_WARMUP_MS / 2 }, 16, mixed);
  await closedLoop({ ms: SERVER_WARMUP_MS / 2 }, 1, mixed);
}

/** Rows 1-6 against one fresh server. */
async function runTimedRows(kind: ServerKind, rows: TimedRowId[], cfg: Config, rep: number): Promise<RowOutcome[]> {
  let server: RunningServer;
  try {
    server = await launch(kind);
  } catch (e) {
    return rows.map((row) => ({ kind, row, rep, status: 'error', error: `start failed: ${errText(e)}` }));
  }
  const outcomes: RowOutcome[] = [];
  const client = newClient(server.endpoint);
  try {
    try {
      await warmUp(client, cfg);
    } catch (e) {
      log(`${kind}: warmup failed (${errText(e)}); continuing`);
    }
    for (const row of rows) {
      await sleep(SETTLE_MS);
      const t0 = now();
      const outcome = await runRow({ client, server, cfg, rep }, row);
      outcomes.push(outcome);
      log(`${kind} ${row} #${rep + 1}: ${describe(outcome)} [${(elapsedMs(t0) / 1000).toFixed(1)} s]`);
    }
  } finally {
    client.close();
    await destroy(server);
  }
  return outcomes;
}

async function runMemory(kind: ServerKind, cfg: Config): Promise<RowOutcome> {
  const t0 = now();
  let outcome: RowOutcome;
  try {
    outcome = { kind, row: 'memory', rep: 0, status: 'ok', memory: await memoryRow(kind, cfg) };
  } catch (e) {
    outcome = { kind, row: 'memory', rep: 0, status: 'error', error: errText(e) };
  }
  log(`${kind} memory: ${describe(outcome)} [${(elapsedMs(t0) / 1000).toFixed(1)} s]`);
  return outcome;
}

/**
 * Repetition r runs the kinds in the given order when r is even and reversed when odd (ABBA), so
 * slow drift of the machine does not systematically favour the kind that runs first.
 */
async function runAll(cfg: Config): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = [];
  const timedRows = cfg.rows.filter((r): r is TimedRowId => r !== 'memory');
  if (timedRows.length > 0) {
    for (let rep = 0; rep < cfg.repeat; rep++) {
      const order = rep % 2 === 0 ? cfg.kinds : [...cfg.kinds].reverse();
      for (const kind of order) outcomes.push(...(await runTimedRows(kind, timedRows, cfg, rep)));
    }
  }
  if (cfg.rows.includes('memory')) {
    for (const kind of cfg.kinds) outcomes.push(await runMemory(kind, cfg));
  }
  return outcomes;
}

// ---------------------------------------------------------------------------------------------
// Output

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');
const fmtMs = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const fmtMiB = (n: number): string => n.toFixed(1);
const fmtRatio = (a: number, b: number): string => (b > 0 && Number.isFinite(a / b) ? `${(a / b).toFixed(2)}×` : '–');
const fmtPct = (fraction: number): string => `${(100 * fraction).toFixed(0)}%`;

function describe(o: RowOutcome): string {
  if (o.status === 'error') return `ERROR ${o.error}`;
  if ('memory' in o) {
    const m = o.memory;
    return `${fmtInt(m.keys)} keys at ${fmtInt(m.writeOpsPerSec)} ops/s; RSS ${fmtMiB(m.rssBaselineMiB)} → ${fmtMiB(m.rssAfterWriteMiB)} → ${fmtMiB(m.rssAfterIdleMiB)} MiB`;
  }
  const l = o.latency;
  return `${fmtInt(l.opsPerSec)} ops/s, p50 ${fmtMs(l.p50Ms)} ms, p99 ${fmtMs(l.p99Ms)} ms, max ${fmtMs(l.maxMs)} ms`
    + ` (${fmtInt(l.ops)} ops; CPU/op server ${fmtInt((l.serverCpuSec / l.ops) * 1e6)} µs, client ${fmtInt((l.clientCpuSec / l.ops) * 1e6)} µs;`
    + ` other processes ${fmtPct(l.otherCpuSec / l.seconds)} of a core)`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i === 0 ? ':--' : '--:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

/** Per-metric median over the repetitions of (kind, row); undefined if any repetition failed. */
function aggregateLatency(outcomes: RowOutcome[], kind: ServerKind, row: RowId): LatencyStats | undefined {
  const stats: LatencyStats[] = [];
  for (const o of outcomes) {
    if (o.kind !== kind || o.row !== row) continue;
    if (o.status !== 'ok' || !('latency' in o)) return undefined;
    stats.push(o.latency);
  }
  if (stats.length === 0) return undefined;
  const med = (f: (l: LatencyStats) => number): number => median(stats.map(f));
  return {
    ops: med((l) => l.ops),
    seconds: med((l) => l.seconds),
    opsPerSec: med((l) => l.opsPerSec),
    p50Ms: med((l) => l.p50Ms),
    p99Ms: med((l) => l.p99Ms),
    maxMs: Math.max(...stats.map((l) => l.maxMs)),
    serverCpuSec: med((l) => l.serverCpuSec),
    clientCpuSec: med((l) => l.clientCpuSec),
    otherCpuSec: med((l) => l.otherCpuSec),
  };
}

function memoryStats(outcomes: RowOutcome[], kind: ServerKind): MemoryStats | undefined {
  const o = outcomes.find((x) => x.kind === kind && x.row === 'memory');
  return o?.status === 'ok' && 'memory' in o ? o.memory : undefined;
}

const bothKinds = (cfg: Config): boolean => cfg.kinds.includes('etcd') && cfg.kinds.includes('raftkv');

function latencyTable(cfg: Config, outcomes: RowOutcome[]): string {
  const header = ['Row'];
  for (const k of cfg.kinds) header.push(`${k} ops/s`, `${k} p50 ms`, `${k} p99 ms`);
  if (bothKinds(cfg)) header.push('raftkv/etcd ops/s (↑)', 'raftkv/etcd p50 (↓)', 'raftkv/etcd p99 (↓)');
  const rows: string[][] = [];
  for (const row of cfg.rows) {
    if (row === 'memory') continue;
    const title = row === 'watch' ? `${ROW_TITLES[row]}, ${cfg.watchers} watchers (ops/s = events/s)` : ROW_TITLES[row];
    const cells = [`${ROW_IDS.indexOf(row) + 1}. ${title}`];
    const stats = new Map<ServerKind, LatencyStats>();
    for (const k of cfg.kinds) {
      const l = aggregateLatency(outcomes, k, row);
      if (l) stats.set(k, l);
      cells.push(...(l ? [fmtInt(l.opsPerSec), fmtMs(l.p50Ms), fmtMs(l.p99Ms)] : ['error', '–', '–']));
    }
    if (bothKinds(cfg)) {
      const e = stats.get('etcd');
      const r = stats.get('raftkv');
      cells.push(...(e && r
        ? [fmtRatio(r.opsPerSec, e.opsPerSec), fmtRatio(r.p50Ms, e.p50Ms), fmtRatio(r.p99Ms, e.p99Ms)]
        : ['–', '–', '–']));
    }
    rows.push(cells);
  }
  return table(header, rows);
}

function memoryTable(cfg: Config, outcomes: RowOutcome[]): string {
  const stats = new Map<ServerKind, MemoryStats>();
  for (const k of cfg.kinds) {
    const m = memoryStats(outcomes, k);
    if (m) stats.set(k, m);
  }
  const keys = fmtInt(cfg.memoryKeys);
  const metrics: { label: string; get: (m: MemoryStats) => number; fmt: (n: number) => string }[] = [
    { label: `write ${keys} keys × 1 KiB, ${MEMORY_CONCURRENCY} in flight, ops/s (↑)`, get: (m) => m.writeOpsPerSec, fmt: fmtInt },
    { label: 'RSS after start, MiB (↓)', get: (m) => m.rssBaselineMiB, fmt: fmtMiB },
    { label: `RSS after writing ${keys} keys, MiB (↓)`, get: (m) => m.rssAfterWriteMiB, fmt: fmtMiB },
    { label: `RSS after ${MEMORY_IDLE_MS / 1000} s idle, MiB (↓)`, get: (m) => m.rssAfterIdleMiB, fmt: fmtMiB },
    { label: 'peak RSS (VmHWM), MiB (↓)', get: (m) => m.peakRssMiB, fmt: fmtMiB },
    { label: 'data dir apparent size, MiB (etcd preallocates 64 MiB WAL files)', get: (m) => m.dataDirMiB, fmt: fmtMiB },
  ];
  const header = ['7. memory (fresh server)', ...cfg.kinds, ...(bothKinds(cfg) ? ['raftkv/etcd'] : [])];
  const rows = metrics.map(({ label, get, fmt }) => {
    const cells = [label];
    for (const k of cfg.kinds) {
      const m = stats.get(k);
      cells.push(m ? fmt(get(m)) : 'error');
    }
    if (bothKinds(cfg)) {
      const e = stats.get('etcd');
      const r = stats.get('raftkv');
      cells.push(e && r ? fmtRatio(get(r), get(e)) : '–');
    }
    return cells;
  });
  return table(header, rows);
}

function etcdVersion(): string {
  try {
    const out = execFileSync('etcd', ['--version'], { encoding: 'utf8', env: { ...process.env, ETCD_UNSUPPORTED_ARCH: '' } });
    return /etcd Version: (\S+)/.exec(out)?.[1] ?? 'unknown';
  } catch {
    return 'not found';
  }
}

// ---------------------------------------------------------------------------------------------
// Main

async function main(): Promise<number> {
  const cfg = parseConfig(process.argv.slice(2));
  installSignalCleanup();
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    etcdVersion: etcdVersion(),
    client: 'etcd3 (npm)',
    ...cfg,
  };
  log(`kinds ${cfg.kinds.join(',')}; rows ${cfg.rows.join(',')}; ${cfg.repeat} × ${cfg.rowMs / 1000} s per timed row; `
    + `${cfg.memoryKeys} memory keys; value ${cfg.valueSize} B`);

  const t0 = now();
  const machine0 = machineBusySec();
  const own0 = ownCpuSec();
  const outcomes = await runAll(cfg);
  const seconds = elapsedMs(t0) / 1000;
  // Machine CPU that was neither this process nor a server it started (all reaped by now).
  const backgroundCores = Math.max(0, machineBusySec() - machine0 - (ownCpuSec() - own0)) / seconds;

  const out: string[] = [`## raftkv vs etcd ${meta.etcdVersion}`, ''];
  out.push([
    meta.date,
    `Node ${meta.node}`,
    `${meta.cpus}× ${meta.cpuModel}`,
    'client etcd3',
    `value ${cfg.valueSize} B`,
    `${cfg.rowMs / 1000} s per row${cfg.repeat > 1 ? `, median of ${cfg.repeat} runs per kind (ABBA order)` : ''}`,
    `took ${seconds.toFixed(0)} s`,
    `background CPU ${fmtPct(backgroundCores)} of a core`,
  ].join(' · '), '');
  if (backgroundCores > BACKGROUND_WARN_CORES) {
    const warning = `**Warning:** other processes used ${fmtPct(backgroundCores)} of a core on average during this run; the figures are noisy. Rerun on an idle machine.`;
    out.push(warning, '');
    log(warning.replace(/\*/g, ''));
  }
  if (cfg.rows.some((r) => r !== 'memory')) out.push(latencyTable(cfg, outcomes), '');
  if (cfg.rows.includes('memory')) out.push(memoryTable(cfg, outcomes), '');
  out.push('Latencies are per-op client wall times, warmup excluded. Ratios: ops/s > 1 means raftkv is faster; latency and memory < 1 mean raftkv is better.');
  const errors = outcomes.filter((o): o is Extract<RowOutcome, { status: 'error' }> => o.status === 'error');
  if (errors.length > 0) {
    out.push('', '**Errors:**');
    for (const e of errors) out.push(`- ${e.kind} ${e.row}${e.row === 'memory' ? '' : ` #${e.rep + 1}`}: ${e.error.replace(/\s+/g, ' ')}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);

  if (cfg.jsonFile) {
    writeFileSync(cfg.jsonFile, `${JSON.stringify({ meta: { ...meta, seconds, backgroundCores }, results: outcomes }, null, 2)}\n`);
    log(`wrote ${cfg.jsonFile}`);
  }
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  async (e: unknown) => {
    log(`fatal: ${errText(e)}`);
    await Promise.allSettled([...liveServers].map((s) => s.destroy()));
    process.exitCode = 2;
  },
);
