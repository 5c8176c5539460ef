// Fetching a volume's API sources: configMaps and secrets (not-found errors worded as the
// kubelet's object managers word them, `configmap "x" not found`), and the pod's fsUser.
import { isNotFound, R, type Pod, type RestClient } from '@kube-ts/client';
import type { ConfigMapObject, SecretObject } from './payload.js';

/** The object, or undefined when it is missing and optional; otherwise a not-found error. */
async function fetch<T>(get: () => Promise<T>, kind: string, name: string, optional: boolean): Promise<T | undefined> {
  try {
    return await get();
  } catch (e) {
    if (!isNotFound(e)) throw e;
    if (optional) return undefined;
    throw new Error(`${kind} ${JSON.stringify(name)} not found`);
  }
}

export function getConfigMap(rest: RestClient, ns: string, name: string, optional: boolean): Promise<ConfigMapObject | undefined> {
  return fetch(() => rest.resource<ConfigMapObject>(R.configmaps).get(name, ns), 'configmap', name, optional);
}

export function getSecret(rest: RestClient, ns: string, name: string, optional: boolean): Promise<SecretObject | undefined> {
  return fetch(() => rest.resource<SecretObject>(R.secrets).get(name, ns), 'secret', name, optional);
}

interface SecurityContext { runAsUser?: number }

/** util.FsUserFrom: the one runAsUser every (init) container runs with, if there is exactly one. */
export function fsUserFrom(pod: Pod): number | undefined {
  const podUser = (pod.spec.securityContext as SecurityContext | undefined)?.runAsUser;
  let user: number | undefined;
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    const u = (c.securityContext as SecurityContext | undefined)?.runAsUser ?? podUser;
    if (u === undefined || (user !== undefined && user !== u)) return undefined;
    user = u;
  }
  return user;
}
