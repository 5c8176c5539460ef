// Exact resource.Quantity arithmetic for the eviction manager: values kept as BigInt nano-units
// with upstream's format (BinarySI / DecimalSI / DecimalExponent), so comparisons are exact and
// String() gives upstream's canonical text ("100Mi", "1536", "5k") inside eviction messages.

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';
export interface Quantity { nanos: bigint; format: QuantityFormat }

export class QuantityParseError extends Error {}

const NANO = 1_000_000_000n;
const RE = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;
const BIN_EXP: Record<string, number> = { Ki: 1, Mi: 2, Gi: 3, Ti: 4, Pi: 5, Ei: 6 };
const DEC_EXP: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DEC_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BIN_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

export const ERR_FORMAT = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** resource.ParseQuantity; precision beyond nano-units rounds up as upstream does. */
export function parseQuantity(input: string | number): Quantity {
  const s = String(input).trim();
  const m = RE.exec(s);
  if (!m) throw new QuantityParseError(ERR_FORMAT);
  const [, num, suffix, exp] = m;
  const neg = num!.startsWith('-');
  const [int = '', frac = ''] = num!.replace(/^[+-]/, '').split('.');
  let numer = BigInt((int || '0') + frac) * NANO;
  let denom = 10n ** BigInt(frac.length);
  let format: QuantityFormat = 'DecimalSI';
  if (suffix !== undefined && BIN_EXP[suffix] !== undefined) {
    numer *= 1024n ** BigInt(BIN_EXP[suffix]!);
    format = 'BinarySI';
  } else {
    const e = exp !== undefined ? Number(exp) : DEC_EXP[suffix ?? '']!;
    if (exp !== undefined) format = 'DecimalExponent';
    if (e >= 0) numer *= 10n ** BigInt(e);
    else denom *= 10n ** BigInt(-e);
  }
  const nanos = numer / denom + (numer % denom === 0n ? 0n : 1n);
  return { nanos: neg ? -nanos : nanos, format };
}

/** resource.NewQuantity(value, format) for a whole number of units. */
export function newQuantity(value: number | bigint, format: QuantityFormat = 'BinarySI'): Quantity {
  const v = typeof value === 'bigint' ? value : BigInt(Math.trunc(value));
  return { nanos: v * NANO, format };
}

export const zero = (format: QuantityFormat = 'BinarySI'): Quantity => ({ nanos: 0n, format });
export const cmp = (a: Quantity, b: Quantity): number => (a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0);
export const add = (a: Quantity, b: Quantity): Quantity => ({ nanos: a.nanos + b.nanos, format: a.format });
export const sub = (a: Quantity, b: Quantity): Quantity => ({ nanos: a.nanos - b.nanos, format: a.format });
export const isZero = (q: Quantity): boolean => q.nanos === 0n;
/** Whole units, rounded up (Quantity.Value). */
export function valueOf(q: Quantity): number {
  const whole = q.nanos / NANO;
  return Number(q.nanos % NANO > 0n ? whole + 1n : whole);
}

/** Quantity.String(): the canonical text for the quantity's format. */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  let format = q.format;
  if (format === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'DecimalSI';
  let text: string;
  if (format === 'BinarySI') {
    let n = abs / NANO;
    let e = 0;
    while (e < 6 && n % 1024n === 0n) {
      n /= 1024n;
      e++;
    }
    text = `${n}${BIN_SUFFIX[e]}`;
  } else {
    // Largest exponent (a multiple of 3, from nano up) that leaves an integer mantissa.
    let e = -9;
    let n = abs;
    while (e < 18 && n % 1000n === 0n) {
      n /= 1000n;
      e += 3;
    }
    text = format === 'DecimalExponent' ? (e === 0 ? `${n}` : `${n}e${e}`) : `${n}${DEC_SUFFIX[e]}`;
  }
  return neg ? `-${text}` : text;
}
