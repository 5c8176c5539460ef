// Pod-level cgroups on cgroup v1 (cgroupfs driver). containerd/runc create the container cgroups
// below the parent we pass in the sandbox config, but never remove the pod level: the kubelet
// creates it with the pod's limits and removes it once the pod's containers are gone.
import { mkdir, readdir, rmdir, writeFile, access } from 'node:fs/promises';
import { join } from 'node:path';
import { milliValue, value, type Pod } from '@kube-ts/client';
import { podCgroupName, qosClass } from './qos.js';

const CONTROLLERS = ['cpu', 'cpuacct', 'memory', 'pids', 'cpuset', 'blkio', 'devices', 'freezer'];
/** Hierarchies without limits that runc still creates container cgroups in (cleanup only). */
const EXTRA_HIERARCHIES = ['systemd', 'unified'];
const CPU_PERIOD_US = 100_000;
const MIN_SHARES = 2;

export interface PodCgroupLimits {
  cpuShares: number;
  cpuQuotaUs?: number;
  memoryLimitBytes?: number;
}

/** Pod totals as upstream's ResourceConfigForPod: shares from requests, quota/limit only if every container has one. */
export function podCgroupLimits(p: Pod): PodCgroupLimits {
  let cpuReq = 0;
  let cpuLim = 0;
  let memLim = 0;
  let allCpu = true;
  let allMem = true;
  for (const c of p.spec.containers) {
    const r = c.resources ?? {};
    const req = r.requests?.['cpu'] ?? r.limits?.['cpu'];
    if (req !== undefined) cpuReq += milliValue(String(req));
    if (r.limits?.['cpu'] !== undefined) cpuLim += milliValue(String(r.limits['cpu']));
    else allCpu = false;
    if (r.limits?.['memory'] !== undefined) memLim += value(String(r.limits['memory']));
    else allMem = false;
  }
  const out: PodCgroupLimits = { cpuShares: Math.max(MIN_SHARES, Math.floor((cpuReq * 1024) / 1000)) };
  if (qosClass(p) === 'BestEffort') out.cpuShares = MIN_SHARES;
  if (allCpu && cpuLim > 0) out.cpuQuotaUs = Math.max(1000, Math.floor((cpuLim * CPU_PERIOD_US) / 1000));
  if (allMem && memLim > 0) out.memoryLimitBytes = memLim;
  return out;
}

export class CgroupManager {
  constructor(
    private readonly mountRoot = '/sys/fs/cgroup',
    private readonly cgroupRoot = '/',
  ) {}

  podCgroup(p: Pod): string {
    return podCgroupName(p, this.cgroupRoot);
  }

  private async available(): Promise<string[]> {
    const out: string[] = [];
    for (const c of CONTROLLERS) {
      try {
        await access(join(this.mountRoot, c, 'tasks'));
        out.push(c);
      } catch {
        /* controller not mounted */
      }
    }
    return out;
  }

  /** Creates the pod cgroup in every mounted controller and applies the pod limits. */
  async ensurePod(p: Pod): Promise<string> {
    const name = this.podCgroup(p);
    const limits = podCgroupLimits(p);
    for (const c of await this.available()) {
      const dir = join(this.mountRoot, c, name);
      await mkdir(dir, { recursive: true });
      if (c === 'cpuset') await this.inheritCpuset(name);
    }
    await this.write('cpu', name, 'cpu.shares', String(limits.cpuShares));
    if (limits.cpuQuotaUs !== undefined) {
      await this.write('cpu', name, 'cpu.cfs_period_us', String(CPU_PERIOD_US));
      await this.write('cpu', name, 'cpu.cfs_quota_us', String(limits.cpuQuotaUs));
    }
    if (limits.memoryLimitBytes !== undefined) await this.write('memory', name, 'memory.limit_in_bytes', String(limits.memoryLimitBytes));
    return name;
  }

  // A fresh cpuset cgroup has empty cpus/mems and refuses tasks: copy from each parent down.
  private async inheritCpuset(name: string): Promise<void> {
    const parts = name.split('/').filter(Boolean);
    const { readFile } = await import('node:fs/promises');
    let parent = join(this.mountRoot, 'cpuset');
    for (const part of parts) {
      const dir = join(parent, part);
      for (const f of ['cpuset.cpus', 'cpuset.mems']) {
        const cur = (await readFile(join(dir, f), 'utf8').catch(() => '')).trim();
        if (!cur) {
          const v = (await readFile(join(parent, f), 'utf8').catch(() => '')).trim();
          if (v) await writeFile(join(dir, f), v).catch(() => undefined);
        }
      }
      parent = dir;
    }
  }

  private async write(ctrl: string, name: string, file: string, v: string): Promise<void> {
    await writeFile(join(this.mountRoot, ctrl, name, file), v).catch(() => undefined);
  }

  /** Removes the pod cgroup (and any container cgroups left below it) from every controller. */
  async removePod(p: Pod): Promise<void> {
    await this.removeByName(this.podCgroup(p));
  }

  async removeByName(name: string): Promise<void> {
    // runc also places containers in the named systemd hierarchy and the cgroup2 mount of a
    // hybrid host; their pod directories must go too or every pod leaves two behind.
    const dirs = [...(await this.available()), ...EXTRA_HIERARCHIES];
    for (const c of dirs) await rmTree(join(this.mountRoot, c, name));
  }

  /** Pod UIDs that still have a cgroup (orphan cleanup after restarts). */
  async listPodUids(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const base = `${this.cgroupRoot.replace(/\/$/, '')}/kubepods`;
    for (const sub of ['', 'burstable', 'besteffort']) {
      const rel = sub ? `${base}/${sub}` : base;
      const entries = await readdir(join(this.mountRoot, 'memory', rel), { withFileTypes: true }).catch(() => []);
      for (const e of entries) if (e.isDirectory() && e.name.startsWith('pod')) out.set(e.name.slice(3), `${rel}/${e.name}`);
    }
    return out;
  }
}

async function rmTree(dir: string): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => null);
  if (!entries) return;
  for (const e of entries) if (e.isDirectory()) await rmTree(join(dir, e.name));
  // rmdir fails with EBUSY while tasks remain; the caller retries on the next housekeeping pass.
  await rmdir(dir).catch(() => undefined);
}
