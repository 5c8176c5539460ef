// The scheduling queue (upstream internal/queue): activeQ (ready, ordered by QueueSort),
// backoffQ (failed recently, ordered by backoff expiry) and the unschedulable pool (waiting for a
// cluster event one of the rejecting plugins registered). Also the nominator: pods that won a
// preemption and wait for their nominated node.
import type { Pod } from '@kube-ts/client/types';
import { realClock, type Clock, type Timer } from '@kube-ts/client/clock';
import { eventMatches, type ClusterEvent, type ClusterEventWithHint } from '../framework/events.js';
import { PodInfo, type QueuedPodInfo } from '../framework/podinfo.js';
import { KeyedHeap } from './heap.js';

export type QueueName = 'active' | 'backoff' | 'unschedulable' | 'gated';

export interface QueueMetricsSink {
  incoming(queue: QueueName, event: string): void;
  pending(counts: Record<QueueName, number>): void;
}

export interface QueueOptions {
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  clock?: Clock;
  podInitialBackoffMs?: number;
  podMaxBackoffMs?: number;
  /** Pods unschedulable this long are retried even without an event (upstream 5 min). */
  podMaxInUnschedulablePodsDurationMs?: number;
  /** plugin name -> events that may make pods it rejected schedulable. */
  pluginEvents?: Map<string, ClusterEventWithHint[]>;
  metrics?: QueueMetricsSink;
}

export const SCHEDULING_GATES = 'SchedulingGates';

function uidOf(p: Pod): string { return p.metadata.uid ?? `${p.metadata.namespace}/${p.metadata.name}`; }
function qKey(q: QueuedPodInfo): string { return uidOf(q.podInfo.pod); }

