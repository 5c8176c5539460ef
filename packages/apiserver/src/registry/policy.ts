// policy/v1: poddisruptionbudgets (the Eviction schema is served by the pods/eviction handler).
// Validation follows upstream's pkg/apis/policy/validation; columns printPodDisruptionBudget.
import type { StatusCause } from '../api/types.js';
import { AGE, type ResourceDef } from './resource.js';
import { get, invalid, isObj, notSupported, validateIntOrPercent, validateLabelSelector, type Obj } from './apps.js';

/** intstr.IntOrString.String(), or N/A when unset. */
const intOrString = (v: unknown): string => (typeof v === 'number' || typeof v === 'string' ? String(v) : 'N/A');

export const podDisruptionBudgetResource: ResourceDef = {
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', plural: 'poddisruptionbudgets', singular: 'poddisruptionbudget',
  shortNames: ['pdb'], categories: [], namespaced: true, nameRule: 'subdomain', storagePath: 'poddisruptionbudgets',
  schema: 'io.k8s.api.policy.v1.PodDisruptionBudget', hasSpec: true, subresources: { status: true },
  columns: [
    { name: 'Min Available', type: 'string', description: 'The minimum number of pods that must be available.', value: (o) => intOrString(get(o, 'spec', 'minAvailable')) },
    { name: 'Max Unavailable', type: 'string', description: 'The maximum number of pods that may be unavailable.', value: (o) => intOrString(get(o, 'spec', 'maxUnavailable')) },
    { name: 'Allowed Disruptions', type: 'integer', description: 'Calculated number of pods that may be disrupted at this time.', value: (o) => { const v = get(o, 'status', 'disruptionsAllowed'); return typeof v === 'number' ? v : 0; } },
    AGE,
  ],
  defaults: (o) => {
    o.spec = isObj(o.spec) ? o.spec : {};
    // Non-omitempty status counters: a new budget shows them as 0.
    const st = (o.status = isObj(o.status) ? o.status : {}) as Obj;
    for (const k of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) st[k] ??= 0;
  },
  validate: (o) => {
    const s = isObj(o.spec) ? o.spec : {};
    const out: StatusCause[] = [];
    const has = (v: unknown): boolean => v !== undefined && v !== null;
    if (has(s.minAvailable) && has(s.maxUnavailable)) out.push(invalid('spec', `policy.PodDisruptionBudgetSpec${JSON.stringify(s)}`, 'minAvailable and maxUnavailable cannot be both set'));
    out.push(...validateIntOrPercent(s.minAvailable, 'spec.minAvailable', true), ...validateIntOrPercent(s.maxUnavailable, 'spec.maxUnavailable', true));
    out.push(...validateLabelSelector(s.selector, 'spec.selector'));
    const p = s.unhealthyPodEvictionPolicy;
    if (has(p) && p !== 'AlwaysAllow' && p !== 'IfHealthyBudget') out.push(notSupported('spec.unhealthyPodEvictionPolicy', p, ['AlwaysAllow', 'IfHealthyBudget']));
    return out;
  },
};

export const resources: ResourceDef[] = [podDisruptionBudgetResource];
