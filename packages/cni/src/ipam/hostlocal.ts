import { mkdir, open, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CniError, ErrorCode } from '../errors.js';
import {
  broadcastOf,
  contains,
  formatCidr,
  formatIPv4,
  isIPv6,
  parseCidr,
  parseIPv4,
  type IPv4Net,
} from '../ipnet.js';
import type { IpConfig, IpamConfig, RangeConfig, Route } from '../types.js';
import { withLock } from './lock.js';

export const DEFAULT_DATA_DIR = '/var/lib/cni/networks';
const LINE_BREAK = '\r\n';
const LAST_RESERVED_PREFIX = 'last_reserved_ip.';
const LOCK_FILE = 'lock.kts';

export interface ParsedRange {
  subnet: IPv4Net;
  start: number;
  end: number;
  gateway: number;
}

export type RangeSet = ParsedRange[];

export function parseRange(r: RangeConfig): ParsedRange {
  if (typeof r.subnet !== 'string') {
    throw new CniError(ErrorCode.InvalidNetworkConfig, 'range is missing "subnet"');
  }
  if (isIPv6(r.subnet)) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, `IPv6 subnet "${r.subnet}" is not supported`);
  }
  const subnet = parseCidr(r.subnet);
  if (subnet.prefix > 30) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, `network ${r.subnet} too small to allocate from`);
  }
  if (subnet.ip !== subnet.network) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, `network has host bits set: ${r.subnet}`);
  }
  const bcast = broadcastOf(subnet);
  const start = r.rangeStart !== undefined ? parseIPv4(r.rangeStart) : subnet.network + 1;
  const end = r.rangeEnd !== undefined ? parseIPv4(r.rangeEnd) : bcast - 1;
  const gateway = r.gateway !== undefined ? parseIPv4(r.gateway) : subnet.network + 1;
  for (const [what, v] of [
    ['rangeStart', start],
    ['rangeEnd', end],
  ] as const) {
    if (!contains(subnet, v) || v === subnet.network || v === bcast) {
      throw new CniError(ErrorCode.InvalidNetworkConfig, `${what} ${formatIPv4(v)} not in network ${r.subnet}`);
    }
  }
  if (start > end) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, `rangeStart ${formatIPv4(start)} is after rangeEnd ${formatIPv4(end)}`);
  }
  return { subnet, start, end, gateway };
}

