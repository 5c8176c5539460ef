// Discovery documents derived from the resource declarations: aggregated (apidiscovery.k8s.io
// v2 and v2beta1, chosen by the Accept header) and legacy (APIVersions, APIGroupList,
// APIResourceList).
import type { ResourceDef } from '../registry/resource.js';
import { VERBS } from '../registry/resource.js';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated content type the client asked for, if any. */
export function aggregatedType(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  const parts = accept.split(',').map((s) => s.replace(/\s+/g, ''));
  for (const p of parts) {
    if (p.startsWith('application/json') && p.includes('g=apidiscovery.k8s.io') && p.includes('as=APIGroupDiscoveryList')) {
      return p.includes('v=v2beta1') ? AGGREGATED_V2BETA1 : AGGREGATED_V2;
    }
    if (p === 'application/json' || p === '*/*') return undefined;
  }
  return undefined;
}

function groupsOf(resources: readonly ResourceDef[]): Map<string, Map<string, ResourceDef[]>> {
  const g = new Map<string, Map<string, ResourceDef[]>>();
  for (const r of resources) {
    const versions = g.get(r.group) ?? new Map<string, ResourceDef[]>();
    versions.set(r.version, [...(versions.get(r.version) ?? []), r]);
    g.set(r.group, versions);
  }
  return g;
}

export function aggregated(resources: readonly ResourceDef[], core: boolean, type: string): Record<string, unknown> {
  const items = [...groupsOf(resources)].filter(([group]) => (group === '') === core).map(([group, versions]) => ({
    metadata: { name: group, creationTimestamp: null },
    versions: [...versions].map(([version, rs]) => ({
      version,
      resources: rs.map((r) => ({
        resource: r.plural,
        responseKind: { group: r.group, version: r.version, kind: r.kind },
        scope: r.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: r.singular,
        verbs: [...VERBS],
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
      })),
      freshness: 'Current',
    })),
  }));
  const version = type === AGGREGATED_V2BETA1 ? 'v2beta1' : 'v2';
  return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${version}`, metadata: {}, items };
}

export function apiVersions(serverAddress: string): Record<string, unknown> {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroupList(resources: readonly ResourceDef[]): Record<string, unknown> {
  const groups = [...groupsOf(resources)].filter(([g]) => g !== '').map(([name, versions]) => {
    const vs = [...versions.keys()].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { name, versions: vs, preferredVersion: vs[0] };
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiResourceList(resources: readonly ResourceDef[], group: string, version: string): Record<string, unknown> | undefined {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
    resources: rs.map((r) => ({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: [...VERBS],
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    })),
  };
}
