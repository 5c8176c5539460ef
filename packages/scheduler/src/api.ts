// The scheduler's writes to the apiserver: bindings, pod status (PodScheduled condition and
// nominatedNodeName), and preemption (DisruptionTarget condition, then delete).
import type { RestClient, ResourceClient } from '@kube-ts/client/rest';
import { R } from '@kube-ts/client/resources';
import { isNotFound } from '@kube-ts/client/errors';
import type { Pod, PodCondition } from '@kube-ts/client/types';
import type { ClusterApi } from './framework/interface.js';

export class SchedulerApi implements ClusterApi {
  private readonly pods: ResourceClient<Pod>;

  constructor(rest: RestClient, private readonly schedulerName: string, private readonly now: () => number = Date.now) {
    this.pods = rest.resource<Pod>(R.pods);
  }

  async bind(pod: Pod, nodeName: string): Promise<void> {
    await this.pods.createSubresource(pod.metadata.name!, pod.metadata.namespace, 'binding', {
      apiVersion: 'v1', kind: 'Binding',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
    });
  }

  async preemptPod(victim: Pod, _preemptor: Pod, _nodeName: string): Promise<void> {
    const cond: PodCondition = {
      type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
      message: `${this.schedulerName}: preempting to accommodate a higher priority pod`,
      lastTransitionTime: new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    try {
      await this.pods.patch(victim.metadata.name!, victim.metadata.namespace, { status: { conditions: [cond] } }, 'strategic', { subresource: 'status' });
      await this.pods.delete(victim.metadata.name!, victim.metadata.namespace, { preconditions: { uid: victim.metadata.uid } });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  async clearNominatedNodeName(pod: Pod): Promise<void> {
    try {
      await this.pods.patch(pod.metadata.name!, pod.metadata.namespace, { status: { nominatedNodeName: null } }, 'merge', { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Sets PodScheduled=False with the failure message (and the nominated node), only when something changed. */
  async updateFailureStatus(pod: Pod, reason: string, message: string, nominatedNodeName: string | undefined): Promise<void> {
    const cur = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
    const nominatedChanged = nominatedNodeName !== undefined && nominatedNodeName !== (pod.status?.nominatedNodeName ?? '');
    if (cur && cur.status === 'False' && cur.reason === reason && cur.message === message && !nominatedChanged) return;
    const cond: PodCondition = {
      type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null,
      lastTransitionTime: cur && cur.status === 'False' && cur.lastTransitionTime ? cur.lastTransitionTime : new Date(this.now()).toISOString().replace(/\.\d+Z$/, 'Z'),
    };
    const status: Record<string, unknown> = { conditions: [cond] };
    if (nominatedChanged) status.nominatedNodeName = nominatedNodeName || null;
    try {
      await this.pods.patch(pod.metadata.name!, pod.metadata.namespace, { status }, 'strategic', { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
