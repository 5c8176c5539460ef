// Pod status writes of the node controllers: MarkPodsNotReady (controller/util/node) and the pod
// condition update rule (pkg/api/v1/pod UpdatePodCondition) they share with taint eviction.
import type { EventRecorder } from '@kube-ts/client/events';
import { isNotFound } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { RestClient } from '@kube-ts/client/rest';
import type { Pod, PodCondition, PodStatus } from '@kube-ts/client/types';
import { metaNow } from '../../util/pods.js';

/**
 * UpdatePodCondition: sets `cond` in `status` (lastTransitionTime now, kept when the status is
 * unchanged); true when anything changed.
 */
export function updatePodCondition(status: PodStatus, cond: PodCondition, nowMs: number): boolean {
  const next: PodCondition = { ...cond, lastTransitionTime: metaNow(nowMs) };
  const conds = status.conditions ?? (status.conditions = []);
  const i = conds.findIndex((c) => c.type === cond.type);
  if (i < 0) { conds.push(next); return true; }
  const old = conds[i]!;
  if (next.status === old.status) next.lastTransitionTime = old.lastTransitionTime;
  const equal = next.status === old.status && (next.reason ?? '') === (old.reason ?? '') && (next.message ?? '') === (old.message ?? '')
    && (next.lastProbeTime ?? null) === (old.lastProbeTime ?? null) && next.lastTransitionTime === old.lastTransitionTime;
  conds[i] = next;
  return !equal;
}

/**
 * MarkPodsNotReady: sets Ready=False on the pods bound to `nodeName` (through pods/status) and
 * records NodeNotReady on each. Pods already gone are skipped; other errors are collected.
 */
export async function markPodsNotReady(rest: RestClient, recorder: EventRecorder, pods: readonly Pod[], nodeName: string, nowMs: number): Promise<void> {
  const client = rest.resource<Pod>(R.pods);
  const errs: unknown[] = [];
  for (const p of pods) {
    if (p.spec.nodeName !== nodeName) continue;
    const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
    if (!ready) continue;
    const pod = structuredClone(p);
    if (!updatePodCondition(pod.status!, { ...ready, status: 'False' }, nowMs)) continue;
    try {
      await client.updateStatus(pod);
    } catch (err) {
      if (isNotFound(err)) continue;
      errs.push(err);
      continue;
    }
    recorder.event({ ...pod, kind: 'Pod', apiVersion: 'v1' }, 'Warning', 'NodeNotReady', 'Node is not ready');
  }
  if (errs.length === 1) throw errs[0];
  if (errs.length > 1) throw new AggregateError(errs, errs.map(String).join(', '));
}
