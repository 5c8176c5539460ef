// Quota evaluators (pkg/quota/v1/evaluator/core and generic): which quota resource names each
// kind of object answers for, what one object uses, and which scopes it matches.
import type { KubeObject, Pod, Container, ResourceList as PodResources } from '@kube-ts/client/types';
import type { Service } from '@kube-ts/client/services';
import type { PersistentVolumeClaim } from '@kube-ts/client/workloads';
import { addLists, addQ, count, maxQ, parseQuantity, zero, type Quantity, type ResourceList } from './quantity.js';
import type { ScopedResourceSelectorRequirement } from './types.js';

export interface Evaluator {
  /** "pods", "services", "deployments.apps" ... */
  groupResource: string;
  matchingResources(names: string[]): string[];
  usage(obj: KubeObject, nowMs: number): ResourceList;
  /** Scope match; evaluators without scope support match no scope (generic.MatchesNoScopeFunc). */
  matchesScope(sel: ScopedResourceSelectorRequirement, obj: KubeObject): boolean;
}

/** quota.ObjectCountQuotaResourceNameFor: count/<resource>[.<group>]. */
export const objectCountName = (group: string, resource: string): string => `count/${resource}${group ? `.${group}` : ''}`;

const noScope = (): boolean => false;

// ---- pods -------------------------------------------------------------------------------------

const POD_RESOURCES = [
  'count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
];

/** Extended resources: domain-prefixed names outside kubernetes.io (helper.IsExtendedResourceName). */
function isExtendedResourceName(name: string): boolean {
  if (name.startsWith('requests.')) return false;
  if (!name.includes('/')) return false;
  const domain = name.split('/')[0]!;
  return !(domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io'));
}
const isExtendedForQuota = (name: string): boolean => name.startsWith('requests.') && isExtendedResourceName(name.slice('requests.'.length));

function podMatchingResources(names: string[]): string[] {
  const out = names.filter((n) => POD_RESOURCES.includes(n));
  for (const n of names) {
    if (n.startsWith('hugepages-') || n.startsWith('requests.hugepages-')) out.push(n);
    if (isExtendedForQuota(n)) out.push(n);
  }
  return out;
}

/** QuotaV1Pod: terminal pods, and pods stuck terminating past their grace period, are not charged. */
export function quotaV1Pod(pod: Pod, nowMs: number): boolean {
  if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') return false;
  const dt = pod.metadata.deletionTimestamp;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (dt && grace !== undefined && grace !== null && nowMs > Date.parse(dt) + grace * 1000) return false;
  return true;
}

/** When a terminating pod stops being charged (for requeueing), or undefined. */
export function podChargeEndsAt(pod: Pod): number | undefined {
  const dt = pod.metadata.deletionTimestamp;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (!dt || grace === undefined || grace === null) return undefined;
  return Date.parse(dt) + grace * 1000;
}

function containerList(c: Container, which: 'requests' | 'limits'): ResourceList {
  const out: ResourceList = {};
  const res = c.resources ?? {};
  const src: PodResources = { ...(which === 'requests' ? (res.limits ?? {}) : {}), ...(res[which] ?? {}) };
  // API defaulting copies limits into missing requests; do the same for objects stored without it.
  for (const [k, v] of Object.entries(src)) out[k] = parseQuantity(v);
  return out;
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = maxQ(out[k], v);
  return out;
}

/** resourcehelper.PodRequests / PodLimits: containers plus sidecars, max with init containers, plus overhead. */
export function podResources(pod: Pod, which: 'requests' | 'limits'): ResourceList {
  let reqs: ResourceList = {};
  for (const c of pod.spec.containers ?? []) reqs = addLists(reqs, containerList(c, which));
  let sidecars: ResourceList = {};
  let initMax: ResourceList = {};
  for (const ic of pod.spec.initContainers ?? []) {
    let r = containerList(ic, which);
    if (ic.restartPolicy === 'Always') {
      reqs = addLists(reqs, r);
      sidecars = addLists(sidecars, r);
      r = sidecars;
    } else {
      r = addLists(r, sidecars);
    }
    initMax = maxLists(initMax, r);
  }
  reqs = maxLists(reqs, initMax);
  if (pod.spec.overhead) {
    const oh: ResourceList = {};
    for (const [k, v] of Object.entries(pod.spec.overhead)) oh[k] = parseQuantity(v);
    // Overhead counts only for resources the pod already names (limits) or always (requests).
    if (which === 'requests') reqs = addLists(reqs, oh);
    else for (const k of Object.keys(reqs)) if (oh[k]) reqs[k] = addQ(reqs[k]!, oh[k]!);
  }
  return reqs;
}

export function podUsage(pod: Pod, nowMs: number): ResourceList {
  const result: ResourceList = { 'count/pods': count(1) };
  if (!quotaV1Pod(pod, nowMs)) return result;
  const requests = podResources(pod, 'requests');
  const limits = podResources(pod, 'limits');
  result.pods = count(1);
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) { result[r] = requests[r]!; result[`requests.${r}`] = requests[r]!; }
    if (limits[r]) result[`limits.${r}`] = limits[r]!;
  }
  for (const [r, q] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) { result[r] = q; result[`requests.${r}`] = q; }
    if (isExtendedResourceName(r)) result[`requests.${r}`] = q;
  }
  return result;
}

