// scheduling.k8s.io/v1: priorityclasses, and the two system classes bootstrap creates. Validation
// follows upstream's pkg/apis/scheduling/validation; columns printPriorityClass.
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type ResourceDef } from './resource.js';
import { forbidden, immutable, notSupported } from './apps.js';
import { goValue } from './validation.js';

export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
/** Values above this are reserved for system classes. */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;

const systemClass = (name: string, value: number, description: string): KubeObject => ({
  apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, description, preemptionPolicy: 'PreemptLowerPriority',
});

/** Upstream's SystemPriorityClasses(), created at startup. */
export const systemPriorityClasses: KubeObject[] = [
  systemClass('system-node-critical', 2000001000, 'Used for system critical pods that must not be moved from their current node.'),
  systemClass('system-cluster-critical', 2000000000, 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.'),
];

/** IsKnownSystemPriorityClass's error, or undefined for a matching system class. */
function systemClassError(name: string, value: unknown, globalDefault: boolean): string | undefined {
  const known = systemPriorityClasses.find((c) => c.metadata.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${String(known.value)}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

export const priorityClassResource: ResourceDef = {
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', plural: 'priorityclasses', singular: 'priorityclass',
  shortNames: ['pc'], categories: [], namespaced: false, nameRule: 'subdomain', storagePath: 'priorityclasses',
  schema: 'io.k8s.api.scheduling.v1.PriorityClass', hasSpec: false,
  columns: [
    { name: 'Value', type: 'integer', description: 'value represents the integer value of this priority class.', value: (o) => (typeof o.value === 'number' ? o.value : 0) },
    { name: 'Global-Default', type: 'boolean', description: 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.', value: (o) => o.globalDefault === true },
    AGE,
    { name: 'PreemptionPolicy', type: 'string', description: 'preemptionPolicy is the Policy for preempting pods with lower priority.', value: (o) => (typeof o.preemptionPolicy === 'string' ? o.preemptionPolicy : '') },
  ],
  defaults: (o) => {
    // value is a non-omitempty int32 upstream: a missing value decodes as 0.
    o.value ??= 0;
    o.preemptionPolicy ??= 'PreemptLowerPriority';
  },
  validate: (o, old) => {
    const out: StatusCause[] = [];
    const name = o.metadata.name ?? '';
    if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
      const err = systemClassError(name, o.value, o.globalDefault === true);
      if (err) out.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`));
    } else if (typeof o.value === 'number' && o.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
      out.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
    }
    const pp = o.preemptionPolicy;
    if (pp !== undefined && pp !== null && pp !== 'Never' && pp !== 'PreemptLowerPriority') out.push(notSupported('preemptionPolicy', pp, ['Never', 'PreemptLowerPriority']));
    if (old) {
      if (o.value !== old.value) out.push(forbidden('value', 'may not be changed in an update.'));
      out.push(...immutable(o.preemptionPolicy, old.preemptionPolicy, 'preemptionPolicy', goValue));
    }
    return out;
  },
};

export const resources: ResourceDef[] = [priorityClassResource];
