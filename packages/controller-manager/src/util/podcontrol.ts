// PodControl (controller_utils.go RealPodControl): creates pods from a template with a controller
// ownerReference and deletes them, recording upstream's events on the owner.
import type { EventRecorder } from '@kube-ts/client/events';
import { ApiError, isNamespaceTerminating } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { ResourceClient, RestClient } from '@kube-ts/client/rest';
import type { KubeObject, OwnerReference, Pod } from '@kube-ts/client/types';
import type { PodTemplateSpec } from '@kube-ts/client/workloads';

/** The pod a template produces for `owner` (GetPodFromTemplate). */
export function podFromTemplate(template: PodTemplateSpec, owner: KubeObject, ref: OwnerReference | undefined): Pod {
  const tm = template.metadata ?? {};
  const pod: Pod = {
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(tm.labels ?? {}) },
      annotations: { ...(tm.annotations ?? {}) },
      ...(tm.finalizers ? { finalizers: [...tm.finalizers] } : {}),
      ...(ref ? { ownerReferences: [ref] } : {}),
    },
    spec: structuredClone(template.spec),
  };
  if (Object.keys(pod.metadata.labels!).length === 0) delete pod.metadata.labels;
  if (Object.keys(pod.metadata.annotations!).length === 0) delete pod.metadata.annotations;
  return pod;
}

export class PodControl {
  readonly pods: ResourceClient<Pod>;
  constructor(rest: RestClient, private readonly recorder: EventRecorder, private readonly ownerType?: { apiVersion: string; kind: string }) {
    this.pods = rest.resource<Pod>(R.pods);
  }

  private ownerRefObj(owner: KubeObject): KubeObject {
    return this.ownerType && !owner.kind ? { ...owner, ...this.ownerType } : owner;
  }

  /** Creates a pod from `template`; `mutate` adjusts it first (name, labels, nodeName...). */
  async createPod(namespace: string, template: PodTemplateSpec, owner: KubeObject, ref: OwnerReference | undefined, mutate?: (p: Pod) => void): Promise<Pod> {
    const pod = podFromTemplate(template, owner, ref);
    pod.metadata.namespace = namespace;
    mutate?.(pod);
    if (!pod.metadata.labels || Object.keys(pod.metadata.labels).length === 0) {
      throw new Error('unable to create pods, no labels');
    }
    try {
      const created = await this.pods.create(pod);
      this.recorder.event(this.ownerRefObj(owner), 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      return created;
    } catch (err) {
      if (!isNamespaceTerminating(err)) this.recorder.event(this.ownerRefObj(owner), 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  /** Deletes a pod; a pod already gone counts as deleted (returns false). */
  async deletePod(namespace: string, name: string, owner: KubeObject): Promise<boolean> {
    try {
      await this.pods.delete(name, namespace);
      this.recorder.event(this.ownerRefObj(owner), 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.code === 404) return false;
      this.recorder.event(this.ownerRefObj(owner), 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
      throw err;
    }
  }
}
