// IntOrString helpers (k8s.io/apimachinery/pkg/util/intstr).
import type { IntOrString } from '@kube-ts/client/workloads';

/**
 * An int, or a percentage of `total` rounded up or down (GetScaledValueFromIntOrPercent).
 * Throws on a malformed string, as upstream returns an error.
 */
export function scaledValue(v: IntOrString | undefined, total: number, roundUp: boolean, dflt: IntOrString = 0): number {
  const x = v ?? dflt;
  if (typeof x === 'number') return x;
  const m = /^(-?\d+)%$/.exec(x);
  if (!m) {
    if (/^-?\d+$/.test(x)) return Number(x);
    throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  }
  const pct = Number(m[1]);
  return roundUp ? Math.ceil((pct * total) / 100) : Math.floor((pct * total) / 100);
}