const isTerminating = (p: Pod): boolean => typeof p.spec.activeDeadlineSeconds === 'number' && p.spec.activeDeadlineSeconds >= 0;

/** qos.GetPodQOS == BestEffort: no cpu or memory request or limit anywhere. */
export function isBestEffort(p: Pod): boolean {
  const qos = p.status?.qosClass;
  if (typeof qos === 'string' && qos) return qos === 'BestEffort';
  for (const c of [...(p.spec.containers ?? []), ...(p.spec.initContainers ?? [])]) {
    for (const which of ['requests', 'limits'] as const) {
      for (const [k, v] of Object.entries(c.resources?.[which] ?? {})) {
        if ((k === 'cpu' || k === 'memory') && parseQuantity(v).milli !== 0) return false;
      }
    }
  }
  return true;
}

function usesCrossNamespacePodAffinity(p: Pod): boolean {
  const a = p.spec.affinity;
  const terms = [
    ...(a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
    ...(a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => w.podAffinityTerm),
  ];
  return terms.some((t) => (t.namespaces?.length ?? 0) > 0 || t.namespaceSelector !== undefined && t.namespaceSelector !== null);
}

/** A scope selector as a label selector over {PriorityClass: <name>} (ScopedResourceSelectorRequirementsAsSelector). */
function selectorMatches(sel: ScopedResourceSelectorRequirement, value: string | undefined): boolean {
  const vals = sel.values ?? [];
  switch (sel.operator) {
    case 'In': return value !== undefined && vals.includes(value);
    case 'NotIn': return value === undefined || !vals.includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    default: return false;
  }
}

export function podMatchesScope(sel: ScopedResourceSelectorRequirement, obj: KubeObject): boolean {
  const pod = obj as Pod;
  switch (sel.scopeName) {
    case 'Terminating': return isTerminating(pod);
    case 'NotTerminating': return !isTerminating(pod);
    case 'BestEffort': return isBestEffort(pod);
    case 'NotBestEffort': return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc = pod.spec.priorityClassName || undefined;
      if (sel.operator === 'Exists') return pc !== undefined;
      return selectorMatches(sel, pc);
    }
    case 'CrossNamespacePodAffinity': return usesCrossNamespacePodAffinity(pod);
    default: return false;
  }
}

export const podEvaluator: Evaluator = {
  groupResource: 'pods', matchingResources: podMatchingResources,
  usage: (o, now) => podUsage(o as Pod, now), matchesScope: podMatchesScope,
};

// ---- services ---------------------------------------------------------------------------------

const SERVICE_RESOURCES = ['count/services', 'services', 'services.nodeports', 'services.loadbalancers'];

