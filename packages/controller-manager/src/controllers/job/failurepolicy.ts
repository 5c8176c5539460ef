// podFailurePolicy matching (pod_failure_policy.go): the first rule whose onExitCodes or
// onPodConditions matches a failed pod decides: FailJob (with upstream's message), Ignore (not
// counted against backoffLimit), Count, or FailIndex.
import type { Pod } from '@kube-ts/client/types';
import type { PodFailurePolicyRule } from '@kube-ts/client/workloads';

export type PolicyAction = PodFailurePolicyRule['action'];

export interface PolicyMatch {
  /** Set when a FailJob rule matched: the reason the Job fails. */
  failJobMessage?: string;
  /** Whether the failure counts towards backoffLimit (false only for Ignore). */
  countFailed: boolean;
  action?: PolicyAction;
}

interface ContainerStatusLike { name: string; state?: { terminated?: { exitCode: number } } }

function matchingContainer(statuses: ContainerStatusLike[] | undefined, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): ContainerStatusLike | undefined {
  for (const cs of statuses ?? []) {
    const term = cs.state?.terminated;
    if (!term) continue;
    if (req.containerName !== undefined && req.containerName !== null && req.containerName !== cs.name) continue;
    if (term.exitCode === 0) continue;
    const inValues = req.values.includes(term.exitCode);
    if (req.operator === 'In' ? inValues : req.operator === 'NotIn' ? !inValues : false) return cs;
  }
  return undefined;
}

export function matchPodFailurePolicy(policy: { rules: PodFailurePolicyRule[] } | undefined, pod: Pod): PolicyMatch {
  if (!policy) return { countFailed: true };
  const ns = pod.metadata.namespace; const name = pod.metadata.name;
  for (const [index, rule] of policy.rules.entries()) {
    let what: string | undefined;
    if (rule.onExitCodes) {
      const cs = matchingContainer(pod.status?.containerStatuses as ContainerStatusLike[] | undefined, rule.onExitCodes)
        ?? matchingContainer(pod.status?.initContainerStatuses as ContainerStatusLike[] | undefined, rule.onExitCodes);
      if (cs) what = `Container ${cs.name} for pod ${ns}/${name} failed with exit code ${cs.state!.terminated!.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((c) => rule.onPodConditions!.some((p) => p.type === c.type && p.status === c.status));
      if (cond) what = `Pod ${ns}/${name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`;
    }
    if (what === undefined) continue;
    switch (rule.action) {
      case 'Ignore': return { countFailed: false, action: 'Ignore' };
      case 'Count': return { countFailed: true, action: 'Count' };
      case 'FailIndex': return { countFailed: true, action: 'FailIndex' };
      case 'FailJob': return { failJobMessage: what, countFailed: true, action: 'FailJob' };
      default:
    }
  }
  return { countFailed: true };
}
