// resource.Quantity as the components need it: parse the canonical string forms ("100m", "1Gi",
// "2", "1e3", "1.5") into numbers. Schedulers and kubelets count cpu in millicores and everything
// else in whole units (bytes for memory), rounding up as upstream's MilliValue/Value do.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export class QuantityError extends Error {}

/** The quantity times 10^scale, rounded up (scale 3 = milli units, 0 = whole units). */
function scaled(q: string | number, scale: number): number {
  if (typeof q === 'number') return Math.ceil(q * 10 ** scale - 1e-9);
  const m = RE.exec(q.trim());
  if (!m) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const [, num, suffix, exp] = m;
  if (suffix && BINARY[suffix] !== undefined) return Math.ceil(Number(num) * BINARY[suffix]! * 10 ** scale - 1e-9);
  const e = exp !== undefined ? Number(exp) : DECIMAL[suffix ?? '']!;
  // Work in decimal digits to avoid binary rounding on values like 0.1 * 1000.
  const [int = '0', frac = ''] = num!.replace(/^[+-]/, '').split('.');
  const sign = num!.startsWith('-') ? -1 : 1;
  const digits = BigInt((int || '0') + frac);
  const shift = e + scale - frac.length;
  let v: bigint;
  if (shift >= 0) v = digits * 10n ** BigInt(shift);
  else {
    const d = 10n ** BigInt(-shift);
    v = digits / d + (digits % d === 0n ? 0n : (sign > 0 ? 1n : 0n));
  }
  return sign * Number(v);
}

/** Millicores for cpu (upstream MilliValue). */
export function milliValue(q: string | number): number { return scaled(q, 3); }

/** Whole units, rounded up (upstream Value): bytes for memory, counts for pods and extended resources. */
export function value(q: string | number): number { return scaled(q, 0); }

/** Parses, returning undefined instead of throwing on a malformed quantity. */
export function tryValue(q: string | number | undefined, milli = false): number | undefined {
  if (q === undefined) return undefined;
  try { return milli ? milliValue(q) : value(q); } catch { return undefined; }
}
