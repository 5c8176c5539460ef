/**
 * raftkv vs etcd: the same client workload against each server kind in turn, each on a fresh
 * data dir, using the `etcd3` npm client. Prints Markdown tables to stdout (progress goes to
 * stderr) and optionally writes the raw results as JSON.
 *
 *   npx vite-node bench/raftkv-vs-etcd.ts                    # etcd, then raftkv (needs `npm run build`)
 *   npx vite-node bench/raftkv-vs-etcd.ts --kinds etcd       # only etcd
 *   npx vite-node bench/raftkv-vs-etcd.ts --scale 0.2        # quick smoke run (op counts x0.2)
 *   npx vite-node bench/raftkv-vs-etcd.ts --rows put-seq,watch --json out.json
 *
 * Flags: --kinds LIST (or env BENCH_KINDS; default etcd,raftkv), --scale N (default 1),
 * --rows LIST (default all: put-seq,put-c16,put-c64,txn-cas,get-lin,watch,memory),
 * --value-size BYTES (default 300), --watchers N (default 100), --watch-clients N (default 4),
 * --json FILE.
 *
 * Rows 1-6 run against one server per kind; the memory row starts a second, fresh server so its
 * RSS is not inflated by the MVCC history the other rows leave behind. Latencies are per-op wall
 * times from process.hrtime.bigint() in this process; percentiles are nearest-rank.
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
const ALL_KINDS: readonly ServerKind[] = ['etcd', 'raftkv'];

/** Op counts at --scale 1, sized so one kind takes ~45 s on a 2-core machine against etcd 3.4. */
const BASE_OPS = {
  'put-seq': 5_000,
  'put-c16': 15_000,
  'put-c64': 20_000,
  'txn-cas': 4_000,
  'get-lin': 6_000,
  /** Puts; each one fans out to every watcher. */
  watch: 400,
  /** Keys written before the RSS reading. */
  memory: 100_000,
} as const satisfies Record<RowId, number>;

const ROW_TITLES: Record<RowId, string> = {
  'put-seq': 'put, sequential (1 in flight)',
  'put-c16': 'put, 16 in flight',
  'put-c64': 'put, 64 in flight',
  'txn-cas': 'CAS txn (Mod==rev → put), sequential',
  'get-lin': 'linearizable get, sequential',
  watch: 'watch put→event latency',
  memory: 'memory',
};

/** Distinct keys the put rows cycle through. */
const PUT_KEYSPACE = 1_000;
const MEMORY_VALUE_SIZE = 1_024;
const MEMORY_CONCURRENCY = 64;
const MEMORY_IDLE_MS = 1_000;
const CALL_DEADLINE_MS = 10_000;
const WATCH_EVENT_TIMEOUT_MS = 10_000;
const READY_TIMEOUT_MS = 20_000;
const SETTLE_MS = 250;
/** Average CPU (in cores) used by unrelated processes above which the report is flagged noisy. */
const BACKGROUND_WARN_CORES = 0.1;

const USAGE = `Usage: npx vite-node bench/raftkv-vs-etcd.ts [flags]
  --kinds LIST          server kinds, in order (env BENCH_KINDS; default etcd,raftkv)
  --rows LIST           ${ROW_IDS.join(',')} (default all)
  --scale N             multiply every op count (default 1; 0.2 for a smoke run)
  --repeat N            run rows 1-6 N times per kind, alternating kinds (ABBA), fresh server
                        each time, and report per-metric medians (default 1)
  --value-size BYTES    value size for rows 1-6 (default 300)
  --watchers N          watchers in the watch row (default 100)
  --watch-clients N     clients the watchers are spread over (default 4)
  --json FILE           also write raw results as JSON
`;

interface Config {
  kinds: ServerKind[];
  rows: RowId[];
  scale: number;
  repeat: number;
  valueSize: number;
  watchers: number;
  watchClients: number;
  jsonFile: string | undefined;
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
      repeat: { type: 'string', default: '1' },
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
  const valueSize = parsePositive(values['value-size'], '--value-size', true);
  if (valueSize < 64) throw new Error('--value-size must be at least 64 (the watch row embeds a timestamp)');
  return {
    kinds: parseList(values.kinds ?? process.env.BENCH_KINDS ?? ALL_KINDS.join(','), ALL_KINDS, 'kind'),
    rows: parseList(values.rows ?? ROW_IDS.join(','), ROW_IDS, 'row'),
    scale: parsePositive(values.scale, '--scale', false),
    repeat: parsePositive(values.repeat, '--repeat', true),
    valueSize,
    watchers: parsePositive(values.watchers, '--watchers', true),
    watchClients: parsePositive(values['watch-clients'], '--watch-clients', true),
    jsonFile: values.json,
  };
}

