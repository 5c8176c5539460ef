// ControllerRevision helpers shared by the StatefulSet and DaemonSet controllers
// (pkg/controller/history): a revision snapshots the pod template as a strategic-merge patch
// `{"spec":{"template":{...,"$patch":"replace"}}}`, is named `<owner>-<hash>`, carries the
// `controller-revision-hash` label and a monotonically increasing revision number; old revisions
// are pruned down to revisionHistoryLimit, oldest first, never the live ones.
import { isAlreadyExists } from '@kube-ts/client/errors';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { KubeObject, OwnerReference } from '@kube-ts/client/types';
import type { ControllerRevision, PodTemplateSpec } from '@kube-ts/client/workloads';
import { canonicalJson } from '../../util/hash.js';

export const REVISION_HASH_LABEL = 'controller-revision-hash';

/** What a revision stores: a patch that puts the template back (getPatch upstream). */
export interface TemplatePatch { spec: { template: PodTemplateSpec & { $patch: 'replace' } } }

export function templatePatch(template: PodTemplateSpec): TemplatePatch {
  return { spec: { template: { ...structuredClone(template), $patch: 'replace' } } };
}

/** The pod template a revision restores (ApplyRevision for a template-only patch). */
export function revisionTemplate(rev: ControllerRevision): PodTemplateSpec | undefined {
  const data = rev.data as Partial<TemplatePatch> | undefined;
  const t = data?.spec?.template;
  if (!t || typeof t !== 'object') return undefined;
  const { $patch: _ignored, ...template } = t;
  return template as PodTemplateSpec;
}

/** FNV-1 32-bit (hash/fnv New32, which HashControllerRevision uses). */
export function fnv32(data: string, h = 0x811c9dc5): number {
  for (const b of Buffer.from(data, 'utf8')) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';
const safeEncode = (s: string): string => [...s].map((c) => SAFE[c.charCodeAt(0) % SAFE.length]).join('');

/** HashControllerRevision: FNV-1 of the data (sorted-key JSON, as Go marshals maps) and the probe. */
export function hashControllerRevision(data: unknown, probe?: number): string {
  let text = canonicalJson(data);
  if (probe !== undefined) text += String(probe);
  return safeEncode(String(fnv32(text)));
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortRevisions(revs: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = a.metadata.creationTimestamp ?? ''; const tb = b.metadata.creationTimestamp ?? '';
    if (ta !== tb) return ta < tb ? -1 : 1;
    const na = a.metadata.name ?? ''; const nb = b.metadata.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
}

export function maxRevision(revs: readonly ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
}

/** nextRevision: one more than the largest revision number (1 for none). */
export function nextRevision(revs: readonly ControllerRevision[]): number {
  return maxRevision(revs) + 1;
}

/** EqualRevision: same data (and the same numeric hash label when both carry one). */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata.labels?.[REVISION_HASH_LABEL]; const hb = b.metadata.labels?.[REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && /^\d+$/.test(ha) && /^\d+$/.test(hb) && ha !== hb) return false;
  return canonicalJson(a.data) === canonicalJson(b.data);
}

export function findEqualRevisions(revs: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revs.filter((r) => equalRevision(r, needle));
}

/** Does the revision hold exactly this template (daemon Match)? */
export function revisionMatchesTemplate(rev: ControllerRevision, template: PodTemplateSpec): boolean {
  return canonicalJson(rev.data) === canonicalJson(templatePatch(template));
}

/**
 * The revisions to delete, oldest first, never the live ones (current/update revisions, those
 * pods still run). StatefulSets keep `limit` non-live revisions (truncateHistory); DaemonSets
 * count live ones too (`countLive`, cleanupHistory: len(old) - limit are removed).
 */
export function revisionsToPrune(revs: readonly ControllerRevision[], isLive: (r: ControllerRevision) => boolean, limit: number, countLive = false): ControllerRevision[] {
  const sorted = sortRevisions(revs);
  const history = sorted.filter((r) => !isLive(r));
  const excess = (countLive ? sorted.length : history.length) - Math.max(0, limit);
  return excess > 0 ? history.slice(0, excess) : [];
}

/** NewControllerRevision: named `<parent>-<hash>`, labelled with the template labels and the hash. */
export function newControllerRevision(parent: KubeObject, ref: OwnerReference, templateLabels: Record<string, string> | undefined, data: unknown, revision: number, collisionCount?: number): ControllerRevision {
  const hash = hashControllerRevision(data, collisionCount);
  return {
    metadata: {
      name: controllerRevisionName(parent.metadata.name!, hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [REVISION_HASH_LABEL]: hash },
      ownerReferences: [ref],
    },
    data,
    revision,
  };
}

/**
 * CreateControllerRevision: creates `rev`, renaming it with a new hash while the name is taken by
 * a revision with different data; returns the revision and the (possibly raised) collision count.
 */
export async function createControllerRevision(client: ResourceClient<ControllerRevision>, parent: KubeObject, rev: ControllerRevision, collisionCount: number): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  let count = collisionCount;
  for (;;) {
    const hash = hashControllerRevision(rev.data, count);
    const clone: ControllerRevision = {
      ...rev,
      metadata: { ...rev.metadata, name: controllerRevisionName(parent.metadata.name!, hash), labels: { ...rev.metadata.labels, [REVISION_HASH_LABEL]: hash } },
    };
    try {
      return { revision: await client.create(clone), collisionCount: count };
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const exists = await client.get(clone.metadata.name!, parent.metadata.namespace);
      if (canonicalJson(exists.data) === canonicalJson(clone.data)) return { revision: exists, collisionCount: count };
      count++;
    }
  }
}
