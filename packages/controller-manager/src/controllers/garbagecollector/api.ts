// What the garbage collector needs from the apiserver, behind an interface so unit tests can run
// the collector against a fake: a REST mapping (apiVersion/kind -> resource) and metadata-level
// get, delete and merge-patch.
import type { ResourceType } from '@kube-ts/client/resources';
import type { DeleteOptions, RestClient } from '@kube-ts/client/rest';
import type { KubeObject } from '@kube-ts/client/types';
import type { ApiResource, ResourceDiscovery } from '../../discovery.js';

export interface GcApi {
  /** The resource serving `kind` in `apiVersion`, or undefined when discovery does not know it. */
  resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined>;
  get(r: ResourceType, namespace: string | undefined, name: string): Promise<KubeObject>;
  delete(r: ResourceType, namespace: string | undefined, name: string, opts: DeleteOptions): Promise<void>;
  /** JSON merge patch. */
  patch(r: ResourceType, namespace: string | undefined, name: string, body: unknown): Promise<KubeObject>;
}

export function restGcApi(rest: RestClient, discovery: ResourceDiscovery): GcApi {
  return {
    resourceFor: (apiVersion, kind) => discovery.resourceFor(apiVersion, kind),
    get: (r, ns, name) => rest.resource<KubeObject>(r).get(name, ns),
    async delete(r, ns, name, opts) { await rest.resource<KubeObject>(r).delete(name, ns, opts); },
    patch: (r, ns, name, body) => rest.resource<KubeObject>(r).patch(name, ns, body, 'merge'),
  };
}
