// Builders for the deployment unit tests, shaped like upstream's newDeployment/rs helpers, and a
// recording DeploymentOps (upstream's fake clientset).
import type { Deployment, IntOrString, ReplicaSet } from '@kube-ts/client/workloads';
import type { DeploymentOps } from '../../src/controllers/deployment/sync.js';

export const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** newDeployment(name, replicas, revisionHistoryLimit, maxSurge, maxUnavailable, selector): surge/unavailable default 0. */
export function newDeployment(replicas: number, o: { maxSurge?: IntOrString; maxUnavailable?: IntOrString; revisionHistoryLimit?: number; labels?: Record<string, string>; type?: 'RollingUpdate' | 'Recreate'; progressDeadlineSeconds?: number } = {}): Deployment {
  const labels = o.labels ?? { foo: 'bar' };
  return {
    metadata: { name: 'foo', namespace: 'default', uid: 'd-uid', generation: 1, annotations: {} },
    spec: {
      replicas, selector: { matchLabels: { ...labels } },
      template: { metadata: { labels: { ...labels } }, spec: { containers: [{ name: 'c', image: 'foo/bar' }] } },
      strategy: o.type === 'Recreate' ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.maxSurge ?? 0, maxUnavailable: o.maxUnavailable ?? 0 } },
      ...(o.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: o.revisionHistoryLimit } : {}),
      ...(o.progressDeadlineSeconds !== undefined ? { progressDeadlineSeconds: o.progressDeadlineSeconds } : {}),
    },
    status: {},
  };
}

/** rs(name, replicas, selector, timestamp) */
export function rs(name: string, replicas: number, created: number, o: { available?: number; revision?: number; statusReplicas?: number } = {}): ReplicaSet {
  return {
    metadata: {
      name, namespace: 'default', uid: `${name}-uid`, creationTimestamp: iso(created), generation: 1,
      annotations: o.revision !== undefined ? { 'deployment.kubernetes.io/revision': String(o.revision) } : {},
    },
    spec: { replicas, selector: { matchLabels: { foo: 'bar' } }, template: { metadata: { labels: { foo: 'bar' } }, spec: { containers: [{ name: 'c', image: 'foo/bar' }] } } },
    status: { replicas: o.statusReplicas ?? 0, availableReplicas: o.available ?? 0, observedGeneration: 1 },
  };
}

export interface Recorder extends DeploymentOps {
  updates: ReplicaSet[];
  creates: ReplicaSet[];
  deletes: string[];
  statuses: Deployment[];
  events: string[];
  nowMs: number;
}

export function recorder(nowMs = Date.UTC(2026, 0, 1)): Recorder {
  let rv = 100;
  const r: Recorder = {
    updates: [], creates: [], deletes: [], statuses: [], events: [], nowMs,
    now: () => r.nowMs,
    createRS: async (x) => { r.creates.push(structuredClone(x)); return { ...structuredClone(x), metadata: { ...x.metadata, uid: `${x.metadata.name}-uid`, resourceVersion: String(++rv) } }; },
    updateRS: async (x) => { r.updates.push(structuredClone(x)); return { ...structuredClone(x), metadata: { ...x.metadata, resourceVersion: String(++rv) } }; },
    deleteRS: async (x) => { r.deletes.push(x.metadata.name!); },
    cachedRS: () => undefined,
    updateStatus: async (d) => { r.statuses.push(structuredClone(d)); return { ...structuredClone(d), metadata: { ...d.metadata, resourceVersion: String(++rv) } }; },
    event: (_d, type, reason, msg) => { r.events.push(`${type} ${reason} ${msg}`); },
  };
  return r;
}

/** The size each named ReplicaSet ends with after the recorded updates. */
export function sizes(initial: ReplicaSet[], rec: Recorder): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of initial) out[x.metadata.name!] = x.spec.replicas ?? 0;
  for (const u of rec.updates) out[u.metadata.name!] = u.spec.replicas ?? 0;
  return out;
}
