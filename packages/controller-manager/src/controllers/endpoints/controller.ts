// The endpoints controller (pkg/controller/endpoint): keeps an Endpoints object named after every
// Service with a selector listing the selected pods' addresses and ports, and deletes it when the
// Service goes. Services without a selector (and ExternalName ones) are left to their owners.
import { isNamespaceTerminating, isNotFound } from '@kube-ts/client/errors';
import { isTombstone, type SharedIndexInformer, type Tombstone } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { Endpoints, Service } from '@kube-ts/client/services';
import { objectKey, splitKey, type Pod } from '@kube-ts/client/types';
import type { EventRecorder } from '@kube-ts/client/events';
import type { ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import { errorMessage } from './apiutil.js';
import { capacityAnnotationSetCorrectly, OVER_CAPACITY, TRUNCATED, truncateSubsets } from './capacity.js';
import { labelsEqual, subsetsEqualIgnoreResourceVersion } from './equal.js';
import { addServiceAndPodHandlers } from './handlers.js';
import { isServiceIPSet, serviceSelects } from './podutil.js';
import { computeSubsets } from './subsets.js';
import { formatRFC3339Nano, LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker } from './triggertime.js';

export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
const LEADER_ANNOTATION = 'control-plane.alpha.kubernetes.io/leader';
const MAX_RETRIES = 15;

export class EndpointsController {
  readonly controller: QueueController;
  private readonly services: SharedIndexInformer<Service>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly endpoints: SharedIndexInformer<Endpoints>;
  private readonly client: ResourceClient<Endpoints>;
  private readonly recorder: EventRecorder;
  private readonly triggerTimes = new TriggerTimeTracker();
  /** resourceVersions this controller has already replaced (staleEndpointsTracker). */
  private readonly processedRV = new Map<string, string>();
  private readonly batchMs: number;

  constructor(ctx: ControllerContext) {
    this.services = ctx.informers.informerFor<Service>(R.services);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.endpoints = ctx.informers.informerFor<Endpoints>(R.endpoints);
    this.client = ctx.rest.resource<Endpoints>(R.endpoints);
    this.recorder = ctx.recorder('endpoint-controller');
    this.batchMs = ctx.options.endpointUpdatesBatchPeriodMs ?? 0;
    this.controller = new QueueController({
      name: 'endpoint', ctx, maxRetries: MAX_RETRIES,
      caches: [this.pods, this.services, this.endpoints],
      sync: (key) => this.sync(key),
    });
    const q = this.controller;
    addServiceAndPodHandlers(this.services, this.pods, q, this.batchMs);
    this.endpoints.addEventHandler({
      // checkLeftoverEndpoints: every Endpoints present at start is checked once for its Service.
      add: (e, initial) => { if (initial && !(LEADER_ANNOTATION in (e.metadata.annotations ?? {}))) q.enqueue(e); },
      delete: (e: Endpoints | Tombstone<Endpoints>) => q.enqueueKey(isTombstone(e) ? e.key : objectKey(e)),
    });
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const svc = this.services.store.get(key);
    if (!svc) {
      // The Service is gone: so is its Endpoints.
      try { await this.client.delete(name, namespace); } catch (err) { if (!isNotFound(err)) throw err; }
      this.triggerTimes.deleteService(namespace, name);
      this.processedRV.delete(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    if (svc.spec?.selector === undefined || svc.spec.selector === null) return;

    const pods = this.pods.store.listNamespace(namespace).filter((p) => serviceSelects(svc, p.metadata.labels));
    // Computed even when nothing changes, so the tracker sees every state.
    const triggerTime = this.triggerTimes.compute(namespace, svc, pods);
    const { subsets } = computeSubsets(svc, pods);

    const current = this.endpoints.store.get(key);
    if (current && this.processedRV.get(key) === current.metadata.resourceVersion) {
      throw new Error(`endpoints informer cache is out of date, resource version ${current.metadata.resourceVersion} already processed for endpoints ${key}`);
    }
    const svcLabels = svc.metadata.labels;
    if (current) {
      const compareLabels = { ...(current.metadata.labels ?? {}) };
      delete compareLabels[HEADLESS_LABEL];
      if (subsetsEqualIgnoreResourceVersion(current.subsets, subsets) && labelsEqual(compareLabels, svcLabels)
        && capacityAnnotationSetCorrectly(current.metadata.annotations, current.subsets)) return;
    }

    const next: Endpoints = current
      ? structuredClone(current)
      : { metadata: { name, namespace } };
    next.subsets = subsets;
    const annotations = { ...(next.metadata.annotations ?? {}) };
    if (triggerTime) annotations[LAST_CHANGE_TRIGGER_TIME] = formatRFC3339Nano(triggerTime);
    else delete annotations[LAST_CHANGE_TRIGGER_TIME];
    if (truncateSubsets(subsets)) annotations[OVER_CAPACITY] = TRUNCATED;
    else delete annotations[OVER_CAPACITY];
    next.metadata.annotations = Object.keys(annotations).length ? annotations : undefined;
    const labels: Record<string, string> = { ...(svcLabels ?? {}) };
    if (!isServiceIPSet(svc)) labels[HEADLESS_LABEL] = '';
    else delete labels[HEADLESS_LABEL];
    next.metadata.labels = Object.keys(labels).length ? labels : undefined;

    try {
      if (!current) {
        await this.client.create(next);
      } else {
        const updated = await this.client.update(next);
        // The cache may still hold the version just replaced; syncing from it would be stale.
        if (updated.metadata.resourceVersion !== current.metadata.resourceVersion) this.processedRV.set(key, current.metadata.resourceVersion ?? '');
      }
    } catch (err) {
      if (!current && isNamespaceTerminating(err)) return;
      const ref = { ...next, kind: 'Endpoints', apiVersion: 'v1' };
      if (!current) this.recorder.event(ref, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${namespace}/${name}: ${errorMessage(err)}`);
      else this.recorder.event(ref, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${namespace}/${name}: ${errorMessage(err)}`);
      throw err;
    }
  }
}
