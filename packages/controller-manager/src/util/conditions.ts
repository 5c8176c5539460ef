// Setting status conditions as upstream controllers do: a condition's lastTransitionTime changes
// only when its status changes.
import type { WorkloadCondition } from '@kube-ts/client/workloads';

export function getCondition(conds: WorkloadCondition[] | undefined, type: string): WorkloadCondition | undefined {
  return conds?.find((c) => c.type === type);
}

/** Returns a new list with `c` set; keeps lastTransitionTime when the status is unchanged. */
export function setCondition(conds: WorkloadCondition[] | undefined, c: WorkloadCondition): WorkloadCondition[] {
  const list = conds ?? [];
  const cur = list.find((x) => x.type === c.type);
  const next = { ...c };
  if (cur && cur.status === c.status && cur.lastTransitionTime) next.lastTransitionTime = cur.lastTransitionTime;
  return [...list.filter((x) => x.type !== c.type), next];
}

export function removeCondition(conds: WorkloadCondition[] | undefined, type: string): WorkloadCondition[] {
  return (conds ?? []).filter((c) => c.type !== type);
}
