// Objects that exist from the start: the namespaces default, kube-system, kube-public and
// kube-node-lease (created once; later starts find them).
import type { Logger } from 'pino';
import { ApiError } from './api/errors.js';
import type { ResourceDef } from './registry/resource.js';
import { stampNew, type ObjectStore } from './storage/objects.js';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'] as const;

export async function bootstrap(store: ObjectStore, resources: readonly ResourceDef[], log: Logger): Promise<void> {
  const ns = resources.find((r) => r.group === '' && r.plural === 'namespaces');
  if (!ns) return;
  for (const name of SYSTEM_NAMESPACES) {
    const obj = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
    ns.defaults?.(obj);
    try {
      await store.create(ns, stampNew(ns, obj));
      log.info({ namespace: name }, 'created system namespace');
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 409)) throw err;
    }
  }
}
