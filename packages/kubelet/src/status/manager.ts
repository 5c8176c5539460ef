// Writes pod statuses to the API (pkg/kubelet/status/status_manager.go): only when they changed,
// one write at a time per pod, keeping conditions the kubelet does not own (PodScheduled,
// DisruptionTarget, readiness gates); static pods report through their mirror pod; a pod whose
// deletion the kubelet finished is deleted for good with a UID precondition.
import type { Logger } from 'pino';
import { isNotFound, isConflict, R, type Pod, type PodCondition, type RestClient } from '@kube-ts/client';
import type { KubeletPodStatus } from '../api.js';
import { KUBELET_CONDITIONS } from './generate.js';

interface Entry {
  sent?: string;
  pending?: KubeletPodStatus;
  writing: boolean;
  ns: string;
  name: string;
}

export class StatusManager {
  private readonly entries = new Map<string, Entry>();
  private readonly latest = new Map<string, KubeletPodStatus>();

  constructor(
    private readonly rest: RestClient,
    private readonly logger: Logger,
    /** The API's current pod (mirror pod for static pods) by namespace/name. */
    private readonly apiPod: (ns: string, name: string) => Pod | undefined,
  ) {}

  /** The status the kubelet last computed for a pod (the prober reads it). */
  get(uid: string): KubeletPodStatus | undefined {
    return this.latest.get(uid);
  }

  /** Merges non-kubelet conditions from the API object and queues a write if anything changed. */
  set(pod: Pod, status: KubeletPodStatus): void {
    const uid = pod.metadata.uid ?? '';
    const ns = pod.metadata.namespace ?? 'default';
    const api = this.apiPod(ns, pod.metadata.name!);
    const others: PodCondition[] = ((api?.status?.conditions ?? pod.status?.conditions ?? []) as PodCondition[]).filter(
      (c) => !KUBELET_CONDITIONS.includes(c.type),
    );
    const full: KubeletPodStatus = { ...status, conditions: [...others, ...(status.conditions ?? [])] };
    if (api?.status?.['nominatedNodeName']) full.nominatedNodeName = api.status.nominatedNodeName;
    this.latest.set(uid, full);
    let e = this.entries.get(uid);
    if (!e) {
      e = { writing: false, ns, name: pod.metadata.name! };
      this.entries.set(uid, e);
    }
    const text = JSON.stringify(full);
    if (text === e.sent && !e.pending) return;
    e.pending = full;
    void this.flush(uid, e);
  }

  private async flush(uid: string, e: Entry): Promise<void> {
    if (e.writing) return;
    e.writing = true;
    try {
      while (e.pending) {
        const st = e.pending;
        e.pending = undefined;
        const text = JSON.stringify(st);
        if (text === e.sent) continue;
        const api = this.apiPod(e.ns, e.name);
        // A status for a pod object that is gone or replaced (same name, new UID) is dropped.
        if (api && api.metadata.uid && api.metadata.uid !== uid && !api.metadata.annotations?.['kubernetes.io/config.mirror']) break;
        try {
          await this.rest.resource<Pod>(R.pods).patch(e.name, e.ns, { status: st }, 'merge', { subresource: 'status' });
          e.sent = text;
        } catch (err) {
          if (isNotFound(err)) break;
          if (!isConflict(err)) this.logger.warn({ err, pod: `${e.ns}/${e.name}` }, 'pod status update failed; will retry');
          e.pending = e.pending ?? st;
          await new Promise((r) => setTimeout(r, 1000).unref());
        }
      }
    } finally {
      e.writing = false;
    }
  }

  /** True once the last computed status was written. */
  synced(uid: string): boolean {
    const e = this.entries.get(uid);
    return !!e && !e.pending && !e.writing && e.sent === JSON.stringify(this.latest.get(uid));
  }

  /** Final delete of a pod the kubelet finished terminating. */
  async deletePod(pod: Pod): Promise<void> {
    try {
      await this.rest.resource<Pod>(R.pods).delete(pod.metadata.name!, pod.metadata.namespace, {
        gracePeriodSeconds: 0,
        preconditions: { uid: pod.metadata.uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  forget(uid: string): void {
    this.entries.delete(uid);
    this.latest.delete(uid);
  }
}
