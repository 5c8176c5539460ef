// Minimal IPv4 helpers: the nftables proxier programs the IPv4 family only.
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

export function parseIPv4(ip: string): number | null {
  const m = IPV4.exec(ip.trim());
  if (!m) return null;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    n = n * 256 + o;
  }
  return n;
}

export function isIPv4(ip: string): boolean {
  return parseIPv4(ip) !== null;
}

export function isLoopback(ip: string): boolean {
  return ip.startsWith('127.');
}

export interface CIDR { base: number; bits: number; text: string }

/** Parses "a.b.c.d/n" (or a bare address as /32), normalising host bits away as Go's net.ParseCIDR does. */
export function parseCIDR(s: string): CIDR | null {
  const [addr, len] = s.trim().split('/');
  const ip = parseIPv4(addr ?? '');
  const bits = len === undefined ? 32 : Number(len);
  if (ip === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  const size = 2 ** (32 - bits);
  const base = ip - (ip % size);
  const text = `${[24, 16, 8, 0].map((sh) => Math.floor(base / 2 ** sh) % 256).join('.')}/${bits}`;
  return { base, bits, text };
}

export function cidrContains(c: CIDR, ip: string): boolean {
  const n = parseIPv4(ip);
  if (n === null) return false;
  return n - (n % 2 ** (32 - c.bits)) === c.base;
}
