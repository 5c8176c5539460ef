// Go time.Duration strings ("10s", "1m30s", "500ms", "4h0m0s"), as upstream flags, config files
// (metav1.Duration) and API fields spell them: parsed to milliseconds with Go's error messages,
// and printed back the way Go's Duration.String() does. One copy for every component.
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in milliseconds; throws Go's messages (`time: invalid duration "x"`, ...). */
export function parseDuration(input: string): number {
  const invalid = (): Error => new Error(`time: invalid duration "${input}"`);
  let s = input;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid();
  const re = /^(\d+\.?\d*|\.\d+)([^\d.]*)/;
  let total = 0;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) throw invalid();
    if (m[2] === '') throw new Error(`time: missing unit in duration "${input}"`);
    const unit = UNIT_MS[m[2]!];
    if (unit === undefined) throw new Error(`time: unknown unit "${m[2]}" in duration "${input}"`);
    total += Number(m[1]) * unit;
    s = s.slice(m[0].length);
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
