// core/v1 resources (the first slice): namespaces, configmaps, secrets, serviceaccounts, pods,
// services, nodes, events. Columns follow upstream's printers (pkg/printers/internalversion).
import type { JsonValue } from '../api/types.js';
import { AGE, type ResourceDef } from './resource.js';
import { podResource } from './pod.js';

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const count = (v: unknown): number => (v && typeof v === 'object' ? Object.keys(v as Obj).length : 0);

function core(p: Partial<ResourceDef> & Pick<ResourceDef, 'kind' | 'plural' | 'singular'>): ResourceDef {
  return {
    group: '', version: 'v1', shortNames: [], categories: [], namespaced: true, nameRule: 'subdomain',
    storagePath: p.plural, columns: [AGE], hasSpec: false, schema: `io.k8s.api.core.v1.${p.kind}`, ...p,
  };
}

export const coreResources: ResourceDef[] = [
  core({
    kind: 'Namespace', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false, nameRule: 'label',
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
    kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'],
    columns: [{ name: 'Data', type: 'integer', description: 'Number of data items', value: (o) => count(o.data) + count(o.binaryData) }, AGE],
  }),
  core({
    kind: 'Secret', plural: 'secrets', singular: 'secret',
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
    columns: [{ name: 'Secrets', type: 'integer', description: 'Number of secrets', value: (o) => arr(o.secrets).length }, AGE],
  }),
  podResource,
  core({
    kind: 'Service', plural: 'services', singular: 'service', shortNames: ['svc'], categories: ['all'], storagePath: 'services/specs',
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
    kind: 'Node', plural: 'nodes', singular: 'node', shortNames: ['no'], namespaced: false, storagePath: 'minions',
    columns: [
      { name: 'Status', type: 'string', description: 'The status of the node', value: (o) => (arr(get(o, 'status', 'conditions')).find((c) => c.type === 'Ready')?.status === 'True' ? 'Ready' : 'NotReady') },
      { name: 'Roles', type: 'string', description: 'The roles of the node', value: (o) => Object.keys(o.metadata.labels ?? {}).filter((l) => l.startsWith('node-role.kubernetes.io/')).map((l) => l.slice(24)).join(',') || '<none>' },
      AGE,
      { name: 'Version', type: 'string', description: 'Kubelet version', value: (o) => (get(o, 'status', 'nodeInfo', 'kubeletVersion') as string) ?? '' },
    ],
  }),
  core({
    kind: 'Event', plural: 'events', singular: 'event', shortNames: ['ev'],
    columns: [
      { name: 'Last Seen', type: 'string', description: 'Time since the last occurrence', value: (o) => (o.lastTimestamp as string) ?? '' },
      { name: 'Type', type: 'string', description: 'Event type', value: (o) => (o.type as string) ?? '' },
      { name: 'Reason', type: 'string', description: 'Reason', value: (o) => (o.reason as string) ?? '' },
      { name: 'Object', type: 'string', description: 'Involved object', value: (o) => `${String(get(o, 'involvedObject', 'kind') ?? '').toLowerCase()}/${String(get(o, 'involvedObject', 'name') ?? '')}` },
      { name: 'Message', type: 'string', description: 'Message', value: (o) => (o.message as string) ?? '' },
    ],
  }),
];
