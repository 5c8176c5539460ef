// Labels and annotations the kubelet puts on CRI objects (pkg/kubelet/kuberuntime/labels.go): they
// are how a restarted kubelet finds its pods' sandboxes and containers again.
import type { Container, Pod } from '@kube-ts/client';
import type { ContainerPort } from '@kube-ts/client';

export const L_POD_NAME = 'io.kubernetes.pod.name';
export const L_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const L_POD_UID = 'io.kubernetes.pod.uid';
export const L_CONTAINER_NAME = 'io.kubernetes.container.name';
export const L_CONTAINER_TYPE = 'io.kubernetes.container.type';
export const A_CONTAINER_HASH = 'io.kubernetes.container.hash';
export const A_RESTART_COUNT = 'io.kubernetes.container.restartCount';
export const A_TERMINATION_MESSAGE_PATH = 'io.kubernetes.container.terminationMessagePath';
export const A_TERMINATION_MESSAGE_POLICY = 'io.kubernetes.container.terminationMessagePolicy';
export const A_POD_GRACE = 'io.kubernetes.pod.terminationGracePeriod';
export const A_PRESTOP = 'io.kubernetes.container.preStopHandler';
export const A_PORTS = 'io.kubernetes.container.ports';
export const A_KUBELET_LABEL = 'io.kubernetes.kubelet.managed';

export function sandboxLabels(p: Pod): Record<string, string> {
  const out: Record<string, string> = { ...(p.metadata.labels ?? {}) };
  out[L_POD_NAME] = p.metadata.name!;
  out[L_POD_NAMESPACE] = p.metadata.namespace ?? 'default';
  out[L_POD_UID] = p.metadata.uid ?? '';
  return out;
}

export function sandboxAnnotations(p: Pod): Record<string, string> {
  return { ...(p.metadata.annotations ?? {}) };
}

export function containerLabels(p: Pod, c: Container, type: 'init' | 'regular'): Record<string, string> {
  return {
    [L_POD_NAME]: p.metadata.name!,
    [L_POD_NAMESPACE]: p.metadata.namespace ?? 'default',
    [L_POD_UID]: p.metadata.uid ?? '',
    [L_CONTAINER_NAME]: c.name,
    [L_CONTAINER_TYPE]: type,
  };
}

export function containerAnnotations(p: Pod, c: Container, hash: string, restartCount: number): Record<string, string> {
  const a: Record<string, string> = {
    [A_CONTAINER_HASH]: hash,
    [A_RESTART_COUNT]: String(restartCount),
    [A_TERMINATION_MESSAGE_PATH]: (c['terminationMessagePath'] as string | undefined) ?? '/dev/termination-log',
    [A_TERMINATION_MESSAGE_POLICY]: (c['terminationMessagePolicy'] as string | undefined) ?? 'File',
    [A_POD_GRACE]: String(p.spec.terminationGracePeriodSeconds ?? 30),
  };
  const lifecycle = c['lifecycle'] as { preStop?: unknown } | undefined;
  if (lifecycle?.preStop) a[A_PRESTOP] = JSON.stringify(lifecycle.preStop);
  const ports: ContainerPort[] = c.ports ?? [];
  if (ports.length) a[A_PORTS] = JSON.stringify(ports);
  return a;
}

/** Upstream HashContainer hashes only name and image: other container fields are immutable. */
export function containerHash(c: Container): string {
  let h = 0x811c9dc5;
  const s = JSON.stringify({ name: c.name, image: c.image ?? '' });
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}
