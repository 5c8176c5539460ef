// Just enough IPv4 arithmetic for nodePortAddresses and loadBalancerSourceRanges checks; the
// iptables proxier only programs the IPv4 family (ip6tables is not driven by this mode).

/** The address as an unsigned 32-bit number, or null when it is not dotted-quad IPv4. */
export function parseIPv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

export function isIPv4(s: string): boolean {
  return parseIPv4(s) !== null;
}

export interface CIDR4 { base: number; bits: number; text: string }

export function parseCIDR4(s: string): CIDR4 | null {
  const t = s.trim();
  const slash = t.indexOf('/');
  const addr = parseIPv4(slash < 0 ? t : t.slice(0, slash));
  const bits = slash < 0 ? 32 : Number(t.slice(slash + 1));
  if (addr === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return null;
  return { base: maskOf(addr, bits), bits, text: t };
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
