// Writing node taints as controller.AddOrUpdateTaintOnNode / RemoveTaintOffNode do: a merge patch
// of spec.taints with the read resourceVersion as precondition, re-read and retried on conflict.
// Adding and removing go in one patch, so the not-ready/unreachable swap is atomic.
import { isConflict, isNotFound } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { RestClient } from '@kube-ts/client/rest';
import type { Node, Taint } from '@kube-ts/client/types';
import { metaNow } from '../../util/pods.js';
import { applyTaintChanges, taintExists } from './taints.js';

const UPDATE_TAINT_RETRIES = 5;

/**
 * SwapNodeControllerTaint: adds `add` (timeAdded = now) and removes `remove` in one patch.
 * `cached` is tried first; a conflict re-reads the node. Returns false when the node is gone.
 */
export async function swapNodeTaints(rest: RestClient, cached: Node, add: readonly Taint[], remove: readonly Taint[], nowMs: number): Promise<boolean> {
  const stamped = add.map((t) => ({ ...t, timeAdded: metaNow(nowMs) }));
  return patchTaints(rest, cached, (n) => applyTaintChanges(n.spec?.taints, stamped, remove));
}

/** RemoveTaintOffNode: no call at all when `cached` carries none of `taints`. */
export async function removeNodeTaints(rest: RestClient, cached: Node, taints: readonly Taint[]): Promise<boolean> {
  if (!taints.some((t) => taintExists(cached.spec?.taints, t))) return true;
  return patchTaints(rest, cached, (n) => applyTaintChanges(n.spec?.taints, [], taints));
}

async function patchTaints(rest: RestClient, cached: Node, change: (n: Node) => Taint[] | undefined): Promise<boolean> {
  const nodes = rest.resource<Node>(R.nodes);
  let node = cached;
  for (let i = 0; ; i++) {
    const next = change(node);
    if (!next) return true;
    try {
      await nodes.patch(node.metadata.name!, undefined, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next } }, 'merge');
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      if (!isConflict(err) || i >= UPDATE_TAINT_RETRIES - 1) throw err;
    }
    try {
      node = await nodes.get(cached.metadata.name!);
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}
