// Schemas: policy/v1. Field numbers are upstream's generated.proto; markers follow upstream's types.go.
import { type GVK, type ObjectType, S, ref, listOf, mapOf, f, topLevel, listType, struct, META } from '../dsl.js';

const P = 'io.k8s.api.policy.v1.';
const gv = (kind: string): GVK => ({ group: 'policy', version: 'v1', kind });

export const types: ObjectType[] = [
  struct(P + 'PodDisruptionBudgetSpec', "PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.", {
    minAvailable: f(S.intOrString, 1, "An eviction is allowed if at least \"minAvailable\" pods selected by \"selector\" will still be available after the eviction, i.e. even in the absence of the evicted pod."),
    selector: f(ref(META.labelSelector), 2, "Label query over pods whose evictions are managed by the disruption budget.", {patchStrategy: "replace"}),
    maxUnavailable: f(S.intOrString, 3, "An eviction is allowed if at most \"maxUnavailable\" pods selected by \"selector\" are unavailable after the eviction, i.e. even in absence of the evicted pod."),
    unhealthyPodEvictionPolicy: f(S.string, 4, "UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction.", {enum: ["IfHealthyBudget", "AlwaysAllow"]}),
  }),
  struct(P + 'PodDisruptionBudgetStatus', "PodDisruptionBudgetStatus represents information about the status of a PodDisruptionBudget.", {
    observedGeneration: f(S.int64, 1, "Most recent generation observed when updating this PDB status."),
    disruptedPods: f(mapOf(S.time), 2, "DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource handler but has not yet been observed by the PodDisruptionBudget controller."),
    disruptionsAllowed: f(S.int32, 3, "Number of pod disruptions that are currently allowed.", {required: true}),
    currentHealthy: f(S.int32, 4, "current number of healthy pods", {required: true}),
    desiredHealthy: f(S.int32, 5, "minimum desired number of healthy pods", {required: true}),
    expectedPods: f(S.int32, 6, "total number of pods counted by this disruption budget", {required: true}),
    conditions: f(listOf(ref(META.condition)), 7, "Conditions contain conditions for PDB.", {patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"]}),
  }),
  topLevel(P + 'PodDisruptionBudget', gv('PodDisruptionBudget'), "PodDisruptionBudget is an object to define the max disruption that can be caused to a collection of pods", {
    spec: f(ref(P + 'PodDisruptionBudgetSpec'), 2, "Specification of the desired behavior of the PodDisruptionBudget."),
    status: f(ref(P + 'PodDisruptionBudgetStatus'), 3, "Most recently observed status of the PodDisruptionBudget."),
  }),
  listType(P + 'PodDisruptionBudget', gv('PodDisruptionBudget'), "PodDisruptionBudgetList is a collection of PodDisruptionBudgets."),
  topLevel(P + 'Eviction', gv('Eviction'), "Eviction evicts a pod from its node subject to certain policies and safety constraints.", {
    deleteOptions: f(ref(META.deleteOptions), 2, "DeleteOptions may be provided"),
  }),
];
