// RFC 3339 timestamps as CRI log files carry them (containerd writes RFC3339Nano: the fraction
// loses trailing zeros and may be absent) and as the kubelet prints them (RFC3339NanoFixed:
// always nine fraction digits, same zone). Nanoseconds are kept as bigint: they exceed 2^53.

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/;

export interface LogTime {
  /** Nanoseconds since the Unix epoch. */
  ns: bigint;
  /** The instant in RFC3339NanoFixed, in the zone it was written in. */
  fixed: string;
}

/** Parses an RFC 3339 time with an optional fraction; undefined when it is not one. */
export function parseRFC3339(text: string): LogTime | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone = 'Z'] = m;
  const secs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) / 1000;
  if (!Number.isFinite(secs) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  let offsetSecs = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetSecs = sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  const fraction = frac.padEnd(9, '0');
  const ns = BigInt(secs - offsetSecs) * 1_000_000_000n + BigInt(fraction);
  const z = zone === 'z' ? 'Z' : zone;
  return { ns, fixed: `${y}-${mo}-${d}T${h}:${mi}:${s}.${fraction}${z}` };
}

/** Nanoseconds since the epoch of a millisecond clock reading. */
export function msToNs(ms: number): bigint {
  return BigInt(Math.trunc(ms)) * 1_000_000n;
}
