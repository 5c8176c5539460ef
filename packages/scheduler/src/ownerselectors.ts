// Which label selectors "own" a pod for default topology spreading (upstream helper.DefaultSelector):
// the Services, ReplicationControllers, ReplicaSets and StatefulSets in the pod's namespace whose
// selectors match it. PodTopologySpread ANDs them into the selector of the default constraints.
import type { SharedIndexInformer } from '@kube-ts/client/informer';
import { labelSelectorMatches, mapSelectorMatches } from '@kube-ts/client/labels';
import type { KubeObject, LabelSelector, Pod } from '@kube-ts/client/types';
import type { OwnerSelectorLister } from './plugins/podtopologyspread/index.js';

type WithSelector = KubeObject & { spec?: { selector?: unknown } };

export class InformerOwnerSelectors implements OwnerSelectorLister {
  constructor(
    private readonly services: SharedIndexInformer<WithSelector>,
    private readonly rcs: SharedIndexInformer<WithSelector>,
    private readonly rss: SharedIndexInformer<WithSelector>,
    private readonly sss: SharedIndexInformer<WithSelector>,
  ) {}

  selectorsFor(pod: Pod): LabelSelector[] {
    const ns = pod.metadata.namespace ?? '';
    const labels = pod.metadata.labels ?? {};
    const out: LabelSelector[] = [];
    // Map selectors (Service, RC): an empty one selects nothing here, as upstream.
    for (const inf of [this.services, this.rcs]) {
      for (const o of inf.store.listNamespace(ns)) {
        const sel = o.spec?.selector as Record<string, string> | undefined;
        if (sel && Object.keys(sel).length && mapSelectorMatches(sel, labels)) out.push({ matchLabels: { ...sel } });
      }
    }
    for (const inf of [this.rss, this.sss]) {
      for (const o of inf.store.listNamespace(ns)) {
        const sel = o.spec?.selector as LabelSelector | undefined;
        if (sel && (Object.keys(sel.matchLabels ?? {}).length || (sel.matchExpressions ?? []).length) && labelSelectorMatches(sel, labels)) out.push(sel);
      }
    }
    return out;
  }
}
