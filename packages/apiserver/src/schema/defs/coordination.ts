// Schemas: coordination.k8s.io/v1. Field numbers are upstream's generated.proto; markers follow upstream's types.go.
import { type GVK, type ObjectType, S, ref, f, topLevel, listType, struct } from '../dsl.js';

const P = 'io.k8s.api.coordination.v1.';
const gv = (kind: string): GVK => ({ group: 'coordination.k8s.io', version: 'v1', kind });

export const types: ObjectType[] = [
  topLevel(P + 'Lease', gv('Lease'), "Lease defines a lease concept.", {
    spec: f(ref(P + 'LeaseSpec'), 2, "spec contains the specification of the Lease."),
  }),
  struct(P + 'LeaseSpec', "LeaseSpec is a specification of a Lease.", {
    holderIdentity: f(S.string, 1, "holderIdentity contains the identity of the holder of a current lease."),
    leaseDurationSeconds: f(S.int32, 2, "leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it."),
    acquireTime: f(S.microTime, 3, "acquireTime is a time when the current lease was acquired."),
    renewTime: f(S.microTime, 4, "renewTime is a time when the current holder of a lease has last updated the lease."),
    leaseTransitions: f(S.int32, 5, "leaseTransitions is the number of transitions of a lease between holders."),
    strategy: f(S.string, 6, "Strategy indicates the strategy for picking the leader for coordinated leader election."),
    preferredHolder: f(S.string, 7, "PreferredHolder signals to a lease holder that the lease has a more optimal holder and should be given up."),
  }),
  listType(P + 'Lease', gv('Lease'), "LeaseList is a list of Lease objects."),
];
