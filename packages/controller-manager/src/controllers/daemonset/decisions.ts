// The DaemonSet controller's pure decisions (daemon_controller.go, update.go): what each node
// needs (create a pod, delete failed/excess/misscheduled ones), which old pods a rolling update
// replaces (maxUnavailable) or surges past (maxSurge), and the status the pods imply.
import type { Node, Pod } from '@kube-ts/client/types';
import type { DaemonSet, DaemonSetStatus } from '@kube-ts/client/workloads';
import { scaledValue } from '../../util/intstr.js';
import { isPodAvailable, isPodReady } from '../../util/pods.js';
import { REVISION_HASH_LABEL } from '../history/revisions.js';
import type { Backoff } from './backoff.js';
import { isPodUpdated, nodeShouldRunDaemonPod, templateGeneration } from './eligibility.js';

/** podByCreationTimestampAndPhase: scheduled first, then oldest, then by name. */
export function comparePodsByAge(a: Pod, b: Pod): number {
  const an = a.spec.nodeName ? 0 : 1; const bn = b.spec.nodeName ? 0 : 1;
  if (an !== bn) return an - bn;
  const ta = a.metadata.creationTimestamp ?? ''; const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? ''; const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** AllowsSurge: a non-zero maxSurge (any positive percentage rounds up to one). */
export function allowsSurge(ds: DaemonSet): boolean {
  try { return surgeCount(ds, 1) !== 0; } catch { return false; }
}

/** SurgeCount: maxSurge of the desired count, rounded up (0 unless RollingUpdate). */
export function surgeCount(ds: DaemonSet, desired: number): number {
  const us = ds.spec.updateStrategy;
  if (us?.type !== 'RollingUpdate' || us.rollingUpdate?.maxSurge === undefined) return 0;
  return scaledValue(us.rollingUpdate.maxSurge, desired, true);
}

/** UnavailableCount: maxUnavailable of the desired count, rounded up (0 unless RollingUpdate). */
export function unavailableCount(ds: DaemonSet, desired: number): number {
  const us = ds.spec.updateStrategy;
  if (us?.type !== 'RollingUpdate' || !us.rollingUpdate) return 0;
  return scaledValue(us.rollingUpdate.maxUnavailable, desired, true);
}

export interface NodeActions {
  nodesNeedingPods: string[];
  podsToDelete: string[];
  /** Events to record (failed/succeeded pods found). */
  events: Array<{ type: 'Normal' | 'Warning'; reason: string; message: string }>;
  /** Look again after this long (a failed pod waiting out its backoff). */
  requeueAfterMs?: number;
}

/** podsShouldBeOnNode for one node. */
export function podsShouldBeOnNode(node: Node, daemonPods: Pod[] | undefined, ds: DaemonSet, hash: string, backoff: Backoff, now: number, out: NodeActions): void {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const nodeName = node.metadata.name!;
  const exists = daemonPods !== undefined && daemonPods.length > 0;
  if (shouldRun && !exists) { out.nodesNeedingPods.push(nodeName); return; }
  if (shouldContinueRunning) {
    const running: Pod[] = [];
    for (const pod of daemonPods ?? []) {
      if (pod.metadata.deletionTimestamp) continue;
      const phase = pod.status?.phase;
      if (phase === 'Failed') {
        const key = `${ds.metadata.uid}/${nodeName}`;
        if (backoff.inBackoffSinceUpdate(key, now)) {
          const delay = backoff.get(key);
          out.requeueAfterMs = Math.min(out.requeueAfterMs ?? delay, delay);
          continue;
        }
        backoff.next(key, now);
        out.events.push({ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to kill it` });
        out.podsToDelete.push(pod.metadata.name!);
      } else if (phase === 'Succeeded') {
        out.events.push({ type: 'Normal', reason: 'SucceededDaemonPod', message: `Found succeeded daemon pod ${pod.metadata.namespace}/${pod.metadata.name} on node ${nodeName}, will try to delete it` });
        out.podsToDelete.push(pod.metadata.name!);
      } else {
        running.push(pod);
      }
    }
    running.sort(comparePodsByAge);
    if (!allowsSurge(ds)) {
      // Without surge at most one pod per node: keep the oldest.
      for (const p of running.slice(1)) out.podsToDelete.push(p.metadata.name!);
      return;
    }
    if (running.length <= 1) {
      if (running.length === 0 && shouldRun) out.nodesNeedingPods.push(nodeName);
      return;
    }
    // Surging: keep the oldest new pod and, while it is not yet available, the oldest old one.
    let oldestNew: Pod | undefined; let oldestOld: Pod | undefined;
    for (const p of running) {
      if (p.metadata.labels?.[REVISION_HASH_LABEL] === hash) {
        if (!oldestNew) { oldestNew = p; continue; }
      } else if (!oldestOld) { oldestOld = p; continue; }
      out.podsToDelete.push(p.metadata.name!);
    }
    if (oldestNew && oldestOld) {
      if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now)) out.podsToDelete.push(oldestOld.metadata.name!);
    }
    return;
  }
  if (exists) {
    for (const p of daemonPods) if (!p.metadata.deletionTimestamp) out.podsToDelete.push(p.metadata.name!);
  }
}

/** getUnscheduledPodsWithoutNode: unbound pods aimed at nodes that do not exist. */
export function unscheduledPodsWithoutNode(nodes: Node[], nodeToPods: Map<string, Pod[]>): string[] {
  const names = new Set(nodes.map((n) => n.metadata.name!));
  const out: string[] = [];
  for (const [n, pods] of nodeToPods) {
    if (names.has(n)) continue;
    for (const p of pods) if (!p.spec.nodeName) out.push(p.metadata.name!);
  }
  return out;
}

/** findUpdatedPodsOnNode: the node's new and old pod; ok=false when either is duplicated. */
export function findUpdatedPodsOnNode(ds: DaemonSet, pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined; let oldPod: Pod | undefined;
  const gen = templateGeneration(ds);
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, gen)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

export interface RollingUpdatePlan { podsToDelete: string[]; nodesToCreate: string[] }

/**
 * rollingUpdate: without surge, delete old pods up to maxUnavailable (unavailable old pods
 * always); with surge, create new pods beside old ones up to maxSurge and delete an old pod once
 * its node's new pod is available. `nodeToPods` holds every daemon pod by node.
 */
export function planRollingUpdate(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, now: number): RollingUpdatePlan {
  const mrs = ds.spec.minReadySeconds ?? 0;
  const byNode = new Map(nodeToPods);
  let desired = 0;
  const nodeByName = new Map(nodes.map((n) => [n.metadata.name!, n]));
  for (const n of nodes) {
    if (!nodeShouldRunDaemonPod(n, ds).shouldRun) continue;
    desired++;
    if (!byNode.has(n.metadata.name!)) byNode.set(n.metadata.name!, []);
  }
  let maxUnavailable = unavailableCount(ds, desired);
  const maxSurge = surgeCount(ds, desired);
  // An impossible configuration (both 0) falls back to one unavailable pod.
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  const sorted = [...byNode.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowed: string[] = []; const candidates: string[] = [];
    for (const [, pods] of sorted) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
      if (!ok) { numUnavailable++; continue; }
      if ((!oldPod && !newPod) || (oldPod && newPod)) { numUnavailable++; continue; }
      if (newPod) { if (!isPodAvailable(newPod, mrs, now)) numUnavailable++; continue; }
      if (!isPodAvailable(oldPod!, mrs, now)) { allowed.push(oldPod!.metadata.name!); numUnavailable++; continue; }
      if (numUnavailable >= maxUnavailable) continue;
      candidates.push(oldPod!.metadata.name!);
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { podsToDelete: [...allowed, ...candidates.slice(0, remaining)], nodesToCreate: [] };
  }

  const oldToDelete: string[] = []; const shouldNotRun: string[] = [];
  const candidateNodes: string[] = []; const allowedNodes: string[] = [];
  let numSurge = 0; let numAvailable = 0;
  for (const [nodeName, pods] of sorted) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
    if (!ok) { numSurge++; continue; }
    if (oldPod) { if (isPodAvailable(oldPod, mrs, now)) numAvailable++; } else if (newPod && isPodAvailable(newPod, mrs, now)) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      const node = nodeByName.get(nodeName);
      const run = node ? nodeShouldRunDaemonPod(node, ds).shouldRun : false;
      if (!isPodAvailable(oldPod, mrs, now)) {
        if (!run) oldToDelete.push(oldPod.metadata.name!); else allowedNodes.push(nodeName);
        continue;
      }
      if (!run) { shouldNotRun.push(oldPod.metadata.name!); continue; }
      if (numSurge >= maxSurge) continue;
      candidateNodes.push(nodeName);
      continue;
    }
    if (!isPodAvailable(newPod, mrs, now)) { numSurge++; continue; }
    oldToDelete.push(oldPod.metadata.name!);
  }
  // Pods on nodes the DaemonSet no longer fits go only once enough others are available.
  const deletable = Math.min(numAvailable - desired, shouldNotRun.length);
  if (deletable > 0) oldToDelete.push(...shouldNotRun.slice(0, deletable));
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNodes.length);
  return { podsToDelete: oldToDelete, nodesToCreate: [...allowedNodes, ...candidateNodes.slice(0, remaining)] };
}

/** updateDaemonSetStatus's counts. */
export function computeStatus(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, now: number): Omit<DaemonSetStatus, 'observedGeneration' | 'collisionCount' | 'conditions'> {
  let desired = 0; let current = 0; let mis = 0; let ready = 0; let updated = 0; let available = 0;
  const gen = templateGeneration(ds);
  for (const n of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(n, ds);
    const pods = nodeToPods.get(n.metadata.name!) ?? [];
    const scheduled = pods.length > 0;
    if (!shouldRun) { if (scheduled) mis++; continue; }
    desired++;
    if (!scheduled) continue;
    current++;
    const pod = [...pods].sort(comparePodsByAge)[0]!;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) available++;
    }
    if (isPodUpdated(pod, hash, gen)) updated++;
  }
  return {
    desiredNumberScheduled: desired, currentNumberScheduled: current, numberMisscheduled: mis, numberReady: ready,
    updatedNumberScheduled: updated, numberAvailable: available, numberUnavailable: desired - available,
  };
}
