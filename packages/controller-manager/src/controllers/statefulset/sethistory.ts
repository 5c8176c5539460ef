// The StatefulSet's current and update revisions (getStatefulSetRevisions) and history
// truncation (truncateHistory): the update revision is the set's template; an equal older
// revision is reused (a rollback bumps its number), otherwise a new one is created.
import type { ResourceClient } from '@kube-ts/client/rest';
import type { OwnerReference, Pod } from '@kube-ts/client/types';
import type { ControllerRevision, StatefulSet } from '@kube-ts/client/workloads';
import {
  createControllerRevision, equalRevision, findEqualRevisions, newControllerRevision, nextRevision, revisionsToPrune, sortRevisions, templatePatch,
} from '../history/revisions.js';
import { getPodRevision } from './identity.js';

/** newRevision: the set's template as a revision, annotated like the set. */
export function newSetRevision(set: StatefulSet, ref: OwnerReference, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, ref, set.spec.template.metadata?.labels, templatePatch(set.spec.template), revision, collisionCount);
  if (set.metadata.annotations) cr.metadata.annotations = { ...set.metadata.annotations };
  return cr;
}

export interface SetRevisions { current: ControllerRevision; update: ControllerRevision; collisionCount: number }

export async function setRevisions(client: ResourceClient<ControllerRevision>, set: StatefulSet, ref: OwnerReference, revisions: ControllerRevision[]): Promise<SetRevisions> {
  const revs = sortRevisions(revisions);
  let collisionCount = set.status?.collisionCount ?? 0;
  let update = newSetRevision(set, ref, nextRevision(revs), collisionCount);
  const equal = findEqualRevisions(revs, update);
  const last = revs[revs.length - 1];
  if (equal.length > 0 && equalRevision(last, equal[equal.length - 1])) {
    update = last!;
  } else if (equal.length > 0) {
    // Rolling back to an earlier template: that revision becomes the newest.
    const prior = equal[equal.length - 1]!;
    update = await client.update({ ...prior, revision: update.revision });
  } else {
    const r = await createControllerRevision(client, set, update, collisionCount);
    update = r.revision;
    collisionCount = r.collisionCount;
  }
  const current = revs.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount };
}

/** truncateHistory: delete the oldest revisions that no pod, nor current/update, uses. */
export async function truncateHistory(client: ResourceClient<ControllerRevision>, set: StatefulSet, pods: Pod[], revisions: ControllerRevision[], current?: ControllerRevision, update?: ControllerRevision): Promise<void> {
  const live = new Set<string>(pods.map(getPodRevision));
  if (current) live.add(current.metadata.name!);
  if (update) live.add(update.metadata.name!);
  const doomed = revisionsToPrune(revisions, (r) => live.has(r.metadata.name!), set.spec.revisionHistoryLimit ?? 10);
  for (const r of doomed) await client.delete(r.metadata.name!, r.metadata.namespace).catch((e: unknown) => { if ((e as { code?: number }).code !== 404) throw e; });
}
