// The 1000-address cap (endpoints_controller.go truncateEndpoints): beyond it, ready addresses
// are kept before not-ready ones, each subset keeping its proportional share (rounded up), and
// the Endpoints is annotated endpoints.kubernetes.io/over-capacity: truncated.
import type { EndpointSubset } from '@kube-ts/client/services';

export const MAX_CAPACITY = 1000;
export const OVER_CAPACITY = 'endpoints.kubernetes.io/over-capacity';
export const TRUNCATED = 'truncated';

const count = (subsets: EndpointSubset[]): { ready: number; notReady: number } => subsets.reduce(
  (a, s) => ({ ready: a.ready + (s.addresses?.length ?? 0), notReady: a.notReady + (s.notReadyAddresses?.length ?? 0) }),
  { ready: 0, notReady: 0 },
);

/** Truncates in place; returns whether anything was over capacity. */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_CAPACITY): boolean {
  const { ready, notReady } = count(subsets);
  if (ready + notReady <= max) return false;
  const truncateReady = ready > max;
  const budget = truncateReady ? max : max - ready;
  const total = truncateReady ? ready : notReady;
  let canBeAdded = budget;
  for (const s of subsets) {
    const inSubset = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const toBeAdded = Math.min(Math.ceil((inSubset / total) * budget), canBeAdded);
    if (truncateReady) {
      if (s.addresses && s.addresses.length > toBeAdded) s.addresses = s.addresses.slice(0, toBeAdded);
      s.notReadyAddresses = [];
      canBeAdded -= s.addresses?.length ?? 0;
    } else {
      if (s.notReadyAddresses && s.notReadyAddresses.length > toBeAdded) s.notReadyAddresses = s.notReadyAddresses.slice(0, toBeAdded);
      canBeAdded -= s.notReadyAddresses?.length ?? 0;
    }
  }
  return true;
}

/** False when the subsets are over capacity or the annotation is set without need. */
export function capacityAnnotationSetCorrectly(annotations: Record<string, string> | undefined, subsets: EndpointSubset[] | undefined): boolean {
  const { ready, notReady } = count(subsets ?? []);
  if (ready + notReady > MAX_CAPACITY) return false;
  return !(annotations && OVER_CAPACITY in annotations);
}
