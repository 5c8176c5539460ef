// Reads cgroup v1 (cgroupfs) accounting files and /proc the way cAdvisor does for the kubelet:
// working set = usage - total_inactive_file, cpu from cpuacct.usage, processes from pids.current.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** memory.limit_in_bytes at or above this means "no limit" (the kernel's page-rounded max int64). */
const UNLIMITED = 2n ** 62n;

export interface CgroupMemory {
  usageBytes: number;
  workingSetBytes: number;
  rssBytes: number;
  pageFaults: number;
  majorPageFaults: number;
  /** Absent when the cgroup has no limit. */
  limitBytes?: number;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}

async function readBig(path: string): Promise<bigint | undefined> {
  const t = (await readText(path))?.trim();
  if (t === undefined || !/^-?\d+$/.test(t)) return undefined;
  return BigInt(t);
}

/** Parses "key value" lines (memory.stat, cpuacct.stat). */
export function parseKeyValues(text: string): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v && /^\d+$/.test(v)) out.set(k, BigInt(v));
  }
  return out;
}

/** Memory of one cgroup (path relative to the controller mount, e.g. /kubepods/burstable/pod<uid>). */
export async function readCgroupMemory(mount: string, cgroup: string): Promise<CgroupMemory | undefined> {
  const dir = join(mount, 'memory', cgroup);
  const usage = await readBig(join(dir, 'memory.usage_in_bytes'));
  const statText = await readText(join(dir, 'memory.stat'));
  if (usage === undefined || statText === undefined) return undefined;
  const stat = parseKeyValues(statText);
  const inactiveFile = stat.get('total_inactive_file') ?? stat.get('inactive_file') ?? 0n;
  const workingSet = usage > inactiveFile ? usage - inactiveFile : 0n;
  const limit = await readBig(join(dir, 'memory.limit_in_bytes'));
  const mem: CgroupMemory = {
    usageBytes: Number(usage),
    workingSetBytes: Number(workingSet),
    rssBytes: Number(stat.get('total_rss') ?? stat.get('rss') ?? 0n),
    pageFaults: Number(stat.get('pgfault') ?? 0n),
    majorPageFaults: Number(stat.get('pgmajfault') ?? 0n),
  };
  if (limit !== undefined && limit > 0n && limit < UNLIMITED) mem.limitBytes = Number(limit);
  return mem;
}

/** Cumulative cpu time of the cgroup in nanoseconds (cpuacct.usage). */
export async function readCgroupCpuUsage(mount: string, cgroup: string): Promise<number | undefined> {
  for (const ctrl of ['cpuacct', 'cpu,cpuacct', 'cpu']) {
    const v = await readBig(join(mount, ctrl, cgroup, 'cpuacct.usage'));
    if (v !== undefined) return Number(v);
  }
  return undefined;
}

/** Tasks in the cgroup (pids.current), for process_stats. */
export async function readCgroupPids(mount: string, cgroup: string): Promise<number | undefined> {
  const v = await readBig(join(mount, 'pids', cgroup, 'pids.current'));
  return v === undefined ? undefined : Number(v);
}

/** MemTotal from /proc/meminfo in bytes: the node's memory capacity. */
export async function readMemTotal(procDir: string): Promise<number | undefined> {
  const text = await readText(join(procDir, 'meminfo'));
  const m = text ? /^MemTotal:\s+(\d+)\s*kB/m.exec(text) : null;
  return m ? Number(m[1]) * 1024 : undefined;
}

/** Boot time (btime in /proc/stat) in ms since the epoch. */
export async function readBootTime(procDir: string): Promise<number | undefined> {
  const text = await readText(join(procDir, 'stat'));
  const m = text ? /^btime\s+(\d+)/m.exec(text) : null;
  return m ? Number(m[1]) * 1000 : undefined;
}

/**
 * Upstream pidlimit.Stats: maxpid = min(kernel.pid_max, kernel.threads-max); curproc = the task
 * count from /proc/loadavg's 4th field ("running/total").
 */
export async function readRlimit(procDir: string): Promise<{ maxpid?: number; curproc?: number }> {
  let max: number | undefined;
  for (const f of ['sys/kernel/pid_max', 'sys/kernel/threads-max']) {
    const v = Number((await readText(join(procDir, f)))?.trim());
    if (!Number.isFinite(v) || v <= 0) { max = undefined; break; }
    max = max === undefined ? v : Math.min(max, v);
  }
  const load = (await readText(join(procDir, 'loadavg')))?.trim().split(/\s+/)[3];
  const total = load?.split('/')[1];
  const out: { maxpid?: number; curproc?: number } = {};
  if (max !== undefined) out.maxpid = max;
  if (total !== undefined && /^\d+$/.test(total)) out.curproc = Number(total);
  return out;
}
