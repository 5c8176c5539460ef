// The node status setters of pkg/kubelet/nodestatus/setters.go, in upstream's order: addresses,
// machine info (capacity/allocatable/ids), version info, daemon endpoints, images, OS/arch, the
// three pressure conditions and Ready (last). Each works on the Node in place from inputs the
// manager gathered beforehand, so they are synchronous and testable with a fixed clock.
import { metaTime, type Node, type NodeCondition, type NodeStatus } from '@kube-ts/client';
import type { Image } from '../cri/types.js';
import type { MachineInfo } from './machine.js';
import { allocatableReservation, computeAllocatable, formatBinarySI, formatDecimalSIMilli, type ReservationInput } from './quantity.js';
import { KUBELET_VERSION } from './version.js';

export interface NodeSystemInfo {
  machineID: string;
  systemUUID: string;
  bootID: string;
  kernelVersion: string;
  osImage: string;
  containerRuntimeVersion: string;
  kubeletVersion: string;
  kubeProxyVersion: string;
  operatingSystem: string;
  architecture: string;
}
export interface NodeDaemonEndpoints { kubeletEndpoint: { Port: number } }
export interface NodeAddress { type: string; address: string }

/** NodeStatus with the fields the kubelet writes, typed. */
export interface KubeletNodeStatus extends NodeStatus {
  nodeInfo?: NodeSystemInfo;
  daemonEndpoints?: NodeDaemonEndpoints;
}

export type EventType = 'Normal' | 'Warning';

export interface StatusInputs {
  now: number;
  nodeName: string;
  hostname: string;
  /** InternalIP(s): --node-ip or the host's address. */
  nodeIPs: string[];
  /** undefined when reading the machine failed. */
  machine: MachineInfo | undefined;
  maxPods: number;
  podsPerCore: number;
  reservation: ReservationInput;
  localStorageCapacityIsolation: boolean;
  /** CRI Version runtimeName/runtimeVersion; undefined when the call failed. */
  runtime: { name: string; version: string } | undefined;
  /** CRI ListImages; an Error when it failed. */
  images: Image[] | Error;
  maxImages: number;
  kubeletPort: number;
  pressure: { memory: boolean; disk: boolean; pid: boolean };
  /** runtimeState.runtimeErrors() then networkErrors(). */
  readyErrors: string[];
  /** Events about the node (recordEvent / recordNodeStatusEvent). */
  record(type: EventType, reason: string, message: string): void;
}

export type Setter = (node: Node, inp: StatusInputs) => void;

const statusOf = (node: Node): KubeletNodeStatus => (node.status ??= {}) as KubeletNodeStatus;

function nodeInfoOf(node: Node): NodeSystemInfo {
  const st = statusOf(node);
  st.nodeInfo ??= { machineID: '', systemUUID: '', bootID: '', kernelVersion: '', osImage: '', containerRuntimeVersion: '', kubeletVersion: '', kubeProxyVersion: '', operatingSystem: '', architecture: '' };
  return st.nodeInfo;
}

export const nodeAddress: Setter = (node, inp) => {
  const addrs: NodeAddress[] = inp.nodeIPs.map((ip) => ({ type: 'InternalIP', address: ip }));
  addrs.push({ type: 'Hostname', address: inp.hostname });
  statusOf(node).addresses = addrs;
};

/** Resources that are not native (no '/' or a kubernetes.io/ prefix) and not requests.* -- v1helper.IsExtendedResourceName. */
function isExtendedResource(name: string): boolean {
  if (!name.includes('/') || name.startsWith('kubernetes.io/') || name.includes('.kubernetes.io/')) return false;
  return !name.startsWith('requests.');
}

export const machineInfo: Setter = (node, inp) => {
  const st = statusOf(node);
  const capacity = (st.capacity ??= {});
  const info = inp.machine;
  if (!info) {
    capacity.cpu = '0';
    capacity.memory = '0';
    capacity.pods = String(inp.maxPods);
  } else {
    const ni = nodeInfoOf(node);
    ni.machineID = info.machineID;
    ni.systemUUID = info.systemUUID;
    capacity.cpu = formatDecimalSIMilli(info.numCores * 1000);
    capacity.memory = formatBinarySI(info.memoryCapacity);
    for (const [name, bytes] of Object.entries(info.hugePages)) capacity[name] = formatBinarySI(bytes);
    const pods = inp.podsPerCore > 0 ? Math.min(info.numCores * inp.podsPerCore, inp.maxPods) : inp.maxPods;
    capacity.pods = formatDecimalSIMilli(pods * 1000);
    if (ni.bootID !== '' && ni.bootID !== info.bootID) {
      inp.record('Warning', 'NodeRebooted', `Node ${inp.nodeName} has been rebooted, boot id: ${info.bootID}`);
    }
    ni.bootID = info.bootID;
    if (inp.localStorageCapacityIsolation && info.rootfsCapacity !== undefined) capacity['ephemeral-storage'] = formatBinarySI(info.rootfsCapacity);
  }
  const allocatable = (st.allocatable ??= {});
  for (const k of Object.keys(allocatable)) if (!(k in capacity) && isExtendedResource(k)) delete allocatable[k];
  Object.assign(allocatable, computeAllocatable(capacity, allocatableReservation(capacity, inp.reservation)));
};

