// resource.Quantity as quota needs it: exact sums in milli-units that keep the format of the first
// non-zero addend (Quantity.Add), printed in canonical form (Quantity.String), compared by value.
import { milliValue } from '@kube-ts/client/quantity';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity { milli: number; format: QuantityFormat }

export type ResourceList = Record<string, Quantity>;

export function formatOf(s: string | number): QuantityFormat {
  if (typeof s === 'number') return 'DecimalSI';
  if (/(Ki|Mi|Gi|Ti|Pi|Ei)$/.test(s)) return 'BinarySI';
  if (/[eE][+-]?\d+$/.test(s)) return 'DecimalExponent';
  return 'DecimalSI';
}

export function parseQuantity(s: string | number): Quantity {
  return { milli: milliValue(s), format: formatOf(s) };
}

export const zero = (format: QuantityFormat = 'DecimalSI'): Quantity => ({ milli: 0, format });
export const count = (n: number): Quantity => ({ milli: n * 1000, format: 'DecimalSI' });

/** Quantity.Add: the sum keeps the receiver's format unless the receiver is zero. */
export function addQ(a: Quantity, b: Quantity): Quantity {
  return { milli: a.milli + b.milli, format: a.milli === 0 ? b.format : a.format };
}

export function maxQ(a: Quantity | undefined, b: Quantity): Quantity {
  return !a || b.milli > a.milli ? b : a;
}

const DEC_SUFFIX: Record<number, string> = { 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BIN_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function decimal(milli: number, exponentForm: boolean): string {
  const sign = milli < 0 ? '-' : '';
  let m = Math.abs(milli);
  if (m === 0) return '0';
  if (m % 1000 !== 0) return exponentForm ? `${sign}${m}e-3` : `${sign}${m}m`;
  m /= 1000;
  let e = 0;
  while (m % 1000 === 0 && e < 18) { m /= 1000; e += 3; }
  if (e === 0) return `${sign}${m}`;
  return exponentForm ? `${sign}${m}e${e}` : `${sign}${m}${DEC_SUFFIX[e]!}`;
}

/** Quantity.String (canonical form). */
export function formatQuantity(q: Quantity): string {
  if (q.format === 'BinarySI') {
    // Small or fractional binary quantities print as DecimalSI, as upstream does.
    if (Math.abs(q.milli) < 1024 * 1000 || q.milli % 1000 !== 0) return decimal(q.milli, false);
    const sign = q.milli < 0 ? '-' : '';
    let v = Math.abs(q.milli) / 1000;
    let i = 0;
    while (v % 1024 === 0 && i < BIN_SUFFIX.length - 1) { v /= 1024; i++; }
    return `${sign}${v}${BIN_SUFFIX[i]!}`;
  }
  return decimal(q.milli, q.format === 'DecimalExponent');
}

/** quota.Add over lists. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = out[k] ? addQ(out[k]!, v) : v;
  return out;
}

/** quota.Equals: same keys, equal values. */
export function equalLists(a: Record<string, string | number> | undefined, b: Record<string, string | number> | undefined): boolean {
  const ka = Object.keys(a ?? {}); const kb = Object.keys(b ?? {});
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    const y = b?.[k];
    if (y === undefined) return false;
    try { if (milliValue(a![k]!) !== milliValue(y)) return false; } catch { if (String(a![k]) !== String(y)) return false; }
  }
  return true;
}
