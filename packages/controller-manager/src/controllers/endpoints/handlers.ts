// The Service and Pod event handlers both endpoint controllers register (upstream's identical
// addPod/updatePod/deletePod and onServiceUpdate in endpoint and endpointslice): a Service change
// queues that Service; a pod change queues every Service selecting it, after the batch period.
import { unwrapTombstone, type SharedIndexInformer } from '@kube-ts/client/informer';
import type { Service } from '@kube-ts/client/services';
import type { Pod } from '@kube-ts/client/types';
import type { QueueController } from '../../controller.js';
import { servicesForLabels, servicesToUpdateOnPodChange } from './podutil.js';

export function servicesIn(services: SharedIndexInformer<Service>, ns: string | undefined): Service[] {
  return services.store.listNamespace(ns ?? '');
}

export function addServiceAndPodHandlers(services: SharedIndexInformer<Service>, pods: SharedIndexInformer<Pod>, q: QueueController, batchMs: number): void {
  const enqueuePodChange = (key: string): void => {
    if (batchMs > 0) q.enqueueAfter(key, batchMs);
    else q.enqueueKey(key);
  };
  const onPodAdd = (p: Pod): void => {
    for (const k of servicesForLabels(servicesIn(services, p.metadata.namespace), p.metadata.labels)) enqueuePodChange(k);
  };
  services.addEventHandler({ add: (s) => q.enqueue(s), update: (_o, s) => q.enqueue(s), delete: (s) => q.enqueue(s) });
  pods.addEventHandler({
    add: (p) => onPodAdd(p),
    update: (o, n) => { for (const k of servicesToUpdateOnPodChange(servicesIn(services, n.metadata.namespace), o, n)) enqueuePodChange(k); },
    delete: (p) => onPodAdd(unwrapTombstone(p)),
  });
}
