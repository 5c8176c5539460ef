// Which nodes a DaemonSet's pod belongs on (daemon_controller.go NodeShouldRunDaemonPod and
// pkg/controller/daemon/util): the template's nodeName, nodeSelector and required node affinity
// must match, and NoSchedule/NoExecute taints must be tolerated, counting the tolerations every
// daemon pod gets. A pod already on a node may keep running there unless a NoExecute taint is
// untolerated.
import { findUntoleratedTaint, mapSelectorMatches, nodeSelectorMatches } from '@kube-ts/client/labels';
import type { Affinity, Node, Pod, PodSpec, Toleration } from '@kube-ts/client/types';
import type { DaemonSet, PodTemplateSpec } from '@kube-ts/client/workloads';
import { REVISION_HASH_LABEL } from '../history/revisions.js';

export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

/** AddOrUpdateDaemonPodTolerations: a daemon pod survives node conditions and cordons. */
export function addDaemonTolerations(spec: PodSpec): void {
  const add: Toleration[] = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ];
  if (spec.hostNetwork) add.push({ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
  const list = [...(spec.tolerations ?? [])];
  for (const t of add) {
    // AddOrUpdateTolerationInPodSpec: replace a toleration with the same key/operator/value/effect.
    const i = list.findIndex((x) => (x.key ?? '') === t.key && (x.operator || 'Equal') === t.operator && (x.value ?? '') === '' && (x.effect ?? '') === t.effect);
    if (i >= 0) list[i] = t; else list.push(t);
  }
  spec.tolerations = list;
}

/** The DaemonSet's template generation (the deprecated annotation, else metadata.generation). */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const a = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (a !== undefined && /^\d+$/.test(a)) return Number(a);
  return ds.metadata.generation;
}

/** CreatePodTemplate: default tolerations plus the generation and revision-hash labels. */
export function daemonPodTemplate(ds: DaemonSet, hash: string): PodTemplateSpec {
  const t = structuredClone(ds.spec.template);
  addDaemonTolerations(t.spec);
  t.metadata = { ...(t.metadata ?? {}) };
  const labels: Record<string, string> = { ...(t.metadata.labels ?? {}) };
  const gen = templateGeneration(ds);
  if (gen !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(gen);
  if (hash) labels[REVISION_HASH_LABEL] = hash;
  t.metadata.labels = labels;
  return t;
}

/** ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes "this node". */
export function replaceNodeNameAffinity(affinity: Affinity | undefined, nodeName: string): Affinity {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In' as const, values: [nodeName] }] };
  const a: Affinity = structuredClone(affinity ?? {});
  a.nodeAffinity = { ...(a.nodeAffinity ?? {}), requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] } };
  return a;
}

/** GetTargetNodeName: spec.nodeName, else the single metadata.name the node affinity asks for. */
export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length !== 1) return undefined;
  for (const f of terms[0]!.matchFields ?? []) {
    if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export interface NodeFit { shouldRun: boolean; shouldContinueRunning: boolean }

/** NodeShouldRunDaemonPod. */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): NodeFit {
  const name = node.metadata.name!;
  const spec = structuredClone(ds.spec.template.spec);
  if (spec.nodeName && spec.nodeName !== name) return { shouldRun: false, shouldContinueRunning: false };
  addDaemonTolerations(spec);
  const labels = node.metadata.labels;
  const req = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const fitsAffinity = mapSelectorMatches(spec.nodeSelector, labels) && (!req || nodeSelectorMatches(req, labels, name));
  if (!fitsAffinity) return { shouldRun: false, shouldContinueRunning: false };
  const taints = node.spec?.taints;
  if (findUntoleratedTaint(taints, spec.tolerations, ['NoSchedule', 'NoExecute'])) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, spec.tolerations, ['NoExecute']) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** IsPodUpdated: the pod carries the current revision hash or template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[REVISION_HASH_LABEL] === hash;
  return hashMatches || templateMatches;
}
