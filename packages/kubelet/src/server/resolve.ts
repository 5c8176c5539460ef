// Finds a pod's CRI objects by the labels the kubelet puts on them (io.kubernetes.pod.uid,
// io.kubernetes.container.name), newest first, as the runtime is the source of truth for which
// instance is current and which ran before it.
import type { Pod } from '@kube-ts/client/types';
import type { Container, PodSandbox, RuntimeService } from '../cri/types.js';

export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';

/** Upstream kubecontainer.GetPodFullName: name_namespace. */
export function podFullName(pod: Pod): string {
  return `${pod.metadata.name ?? ''}_${pod.metadata.namespace ?? ''}`;
}

function newestFirst<T extends { createdAt: string; metadata: { attempt?: number } }>(items: T[]): T[] {
  return [...items].sort((a, b) => {
    const d = BigInt(b.createdAt || '0') - BigInt(a.createdAt || '0');
    if (d !== 0n) return d > 0n ? 1 : -1;
    return (b.metadata.attempt ?? 0) - (a.metadata.attempt ?? 0);
  });
}

/** Whether the pod's spec has a container (regular, init or ephemeral) of that name. */
export function specHasContainer(pod: Pod, name: string): boolean {
  const lists = [pod.spec.containers, pod.spec.initContainers, pod.spec['ephemeralContainers'] as { name: string }[] | undefined];
  return lists.some((l) => (l ?? []).some((c) => c.name === name));
}

/** Every instance of a pod's container the runtime still has, newest first. */
export async function containerInstances(runtime: RuntimeService, podUid: string, name: string): Promise<Container[]> {
  const list = await runtime.listContainers({ labelSelector: { [POD_UID_LABEL]: podUid, [CONTAINER_NAME_LABEL]: name } });
  return newestFirst(list);
}

/** The running instance of a pod's container (what exec and attach reach). */
export async function runningContainer(runtime: RuntimeService, podUid: string, name: string): Promise<Container | undefined> {
  return (await containerInstances(runtime, podUid, name)).find((c) => c.state === 'CONTAINER_RUNNING');
}

/** The pod's ready sandbox (what port-forward reaches). */
export async function readySandbox(runtime: RuntimeService, podUid: string): Promise<PodSandbox | undefined> {
  const list = await runtime.listPodSandbox({ labelSelector: { [POD_UID_LABEL]: podUid } });
  return newestFirst(list).find((s) => s.state === 'SANDBOX_READY');
}
