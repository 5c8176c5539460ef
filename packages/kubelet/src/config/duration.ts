// metav1.Duration as the kubelet's flags and config file spell it: Go time.Duration strings
// ("10s", "1m30s", "500ms", "4h0m0s"), parsed to milliseconds and printed back the way Go does.
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Go's time.ParseDuration, in milliseconds; throws `time: invalid duration "x"` as Go does. */
export function parseDuration(s: string): number {
  const invalid = (): Error => new Error(`time: invalid duration "${s}"`);
  let str = s;
  let sign = 1;
  if (str.startsWith('-') || str.startsWith('+')) { sign = str.startsWith('-') ? -1 : 1; str = str.slice(1); }
  if (str === '0') return 0;
  if (str === '') throw invalid();
  let total = 0;
  let pos = 0;
  while (pos < str.length) {
    PART.lastIndex = pos;
    const m = PART.exec(str);
    if (!m) {
      if (/^\d+(\.\d*)?$/.test(str.slice(pos))) throw new Error(`time: missing unit in duration "${s}"`);
      throw invalid();
    }
    total += Number(m[1]) * UNITS[m[2]!]!;
    pos = PART.lastIndex;
  }
  return sign * total;
}

/** Go's Duration.String(): "1m0s", "10s", "500ms", "4h0m0s", "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const neg = ms < 0;
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
  return neg ? `-${out}` : out;
}

function trim(n: number): string {
  return String(Number(n.toFixed(9)));
}
