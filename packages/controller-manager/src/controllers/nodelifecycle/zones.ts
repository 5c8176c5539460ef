// Zones and disruption (node_lifecycle_controller.go handleDisruption): nodes are grouped by
// region/zone labels; each zone has its own tainting rate limiter. A zone with no Ready node is
// fully disrupted, one where at least --unhealthy-zone-threshold of its (more than two) nodes
// are not Ready is partially disrupted and taints at the secondary rate (or not at all in small
// clusters). When every zone is fully disrupted the controller assumes the problem is its own
// (or the network's), stops tainting and removes the NoExecute taints.
import type { Clock } from '@kube-ts/client/clock';
import type { Node, NodeCondition } from '@kube-ts/client/types';
import { RateLimitedTimedQueue } from './ratelimitedqueue.js';

export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

export interface EvictionRates {
  /** --node-eviction-rate (default 0.1 nodes/s). */
  evictionLimiterQPS: number;
  /** --secondary-node-eviction-rate (default 0.01). */
  secondaryEvictionLimiterQPS: number;
  /** --large-cluster-size-threshold (default 50). */
  largeClusterThreshold: number;
  /** --unhealthy-zone-threshold (default 0.55). */
  unhealthyZoneThreshold: number;
}

export const DEFAULT_EVICTION_RATES: EvictionRates = {
  evictionLimiterQPS: 0.1, secondaryEvictionLimiterQPS: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55,
};

/** Nodes with this label are left out of zone health. */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/** nodetopology.GetZoneKey: "region:\x00:zone", or "" when the node has neither label. */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  if (!region && !zone) return '';
  return `${region}:\x00:${zone}`;
}

/** ComputeZoneState: the number of not-Ready nodes and the zone's state. */
export function computeZoneState(ready: ReadonlyArray<NodeCondition | undefined>, unhealthyZoneThreshold: number): { unhealthy: number; state: ZoneState } {
  let readyNodes = 0;
  let notReady = 0;
  for (const c of ready) {
    if (c?.status === 'True') readyNodes++;
    else notReady++;
  }
  if (readyNodes === 0 && notReady > 0) return { unhealthy: notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + readyNodes) >= unhealthyZoneThreshold) return { unhealthy: notReady, state: 'PartialDisruption' };
  return { unhealthy: notReady, state: 'Normal' };
}

/** What the controller must do after a zone pass besides swapping limiters. */
export interface DisruptionAction {
  /** Entering master disruption mode: remove NoExecute taints from every node. */
  markAllReachable: boolean;
  /** Leaving it: every node gets a fresh probe timestamp. */
  resetProbes: boolean;
}

export class Zones {
  readonly states = new Map<string, ZoneState>();
  readonly tainters = new Map<string, RateLimitedTimedQueue>();

  constructor(private readonly rates: EvictionRates, private readonly clock: Clock) {}

  /** addPodEvictorForNewZone. */
  ensure(zone: string): RateLimitedTimedQueue {
    let q = this.tainters.get(zone);
    if (!this.states.has(zone)) {
      this.states.set(zone, 'Initial');
      q = new RateLimitedTimedQueue(this.rates.evictionLimiterQPS, this.clock);
      this.tainters.set(zone, q);
    }
    return q!;
  }

  tainter(zone: string): RateLimitedTimedQueue { return this.tainters.get(zone) ?? this.ensure(zone); }

  /** handleDisruption over this pass's Ready conditions per zone. */
  handleDisruption(zoneConditions: Map<string, Array<NodeCondition | undefined>>): DisruptionAction {
    const none: DisruptionAction = { markAllReachable: false, resetProbes: false };
    const newStates = new Map<string, ZoneState>();
    let allAreFully = true;
    for (const [zone, conds] of zoneConditions) {
      const { state } = computeZoneState(conds, this.rates.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFully = false;
      newStates.set(zone, state);
      if (!this.states.has(zone)) this.ensure(zone);
    }
    let allWereFully = true;
    for (const [zone, state] of [...this.states]) {
      if (!zoneConditions.has(zone)) { this.states.delete(zone); continue; }
      if (state !== 'FullDisruption') { allWereFully = false; break; }
    }
    if (allAreFully && allWereFully) return none;
    if (allAreFully) {
      for (const zone of this.states.keys()) { this.tainters.get(zone)?.swapLimiter(0); this.states.set(zone, 'FullDisruption'); }
      return { markAllReachable: true, resetProbes: false };
    }
    if (allWereFully) {
      for (const zone of this.states.keys()) {
        const s = newStates.get(zone) ?? 'Normal';
        this.setLimiter(zone, zoneConditions.get(zone)?.length ?? 0, s);
        this.states.set(zone, s);
      }
      return { markAllReachable: false, resetProbes: true };
    }
    for (const [zone, state] of [...this.states]) {
      const s = newStates.get(zone);
      if (!s || s === state) continue;
      this.setLimiter(zone, zoneConditions.get(zone)?.length ?? 0, s);
      this.states.set(zone, s);
    }
    return none;
  }

  private setLimiter(zone: string, size: number, state: ZoneState): void {
    const q = this.tainters.get(zone);
    if (!q) return;
    if (state === 'Normal') q.swapLimiter(this.rates.evictionLimiterQPS);
    else if (state === 'PartialDisruption') q.swapLimiter(size > this.rates.largeClusterThreshold ? this.rates.secondaryEvictionLimiterQPS : 0);
    else if (state === 'FullDisruption') q.swapLimiter(this.rates.evictionLimiterQPS);
  }
}