export function serviceUsage(svc: Service): ResourceList {
  const ports = svc.spec?.ports?.length ?? 0;
  const out: ResourceList = { 'count/services': count(1), services: count(1), 'services.loadbalancers': zero(), 'services.nodeports': zero() };
  switch (svc.spec?.type) {
    case 'NodePort': out['services.nodeports'] = count(ports); break;
    case 'LoadBalancer':
      // Without allocated node ports only explicitly set nodePorts count.
      out['services.nodeports'] = svc.spec.allocateLoadBalancerNodePorts === false
        ? count((svc.spec.ports ?? []).filter((p) => p.nodePort).length)
        : count(ports);
      out['services.loadbalancers'] = count(1);
      break;
    default: break;
  }
  return out;
}

export const serviceEvaluator: Evaluator = {
  groupResource: 'services', matchingResources: (n) => n.filter((x) => SERVICE_RESOURCES.includes(x)),
  usage: (o) => serviceUsage(o as Service), matchesScope: noScope,
};

// ---- persistentvolumeclaims ------------------------------------------------------------------

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';
const PVC_RESOURCES = ['persistentvolumeclaims', 'requests.storage'];

export function pvcClass(pvc: PersistentVolumeClaim): string {
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';
}

/** Requested storage in whole bytes, or the allocated size when that is larger (RecoverVolumeExpansionFailure). */
function pvcStorage(pvc: PersistentVolumeClaim): Quantity | undefined {
  const req = pvc.spec?.resources?.requests?.storage;
  if (req === undefined) return undefined;
  const round = (q: Quantity): Quantity => ({ ...q, milli: Math.ceil(q.milli / 1000) * 1000 });
  let r = round(parseQuantity(req));
  const alloc = (pvc.status?.allocatedResources as Record<string, string> | undefined)?.storage;
  if (alloc !== undefined) { const a = round(parseQuantity(alloc)); if (a.milli > r.milli) r = a; }
  return r;
}

export function pvcUsage(pvc: PersistentVolumeClaim): ResourceList {
  const out: ResourceList = { persistentvolumeclaims: count(1), 'count/persistentvolumeclaims': count(1) };
  const sc = pvcClass(pvc);
  if (sc) out[`${sc}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = count(1);
  const storage = pvcStorage(pvc);
  if (storage) {
    out['requests.storage'] = storage;
    if (sc) out[`${sc}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
  }
  return out;
}

export const pvcEvaluator: Evaluator = {
  groupResource: 'persistentvolumeclaims',
  matchingResources: (names) => names.filter((n) => n === 'count/persistentvolumeclaims' || PVC_RESOURCES.includes(n)
    || PVC_RESOURCES.some((r) => n.endsWith(`${STORAGE_CLASS_SUFFIX}${r}`))),
  usage: (o) => pvcUsage(o as PersistentVolumeClaim), matchesScope: noScope,
};

// ---- object counts ----------------------------------------------------------------------------

/** generic.NewObjectCountEvaluator: count/<resource>[.<group>] (and a legacy alias) per object. */
export function objectCountEvaluator(group: string, resource: string, alias?: string): Evaluator {
  const names = [objectCountName(group, resource), ...(alias ? [alias] : [])];
  return {
    groupResource: group ? `${resource}.${group}` : resource,
    matchingResources: (n) => n.filter((x) => names.includes(x)),
    usage: () => Object.fromEntries(names.map((n) => [n, count(1)])),
    matchesScope: noScope,
  };
}

/** The evaluators every controller has (install.NewQuotaConfigurationForControllers). */
export function legacyEvaluators(): Evaluator[] {
  return [
    podEvaluator, serviceEvaluator, pvcEvaluator,
    objectCountEvaluator('', 'configmaps', 'configmaps'),
    objectCountEvaluator('', 'resourcequotas', 'resourcequotas'),
    objectCountEvaluator('', 'replicationcontrollers', 'replicationcontrollers'),
    objectCountEvaluator('', 'secrets', 'secrets'),
  ];
}

/** A `count/<resource>.<group>` name split into group and resource, or undefined. */
export function parseObjectCountName(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const i = rest.indexOf('.');
  return i < 0 ? { group: '', resource: rest } : { group: rest.slice(i + 1), resource: rest.slice(0, i) };
}
