// TriggerTimeTracker (endpointslice/util/trigger_time_tracker.go): the value of the
// endpoints.kubernetes.io/last-change-trigger-time annotation, i.e. the earliest change (a pod's
// Ready transition, the service's creation) not yet reflected by a previous sync.
import type { Service } from '@kube-ts/client/services';
import type { Pod } from '@kube-ts/client/types';
import { podCondition } from '../../util/pods.js';

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState { service: number; pods: Map<string, number> }

const parse = (t: string | undefined): number => (t ? Date.parse(t) || 0 : 0);

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** Updates the state for the service and returns the trigger time in ms (0: none to export). */
  compute(namespace: string, svc: Service, pods: Pod[]): number {
    const key = `${namespace}/${svc.metadata.name}`;
    const prev = this.states.get(key);
    let min = 0;
    const podTimes = new Map<string, number>();
    for (const p of pods) {
      const t = parse(podCondition(p, 'Ready')?.lastTransitionTime);
      if (!t) continue;
      podTimes.set(p.metadata.name!, t);
      if (t > (prev?.pods.get(p.metadata.name!) ?? 0)) min = min === 0 || t < min ? t : min;
    }
    const svcTime = parse(svc.metadata.creationTimestamp);
    if (svcTime > (prev?.service ?? 0)) min = min === 0 || svcTime < min ? svcTime : min;
    this.states.set(key, { service: svcTime, pods: podTimes });
    // A service seen for the first time reports its creation.
    return prev ? min : svcTime;
  }

  deleteService(namespace: string, name: string): void { this.states.delete(`${namespace}/${name}`); }
}

/** Go's time.Format(time.RFC3339Nano) in UTC: fraction without trailing zeros. */
export function formatRFC3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  const [head, frac] = iso.slice(0, -1).split('.');
  const f = (frac ?? '').replace(/0+$/, '');
  return `${head}${f ? `.${f}` : ''}Z`;
}
