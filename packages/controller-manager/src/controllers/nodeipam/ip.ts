// IPv4/IPv6 addresses and CIDRs as integers (BigInt), so CIDR arithmetic needs no dependency.
// Parsing follows net.ParseCIDR: the address is masked to the network ("10.1.2.3/16" is
// 10.1.0.0/16), IPv4-mapped IPv6 is not special-cased.

export interface Cidr {
  family: 4 | 6;
  /** The network address (host bits zero). */
  ip: bigint;
  prefix: number;
}

export const bitsOf = (family: 4 | 6): number => (family === 4 ? 32 : 128);

export function parseIPv4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(s: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(s)) return undefined;
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIPv4(p);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return undefined;
      out.push(parseInt(p, 16));
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.reduce((v, g) => (v << 16n) | BigInt(g), 0n);
}

export function formatIP(ip: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((ip >> s) & 0xffn)).join('.');
  const g = Array.from({ length: 8 }, (_, i) => Number((ip >> BigInt(112 - 16 * i)) & 0xffffn));
  // The longest run (>= 2) of zero groups becomes "::" (RFC 5952).
  let best = -1; let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (xs: number[]): string => xs.map((x) => x.toString(16)).join(':');
  if (best < 0) return hex(g);
  return `${hex(g.slice(0, best))}::${hex(g.slice(best + bestLen))}`;
}

export function maskOf(prefix: number, family: 4 | 6): bigint {
  const bits = BigInt(bitsOf(family));
  return ((1n << BigInt(prefix)) - 1n) << (bits - BigInt(prefix));
}

/** Parses "a.b.c.d/n" or "x::y/n"; undefined when invalid. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s.trim());
  if (!m) return undefined;
  const prefix = Number(m[2]);
  const v4 = parseIPv4(m[1]!);
  if (v4 !== undefined) return prefix <= 32 ? { family: 4, ip: v4 & maskOf(prefix, 4), prefix } : undefined;
  const v6 = parseIPv6(m[1]!);
  if (v6 !== undefined) return prefix <= 128 ? { family: 6, ip: v6 & maskOf(prefix, 6), prefix } : undefined;
  return undefined;
}

export function formatCidr(c: Cidr): string { return `${formatIP(c.ip, c.family)}/${c.prefix}`; }

/** The last address of the CIDR. */
export function lastIP(c: Cidr): bigint {
  return c.ip | ((1n << BigInt(bitsOf(c.family) - c.prefix)) - 1n);
}

/** Does `outer` contain the address `ip`? */
export function containsIP(outer: Cidr, ip: bigint): boolean {
  return (ip & maskOf(outer.prefix, outer.family)) === outer.ip;
}
