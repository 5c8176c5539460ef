// Semantic equality of Endpoints subsets as the controller compares them (apiequality.Semantic
// with target resourceVersions ignored): empty and missing lists are the same, an unset
// hostname is "", and a nodeName of "" differs from none.
import type { EndpointAddress, EndpointPort, EndpointSubset } from '@kube-ts/client/services';

function normAddr(a: EndpointAddress): unknown {
  const r = a.targetRef;
  return [a.ip, a.hostname ?? '', a.nodeName ?? null, r ? [r.kind ?? '', r.namespace ?? '', r.name ?? '', r.uid ?? '', r.apiVersion ?? '', r.fieldPath ?? ''] : null];
}

const normPort = (p: EndpointPort): unknown => [p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null];

const normSubset = (s: EndpointSubset): unknown => [
  (s.addresses ?? []).map(normAddr), (s.notReadyAddresses ?? []).map(normAddr), (s.ports ?? []).map(normPort),
];

export function subsetsEqualIgnoreResourceVersion(a: EndpointSubset[] | undefined, b: EndpointSubset[] | undefined): boolean {
  return JSON.stringify((a ?? []).map(normSubset)) === JSON.stringify((b ?? []).map(normSubset));
}

export function labelsEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {}); const kb = Object.keys(b ?? {});
  return ka.length === kb.length && ka.every((k) => b !== undefined && k in b && b[k] === a?.[k]);
}
