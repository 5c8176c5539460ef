// What cAdvisor's MachineInfo/VersionInfo give the upstream kubelet, read straight from the host:
// cores, MemTotal, hugepages pools, machine-id, product_uuid, boot_id, kernel release, os-release
// PRETTY_NAME, and the size of the filesystem holding the kubelet's root dir.
import { existsSync } from 'node:fs';
import { readdir, readFile, statfs } from 'node:fs/promises';
import { cpus, networkInterfaces, release } from 'node:os';
import { dirname } from 'node:path';

export interface MachineInfo {
  numCores: number;
  /** MemTotal in bytes. */
  memoryCapacity: number;
  /** hugepages-<size> resource name -> total bytes in that pool. */
  hugePages: Record<string, number>;
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  /** Capacity in bytes of the filesystem holding rootDir (ephemeral-storage). */
  rootfsCapacity?: number;
}

async function readTrim(path: string): Promise<string | undefined> {
  try { return (await readFile(path, 'utf8')).trim(); } catch { return undefined; }
}

/** /etc/os-release PRETTY_NAME, unquoted; "Linux" when absent (cAdvisor's fallback). */
export function prettyName(osRelease: string | undefined): string {
  const m = /^PRETTY_NAME=(.*)$/m.exec(osRelease ?? '');
  if (!m) return 'Linux';
  return m[1]!.trim().replace(/^(["'])(.*)\1$/, '$2');
}

/** MemTotal from /proc/meminfo, in bytes. */
export function memTotalBytes(meminfo: string): number {
  const m = /^MemTotal:\s+(\d+)\s*kB/m.exec(meminfo);
  return m ? Number(m[1]) * 1024 : 0;
}

/** "hugepages-2048kB" -> "hugepages-2Mi". */
function hugePageResource(dir: string): { name: string; bytes: number } | undefined {
  const m = /^hugepages-(\d+)kB$/.exec(dir);
  if (!m) return undefined;
  const kb = Number(m[1]);
  const size = kb % (1024 * 1024) === 0 ? `${kb / (1024 * 1024)}Gi` : kb % 1024 === 0 ? `${kb / 1024}Mi` : `${kb}Ki`;
  return { name: `hugepages-${size}`, bytes: kb * 1024 };
}

async function readHugePages(): Promise<Record<string, number>> {
  const root = '/sys/kernel/mm/hugepages';
  const out: Record<string, number> = {};
  let dirs: string[] = [];
  try { dirs = await readdir(root); } catch { /* no hugetlb support */ }
  for (const d of dirs) {
    const hp = hugePageResource(d);
    if (!hp) continue;
    const n = Number(await readTrim(`${root}/${d}/nr_hugepages`) ?? 0);
    out[hp.name] = (Number.isFinite(n) ? n : 0) * hp.bytes;
  }
  if (Object.keys(out).length === 0) return { 'hugepages-1Gi': 0, 'hugepages-2Mi': 0 };
  return out;
}

/** Total size of the filesystem holding `path` (its nearest existing ancestor). */
export async function fsCapacity(path: string): Promise<number | undefined> {
  let p = path;
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    const s = await statfs(p);
    return s.blocks * s.bsize;
  } catch { return undefined; }
}

export async function readMachineInfo(rootDir: string): Promise<MachineInfo> {
  const [meminfo, machineID, uuid, bootID, osRelease, hugePages, rootfsCapacity] = await Promise.all([
    readTrim('/proc/meminfo'),
    readTrim('/etc/machine-id'),
    readTrim('/sys/class/dmi/id/product_uuid'),
    readTrim('/proc/sys/kernel/random/boot_id'),
    readTrim('/etc/os-release'),
    readHugePages(),
    fsCapacity(rootDir),
  ]);
  return {
    numCores: cpus().length,
    memoryCapacity: memTotalBytes(meminfo ?? ''),
    hugePages,
    machineID: machineID ?? '',
    systemUUID: uuid || machineID || '',
    bootID: bootID ?? '',
    kernelVersion: release(),
    osImage: prettyName(osRelease),
    rootfsCapacity,
  };
}

/**
 * The node's InternalIP when --node-ip is not given (upstream ChooseHostInterface): the IPv4 of
 * the default route's interface, else the first non-loopback IPv4, else 127.0.0.1.
 */
export async function defaultHostIP(): Promise<string> {
  const ifaces = networkInterfaces();
  const v4 = (name: string): string | undefined => ifaces[name]?.find((a) => a.family === 'IPv4' && !a.internal)?.address;
  const routes = await readTrim('/proc/net/route');
  for (const line of (routes ?? '').split('\n').slice(1)) {
    const [iface, dest, , , , , , mask] = line.trim().split(/\s+/);
    if (iface && dest === '00000000' && mask === '00000000') {
      const ip = v4(iface);
      if (ip) return ip;
    }
  }
  for (const name of Object.keys(ifaces)) {
    const ip = v4(name);
    if (ip) return ip;
  }
  return '127.0.0.1';
}

/** Whether `ip` is assigned to one of the host's interfaces (validateNodeIP). */
export function hostHasIP(ip: string): boolean {
  return Object.values(networkInterfaces()).some((list) => (list ?? []).some((a) => a.address === ip));
}
