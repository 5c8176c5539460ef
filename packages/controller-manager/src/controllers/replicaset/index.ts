// kube-controller-manager's replicaset and replicationcontroller controllers: one implementation.
import type { ControllerInit } from '../../context.js';
import { ReplicaSetController } from './controller.js';
import { REPLICASET, REPLICATIONCONTROLLER } from './kinds.js';

export { ReplicaSetController } from './controller.js';

export const initReplicaSet: ControllerInit = (ctx) => new ReplicaSetController(ctx, REPLICASET);

export const initReplicationController: ControllerInit = (ctx) => new ReplicaSetController(ctx, REPLICATIONCONTROLLER);
