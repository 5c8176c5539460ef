import { CniError, ErrorCode } from './errors.js';

/** IPv4 address arithmetic on unsigned 32-bit integers. */
export function parseIPv4(s: string): number {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid IPv4 address "${s}"`);
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid IPv4 address "${s}"`);
    v = v * 256 + o;
  }
  return v >>> 0;
}

export function formatIPv4(v: number): string {
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

export interface IPv4Net {
  /** network address */
  network: number;
  prefix: number;
  /** the address as written (may have host bits set) */
  ip: number;
}

export function parseCidr(s: string): IPv4Net {
  const parts = s.split('/');
  if (parts.length !== 2 || !/^\d{1,2}$/.test(parts[1] ?? '')) {
    throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid CIDR "${s}"`);
  }
  const prefix = Number(parts[1]);
  if (prefix > 32) throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid CIDR prefix in "${s}"`);
  const ip = parseIPv4(parts[0] ?? '');
  return { network: (ip & maskOf(prefix)) >>> 0, prefix, ip };
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function broadcastOf(n: IPv4Net): number {
  return (n.network | ~maskOf(n.prefix)) >>> 0;
}

export function contains(n: IPv4Net, ip: number): boolean {
  return ((ip & maskOf(n.prefix)) >>> 0) === n.network;
}

export function formatCidr(ip: number, prefix: number): string {
  return `${formatIPv4(ip)}/${prefix}`;
}

export function isIPv6(s: string): boolean {
  return s.includes(':');
}