function overlaps(a: ParsedRange, b: ParsedRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function parseRangeSets(ipam: IpamConfig): RangeSet[] {
  let raw: RangeConfig[][];
  if (ipam.ranges !== undefined) {
    if (!Array.isArray(ipam.ranges) || ipam.ranges.some((s) => !Array.isArray(s) || s.length === 0)) {
      throw new CniError(ErrorCode.InvalidNetworkConfig, 'ipam "ranges" must be a list of non-empty range lists');
    }
    raw = ipam.ranges;
  } else if (ipam.subnet !== undefined) {
    raw = [[{ subnet: ipam.subnet, rangeStart: ipam.rangeStart, rangeEnd: ipam.rangeEnd, gateway: ipam.gateway }]];
  } else {
    throw new CniError(ErrorCode.InvalidNetworkConfig, 'ipam has no "ranges" (or "subnet")');
  }
  if (raw.length === 0) throw new CniError(ErrorCode.InvalidNetworkConfig, 'ipam "ranges" is empty');
  const sets = raw.map((s) => s.map(parseRange));
  const all = sets.flat();
  for (let i = 0; i < all.length; i++) {
    for (let j = i + 1; j < all.length; j++) {
      const a = all[i];
      const b = all[j];
      if (a && b && overlaps(a, b)) {
        throw new CniError(ErrorCode.InvalidNetworkConfig, `ranges ${formatIPv4(a.start)}-${formatIPv4(a.end)} and ${formatIPv4(b.start)}-${formatIPv4(b.end)} overlap`);
      }
    }
  }
  return sets;
}

/** Enumerates candidate addresses of a range set, starting after `last` when it is in the set, wrapping once. */
export function* candidates(set: RangeSet, last: number | undefined): Generator<{ ip: number; range: ParsedRange }> {
  const n = set.length;
  let ri = 0;
  let startIp: number | undefined;
  if (last !== undefined) {
    const idx = set.findIndex((r) => last >= r.start && last <= r.end);
    if (idx >= 0) {
      ri = idx;
      startIp = last + 1;
    }
  }
  const usable = (ip: number, r: ParsedRange): boolean =>
    ip !== r.gateway && ip !== r.subnet.network && ip !== broadcastOf(r.subnet);
  for (let k = 0; k < n; k++) {
    const r = set[(ri + k) % n];
    if (!r) continue;
    const from = k === 0 && startIp !== undefined ? startIp : r.start;
    for (let ip = from; ip <= r.end; ip++) if (usable(ip, r)) yield { ip, range: r };
  }
  const wrap = set[ri];
  if (wrap && startIp !== undefined) {
    for (let ip = wrap.start; ip < startIp; ip++) if (usable(ip, wrap)) yield { ip, range: wrap };
  }
}

export interface AllocateResult {
  ips: IpConfig[];
  routes: Route[];
}

export class HostLocalStore {
  readonly dir: string;
  readonly sets: RangeSet[];
  readonly routes: Route[];

  constructor(networkName: string, readonly ipam: IpamConfig) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(networkName)) {
      throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid network name "${networkName}"`);
    }
    this.dir = join(ipam.dataDir ?? DEFAULT_DATA_DIR, networkName);
    this.sets = parseRangeSets(ipam);
    this.routes = (ipam.routes ?? []).map((r) => {
      if (typeof r?.dst !== 'string') throw new CniError(ErrorCode.InvalidNetworkConfig, 'ipam route is missing "dst"');
      parseCidr(r.dst);
      if (r.gw !== undefined) parseIPv4(r.gw);
      return r.gw !== undefined ? { dst: r.dst, gw: r.gw } : { dst: r.dst };
    });
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    await mkdir(this.dir, { recursive: true, mode: 0o755 });
    return withLock(join(this.dir, LOCK_FILE), fn);
  }

  /** Map of allocated IP (dotted) -> owner "id\r\nifname". */
  private async owners(): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const names = await readdir(this.dir);
    await Promise.all(
      names
        .filter((n) => /^\d+\.\d+\.\d+\.\d+$/.test(n))
        .map(async (n) => {
          const c = await readFile(join(this.dir, n), 'utf8').catch(() => undefined);
          if (c !== undefined) out.set(n, c.trim());
        }),
    );
    return out;
  }

  async allocate(containerId: string, ifname: string): Promise<AllocateResult> {
    const owner = containerId.trim() + LINE_BREAK + ifname;
    return this.locked(async () => {
      const owners = await this.owners();
      const ips: IpConfig[] = [];
      const created: string[] = [];
      try {
        for (let si = 0; si < this.sets.length; si++) {
          const set = this.sets[si] ?? [];
          for (const [ipStr, o] of owners) {
            const ip = parseIPv4(ipStr);
            if (o === owner && set.some((r) => ip >= r.start && ip <= r.end)) {
              throw new CniError(
                ErrorCode.Internal,
                `${ipStr} has been allocated to ${containerId}, duplicate allocation is not allowed`,
              );
            }
          }
          const lastFile = join(this.dir, LAST_RESERVED_PREFIX + si);
          const lastStr = (await readFile(lastFile, 'utf8').catch(() => '')).trim();
          const last = /^\d+\.\d+\.\d+\.\d+$/.test(lastStr) ? parseIPv4(lastStr) : undefined;
          let got: { ip: number; range: ParsedRange } | undefined;
          for (const c of candidates(set, last)) {
            const name = formatIPv4(c.ip);
            if (owners.has(name)) continue;
            try {
              const fh = await open(join(this.dir, name), 'wx', 0o644);
              try {
                await fh.writeFile(owner);
              } finally {
                await fh.close();
              }
            } catch (e) {
              if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
              throw e;
            }
            created.push(name);
            got = c;
            break;
          }
          if (!got) {
            const desc = set.map((r) => `${formatIPv4(r.start)}-${formatIPv4(r.end)}`).join(',');
            throw new CniError(ErrorCode.Internal, `no IP addresses available in range set: ${desc}`);
          }
          await writeFile(lastFile, formatIPv4(got.ip));
          ips.push({ address: formatCidr(got.ip, got.range.subnet.prefix), gateway: formatIPv4(got.range.gateway) });
        }
      } catch (e) {
        await Promise.all(created.map((n) => unlink(join(this.dir, n)).catch(() => undefined)));
        throw e;
      }
      return { ips, routes: this.routes };
    });
  }

  /** Releases every address held by (containerId, ifname); missing allocations are not an error. */
  async release(containerId: string, ifname: string): Promise<string[]> {
    const owner = containerId.trim() + LINE_BREAK + ifname;
    return this.locked(async () => {
      const released: string[] = [];
      for (const [ip, o] of await this.owners()) {
        if (o === owner) {
          await unlink(join(this.dir, ip)).catch(() => undefined);
          released.push(ip);
        }
      }
      return released;
    });
  }

  /** Addresses currently held by (containerId, ifname). */
  async held(containerId: string, ifname: string): Promise<string[]> {
    const owner = containerId.trim() + LINE_BREAK + ifname;
    await mkdir(this.dir, { recursive: true });
    const out: string[] = [];
    for (const [ip, o] of await this.owners()) if (o === owner) out.push(ip);
    return out.sort();
  }
}