function opsFor(row: RowId, scale: number): { ops: number; warmup: number } {
  const ops = Math.max(10, Math.round(BASE_OPS[row] * scale));
  return { ops, warmup: Math.max(5, Math.round(ops * 0.05)) };
}

// ---------------------------------------------------------------------------------------------
// Results

interface LatencyStats {
  /** Measured operations (warmup excluded); for the watch row, delivered events. */
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /**
   * CPU seconds burnt during the measured phase by the server process tree, by this (client)
   * process, and by everything else on the machine (plus hypervisor steal): other > 0 means noise.
   */
  serverCpuSec?: number;
  clientCpuSec?: number;
  otherCpuSec?: number;
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
  /** Repetition (0-based); the memory row runs once, after all repetitions. */
  rep: number;
}

type RowOutcome =
  | (OutcomeBase & { status: 'ok'; latency: LatencyStats; note?: string })
  | (OutcomeBase & { row: 'memory'; status: 'ok'; memory: MemoryStats })
  | (OutcomeBase & { status: 'error'; error: string });

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? Number.NaN) + (s[mid] ?? Number.NaN)) / 2;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? Number.NaN;
}

function summarize(latMs: Float64Array, seconds: number): LatencyStats {
  const sorted = Float64Array.from(latMs).sort();
  return {
    ops: latMs.length,
    seconds,
    opsPerSec: latMs.length / seconds,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
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
    // Fail a hung call instead of hanging the benchmark; streams (watch) have no deadline.
    defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + CALL_DEADLINE_MS }),
  });
}

/** Random (incompressible) value bytes, so LevelDB/bbolt compression cannot flatter either side. */
function value(size: number): Buffer {
  return randomBytes(size);
}

/**
 * Runs `total` calls of `op` with `concurrency` in flight (closed loop) and returns the per-op
 * latencies. The first failure stops every worker and is rethrown.
 */
async function closedLoop(
  total: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<{ latMs: Float64Array; seconds: number }> {
  const latMs = new Float64Array(total);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < total) {
      const i = next++;
      const t0 = now();
      try {
        await op(i);
      } catch (e) {
        failed = true;
        throw new Error(`op #${i} failed: ${errText(e)}`);
      }
      latMs[i] = elapsedMs(t0);
    }
  };
  const start = now();
  await Promise.all(Array.from({ length: Math.min(concurrency, total) }, worker));
  return { latMs, seconds: elapsedMs(start) / 1000 };
}

/** Warmup (discarded), then a measured closed loop. */
async function measured(
  server: RunningServer,
  ops: number,
  warmup: number,
  concurrency: number,
  op: (i: number) => Promise<void>,
): Promise<LatencyStats> {
  await closedLoop(warmup, concurrency, (i) => op(ops + i));
  const cpu = cpuMeter(server.pid);
  const { latMs, seconds } = await closedLoop(ops, concurrency, op);
  return { ...summarize(latMs, seconds), ...cpu.read() };
}

// --- /proc readings --------------------------------------------------------------------------

function procStatusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+)\\s+kB`, 'm').exec(text);
  if (!m?.[1]) throw new Error(`no ${field} in /proc/${pid}/status (process gone?)`);
  return Number(m[1]);
}

/** pid plus all its descendants (a server might fork helpers; their memory counts too). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${entry}/stat`, 'utf8'); } catch { continue; }
    // Fields after the ")" that closes comm: state ppid ...
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
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

function treeKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  let sum = 0;
  for (const p of processTree(pid)) {
    try { sum += procStatusKiB(p, field); } catch (e) { if (p === pid) throw e; }
  }
  return sum;
}

let clockTicks: number | undefined;

function ticksToSec(ticks: number): number {
  clockTicks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return ticks / clockTicks;
}

