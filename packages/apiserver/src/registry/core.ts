// core/v1 resources (the first slice): namespaces, configmaps, secrets, serviceaccounts, pods,
// services, nodes, events. Columns follow upstream's printers (pkg/printers/internalversion).
import type { JsonValue, KubeObject, StatusCause } from '../api/types.js';
import { AGE, type ResourceDef } from './resource.js';

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v as Obj).length : 0);

function core(p: Partial<ResourceDef> & Pick<ResourceDef, 'kind' | 'plural' | 'singular'>): ResourceDef {
  return {
    group: '', version: 'v1', shortNames: [], categories: [], namespaced: true, nameRule: 'subdomain',
    storagePath: p.plural, columns: [AGE], topLevelFields: [], hasSpec: false, ...p,
  };
}

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

function validateContainers(list: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const cs = arr(list);
  if (field === 'spec.containers' && cs.length === 0) out.push({ reason: 'FieldValueRequired', message: 'Required value', field });
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

export const coreResources: ResourceDef[] = [
  core({
    kind: 'Namespace', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false, nameRule: 'label',
    topLevelFields: ['spec', 'status'],
    columns: [{ name: 'Status', type: 'string', description: 'The status of the namespace', value: (o) => (get(o, 'status', 'phase') as string) ?? '' }, AGE],
    defaults: (o) => {
      const spec = (o.spec ??= {}) as Obj;
      if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
      const st = (o.status ??= {}) as Obj;
      if (!st.phase) st.phase = 'Active';
      const labels = (o.metadata.labels ??= {});
      labels['kubernetes.io/metadata.name'] = o.metadata.name ?? '';
    },
  }),
  core({
    kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], topLevelFields: ['data', 'binaryData', 'immutable'],
    columns: [{ name: 'Data', type: 'integer', description: 'Number of data items', value: (o) => count(o.data) + count(o.binaryData) }, AGE],
  }),
  core({
    kind: 'Secret', plural: 'secrets', singular: 'secret', topLevelFields: ['data', 'stringData', 'type', 'immutable'],
    columns: [
      { name: 'Type', type: 'string', description: 'The type of the secret', value: (o) => (o.type as string) ?? '' },
      { name: 'Data', type: 'integer', description: 'Number of data items', value: (o) => count(o.data) },
      AGE,
    ],
    defaults: (o) => {
      if (!o.type) o.type = 'Opaque';
      // stringData is write-only: folded into data as base64 (upstream's conversion).
      const sd = o.stringData as Record<string, string> | undefined;
      if (sd && typeof sd === 'object') {
        const data = (o.data ??= {}) as Record<string, string>;
        for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
    },
  }),
  core({
    kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', shortNames: ['sa'],
    topLevelFields: ['secrets', 'imagePullSecrets', 'automountServiceAccountToken'],
    columns: [{ name: 'Secrets', type: 'integer', description: 'Number of secrets', value: (o) => arr(o.secrets).length }, AGE],
  }),
  core({
    kind: 'Pod', plural: 'pods', singular: 'pod', shortNames: ['po'], categories: ['all'], hasSpec: false,
    topLevelFields: ['spec', 'status'],
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
      spec.restartPolicy ??= 'Always';
      spec.dnsPolicy ??= 'ClusterFirst';
      spec.terminationGracePeriodSeconds ??= 30;
      spec.schedulerName ??= 'default-scheduler';
      spec.securityContext ??= {};
      spec.enableServiceLinks ??= true;
      spec.preemptionPolicy ??= 'PreemptLowerPriority';
      spec.priority ??= 0;
      defaultContainers(arr(spec.containers));
      defaultContainers(arr(spec.initContainers));
      const st = (o.status ??= {}) as Obj;
      st.phase ??= 'Pending';
      st.qosClass ??= 'BestEffort';
    },
    validate: (o) => {
      const spec = get(o, 'spec');
      const out = [...validateContainers(get(spec, 'containers'), 'spec.containers'), ...validateContainers(get(spec, 'initContainers'), 'spec.initContainers')];
      const rp = get(spec, 'restartPolicy');
      if (typeof rp === 'string' && !RESTART.includes(rp)) out.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${rp}": supported values: "Always", "OnFailure", "Never"`, field: 'spec.restartPolicy' });
      const dp = get(spec, 'dnsPolicy');
      if (typeof dp === 'string' && !DNS.includes(dp)) out.push({ reason: 'FieldValueNotSupported', message: `Unsupported value: "${dp}": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"`, field: 'spec.dnsPolicy' });
      const tg = get(spec, 'terminationGracePeriodSeconds');
      if (typeof tg === 'number' && tg < 0) out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${tg}: must be greater than or equal to 0`, field: 'spec.terminationGracePeriodSeconds' });
      return out;
    },
  }),
  core({
    kind: 'Service', plural: 'services', singular: 'service', shortNames: ['svc'], categories: ['all'], storagePath: 'services/specs',
    topLevelFields: ['spec', 'status'],
    columns: [
      { name: 'Type', type: 'string', description: 'The type of service.', value: (o) => (get(o, 'spec', 'type') as string) ?? 'ClusterIP' },
      { name: 'Cluster-IP', type: 'string', description: 'The cluster IP of the service.', value: (o) => (get(o, 'spec', 'clusterIP') as string) ?? '<none>' },
      { name: 'External-IP', type: 'string', description: 'External IPs of the service.', value: (o) => ((get(o, 'spec', 'externalIPs') as string[] | undefined)?.join(',') || '<none>') },
      { name: 'Port(s)', type: 'string', description: 'The ports of the service.', value: (o) => arr(get(o, 'spec', 'ports')).map((p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol ?? 'TCP'}`).join(',') || '<none>' },
      AGE,
      { name: 'Selector', type: 'string', priority: 1, description: 'The selector of the service.', value: (o) => Object.entries((get(o, 'spec', 'selector') as Record<string, string>) ?? {}).map(([k, v]) => `${k}=${v}`).join(',') || '<none>' },
    ],
    defaults: (o) => {
      const spec = (o.spec ??= {}) as Obj;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      for (const p of arr(spec.ports)) { p.protocol ??= 'TCP'; p.targetPort ??= p.port as JsonValue; }
    },
  }),
  core({
    kind: 'Node', plural: 'nodes', singular: 'node', shortNames: ['no'], namespaced: false, storagePath: 'minions', topLevelFields: ['spec', 'status'],
    columns: [
      { name: 'Status', type: 'string', description: 'The status of the node', value: (o) => (arr(get(o, 'status', 'conditions')).find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady') },
      { name: 'Roles', type: 'string', description: 'The roles of the node', value: (o) => Object.keys(o.metadata.labels ?? {}).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice(24)).join(',') || '<none>' },
      AGE,
      { name: 'Version', type: 'string', description: 'Kubelet version', value: (o) => (get(o, 'status', 'nodeInfo', 'kubeletVersion') as string) ?? '' },
    ],
  }),
  core({
    kind: 'Event', plural: 'events', singular: 'event', shortNames: ['ev'],
    topLevelFields: ['involvedObject', 'reason', 'message', 'source', 'firstTimestamp', 'lastTimestamp', 'count', 'type', 'eventTime', 'reportingComponent', 'reportingInstance', 'action', 'related', 'series'],
    columns: [
      { name: 'Last Seen', type: 'string', description: 'Time since the last occurrence', value: (o) => (o.lastTimestamp as string) ?? '' },
      { name: 'Type', type: 'string', description: 'Event type', value: (o) => (o.type as string) ?? '' },
      { name: 'Reason', type: 'string', description: 'Reason', value: (o) => (o.reason as string) ?? '' },
      { name: 'Object', type: 'string', description: 'Involved object', value: (o) => `${String(get(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${String(get(o, 'involvedObject', 'name') ?? '')}` },
      { name: 'Message', type: 'string', description: 'Message', value: (o) => (o.message as string) ?? '' },
    ],
  }),
];
