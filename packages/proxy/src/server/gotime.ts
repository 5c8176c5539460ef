// Go's time.Time.String() in UTC ("2006-01-02 15:04:05.999999999 -0700 MST"), which upstream's
// healthz body prints with %q; the zero time is Go's zero time.

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export function goTimeString(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01 00:00:00 +0000 UTC';
  const d = new Date(ms);
  const frac = d.getUTCMilliseconds() ? `.${pad(d.getUTCMilliseconds(), 3).replace(/0+$/, '')}` : '';
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac} +0000 UTC`;
}
