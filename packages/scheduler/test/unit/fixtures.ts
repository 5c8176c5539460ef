// Builders for plugin unit tests: pods, nodes, NodeInfos, and a fake framework Handle whose API
// writes are recorded instead of sent.
import type { Node, Pod, PodSpec, ResourceList, Taint } from '@kube-ts/client/types';
import { CycleState } from '../../src/framework/cyclestate.js';
import type { ClusterApi, Handle } from '../../src/framework/interface.js';
import { NodeInfo } from '../../src/framework/nodeinfo.js';
import { PodInfo } from '../../src/framework/podinfo.js';
import { Snapshot } from '../../src/framework/snapshot.js';
import type { MaybeStatus } from '../../src/framework/status.js';

let uid = 0;

export interface PodOpts {
  namespace?: string;
  labels?: Record<string, string>;
  /** Requests of a single container, e.g. { cpu: '500m', memory: '1Gi' }. */
  requests?: ResourceList;
  nodeName?: string;
  priority?: number;
  spec?: Partial<PodSpec>;
  uid?: string;
  creationTimestamp?: string;
  startTime?: string;
}

export function makePod(name: string, o: PodOpts = {}): Pod {
  const spec: PodSpec = {
    containers: [{ name: 'c', image: 'busybox', ...(o.requests ? { resources: { requests: o.requests } } : {}) }],
    ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    ...(o.priority !== undefined ? { priority: o.priority } : {}),
    ...(o.spec ?? {}),
  };
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', uid: o.uid ?? `uid-${name}-${++uid}`, labels: o.labels ?? {}, creationTimestamp: o.creationTimestamp ?? '2026-01-01T00:00:00Z' },
    spec,
    status: { phase: 'Pending', ...(o.startTime ? { startTime: o.startTime } : {}) },
  };
}

export interface NodeOpts {
  labels?: Record<string, string>;
  allocatable?: ResourceList;
  taints?: Taint[];
  unschedulable?: boolean;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

export function makeNode(name: string, o: NodeOpts = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `node-${name}`, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: o.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' },
      capacity: o.allocatable ?? { cpu: '4', memory: '8Gi', pods: '110' },
      ...(o.images ? { images: o.images } : {}),
    },
  };
}

export function makeNodeInfo(node: Node, pods: Pod[] = []): NodeInfo {
  return new NodeInfo(node, pods.map((p) => new PodInfo(p)));
}

export interface FakeApiCall { op: 'bind' | 'preempt' | 'clearNominated'; pod: string; node?: string; by?: string }

export interface FakeHandleOpts {
  nodes?: NodeInfo[];
  api?: Partial<ClusterApi>;
  namespaceLabels?: Record<string, Record<string, string>>;
  pdbs?: ReturnType<Handle['pdbs']>;
  nominated?: Record<string, PodInfo[]>;
  /** Filter used by runFilterPluginsWithNominatedPods (default: always fits). */
  filter?: (state: CycleState, pod: Pod, nodeInfo: NodeInfo) => MaybeStatus;
}

export function fakeHandle(o: FakeHandleOpts = {}): Handle & { calls: FakeApiCall[]; events: string[]; setNodes(n: NodeInfo[]): void } {
  const calls: FakeApiCall[] = [];
  const events: string[] = [];
  let snap = new Snapshot(o.nodes ?? []);
  return {
    calls,
    events,
    setNodes(n) { snap = new Snapshot(n); },
    snapshot: () => snap,
    api: {
      bind: async (pod, node) => { calls.push({ op: 'bind', pod: pod.metadata.name!, node }); },
      preemptPod: async (victim, by, node) => { calls.push({ op: 'preempt', pod: victim.metadata.name!, node, by: by.metadata.name! }); },
      clearNominatedNodeName: async (pod) => { calls.push({ op: 'clearNominated', pod: pod.metadata.name! }); },
      ...(o.api ?? {}),
    },
    recorder: { event: (obj, type, reason, message) => { events.push(`${type} ${reason} ${obj.metadata.name}: ${message}`); } },
    nominatedPodsForNode: (n) => o.nominated?.[n] ?? [],
    runFilterPluginsWithNominatedPods: (state, pod, ni) => (o.filter ? o.filter(state, pod, ni) : null),
    runPreFilterExtensionAddPod: () => null,
    runPreFilterExtensionRemovePod: () => null,
    pdbs: () => o.pdbs ?? [],
    priorityClass: () => undefined,
    namespaceLabels: (ns) => o.namespaceLabels?.[ns] ?? { 'kubernetes.io/metadata.name': ns },
    parallelism: 16,
  };
}

export function newState(): CycleState { return new CycleState(); }
