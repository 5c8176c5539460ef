// The API resources components talk to: group, version, plural and scope, so paths are built in
// one place (`/api/v1/...` for the core group, `/apis/<group>/<version>/...` otherwise).

export interface ResourceType {
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

function rt(group: string, version: string, plural: string, kind: string, namespaced = true): ResourceType {
  return { group, version, plural, kind, namespaced };
}

export const R = {
  pods: rt('', 'v1', 'pods', 'Pod'),
  nodes: rt('', 'v1', 'nodes', 'Node', false),
  namespaces: rt('', 'v1', 'namespaces', 'Namespace', false),
  services: rt('', 'v1', 'services', 'Service'),
  endpoints: rt('', 'v1', 'endpoints', 'Endpoints'),
  events: rt('', 'v1', 'events', 'Event'),
  configmaps: rt('', 'v1', 'configmaps', 'ConfigMap'),
  secrets: rt('', 'v1', 'secrets', 'Secret'),
  serviceaccounts: rt('', 'v1', 'serviceaccounts', 'ServiceAccount'),
  persistentvolumeclaims: rt('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim'),
  persistentvolumes: rt('', 'v1', 'persistentvolumes', 'PersistentVolume', false),
  replicationcontrollers: rt('', 'v1', 'replicationcontrollers', 'ReplicationController'),
  resourcequotas: rt('', 'v1', 'resourcequotas', 'ResourceQuota'),
  limitranges: rt('', 'v1', 'limitranges', 'LimitRange'),
  deployments: rt('apps', 'v1', 'deployments', 'Deployment'),
  replicasets: rt('apps', 'v1', 'replicasets', 'ReplicaSet'),
  statefulsets: rt('apps', 'v1', 'statefulsets', 'StatefulSet'),
  daemonsets: rt('apps', 'v1', 'daemonsets', 'DaemonSet'),
  controllerrevisions: rt('apps', 'v1', 'controllerrevisions', 'ControllerRevision'),
  jobs: rt('batch', 'v1', 'jobs', 'Job'),
  cronjobs: rt('batch', 'v1', 'cronjobs', 'CronJob'),
  leases: rt('coordination.k8s.io', 'v1', 'leases', 'Lease'),
  priorityclasses: rt('scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', false),
  poddisruptionbudgets: rt('policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget'),
  endpointslices: rt('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice'),
  horizontalpodautoscalers: rt('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
  certificatesigningrequests: rt('certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', false),
  storageclasses: rt('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false),
  csinodes: rt('storage.k8s.io', 'v1', 'csinodes', 'CSINode', false),
} as const satisfies Record<string, ResourceType>;

export function apiVersionOf(t: ResourceType): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** The URL path of a collection, an object, or an object's subresource. */
export function resourcePath(t: ResourceType, namespace?: string, name?: string, subresource?: string): string {
  let p = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  if (t.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${t.plural}`;
  if (name !== undefined) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}
