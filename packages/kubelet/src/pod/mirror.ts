// Mirror pods (pkg/kubelet/pod/mirror_client.go): an API copy of each static pod, annotated with
// kubernetes.io/config.mirror and owned by the Node, so kubectl sees what the kubelet runs from
// files. The API object is read-only in effect: deleting it just makes the kubelet recreate it.
import { isAlreadyExists, isNotFound, R, type Node, type Pod, type RestClient } from '@kube-ts/client';
import { CONFIG_HASH_ANNOTATION, CONFIG_MIRROR_ANNOTATION } from '../api.js';

export class MirrorClient {
  constructor(
    private readonly rest: RestClient,
    private readonly node: () => Node | undefined,
  ) {}

  private pods() {
    return this.rest.resource<Pod>(R.pods);
  }

  async ensure(staticPod: Pod, existing: Pod | undefined): Promise<void> {
    const hash = staticPod.metadata.annotations?.[CONFIG_HASH_ANNOTATION] ?? '';
    if (existing && existing.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] === hash && !existing.metadata.deletionTimestamp) return;
    if (existing) await this.delete(existing);
    const node = this.node();
    const mirror: Pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: staticPod.metadata.name!,
        namespace: staticPod.metadata.namespace,
        labels: staticPod.metadata.labels,
        annotations: { ...(staticPod.metadata.annotations ?? {}), [CONFIG_MIRROR_ANNOTATION]: hash },
        ...(node?.metadata.uid
          ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: node.metadata.name ?? '', uid: node.metadata.uid, controller: true }] }
          : {}),
      },
      spec: staticPod.spec,
    };
    try {
      await this.pods().create(mirror);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  async delete(mirror: Pod): Promise<void> {
    try {
      await this.pods().delete(mirror.metadata.name!, mirror.metadata.namespace, {
        gracePeriodSeconds: 0,
        preconditions: mirror.metadata.uid ? { uid: mirror.metadata.uid } : undefined,
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
