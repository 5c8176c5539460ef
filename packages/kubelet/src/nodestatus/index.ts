// Node registration, node status (capacity, allocatable, nodeInfo, addresses, conditions) and
// the node Lease heartbeat.
export { NodeStatusManager, type NodeStatusDeps } from './manager.js';
export { NodeLeaseController, NODE_LEASE_NAMESPACE, type NodeLeaseOptions } from './lease.js';
export { KUBELET_VERSION } from './version.js';
export { readMachineInfo, defaultHostIP, type MachineInfo } from './machine.js';
export { RuntimeState, updateRuntimeUp, runtimeConditionString } from './runtimestate.js';
export { nodeStatusHasChanged, nodeStatusPatch } from './patch.js';
export { allocatableReservation, computeAllocatable, formatBinarySI, formatDecimalSIMilli, hardEvictionReservation } from './quantity.js';
export { DEFAULT_SETTERS, type KubeletNodeStatus, type NodeSystemInfo, type StatusInputs } from './setters.js';
