// ControllerRefManager (controller_ref_manager.go): an owner claims the objects its selector
// matches. Orphans that match are adopted (ownerReference added by patch), owned objects that no
// longer match are released, and objects of other controllers are left alone. Adoption first
// re-reads the owner from the apiserver, so a deleted or recreated owner never adopts.
import { isNotFound } from '@kube-ts/client/errors';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { KubeObject, OwnerReference } from '@kube-ts/client/types';
import { controllerRefOf } from './pods.js';

export interface ClaimOptions<T extends KubeObject> {
  owner: KubeObject;
  /** apiVersion and kind of the owner (objects from informers carry neither). */
  ownerApiVersion: string;
  ownerKind: string;
  /** Does the owner's selector match this object? */
  matches(obj: T): boolean;
  /** Client for the claimed objects (pods, replicasets, controllerrevisions). */
  client: ResourceClient<T>;
  /** Fresh read of the owner (RecheckDeletionTimestamp); default: no recheck. */
  getOwner?(): Promise<KubeObject>;
}

export async function claimObjects<T extends KubeObject>(objs: readonly T[], o: ClaimOptions<T>): Promise<T[]> {
  const uid = o.owner.metadata.uid;
  const ownerDeleting = !!o.owner.metadata.deletionTimestamp;
  const claimed: T[] = [];
  let canAdopt: Promise<boolean> | undefined;
  const recheck = (): Promise<boolean> => (canAdopt ??= (async () => {
    if (!o.getOwner) return !ownerDeleting;
    try {
      const fresh = await o.getOwner();
      return fresh.metadata.uid === uid && !fresh.metadata.deletionTimestamp;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  })());

  for (const obj of objs) {
    const ref = controllerRefOf(obj);
    if (ref) {
      if (ref.uid !== uid) continue;
      if (o.matches(obj) || ownerDeleting) { claimed.push(obj); continue; }
      // Owned but no longer selected: release (unless the owner is going away).
      try {
        await o.client.patch(obj.metadata.name!, obj.metadata.namespace, releasePatch(obj, uid), 'strategic');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      continue;
    }
    if (ownerDeleting || !o.matches(obj) || obj.metadata.deletionTimestamp) continue;
    if (!(await recheck())) continue;
    try {
      const adopted = await o.client.patch(obj.metadata.name!, obj.metadata.namespace, adoptPatch(obj, o), 'strategic');
      claimed.push(adopted);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  return claimed;
}

function adoptPatch<T extends KubeObject>(obj: T, o: ClaimOptions<T>): object {
  const ref: OwnerReference = {
    apiVersion: o.ownerApiVersion, kind: o.ownerKind, name: o.owner.metadata.name!, uid: o.owner.metadata.uid!,
    controller: true, blockOwnerDeletion: true,
  };
  return { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
}

function releasePatch(obj: KubeObject, ownerUid: string | undefined): object {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } };
}