/** Fields of /proc/<pid>/stat after the ")" closing comm: index 0 is field 3 (state). */
function statFields(pid: number | 'self'): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime+stime of a process tree, in seconds. */
function treeCpuSec(pid: number): number {
  let ticks = 0;
  for (const p of processTree(pid)) {
    try {
      const f = statFields(p);
      ticks += Number(f[11]) + Number(f[12]); // utime, stime (stat fields 14, 15)
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

/** This process plus its reaped children (every server this run started and destroyed). */
function ownCpuSec(): number {
  const f = statFields('self');
  return ticksToSec(Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
}

interface CpuReading { serverCpuSec: number; clientCpuSec: number; otherCpuSec: number }

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

const MiB = (kib: number): number => kib / 1024;

// --- servers ---------------------------------------------------------------------------------

const liveServers = new Set<RunningServer>();

function alive(server: RunningServer): boolean {
  return existsSync(`/proc/${server.pid}/status`) && !/^State:\s+Z/m.test(readFileSync(`/proc/${server.pid}/status`, 'utf8'));
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
    throw e;
  }
  log(`${kind}: pid ${server.pid}, ${server.endpoint}, data dir ${server.dataDir}`);
  return server;
}

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

async function putRow(ctx: RowContext, row: 'put-seq' | 'put-c16' | 'put-c64', concurrency: number): Promise<LatencyStats> {
  const { ops, warmup } = opsFor(row, ctx.cfg.scale);
  return measured(ctx.server, ops, warmup, concurrency, async (i) => {
    await ctx.client.put(putKey(row, i)).value(value(ctx.cfg.valueSize)).exec();
  });
}

async function casRow(ctx: RowContext): Promise<{ latency: LatencyStats; note: string }> {
  const { ops, warmup } = opsFor('txn-cas', ctx.cfg.scale);
  const key = 'bench/txn-cas/key';
  const first = await ctx.client.put(key).value(value(ctx.cfg.valueSize)).exec();
  let rev = first.header.revision;
  const latency = await measured(ctx.server, ops, warmup, 1, async (i) => {
    const res = await ctx.client
      .if(key, 'Mod', '==', rev)
      .then(ctx.client.put(key).value(value(ctx.cfg.valueSize)))
      .commit();
    if (!res.succeeded) throw new Error(`CAS txn #${i} did not succeed (expected mod_revision ${rev})`);
    // A txn whose only op is a put creates exactly one revision, so the header revision is the
    // key's new mod_revision.
    rev = res.header.revision;
  });
  const check = await ctx.client.get(key).exec();
  const modRev = check.kvs[0]?.mod_revision;
  if (modRev !== rev) throw new Error(`after CAS loop: key mod_revision ${modRev}, last txn header revision ${rev}`);
  return { latency, note: 'all txns succeeded' };
}

async function getRow(ctx: RowContext): Promise<LatencyStats> {
  const { ops, warmup } = opsFor('get-lin', ctx.cfg.scale);
  const key = 'bench/get-lin/key';
  await ctx.client.put(key).value(value(ctx.cfg.valueSize)).exec();
  return measured(ctx.server, ops, warmup, 1, async (i) => {
    // serializable(false) is the default; spelled out so the row is unambiguously linearizable.
    const v = await ctx.client.get(key).serializable(false).buffer();
    if (v === null || v.length !== ctx.cfg.valueSize) throw new Error(`get #${i}: unexpected value (${v?.length ?? 'null'} bytes)`);
  });
}

/**
 * `watchers` watchers on one key, spread over `watchClients` clients (etcd3 multiplexes all the
 * watchers of a client on one gRPC stream). One put at a time: the value carries the put's
 * sequence number and its hrtime start; the next put is issued only after every watcher has seen
 * the previous one. Latency = put start → event callback, per watcher; rate = events/s.
 */
async function watchRow(ctx: RowContext): Promise<{ latency: LatencyStats; note: string }> {
  const { ops: puts, warmup } = opsFor('watch', ctx.cfg.scale);
  const { watchers: nWatchers, watchClients: nClients, valueSize } = ctx.cfg;
  const key = 'bench/watch/key';
  const total = warmup + puts;
  const clients = Array.from({ length: nClients }, () => newClient(ctx.server.endpoint));
  const watchers: Watcher[] = [];
  const latMs = new Float64Array(puts * nWatchers);
  let recorded = 0;
  let anomaly: Error | undefined;
  let pending: { seq: number; remaining: number; resolve: () => void; reject: (e: Error) => void } | undefined;

  const fail = (e: Error): void => {
    anomaly ??= e;
    pending?.reject(e);
  };

  try {
    for (let w = 0; w < nWatchers; w++) {
      const client = clients[w % nClients] as Etcd3;
      const watcher = await client.watch().key(key).create();
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
        if (seq >= warmup) latMs[recorded++] = Number(at - t0) / 1e6;
        if (pending?.seq === seq && --pending.remaining === 0) pending.resolve();
      });
      watcher.on('error', (e) => fail(new Error(`watcher ${w}: ${errText(e)}`)));
      watcher.on('disconnected', (e) => fail(new Error(`watcher ${w} disconnected: ${errText(e)}`)));
      watchers.push(watcher);
    }

    let start = now();
    let cpu = cpuMeter(ctx.server.pid);
    for (let seq = 0; seq < total; seq++) {
      if (seq === warmup) {
        start = now();
        cpu = cpuMeter(ctx.server.pid);
      }
      let timer: NodeJS.Timeout | undefined;
      const delivered = new Promise<void>((resolve, reject) => {
        pending = { seq, remaining: nWatchers, resolve, reject };
        timer = setTimeout(
          () => reject(new Error(`put #${seq}: ${nWatchers - (pending?.remaining ?? 0)}/${nWatchers} events within ${WATCH_EVENT_TIMEOUT_MS} ms`)),
          WATCH_EVENT_TIMEOUT_MS,
        );
      });
      delivered.catch(() => undefined); // observed below; avoid an unhandled rejection if the put throws first
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
    const cpuUsed = cpu.read();
    await sleep(100); // catch duplicate / stray deliveries
    if (anomaly) throw anomaly;
    if (recorded !== latMs.length) throw new Error(`recorded ${recorded} events, expected ${latMs.length}`);
    return {
      latency: { ...summarize(latMs, seconds), ...cpuUsed },
      note: `${nWatchers} watchers on ${nClients} clients, ${puts} puts`,
    };
  } finally {
    await Promise.allSettled(watchers.map((w) => w.cancel()));
    for (const c of clients) c.close();
  }
}

/** Fresh server: RSS before and after writing N keys of 1 KiB, then after an idle second. */
async function memoryRow(kind: ServerKind, cfg: Config): Promise<MemoryStats> {
  const { ops: keys } = opsFor('memory', cfg.scale);
  const server = await launch(kind);
  const client = newClient(server.endpoint);
  try {
    await sleep(SETTLE_MS);
    const rssBaseline = treeKiB(server.pid, 'VmRSS');
    const key = (i: number): string => `bench/mem/${String(i).padStart(8, '0')}`;
    const { seconds } = await closedLoop(keys, MEMORY_CONCURRENCY, async (i) => {
      await client.put(key(i)).value(value(MEMORY_VALUE_SIZE)).exec();
    });
    const rssAfterWrite = treeKiB(server.pid, 'VmRSS');
    await sleep(MEMORY_IDLE_MS);
    const rssAfterIdle = treeKiB(server.pid, 'VmRSS');
    const peak = treeKiB(server.pid, 'VmHWM');
    const count = await client.getAll().prefix('bench/mem/').count();
    if (count !== keys) throw new Error(`wrote ${keys} keys, count(prefix) says ${count}`);
    return {
      keys,
      valueBytes: MEMORY_VALUE_SIZE,
      writeOpsPerSec: keys / seconds,
      rssBaselineMiB: MiB(rssBaseline),
      rssAfterWriteMiB: MiB(rssAfterWrite),
      rssAfterIdleMiB: MiB(rssAfterIdle),
      peakRssMiB: MiB(peak),
      dataDirMiB: dirBytes(server.dataDir) / 2 ** 20,
    };
  } finally {
    client.close();
    await destroy(server);
  }
}

type MainRowId = Exclude<RowId, 'memory'>;

async function runRow(ctx: RowContext, row: MainRowId): Promise<RowOutcome> {
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

/** Rows 1-6 against one fresh server. */
async function runMainRows(kind: ServerKind, rows: MainRowId[], cfg: Config, rep: number): Promise<RowOutcome[]> {
  const outcomes: RowOutcome[] = [];
  let server: RunningServer;
  try {
    server = await launch(kind);
  } catch (e) {
    return rows.map((row) => ({ kind, row, rep, status: 'error', error: `start failed: ${errText(e)}` }));
  }
  const client = newClient(server.endpoint);
  try {
    for (const row of rows) {
      await sleep(SETTLE_MS);
      const t0 = now();
      const outcome = await runRow({ client, server, cfg, rep }, row);
      outcomes.push(outcome);
      log(`${kind} ${row}${cfg.repeat > 1 ? ` #${rep + 1}` : ''}: ${describe(outcome)} [${(elapsedMs(t0) / 1000).toFixed(1)} s]`);
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
  const mainRows = cfg.rows.filter((r): r is MainRowId => r !== 'memory');
  if (mainRows.length > 0) {
    for (let rep = 0; rep < cfg.repeat; rep++) {
      const order = rep % 2 === 0 ? cfg.kinds : [...cfg.kinds].reverse();
      for (const kind of order) outcomes.push(...(await runMainRows(kind, mainRows, cfg, rep)));
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

function describe(o: RowOutcome): string {
  if (o.status === 'error') return `ERROR ${o.error}`;
  if ('memory' in o) {
    const m = o.memory;
    return `${fmtInt(m.keys)} keys at ${fmtInt(m.writeOpsPerSec)} ops/s; RSS ${fmtMiB(m.rssBaselineMiB)} → ${fmtMiB(m.rssAfterWriteMiB)} → ${fmtMiB(m.rssAfterIdleMiB)} MiB`;
  }
  const l = o.latency;
  const cpu = l.serverCpuSec !== undefined && l.clientCpuSec !== undefined && l.otherCpuSec !== undefined
    ? `; CPU/op server ${fmtInt((l.serverCpuSec / l.ops) * 1e6)} µs, client ${fmtInt((l.clientCpuSec / l.ops) * 1e6)} µs;`
      + ` other processes ${fmtInt((100 * l.otherCpuSec) / l.seconds)}% of a core`
    : '';
  return `${fmtInt(l.opsPerSec)} ops/s, p50 ${fmtMs(l.p50Ms)} ms, p99 ${fmtMs(l.p99Ms)} ms, max ${fmtMs(l.maxMs)} ms (${fmtInt(l.ops)} ops${cpu})`;
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  const align = header.map((_, i) => (i === 0 ? ':--' : '--:'));
  return [line(header), line(align), ...rows.map(line)].join('\n');
}

/** Per-metric median over the repetitions of (kind, row); undefined if any repetition failed. */
function aggregateLatency(outcomes: RowOutcome[], kind: ServerKind, row: RowId): LatencyStats | undefined {
  const mine = outcomes.filter((o) => o.kind === kind && o.row === row);
  const stats: LatencyStats[] = [];
  for (const o of mine) {
    if (o.status !== 'ok' || !('latency' in o)) return undefined;
    stats.push(o.latency);
  }
  if (stats.length === 0) return undefined;
  const med = (f: (l: LatencyStats) => number | undefined): number => median(stats.map((l) => f(l) ?? Number.NaN));
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

function latencyTable(cfg: Config, outcomes: RowOutcome[]): string {
  const withRatio = cfg.kinds.includes('etcd') && cfg.kinds.includes('raftkv');
  const header = ['Row'];
  for (const k of cfg.kinds) header.push(`${k} ops/s`, `${k} p50 ms`, `${k} p99 ms`);
  if (withRatio) header.push('raftkv/etcd ops/s (↑)', 'raftkv/etcd p50 (↓)', 'raftkv/etcd p99 (↓)');
  const rows: string[][] = [];
  for (const row of cfg.rows) {
    if (row === 'memory') continue;
    const label = row === 'watch'
      ? `${ROW_IDS.indexOf(row) + 1}. ${ROW_TITLES[row]}, ${cfg.watchers} watchers (ops/s = events/s)`
      : `${ROW_IDS.indexOf(row) + 1}. ${ROW_TITLES[row]}`;
    const cells = [label];
    const stats = new Map<ServerKind, LatencyStats>();
    for (const k of cfg.kinds) {
      const l = aggregateLatency(outcomes, k, row);
      if (l) {
        stats.set(k, l);
        cells.push(fmtInt(l.opsPerSec), fmtMs(l.p50Ms), fmtMs(l.p99Ms));
      } else {
        cells.push('error', '–', '–');
      }
    }
    if (withRatio) {
      const e = stats.get('etcd');
      const r = stats.get('raftkv');
      if (e && r) cells.push(fmtRatio(r.opsPerSec, e.opsPerSec), fmtRatio(r.p50Ms, e.p50Ms), fmtRatio(r.p99Ms, e.p99Ms));
      else cells.push('–', '–', '–');
    }
    rows.push(cells);
  }
  return table(header, rows);
}

function memoryTable(cfg: Config, outcomes: RowOutcome[]): string {
  const withRatio = cfg.kinds.includes('etcd') && cfg.kinds.includes('raftkv');
  const stats = new Map<ServerKind, MemoryStats>();
  for (const k of cfg.kinds) {
    const m = memoryStats(outcomes, k);
    if (m) stats.set(k, m);
  }
  const anyStats = [...stats.values()][0];
  const keys = anyStats ? fmtInt(anyStats.keys) : '?';
  const metrics: { label: string; get: (m: MemoryStats) => number; fmt: (n: number) => string }[] = [
    { label: `write ${keys} keys × 1 KiB, ${MEMORY_CONCURRENCY} in flight (ops/s, ↑)`, get: (m) => m.writeOpsPerSec, fmt: fmtInt },
    { label: 'RSS after start, MiB (↓)', get: (m) => m.rssBaselineMiB, fmt: fmtMiB },
    { label: `RSS after writing ${keys} keys, MiB (↓)`, get: (m) => m.rssAfterWriteMiB, fmt: fmtMiB },
    { label: `RSS after ${MEMORY_IDLE_MS} ms idle, MiB (↓)`, get: (m) => m.rssAfterIdleMiB, fmt: fmtMiB },
    { label: 'peak RSS (VmHWM), MiB (↓)', get: (m) => m.peakRssMiB, fmt: fmtMiB },
    { label: 'data dir apparent size (etcd: incl. preallocated WAL), MiB', get: (m) => m.dataDirMiB, fmt: fmtMiB },
  ];
  const header = ['7. memory (fresh server)', ...cfg.kinds];
  if (withRatio) header.push('raftkv/etcd');
  const rows = metrics.map(({ label, get, fmt }) => {
    const cells = [label];
    for (const k of cfg.kinds) {
      const m = stats.get(k);
      cells.push(m ? fmt(get(m)) : 'error');
    }
    if (withRatio) {
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
    ops: Object.fromEntries(ROW_IDS.map((r) => [r, opsFor(r, cfg.scale)])),
  };
  log(`kinds ${cfg.kinds.join(',')}, rows ${cfg.rows.join(',')}, scale ${cfg.scale}, repeat ${cfg.repeat}, value ${cfg.valueSize} B`);
  const t0 = now();
  const machine0 = machineBusySec();
  const own0 = ownCpuSec();
  const outcomes = await runAll(cfg);
  const seconds = elapsedMs(t0) / 1000;
  // Everything busy on the machine that was neither this process nor a server it started.
  const backgroundCores = Math.max(0, machineBusySec() - machine0 - (ownCpuSec() - own0)) / seconds;
  const busyWarning = backgroundCores > BACKGROUND_WARN_CORES
    ? `**Warning:** other processes used ${(100 * backgroundCores).toFixed(0)}% of a core on average during this run; figures are noisy. Rerun on an idle machine.`
    : undefined;
  if (busyWarning) log(busyWarning.replace(/\*/g, ''));

  const out: string[] = [];
  out.push(`## raftkv vs etcd ${meta.etcdVersion}`, '');
  out.push(`${meta.date} · Node ${meta.node} · ${meta.cpus}× ${meta.cpuModel} · client etcd3 · value ${cfg.valueSize} B · scale ${cfg.scale}${cfg.repeat > 1 ? ` · median of ${cfg.repeat} runs per kind (ABBA order)` : ''} · took ${seconds.toFixed(0)} s · background CPU ${(100 * backgroundCores).toFixed(0)}% of a core`, '');
  if (busyWarning) out.push(busyWarning, '');
  if (cfg.rows.some((r) => r !== 'memory')) out.push(latencyTable(cfg, outcomes), '');
  if (cfg.rows.includes('memory')) out.push(memoryTable(cfg, outcomes), '');
  out.push('Latencies are per-op client wall times (warmup excluded). ops/s ratio > 1: raftkv faster; latency / RSS ratio < 1: raftkv better.');
  const errors = outcomes.filter((o): o is Extract<RowOutcome, { status: 'error' }> => o.status === 'error');
  if (errors.length > 0) {
    out.push('', '**Errors:**', ...errors.map((e) => `- ${e.kind} ${e.row}${cfg.repeat > 1 && e.row !== 'memory' ? ` #${e.rep + 1}` : ''}: ${e.error.replace(/\s+/g, ' ')}`));
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