export const versionInfo: Setter = (node, inp) => {
  const ni = nodeInfoOf(node);
  if (inp.machine) {
    ni.kernelVersion = inp.machine.kernelVersion;
    ni.osImage = inp.machine.osImage;
  }
  ni.containerRuntimeVersion = inp.runtime ? `${inp.runtime.name}://${inp.runtime.version}` : `${ni.containerRuntimeVersion.split('://')[0] || 'containerd'}://Unknown`;
  ni.kubeletVersion = KUBELET_VERSION;
  ni.kubeProxyVersion = KUBELET_VERSION;
};

export const daemonEndpoints: Setter = (node, inp) => {
  statusOf(node).daemonEndpoints = { kubeletEndpoint: { Port: inp.kubeletPort } };
};

/** MaxNamesPerImageInNodeStatus. */
const MAX_NAMES_PER_IMAGE = 5;

export const images: Setter = (node, inp) => {
  const st = statusOf(node);
  if (inp.images instanceof Error) {
    st.images = [];
    throw new Error(`error getting image list: ${inp.images.message}`);
  }
  // The image manager hands the list sorted by size, largest first.
  let list = [...inp.images].sort((a, b) => Number(b.size) - Number(a.size));
  if (inp.maxImages > -1 && inp.maxImages < list.length) list = list.slice(0, inp.maxImages);
  st.images = list.map((img) => ({ names: [...img.repoDigests, ...img.repoTags].slice(0, MAX_NAMES_PER_IMAGE), sizeBytes: Number(img.size) }));
};

export const goRuntime: Setter = (node) => {
  const ni = nodeInfoOf(node);
  ni.operatingSystem = 'linux';
  ni.architecture = process.arch === 'x64' ? 'amd64' : process.arch;
};

interface PressureSpec {
  type: string;
  key: keyof StatusInputs['pressure'];
  on: { reason: string; message: string; event: string };
  off: { reason: string; message: string; event: string };
}

/** The events pressure and readiness transitions record (recordNodeStatusEvent). */
function statusEvent(inp: StatusInputs, type: EventType, event: string): void {
  inp.record(type, event, `Node ${inp.nodeName} status is now: ${event}`);
}

function pressureCondition(spec: PressureSpec): Setter {
  return (node, inp) => {
    const st = statusOf(node);
    const now = metaTime(inp.now);
    const conds = (st.conditions ??= []);
    let cond = conds.find((c) => c.type === spec.type);
    const created = !cond;
    cond ??= { type: spec.type, status: 'Unknown' };
    cond.lastHeartbeatTime = now;
    const set = (status: 'True' | 'False', s: PressureSpec['on']): void => {
      cond.status = status;
      cond.reason = s.reason;
      cond.message = s.message;
      cond.lastTransitionTime = now;
      statusEvent(inp, 'Normal', s.event);
    };
    if (inp.pressure[spec.key]) {
      if (cond.status !== 'True') set('True', spec.on);
    } else if (cond.status !== 'False') set('False', spec.off);
    if (created) conds.push(cond);
  };
}

export const memoryPressureCondition = pressureCondition({
  type: 'MemoryPressure', key: 'memory',
  on: { reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available', event: 'NodeHasInsufficientMemory' },
  off: { reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available', event: 'NodeHasSufficientMemory' },
});
export const diskPressureCondition = pressureCondition({
  type: 'DiskPressure', key: 'disk',
  on: { reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure', event: 'NodeHasDiskPressure' },
  off: { reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure', event: 'NodeHasNoDiskPressure' },
});
export const pidPressureCondition = pressureCondition({
  type: 'PIDPressure', key: 'pid',
  on: { reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available', event: 'NodeHasInsufficientPID' },
  off: { reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available', event: 'NodeHasSufficientPID' },
});

/** utilerrors.NewAggregate(...).Error() over flat messages: deduplicated, one as is, several in brackets. */
export function aggregateMessages(msgs: string[]): string {
  const uniq = [...new Set(msgs)];
  return uniq.length === 1 ? uniq[0]! : `[${uniq.join(', ')}]`;
}

export const readyCondition: Setter = (node, inp) => {
  const st = statusOf(node);
  const now = metaTime(inp.now);
  const errs = [...inp.readyErrors];
  const required = ['cpu', 'memory', 'pods', ...(inp.localStorageCapacityIsolation ? ['ephemeral-storage'] : [])];
  const missing = required.filter((r) => st.capacity?.[r] === undefined);
  if (missing.length) errs.push(`missing node capacity for resources: ${missing.join(', ')}`);
  const next: NodeCondition = errs.length
    ? { type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: aggregateMessages(errs), lastHeartbeatTime: now }
    : { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now };
  const conds = (st.conditions ??= []);
  const i = conds.findIndex((c) => c.type === 'Ready');
  if (i < 0) {
    next.lastTransitionTime = now;
    conds.push(next);
    return;
  }
  const transitioned = conds[i]!.status !== next.status;
  next.lastTransitionTime = transitioned ? now : conds[i]!.lastTransitionTime;
  conds[i] = next;
  if (transitioned) statusEvent(inp, 'Normal', next.status === 'True' ? 'NodeReady' : 'NodeNotReady');
};

/** defaultNodeStatusFuncs order; Ready stays last (kubernetes#16961). */
export const DEFAULT_SETTERS: Setter[] = [
  nodeAddress, machineInfo, versionInfo, daemonEndpoints, images, goRuntime,
  memoryPressureCondition, diskPressureCondition, pidPressureCondition, readyCondition,
];
