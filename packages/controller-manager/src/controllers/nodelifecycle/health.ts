// Node health as the node lifecycle controller judges it (tryUpdateNodeHealth): the controller
// keeps, per node, the local time at which it last saw a sign of life — a changed Ready
// lastHeartbeatTime or a newer kube-node-lease renewTime — so clock skew between kubelets and
// the controller does not matter. With no sign of life for the grace period (the startup grace
// while the node never posted a Ready condition) Ready and the pressure conditions go Unknown.
import type { Lease, Node, NodeCondition, NodeStatus } from '@kube-ts/client/types';
import { metaNow } from '../../util/pods.js';

export interface NodeHealth {
  /** Local time of the last observed heartbeat (status or lease). */
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: NodeStatus;
  /** The observed lease's renewTime (ms, microsecond fraction kept), null when it had none. */
  leaseRenew?: number | null;
}

export interface HealthOptions { gracePeriodMs: number; startupGracePeriodMs: number }

export interface HealthResult {
  gracePeriodMs: number;
  /** The Ready condition as found on the node (a fake Unknown one when it has none). */
  observed: NodeCondition;
  /** The Ready condition after this pass (Unknown when the grace period ran out). */
  current: NodeCondition | undefined;
  /** The node with its conditions set Unknown, to write through nodes/status, when Ready changed. */
  update?: Node;
}

/** Conditions set Unknown when the kubelet goes silent (NetworkUnavailable is the cloud's). */
const SILENT_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export function nodeCondition(status: NodeStatus | undefined, type: string): NodeCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** metav1.Time / MicroTime to epoch ms (with the sub-millisecond fraction), NaN when unparsable. */
export function parseTime(s: string | null | undefined): number {
  if (!s) return NaN;
  const m = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return Date.parse(s);
  return Date.parse(m[1]! + m[3]!) + (m[2] ? Number(m[2]) * 1000 : 0);
}

function sameCondition(a: NodeCondition | undefined, b: NodeCondition | undefined): boolean {
  if (!a || !b) return a === b;
  return a.type === b.type && a.status === b.status && (a.reason ?? '') === (b.reason ?? '') && (a.message ?? '') === (b.message ?? '')
    && (a.lastHeartbeatTime ?? '') === (b.lastHeartbeatTime ?? '') && (a.lastTransitionTime ?? '') === (b.lastTransitionTime ?? '');
}

export class NodeHealthMap {
  private readonly m = new Map<string, NodeHealth>();

  get(name: string): NodeHealth | undefined { const h = this.m.get(name); return h && { ...h }; }
  set(name: string, h: NodeHealth): void { this.m.set(name, h); }
  delete(name: string): void { this.m.delete(name); }

  /** tryUpdateNodeHealth without the write: records what was observed and says what to write. */
  evaluate(original: Node, lease: Lease | undefined, now: number, o: HealthOptions): HealthResult {
    const node = structuredClone(original);
    const name = node.metadata.name!;
    const status: NodeStatus = node.status ?? (node.status = {});
    const created = parseTime(node.metadata.creationTimestamp);
    const createdMs = Number.isNaN(created) ? now : created;
    let h = this.get(name);
    const currentReady = nodeCondition(status, 'Ready');
    let observed: NodeCondition;
    let gracePeriodMs: number;
    if (!currentReady) {
      // The kubelet never posted status: a fake Unknown condition dated at creation, startup grace.
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: node.metadata.creationTimestamp };
      gracePeriodMs = o.startupGracePeriodMs;
      if (h) h.status = status;
      else h = { status, probeTimestamp: createdMs, readyTransitionTimestamp: createdMs };
    } else {
      observed = { ...currentReady };
      gracePeriodMs = o.gracePeriodMs;
    }
    const saved = h ? nodeCondition(h.status, 'Ready') : undefined;
    const savedLease = h?.leaseRenew;
    if (!h) {
      h = { status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (!saved && currentReady) {
      h = { status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (saved && !currentReady) {
      h = { status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (saved && currentReady && (saved.lastHeartbeatTime ?? '') !== (currentReady.lastHeartbeatTime ?? '')) {
      const transition = (saved.lastTransitionTime ?? '') !== (currentReady.lastTransitionTime ?? '') ? now : h.readyTransitionTimestamp;
      h = { status, probeTimestamp: now, readyTransitionTimestamp: transition, leaseRenew: h.leaseRenew };
    }
    // A renewed lease always counts as a heartbeat.
    if (lease) {
      const renew = parseTime(lease.spec?.renewTime);
      const observedRenew = Number.isNaN(renew) ? null : renew;
      const newer = savedLease === undefined || (savedLease !== null && observedRenew !== null && savedLease < observedRenew);
      if (newer) { h.leaseRenew = observedRenew; h.probeTimestamp = now; }
    }
    this.m.set(name, h);

    let current = currentReady;
    if (now > h.probeTimestamp + gracePeriodMs) {
      const ts = metaNow(now);
      const conds = status.conditions ?? (status.conditions = []);
      for (const type of SILENT_CONDITIONS) {
        const c = conds.find((x) => x.type === type);
        if (!c) {
          conds.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: ts });
        } else if (c.status !== 'Unknown') {
          c.status = 'Unknown';
          c.reason = 'NodeStatusUnknown';
          c.message = 'Kubelet stopped posting node status.';
          c.lastTransitionTime = ts;
        }
      }
      current = nodeCondition(status, 'Ready');
      if (!sameCondition(current, observed)) return { gracePeriodMs, observed, current, update: node };
    }
    return { gracePeriodMs, observed, current };
  }

  /** The Unknown status was written: remember it (the probe time stays, the transition is now). */
  written(name: string, status: NodeStatus, now: number): void {
    const h = this.m.get(name);
    this.m.set(name, { status, probeTimestamp: h?.probeTimestamp ?? now, readyTransitionTimestamp: now, leaseRenew: h?.leaseRenew });
  }

  /** Leaving full disruption: every node gets a fresh grace period. */
  resetProbes(names: Iterable<string>, now: number): void {
    for (const n of names) {
      const h = this.m.get(n);
      if (h) { h.probeTimestamp = now; h.readyTransitionTimestamp = now; }
    }
  }
}