/** Whether an update changed something scheduling depends on (not just status or bookkeeping). */
export function isPodUpdated(a: Pod, b: Pod): boolean {
  const strip = (p: Pod): string => JSON.stringify({ ...p, status: undefined, metadata: { ...p.metadata, resourceVersion: undefined, generation: undefined, managedFields: undefined, finalizers: undefined } });
  return strip(a) !== strip(b);
}

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly activeQ: KeyedHeap<QueuedPodInfo>;
  private readonly backoffQ: KeyedHeap<QueuedPodInfo>;
  private readonly unschedulable = new Map<string, QueuedPodInfo>();
  private readonly inFlight = new Map<string, QueuedPodInfo>();
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;
  private readonly pluginEvents: Map<string, ClusterEventWithHint[]>;
  private waiters: Array<(q: QueuedPodInfo | undefined) => void> = [];
  private cycle = 0;
  private moveRequestCycle = -1;
  private closed = false;
  private timers: Timer[] = [];
  // nominator
  private readonly nominatedByNode = new Map<string, PodInfo[]>();
  private readonly nominatedNode = new Map<string, string>();

  constructor(private readonly opts: QueueOptions) {
    this.clock = opts.clock ?? realClock;
    this.initialBackoff = opts.podInitialBackoffMs ?? 1000;
    this.maxBackoff = opts.podMaxBackoffMs ?? 10_000;
    this.maxUnschedulable = opts.podMaxInUnschedulablePodsDurationMs ?? 5 * 60_000;
    this.pluginEvents = opts.pluginEvents ?? new Map();
    this.activeQ = new KeyedHeap(qKey, opts.less);
    this.backoffQ = new KeyedHeap(qKey, (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** Starts the periodic flushes (backoff every 1 s, long-unschedulable every 30 s). */
  run(): void {
    const tick = (ms: number, fn: () => void): void => {
      const t = this.clock.after(ms, () => { if (this.closed) return; fn(); tick(ms, fn); });
      this.timers.push(t);
    };
    tick(1000, () => this.flushBackoffCompleted());
    tick(30_000, () => this.flushUnschedulableLeftover());
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers) t.cancel();
    for (const w of this.waiters) w(undefined);
    this.waiters = [];
  }

  schedulingCycle(): number { return this.cycle; }

  private newQueued(pod: Pod): QueuedPodInfo {
    const now = this.clock.now();
    return { podInfo: new PodInfo(pod), timestamp: now, attempts: 0, initialAttemptTimestamp: now, unschedulablePlugins: new Set(), pendingPlugins: new Set() };
  }

  private static gated(pod: Pod): boolean { return (pod.spec.schedulingGates ?? []).length > 0; }

  private backoffDuration(q: QueuedPodInfo): number {
    let d = this.initialBackoff;
    for (let i = 1; i < q.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoff) return this.maxBackoff;
    }
    return Math.min(d, this.maxBackoff);
  }

  private backoffExpiry(q: QueuedPodInfo): number { return q.timestamp + this.backoffDuration(q); }
  private isBackingOff(q: QueuedPodInfo): boolean { return q.attempts > 0 && this.backoffExpiry(q) > this.clock.now(); }

  private pushActive(q: QueuedPodInfo, event: string): void {
    this.activeQ.addOrUpdate(q);
    this.opts.metrics?.incoming('active', event);
    this.wake();
    this.reportPending();
  }

  private wake(): void {
    while (this.waiters.length && this.activeQ.size) {
      const w = this.waiters.shift()!;
      w(this.take());
    }
  }

  private reportPending(): void {
    this.opts.metrics?.pending(this.counts());
  }

  /** A new unscheduled pod. */
  add(pod: Pod): void {
    const q = this.newQueued(pod);
    const k = uidOf(pod);
    if (this.activeQ.has(k) || this.backoffQ.has(k) || this.unschedulable.has(k) || this.inFlight.has(k)) return;
    if (SchedulingQueue.gated(pod)) {
      q.unschedulablePlugins.add(SCHEDULING_GATES);
      this.unschedulable.set(k, q);
      this.opts.metrics?.incoming('gated', 'PodAdd');
      this.reportPending();
      return;
    }
    this.pushActive(q, 'PodAdd');
  }

  /** An unscheduled pod changed. */
  update(oldPod: Pod, pod: Pod): void {
    const k = uidOf(pod);
    for (const h of [this.activeQ, this.backoffQ]) {
      const q = h.get(k);
      if (q) { q.podInfo = new PodInfo(pod); h.addOrUpdate(q); return; }
    }
    const u = this.unschedulable.get(k);
    if (u) {
      u.podInfo = new PodInfo(pod);
      const wasGated = u.unschedulablePlugins.has(SCHEDULING_GATES);
      if (wasGated && !SchedulingQueue.gated(pod)) {
        this.unschedulable.delete(k);
        u.unschedulablePlugins.clear();
        this.pushActive(u, 'UpdatePodSchedulingGatesEliminated');
      } else if (!wasGated && isPodUpdated(oldPod, pod)) {
        this.unschedulable.delete(k);
        if (this.isBackingOff(u)) { this.backoffQ.addOrUpdate(u); this.opts.metrics?.incoming('backoff', 'PodUpdate'); this.reportPending(); }
        else this.pushActive(u, 'PodUpdate');
      }
      return;
    }
    const f = this.inFlight.get(k);
    if (f) { f.podInfo = new PodInfo(pod); return; }
    this.add(pod);
  }

  delete(pod: Pod): void {
    const k = uidOf(pod);
    this.activeQ.delete(k);
    this.backoffQ.delete(k);
    this.unschedulable.delete(k);
    this.deleteNominatedPodIfExists(pod);
    this.reportPending();
  }

  private take(): QueuedPodInfo {
    const q = this.activeQ.pop()!;
    q.attempts++;
    this.cycle++;
    this.inFlight.set(qKey(q), q);
    this.reportPending();
    return q;
  }

  /** The next pod to schedule; waits while the active queue is empty. Undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    if (this.closed) return Promise.resolve(undefined);
    if (this.activeQ.size) return Promise.resolve(this.take());
    return new Promise((r) => this.waiters.push(r));
  }

  /** The scheduling attempt of `q` is over (success or failure already handled). */
  done(pod: Pod): void { this.inFlight.delete(uidOf(pod)); }

  /**
   * After a failed attempt: back into the unschedulable pool, unless a move request arrived while
   * it was being scheduled (the event might have made it schedulable) or it failed for an error.
   */
  addUnschedulableIfNotPresent(q: QueuedPodInfo, podSchedulingCycle: number): void {
    const k = qKey(q);
    this.inFlight.delete(k);
    if (this.activeQ.has(k) || this.backoffQ.has(k) || this.unschedulable.has(k)) return;
    q.timestamp = this.clock.now();
    if (this.moveRequestCycle >= podSchedulingCycle || q.unschedulablePlugins.size === 0) {
      this.backoffQ.addOrUpdate(q);
      this.opts.metrics?.incoming('backoff', 'ScheduleAttemptFailure');
    } else {
      this.unschedulable.set(k, q);
      this.opts.metrics?.incoming('unschedulable', 'ScheduleAttemptFailure');
    }
    this.reportPending();
  }

  /** Re-queues a pod immediately (e.g. after its binding failed). */
  activate(q: QueuedPodInfo): void {
    this.inFlight.delete(qKey(q));
    this.pushActive(q, 'ForceActivate');
  }

  private podMatchesEvent(q: QueuedPodInfo, event: ClusterEvent, oldObj: unknown, newObj: unknown): boolean {
    if (q.unschedulablePlugins.has(SCHEDULING_GATES)) return false;
    if (event.resource === '*') return true;
    for (const plugin of q.unschedulablePlugins) {
      for (const reg of this.pluginEvents.get(plugin) ?? []) {
        if (!eventMatches(reg.event, event)) continue;
        if (!reg.hint) return true;
        try {
          if (reg.hint(q.podInfo.pod, oldObj, newObj) === 'Queue') return true;
        } catch {
          return true; // a failing hint must not strand the pod
        }
      }
    }
    return false;
  }

  /** A cluster event: move the unschedulable pods it may help to activeQ (or backoffQ if still backing off). */
  moveAllToActiveOrBackoffQueue(event: ClusterEvent, oldObj: unknown, newObj: unknown, preCheck?: (pod: Pod) => boolean): void {
    const label = event.label ?? `${event.resource}:${event.actionType}`;
    let moved = false;
    for (const [k, q] of this.unschedulable) {
      if (preCheck && !preCheck(q.podInfo.pod)) continue;
      if (!this.podMatchesEvent(q, event, oldObj, newObj)) continue;
      this.unschedulable.delete(k);
      moved = true;
      if (this.isBackingOff(q)) { this.backoffQ.addOrUpdate(q); this.opts.metrics?.incoming('backoff', label); }
      else { this.activeQ.addOrUpdate(q); this.opts.metrics?.incoming('active', label); }
    }
    this.moveRequestCycle = this.cycle;
    if (moved) { this.wake(); this.reportPending(); }
  }

  flushBackoffCompleted(): void {
    const now = this.clock.now();
    let moved = false;
    for (;;) {
      const top = this.backoffQ.peek();
      if (!top || this.backoffExpiry(top) > now) break;
      this.backoffQ.pop();
      this.activeQ.addOrUpdate(top);
      this.opts.metrics?.incoming('active', 'BackoffComplete');
      moved = true;
    }
    if (moved) { this.wake(); this.reportPending(); }
  }

  flushUnschedulableLeftover(): void {
    const now = this.clock.now();
    let moved = false;
    for (const [k, q] of this.unschedulable) {
      if (q.unschedulablePlugins.has(SCHEDULING_GATES)) continue;
      if (now - q.timestamp <= this.maxUnschedulable) continue;
      this.unschedulable.delete(k);
      moved = true;
      if (this.isBackingOff(q)) this.backoffQ.addOrUpdate(q); else this.activeQ.addOrUpdate(q);
      this.opts.metrics?.incoming('active', 'UnschedulableTimeout');
    }
    if (moved) { this.wake(); this.reportPending(); }
  }

  counts(): Record<QueueName, number> {
    let gated = 0;
    for (const q of this.unschedulable.values()) if (q.unschedulablePlugins.has(SCHEDULING_GATES)) gated++;
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size - gated, gated };
  }

  /** Where a pod is (tests, debugging). */
  whereIs(pod: Pod): QueueName | 'inFlight' | undefined {
    const k = uidOf(pod);
    if (this.activeQ.has(k)) return 'active';
    if (this.backoffQ.has(k)) return 'backoff';
    const u = this.unschedulable.get(k);
    if (u) return u.unschedulablePlugins.has(SCHEDULING_GATES) ? 'gated' : 'unschedulable';
    if (this.inFlight.has(k)) return 'inFlight';
    return undefined;
  }

  // ---- nominator ---------------------------------------------------------------------------

  addNominatedPod(info: PodInfo, nodeName: string): void {
    this.deleteNominatedPodIfExists(info.pod);
    if (!nodeName) return;
    const k = uidOf(info.pod);
    this.nominatedNode.set(k, nodeName);
    const list = this.nominatedByNode.get(nodeName) ?? [];
    list.push(info);
    this.nominatedByNode.set(nodeName, list);
  }

  deleteNominatedPodIfExists(pod: Pod): void {
    const k = uidOf(pod);
    const node = this.nominatedNode.get(k);
    if (node === undefined) return;
    this.nominatedNode.delete(k);
    const list = (this.nominatedByNode.get(node) ?? []).filter((p) => uidOf(p.pod) !== k);
    if (list.length) this.nominatedByNode.set(node, list); else this.nominatedByNode.delete(node);
  }

  nominatedPodsForNode(nodeName: string): PodInfo[] { return this.nominatedByNode.get(nodeName) ?? []; }
}
