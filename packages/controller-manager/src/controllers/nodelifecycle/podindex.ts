// The "spec.nodeName" pod index both node controllers read (getPodsAssignedToNode). The pod
// informer is shared by the whole process, so the index is added once; a controller that
// registered the same index name first is reused (it indexes the same field).
import type { SharedIndexInformer } from '@kube-ts/client/informer';
import type { Pod } from '@kube-ts/client/types';

export const NODE_NAME_INDEX = 'spec.nodeName';

export function ensureNodeNameIndex(informer: SharedIndexInformer<Pod>): void {
  try {
    informer.addIndexers({ [NODE_NAME_INDEX]: (p: Pod) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
  } catch (err) {
    if (!String(err).includes('indexer conflict')) throw err;
  }
}

export function podsOnNode(informer: SharedIndexInformer<Pod>, nodeName: string): Pod[] {
  return informer.store.byIndex(NODE_NAME_INDEX, nodeName);
}
