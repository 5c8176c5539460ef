// metav1.Duration as kube-proxy's flags and config file spell it: Go time.Duration strings
// ("30s", "1m0s", "500ms"), parsed to milliseconds and printed back the way Go prints them.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go's time.ParseDuration, in milliseconds; throws Go's messages. */
export function parseDuration(s: string): number {
  let rest = s;
  let sign = 1;
  if (rest.startsWith('-') || rest.startsWith('+')) { sign = rest.startsWith('-') ? -1 : 1; rest = rest.slice(1); }
  if (rest === '0') return 0;
  if (rest === '') throw new Error(`time: invalid duration "${s}"`);
  let total = 0;
  let pos = 0;
  while (pos < rest.length) {
    PART.lastIndex = pos;
    const m = PART.exec(rest);
    if (!m) {
      if (/^\d+(\.\d*)?$/.test(rest.slice(pos))) throw new Error(`time: missing unit in duration "${s}"`);
      throw new Error(`time: invalid duration "${s}"`);
    }
    total += Number(m[1]) * UNIT_MS[m[2]!]!;
    pos = PART.lastIndex;
  }
  return sign * total;
}

function trim(n: number): string { return String(Number(n.toFixed(9))); }

/** Go's Duration.String(): "0s", "500ms", "30s", "1m0s", "24h0m0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let v = Math.abs(ms);
  let out: string;
  if (v < 1000) {
    out = v >= 1 ? `${trim(v)}ms` : v >= 1e-3 ? `${trim(v * 1e3)}µs` : `${trim(v * 1e6)}ns`;
  } else {
    const h = Math.floor(v / 3_600_000);
    v -= h * 3_600_000;
    const m = Math.floor(v / 60_000);
    v -= m * 60_000;
    const sec = `${trim(v / 1000)}s`;
    out = h > 0 ? `${h}h${m}m${sec}` : m > 0 ? `${m}m${sec}` : sec;
  }
  return ms < 0 ? `-${out}` : out;
}
