// core/v1 pods, and the pod-spec defaulting and validation that workload resources (pod
// templates in replication controllers, deployments, jobs...) reuse.
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type ResourceDef } from './resource.js';

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

function podReady(p: KubeObject): string {
  const statuses = arr(get(p, 'status', 'containerStatuses'));
  const total = arr(get(p, 'spec', 'containers')).length;
  return `${statuses.filter((s) => s.ready === true).length}/${total}`;
}

function podStatus(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const reason = get(p, 'status', 'reason');
  if (typeof reason === 'string' && reason) return reason;
  for (const s of arr(get(p, 'status', 'containerStatuses'))) {
    const waiting = get(s, 'state', 'waiting', 'reason');
    if (typeof waiting === 'string' && waiting) return waiting;
    const term = get(s, 'state', 'terminated', 'reason');
    if (typeof term === 'string' && term) return term;
  }
  const phase = get(p, 'status', 'phase');
  return typeof phase === 'string' ? phase : 'Pending';
}

function podRestarts(p: KubeObject): number {
  return arr(get(p, 'status', 'containerStatuses')).reduce((n, s) => n + (typeof s.restartCount === 'number' ? s.restartCount : 0), 0);
}

/** Upstream: IfNotPresent for a tagged image, Always for :latest or no tag. */
export function defaultPullPolicy(image: string): string {
  const afterSlash = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@')) return 'IfNotPresent';
  const colon = afterSlash.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return afterSlash.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultContainers(list: Obj[]): void {
  for (const c of list) {
    if (typeof c.image === 'string' && c.imagePullPolicy === undefined) c.imagePullPolicy = defaultPullPolicy(c.image);
    if (c.terminationMessagePath === undefined) c.terminationMessagePath = '/dev/termination-log';
    if (c.terminationMessagePolicy === undefined) c.terminationMessagePolicy = 'File';
    if (c.resources === undefined) c.resources = {};
    for (const port of arr(c.ports)) if (port.protocol === undefined) port.protocol = 'TCP';
  }
}

function validateContainers(list: unknown, field: string, required: boolean): StatusCause[] {
  const out: StatusCause[] = [];
  const cs = arr(list);
  if (required && cs.length === 0) out.push({ reason: 'FieldValueRequired', message: 'Required value', field });
  const seen = new Set<string>();
  cs.forEach((c, i) => {
    const f = `${field}[${i}]`;
    if (typeof c.name !== 'string' || c.name === '') out.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${f}.name` });
    else if (seen.has(c.name)) out.push({ reason: 'FieldValueDuplicate', message: `Duplicate value: "${c.name}"`, field: `${f}.name` });
    else seen.add(c.name);
    if (typeof c.image !== 'string' || c.image.trim() === '') out.push({ reason: 'FieldValueRequired', message: 'Required value', field: `${f}.image` });
  });
  return out;
}

const RESTART = ['Always', 'OnFailure', 'Never'];
const DNS = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];


/** Upstream's SetDefaults_PodSpec (and container defaults) for a pod or a pod template's spec. */
export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  defaultContainers(arr(spec.containers));
  defaultContainers(arr(spec.initContainers));
}

/** Field errors in a pod spec; `path` is where it sits ("spec", "spec.template.spec"). */
export function validatePodSpec(spec: unknown, path: string): StatusCause[] {
  const out = [...validateContainers(get(spec, 'containers'), `${path}.containers`, true), ...validateContainers(get(spec, 'initContainers'), `${path}.initContainers`, false)];
  const rp = get(spec, 'restartPolicy');
  if (typeof rp === 'string' && !RESTART.includes(rp)) out.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${rp}": supported values: "Always", "OnFailure", "Never"`, field: `${path}.restartPolicy` });
  const dp = get(spec, 'dnsPolicy');
  if (typeof dp === 'string' && !DNS.includes(dp)) out.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${dp}": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`, field: `${path}.dnsPolicy` });
  const tg = get(spec, 'terminationGracePeriodSeconds');
  if (typeof tg === 'number' && tg < 0) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${tg}: must be greater than or equal to 0`, field: `${path}.terminationGracePeriodSeconds` });
  return out;
}

export const podResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', shortNames: ['po'], categories: ['all'],
  namespaced: true, nameRule: 'subdomain', storagePath: 'pods', schema: 'io.k8s.api.core.v1.Pod', hasSpec: false,
  subresources: { status: true },
  fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  columns: [
    { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', value: podReady },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', value: podStatus },
    { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.', value: (o) => String(podRestarts(o)) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, description: 'The IP address assigned to the pod', value: (o) => (get(o, 'status', 'podIP') as string) ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, description: 'The node that the pod is assigned to', value: (o) => (get(o, 'spec', 'nodeName') as string) ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'The node the pod is nominated to run on', value: (o) => (get(o, 'status', 'nominatedNodeName') as string) ?? '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: 'The readiness gates of the pod', value: (o) => (arr(get(o, 'spec', 'readinessGates')).length ? String(arr(get(o, 'spec', 'readinessGates')).length) : '<none>') },
  ],
  defaults: (o) => {
    const spec = (o.spec ??= {}) as Obj;
    defaultPodSpec(spec);
    spec.enableServiceLinks ??= true;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    spec.priority ??= 0;
    const st = (o.status ??= {}) as Obj;
    st.phase ??= 'Pending';
    st.qosClass ??= 'BestEffort';
  },
  validate: (o) => validatePodSpec(get(o, 'spec'), 'spec'),
};
