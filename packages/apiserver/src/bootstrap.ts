// Objects that exist from the start (upstream's bootstrap controllers in the apiserver): the
// namespaces default, kube-system, kube-public and kube-node-lease; the two system priority
// classes; the `kubernetes` Service in default on the first service IP. Created once; later starts
// (and other apiservers) find them. Its Endpoints and EndpointSlice are kept to the live
// apiservers by the endpoint reconciler (endpointsreconciler.ts) once this one serves.
import type { Logger } from 'pino';
import { ApiError } from './api/errors.js';
import type { KubeObject } from './api/types.js';
import type { ResourceDef } from './registry/resource.js';
import { systemPriorityClasses } from './registry/scheduling.js';
import type { ResourceSet } from './rest/resources.js';
import type { RangeAllocator } from './storage/allocator.js';
import { stampNew, type ObjectStore } from './storage/objects.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export interface BootstrapOptions {
  store: ObjectStore;
  resources: ResourceSet;
  ips: RangeAllocator;
  logger: Logger;
  /** Where clients reach this apiserver (the kubernetes Service's endpoints). */
  advertise: { ip: string; port: number };
}

async function ensure(o: BootstrapOptions, def: ResourceDef | undefined, obj: KubeObject): Promise<boolean> {
  if (!def) return false;
  def.defaults?.(obj);
  try {
    await o.store.create(def, stampNew(def, obj));
    o.logger.info({ kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name }, 'created system object');
    return true;
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 409)) throw err;
    return false;
  }
}

export async function bootstrap(o: BootstrapOptions): Promise<void> {
  const r = o.resources;
  for (const name of SYSTEM_NAMESPACES) await ensure(o, r.namespaces, { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  for (const pc of systemPriorityClasses) await ensure(o, r.get('scheduling.k8s.io', 'v1', 'priorityclasses'), structuredClone(pc));

  const services = r.get('', 'v1', 'services')!;
  const clusterIP = o.ips.range.at(0);
  const svc: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP, clusterIPs: [clusterIP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: o.advertise.port }], sessionAffinity: 'None' },
  };
  if (await ensure(o, services, svc)) {
    try { await o.ips.allocate(clusterIP); } catch { /* already held: an earlier start allocated it */ }
  }
}
