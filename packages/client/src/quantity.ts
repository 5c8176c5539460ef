// resource.Quantity as the components need it: parse the canonical string forms ("100m", "1Gi",
// "2", "1e3", "1.5") into numbers. Schedulers and kubelets count cpu in millicores and everything
// else in whole units (bytes for memory), rounding up as upstream's MilliValue/Value do.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

export class QuantityError extends Error {}

/** The quantity times 10^scale, rounded away from zero when inexact (scale 3 = milli units, 0 = whole units). */
function scaled(q: string | number, scale: number): number {
  if (typeof q === 'number') q = String(q);
  const m = RE.exec(q.trim());
  if (!m) throw new QuantityError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const [, num, suffix, exp] = m;
  // Exact decimal arithmetic in BigInt: value = digits * mult / 10^frac, times 10^scale.
  const [int = '0', frac = ''] = num!.replace(/^[+-]/, '').split('.');
  const sign = num!.startsWith('-') ? -1n : 1n;
  let numer = BigInt((int || '0') + frac);
  let denom = 10n ** BigInt(frac.length);
  if (suffix && BINARY[suffix] !== undefined) numer *= BigInt(BINARY[suffix]!);
  else {
    const e = (exp !== undefined ? Number(exp) : DECIMAL[suffix ?? '']!) + 0;
    if (e >= 0) numer *= 10n ** BigInt(e); else denom *= 10n ** BigInt(-e);
  }
  if (scale >= 0) numer *= 10n ** BigInt(scale); else denom *= 10n ** BigInt(-scale);
  const v = numer / denom + (numer % denom === 0n ? 0n : 1n);
  return Number(sign * v);
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
