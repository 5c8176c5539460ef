// Controller names and the --controllers flag (cmd/kube-controller-manager/app, names/):
// canonical names since 1.28 ("deployment-controller"), the old short names ("deployment") as
// aliases, '*' for every controller enabled by default, 'foo' to enable, '-foo' to disable.
import type { ControllerInit } from './context.js';

export interface ControllerDescriptor {
  /** Canonical upstream name, e.g. "deployment-controller". */
  name: string;
  /** Old names accepted by --controllers, e.g. ["deployment"]. */
  aliases: string[];
  init: ControllerInit;
  /** Key of --concurrent-<key>-syncs and DEFAULT_WORKERS. */
  workersKey: string;
  /** Off unless named explicitly (upstream: bootstrap-signer, token-cleaner). */
  disabledByDefault?: boolean;
}

/** Every name upstream 1.32 knows, so --controllers accepts a name we do not implement (and says so). */
export const UPSTREAM_CONTROLLERS: Record<string, string[]> = {
  'serviceaccount-token-controller': ['serviceaccount-token'],
  'endpoints-controller': ['endpoint'],
  'endpointslice-controller': ['endpointslice'],
  'endpointslice-mirroring-controller': ['endpointslicemirroring'],
  'replicationcontroller-controller': ['replicationcontroller'],
  'pod-garbage-collector-controller': ['podgc'],
  'resourcequota-controller': ['resourcequota'],
  'namespace-controller': ['namespace'],
  'serviceaccount-controller': ['serviceaccount'],
  'garbage-collector-controller': ['garbagecollector'],
  'daemonset-controller': ['daemonset'],
  'job-controller': ['job'],
  'deployment-controller': ['deployment'],
  'replicaset-controller': ['replicaset'],
  'horizontal-pod-autoscaler-controller': ['horizontalpodautoscaling'],
  'disruption-controller': ['disruption'],
  'statefulset-controller': ['statefulset'],
  'cronjob-controller': ['cronjob'],
  'certificatesigningrequest-signing-controller': ['csrsigning'],
  'certificatesigningrequest-approving-controller': ['csrapproving'],
  'certificatesigningrequest-cleaner-controller': ['csrcleaner'],
  'ttl-controller': ['ttl'],
  'bootstrap-signer-controller': ['bootstrapsigner'],
  'token-cleaner-controller': ['tokencleaner'],
  'node-ipam-controller': ['nodeipam'],
  'node-lifecycle-controller': ['nodelifecycle'],
  'taint-eviction-controller': [],
  'persistentvolume-binder-controller': ['persistentvolume-binder'],
  'persistentvolume-attach-detach-controller': ['attachdetach'],
  'persistentvolume-expander-controller': ['persistentvolume-expander'],
  'clusterrole-aggregation-controller': ['clusterrole-aggregation'],
  'persistentvolumeclaim-protection-controller': ['pvc-protection'],
  'persistentvolume-protection-controller': ['pv-protection'],
  'ttl-after-finished-controller': ['ttl-after-finished'],
  'root-ca-certificate-publisher-controller': ['root-ca-cert-publisher'],
  'ephemeral-volume-controller': ['ephemeral-volume'],
  'storageversion-garbage-collector-controller': ['storage-version-gc'],
  'resourceclaim-controller': ['resourceclaim'],
  'legacy-serviceaccount-token-cleaner-controller': ['legacy-service-account-token-cleaner'],
  'validatingadmissionpolicy-status-controller': [],
  'service-cidr-controller': [],
  'cloud-node-lifecycle-controller': ['cloud-node-lifecycle'],
  'service-lb-controller': ['service'],
  'node-route-controller': ['route'],
};

export const UPSTREAM_DISABLED_BY_DEFAULT = new Set(['bootstrap-signer-controller', 'token-cleaner-controller']);

export class ControllersFlagError extends Error {}

/** Maps every accepted spelling (canonical or alias) to the canonical name. */
function nameIndex(): Map<string, string> {
  const m = new Map<string, string>();
  for (const [name, aliases] of Object.entries(UPSTREAM_CONTROLLERS)) {
    m.set(name, name);
    for (const a of aliases) m.set(a, name);
  }
  return m;
}

/**
 * The canonical names --controllers selects (upstream IsControllerEnabled): an explicit name or
 * '-name' wins; otherwise '*' enables whatever is on by default. Unknown names are an error.
 */
export function selectControllers(flag: string[] | undefined): Set<string> {
  const entries = (flag && flag.length > 0 ? flag : ['*']).flatMap((f) => f.split(',')).map((s) => s.trim()).filter(Boolean);
  const index = nameIndex();
  const on = new Set<string>();
  const off = new Set<string>();
  let star = false;
  for (const e of entries) {
    if (e === '*') { star = true; continue; }
    const neg = e.startsWith('-');
    const raw = neg ? e.slice(1) : e;
    const name = index.get(raw);
    if (!name) throw new ControllersFlagError(`"${raw}" is not in the list of known controllers`);
    (neg ? off : on).add(name);
  }
  const out = new Set<string>();
  for (const name of Object.keys(UPSTREAM_CONTROLLERS)) {
    if (off.has(name)) continue;
    if (on.has(name) || (star && !UPSTREAM_DISABLED_BY_DEFAULT.has(name))) out.add(name);
  }
  return out;
}
