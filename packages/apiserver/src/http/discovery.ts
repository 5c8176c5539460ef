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

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta2). */
export function versionPriority(a: string, b: string): number {
  const parse = (v: string): [number, number, number] => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [-1, 0, 0];
    return [m[2] === 'alpha' ? 0 : m[2] === 'beta' ? 1 : 2, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [x, y] = [parse(a), parse(b)];
  return y[0] - x[0] || y[1] - x[1] || y[2] - x[2];
}

function groupsOf(resources: readonly ResourceDef[]): Map<string, Map<string, ResourceDef[]>> {
  const g = new Map<string, Map<string, ResourceDef[]>>();
  for (const r of resources) {
    const versions = g.get(r.group) ?? new Map<string, ResourceDef[]>();
    versions.set(r.version, [...(versions.get(r.version) ?? []), r]);
    g.set(r.group, versions);
  }
  for (const [k, versions] of g) g.set(k, new Map([...versions].sort(([a], [b]) => versionPriority(a, b))));
  return g;
}

interface Sub { name: string; group: string; version: string; kind: string; verbs: string[] }

/** The subresources a resource serves (declared ones, plus the pod and namespace specials). */
export function subresourcesOf(r: ResourceDef): Sub[] {
  const own = { group: r.group, version: r.version, kind: r.kind };
  const out: Sub[] = [];
  if (r.subresources?.status) out.push({ name: 'status', ...own, verbs: ['get', 'patch', 'update'] });
  if (r.subresources?.scale) out.push({ name: 'scale', group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
  if (r.group === '' && r.plural === 'pods') {
    out.push({ name: 'binding', group: '', version: 'v1', kind: 'Binding', verbs: ['create'] });
    out.push({ name: 'eviction', group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    // Served by the kubelet through the apiserver (src/kubelet).
    out.push({ name: 'attach', ...own, kind: 'PodAttachOptions', verbs: ['create', 'get'] });
    out.push({ name: 'exec', ...own, kind: 'PodExecOptions', verbs: ['create', 'get'] });
    out.push({ name: 'log', ...own, verbs: ['get'] });
    out.push({ name: 'portforward', ...own, kind: 'PodPortForwardOptions', verbs: ['create', 'get'] });
  }
  if (r.group === '' && r.plural === 'serviceaccounts') out.push({ name: 'token', group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
  if (r.group === '' && r.plural === 'namespaces') out.push({ name: 'finalize', ...own, verbs: ['update'] });
  if (r.group === 'certificates.k8s.io' && r.plural === 'certificatesigningrequests') out.push({ name: 'approval', ...own, verbs: ['get', 'patch', 'update'] });
  // Upstream installs storage paths in sorted order, so subresources are listed by name.
  return out.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

const verbsOf = (r: ResourceDef): string[] => [...(r.verbs ?? VERBS)];

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
        verbs: verbsOf(r),
        ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
        ...(r.categories.length ? { categories: r.categories } : {}),
        ...(subresourcesOf(r).length ? {
          subresources: subresourcesOf(r).map((x) => ({ subresource: x.name, responseKind: { group: x.group, version: x.version, kind: x.kind }, verbs: x.verbs })),
        } : {}),
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

function groupEntry(name: string, versions: Map<string, ResourceDef[]>): Record<string, unknown> {
  const vs = [...versions.keys()].map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] };
}

export function apiGroupList(resources: readonly ResourceDef[]): Record<string, unknown> {
  const groups = [...groupsOf(resources)].filter(([g]) => g !== '').map(([name, versions]) => groupEntry(name, versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

/** GET /apis/{group}: one APIGroup. */
export function apiGroup(resources: readonly ResourceDef[], group: string): Record<string, unknown> | undefined {
  const versions = groupsOf(resources).get(group);
  if (!group || !versions) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}

export function apiResourceList(resources: readonly ResourceDef[], group: string, version: string): Record<string, unknown> | undefined {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version,
    resources: rs.flatMap((r) => [{
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: verbsOf(r),
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    }, ...subresourcesOf(r).map((x) => ({
      name: `${r.plural}/${x.name}`, singularName: '', namespaced: r.namespaced,
      ...(x.group !== r.group ? { group: x.group } : {}), ...(x.version !== r.version ? { version: x.version } : {}),
      kind: x.kind, verbs: x.verbs,
    }))]),
  };
}
