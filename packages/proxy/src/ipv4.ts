import type { CommandRunner } from './types.js';

// Just enough IPv4 arithmetic for nodePortAddresses, clusterCIDR and loadBalancerSourceRanges
// checks; both proxiers program the IPv4 family only.

/** The address as an unsigned 32-bit number, or null when it is not dotted-quad IPv4. */
export function parseIPv4(s: string): number | null {
  // Hand-rolled: called for every service on every sync.
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return null;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return null;
    }
  }
  if (dots !== 3 || digits === 0) return null;
  return n * 256 + part;
}

export function isIPv4(s: string): boolean {
  return parseIPv4(s) !== null;
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.');
}

/** `text` is the normalised form ("10.0.0.0/8" for "10.1.2.3/8"), as Go's net.ParseCIDR gives it. */
export interface CIDR4 { base: number; bits: number; text: string }

/** Parses "a.b.c.d/n" (or a bare address as /32). */
export function parseCIDR4(s: string): CIDR4 | null {
  const t = s.trim();
  const slash = t.indexOf('/');
  const addr = parseIPv4(slash < 0 ? t : t.slice(0, slash));
  const bits = slash < 0 ? 32 : Number(t.slice(slash + 1));
  if (addr === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  const base = maskOf(addr, bits);
  return { base, bits, text: `${formatIPv4(base)}/${bits}` };
}

function formatIPv4(n: number): string {
  return `${Math.floor(n / 16777216) % 256}.${Math.floor(n / 65536) % 256}.${Math.floor(n / 256) % 256}.${n % 256}`;
}

function maskOf(addr: number, bits: number): number {
  if (bits === 0) return 0;
  const size = 2 ** (32 - bits);
  return Math.floor(addr / size) * size;
}

export function cidrContains(c: CIDR4, ip: string): boolean {
  const a = parseIPv4(ip);
  return a !== null && maskOf(a, c.bits) === c.base;
}

/** This node's IPv4 addresses, as `ip` sees them where the proxier's commands run ([] if it cannot tell). */
export async function localIPv4Addresses(runner: CommandRunner): Promise<{ ips: string[]; error?: string }> {
  const r = await runner.run('ip', ['-4', '-o', 'addr', 'show']);
  const ips = [...r.stdout.matchAll(/\sinet\s+(\d+\.\d+\.\d+\.\d+)\//g)].map((m) => m[1]!);
  return r.code === 0 ? { ips } : { ips, error: r.stderr.trim() };
}
