// Go time.Duration strings as upstream flags take them ("40s", "1m30s", "8760h0m0s", "500ms").
const UNITS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function parseDuration(s: string): number {
  const str = s.trim();
  if (str === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(str); m; m = re.exec(str)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = m.index + m[0].length;
  }
  if (consumed !== str.length || consumed === 0) throw new Error(`time: invalid duration "${s}"`);
  return total;
}
