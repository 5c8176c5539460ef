// coordination.k8s.io/v1: leases (leader election, node heartbeats). Validation follows upstream's
// pkg/apis/coordination/validation; columns printLease.
import type { StatusCause } from '../api/types.js';
import { AGE, type ResourceDef } from './resource.js';
import { forbidden, get, invalid, isObj } from './apps.js';

export const leaseResource: ResourceDef = {
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', plural: 'leases', singular: 'lease',
  shortNames: [], categories: [], namespaced: true, nameRule: 'subdomain', storagePath: 'leases',
  schema: 'io.k8s.api.coordination.v1.Lease', hasSpec: false,
  columns: [
    { name: 'Holder', type: 'string', description: 'holderIdentity contains the identity of the holder of a current lease.', value: (o) => { const h = get(o, 'spec', 'holderIdentity'); return typeof h === 'string' ? h : ''; } },
    AGE,
  ],
  validate: (o) => {
    const s = isObj(o.spec) ? o.spec : {};
    const out: StatusCause[] = [];
    if (typeof s.leaseDurationSeconds === 'number' && s.leaseDurationSeconds <= 0) out.push(invalid('spec.leaseDurationSeconds', String(s.leaseDurationSeconds), 'must be greater than 0'));
    if (typeof s.leaseTransitions === 'number' && s.leaseTransitions < 0) out.push(invalid('spec.leaseTransitions', String(s.leaseTransitions), 'must be greater than or equal to 0'));
    if (typeof s.preferredHolder === 'string' && s.preferredHolder !== '' && (typeof s.strategy !== 'string' || s.strategy === '')) {
      out.push(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
    }
    return out;
  },
};

export const resources: ResourceDef[] = [leaseResource];
