// What the namespace deleter needs from the apiserver, as an interface so unit tests can give it a
// fake: the namespace itself (get, status, finalize), discovery, and generic list/delete calls.
import { ApiError } from '@kube-ts/client/errors';
import { R, resourcePath, type ResourceType } from '@kube-ts/client/resources';
import type { RestClient } from '@kube-ts/client/rest';
import type { KubeList, KubeObject, Namespace, Pod } from '@kube-ts/client/types';
import type { ApiResource, ResourceDiscovery } from '../../discovery.js';

export interface NamespaceDeleterApi {
  getNamespace(name: string): Promise<Namespace>;
  updateNamespaceStatus(ns: Namespace): Promise<Namespace>;
  /** PUT namespaces/<name>/finalize with the given spec.finalizers. */
  finalizeNamespace(ns: Namespace): Promise<Namespace>;
  /** The server's preferred namespaced resources (partial results with an error allowed). */
  discoverNamespacedResources(): Promise<{ resources: ApiResource[]; error?: Error }>;
  deleteCollection(r: ResourceType, namespace: string): Promise<void>;
  list(r: ResourceType, namespace: string): Promise<KubeObject[]>;
  delete(r: ResourceType, namespace: string, name: string): Promise<void>;
  listPods(namespace: string): Promise<Pod[]>;
}

const BACKGROUND = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' };

export function restNamespaceDeleterApi(rest: RestClient, discovery: ResourceDiscovery, discoveryMaxAgeMs: number): NamespaceDeleterApi {
  const namespaces = rest.resource<Namespace>(R.namespaces);
  return {
    getNamespace: (name) => namespaces.get(name),
    updateNamespaceStatus: (ns) => namespaces.updateStatus(ns),
    finalizeNamespace: (ns) => rest.request<Namespace>({
      method: 'PUT', path: resourcePath(R.namespaces, undefined, ns.metadata.name, 'finalize'),
      body: { apiVersion: 'v1', kind: 'Namespace', ...ns },
    }),
    async discoverNamespacedResources() {
      const d = await discovery.get(discoveryMaxAgeMs);
      return { resources: d.preferred.filter((r) => r.namespaced), ...(d.error ? { error: d.error } : {}) };
    },
    async deleteCollection(r, namespace) {
      // Background: the namespace controller removes everything itself, the GC need not orphan.
      await rest.request({ method: 'DELETE', path: resourcePath(r, namespace), body: BACKGROUND });
    },
    async list(r, namespace) {
      return (await rest.resource<KubeObject>(r).listAll(namespace, { limit: 500 })).items;
    },
    async delete(r, namespace, name) {
      await rest.request({ method: 'DELETE', path: resourcePath(r, namespace, name), body: BACKGROUND });
    },
    async listPods(namespace) {
      const l = await rest.request<KubeList<Pod>>({ path: resourcePath(R.pods, namespace) });
      return l.items;
    },
  };
}

/** 405 MethodNotSupported, or 404 for a resource that serves no top-level verbs (kubernetes#22413). */
export function isNotSupported(e: unknown): boolean {
  return e instanceof ApiError && (e.code === 405 || e.reason === 'MethodNotAllowed' || e.code === 404 || e.reason === 'NotFound');
}
