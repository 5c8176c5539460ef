// DaemonSet history (update.go constructHistory/snapshot/dedupCurHistories/cleanupHistory): the
// revision whose data equals the template is current (its number raised to be the newest);
// none found means a new snapshot `<ds>-<hash>` labelled controller-revision-hash=<hash>, where a
// name taken by other data bumps status.collisionCount and retries.
import { isAlreadyExists, isNotFound } from '@kube-ts/client/errors';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { OwnerReference, Pod } from '@kube-ts/client/types';
import type { ControllerRevision, DaemonSet } from '@kube-ts/client/workloads';
import { computeHash } from '../../util/hash.js';
import { maxRevision, REVISION_HASH_LABEL, revisionMatchesTemplate, revisionsToPrune, templatePatch } from '../history/revisions.js';

export interface HistoryClients {
  revisions: ResourceClient<ControllerRevision>;
  daemonsets: ResourceClient<DaemonSet>;
  pods: ResourceClient<Pod>;
}

/** Splits owned revisions into those matching the template and the old ones. */
export function splitHistory(ds: DaemonSet, revs: ControllerRevision[]): { current: ControllerRevision[]; old: ControllerRevision[] } {
  const current: ControllerRevision[] = []; const old: ControllerRevision[] = [];
  for (const r of revs) (revisionMatchesTemplate(r, ds.spec.template) ? current : old).push(r);
  return { current, old };
}

export async function constructHistory(c: HistoryClients, ds: DaemonSet, ref: OwnerReference, owned: ControllerRevision[], pods: Pod[]): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
  const labelled: ControllerRevision[] = [];
  for (const r of owned) {
    // Older revisions may lack the hash label: use the name, so no hash needs recomputing.
    if (r.metadata.labels?.[REVISION_HASH_LABEL] === undefined) {
      labelled.push(await c.revisions.update({ ...r, metadata: { ...r.metadata, labels: { ...r.metadata.labels, [REVISION_HASH_LABEL]: r.metadata.name! } } }));
    } else labelled.push(r);
  }
  const { current, old } = splitHistory(ds, labelled);
  const want = maxRevision(old) + 1;
  let cur: ControllerRevision;
  if (current.length === 0) {
    cur = await snapshot(c, ds, ref, want);
  } else {
    cur = await dedupCurrent(c, current, pods);
    if (cur.revision < want) cur = await c.revisions.update({ ...cur, revision: want });
  }
  return { cur, old };
}

async function snapshot(c: HistoryClients, ds: DaemonSet, ref: OwnerReference, revision: number): Promise<ControllerRevision> {
  const hash = computeHash(ds.spec.template, ds.status?.collisionCount);
  const rev: ControllerRevision = {
    metadata: {
      name: `${ds.metadata.name}-${hash}`, namespace: ds.metadata.namespace,
      labels: { ...(ds.spec.template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [ref],
    },
    data: templatePatch(ds.spec.template),
    revision,
  };
  try {
    return await c.revisions.create(rev);
  } catch (err) {
    if (!isAlreadyExists(err)) throw err;
    const existing = await c.revisions.get(rev.metadata.name!, ds.metadata.namespace);
    if (revisionMatchesTemplate(existing, ds.spec.template)) return existing;
    // A different template hashed to this name: bump the collision count (from a fresh read, so
    // a stale count is not bumped twice) and let the retry compute a new name.
    const fresh = await c.daemonsets.get(ds.metadata.name!, ds.metadata.namespace);
    if ((fresh.status?.collisionCount ?? 0) !== (ds.status?.collisionCount ?? 0)) {
      throw new Error(`found a stale collision count (${ds.status?.collisionCount ?? 0}, expected ${fresh.status?.collisionCount ?? 0}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
    }
    const status = { ...(fresh.status ?? { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }) };
    status.collisionCount = (status.collisionCount ?? 0) + 1;
    await c.daemonsets.updateStatus({ ...fresh, status });
    throw err;
  }
}

/** dedupCurHistories: keep the newest equal revision; relabel pods of the others, delete them. */
async function dedupCurrent(c: HistoryClients, current: ControllerRevision[], pods: Pod[]): Promise<ControllerRevision> {
  if (current.length === 1) return current[0]!;
  const keep = current.reduce((a, b) => (b.revision > a.revision ? b : a));
  const keepHash = keep.metadata.labels?.[REVISION_HASH_LABEL] ?? '';
  for (const dup of current) {
    if (dup === keep) continue;
    const dupHash = dup.metadata.labels?.[REVISION_HASH_LABEL];
    for (const p of pods) {
      if (dupHash === undefined || p.metadata.labels?.[REVISION_HASH_LABEL] !== dupHash) continue;
      await c.pods.patch(p.metadata.name!, p.metadata.namespace, { metadata: { labels: { [REVISION_HASH_LABEL]: keepHash } } }, 'merge')
        .catch((e: unknown) => { if (!isNotFound(e)) throw e; });
    }
    await c.revisions.delete(dup.metadata.name!, dup.metadata.namespace).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
  }
  return keep;
}

/** cleanupHistory: prune old revisions beyond revisionHistoryLimit that no pod still runs. */
export async function cleanupHistory(c: HistoryClients, ds: DaemonSet, old: ControllerRevision[], pods: Pod[]): Promise<void> {
  const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL]).filter((h): h is string => !!h));
  const doomed = revisionsToPrune(old, (r) => liveHashes.has(r.metadata.labels?.[REVISION_HASH_LABEL] ?? ''), ds.spec.revisionHistoryLimit ?? 10, true);
  for (const r of doomed) await c.revisions.delete(r.metadata.name!, r.metadata.namespace).catch((e: unknown) => { if (!isNotFound(e)) throw e; });
}
