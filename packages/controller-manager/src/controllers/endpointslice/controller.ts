// The EndpointSlice controller (pkg/controller/endpointslice): for every Service with a selector,
// EndpointSlices (managed-by endpointslice-controller.k8s.io, owned by the Service) listing the
// selected pods, kept up to date as pods, services and nodes change. Slices of a deleted Service
// are left to the garbage collector through their ownerReference.
import { isNotFound } from '@kube-ts/client/errors';
import type { EventRecorder } from '@kube-ts/client/events';
import { unwrapTombstone, type SharedIndexInformer } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { ResourceClient } from '@kube-ts/client/rest';
import type { EndpointSlice, Service } from '@kube-ts/client/services';
import { splitKey, type Node, type Pod } from '@kube-ts/client/types';
import type { ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import { errorMessage } from '../endpoints/apiutil.js';
import { addServiceAndPodHandlers, servicesIn } from '../endpoints/handlers.js';
import { serviceSelects, servicesForLabels } from '../endpoints/podutil.js';
import { TriggerTimeTracker } from '../endpoints/triggertime.js';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_TOPOLOGY_ZONE } from './endpoint.js';
import { Reconciler } from './reconciler.js';
import { EndpointSliceTracker } from './tracker.js';

const MAX_RETRIES = 15;
/** endpointSliceChangeMinSyncDelay: slice events are batched at least this long. */
const SLICE_CHANGE_MIN_DELAY_MS = 1000;
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export class EndpointSliceController {
  readonly controller: QueueController;
  readonly reconciler: Reconciler;
  private readonly services: SharedIndexInformer<Service>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly slices: SharedIndexInformer<EndpointSlice>;
  private readonly client: ResourceClient<EndpointSlice>;
  private readonly recorder: EventRecorder;
  private readonly tracker = new EndpointSliceTracker();
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly batchMs: number;

  constructor(ctx: ControllerContext) {
    this.services = ctx.informers.informerFor<Service>(R.services);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.nodes = ctx.informers.informerFor<Node>(R.nodes);
    this.slices = ctx.informers.informerFor<EndpointSlice>(R.endpointslices);
    this.client = ctx.rest.resource<EndpointSlice>(R.endpointslices);
    this.recorder = ctx.recorder('endpoint-slice-controller');
    const opts = ctx.options;
    this.batchMs = opts.endpointSliceUpdatesBatchPeriodMs ?? 0;
    this.reconciler = new Reconciler({
      maxEndpointsPerSlice: opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE,
      getNode: (name) => this.nodes.store.get(name),
      writer: {
        create: async (s) => { const c = await this.client.create(s); this.tracker.update(c); return c; },
        update: async (s) => { const u = await this.client.update(s); this.tracker.update(u); return u; },
        delete: async (s) => {
          try { await this.client.delete(s.metadata.name!, s.metadata.namespace); } catch (err) { if (isNotFound(err)) return; throw err; }
          this.tracker.expectDeletion(s);
        },
      },
    });
    this.controller = new QueueController({
      name: 'endpointslice', queueName: 'endpoint_slice', ctx, maxRetries: MAX_RETRIES,
      caches: [this.pods, this.services, this.slices, this.nodes],
      sync: (key) => this.sync(key),
    });
    addServiceAndPodHandlers(this.services, this.pods, this.controller, this.batchMs);
    this.slices.addEventHandler({
      add: (s) => { if (this.managed(s) && this.tracker.shouldSync(s)) this.enqueueForSlice(s); },
      update: (o, s) => {
        // The controller never changes the service-name label; a user may.
        if (o.metadata.labels?.[LABEL_SERVICE_NAME] !== s.metadata.labels?.[LABEL_SERVICE_NAME]) {
          this.enqueueForSlice(s); this.enqueueForSlice(o); return;
        }
        if (this.managed(o) !== this.managed(s) || (this.managed(s) && this.tracker.shouldSync(s))) this.enqueueForSlice(s);
      },
      delete: (t) => {
        const s = unwrapTombstone(t);
        if (this.managed(s) && this.tracker.has(s) && !this.tracker.handleDeletion(s)) this.enqueueForSlice(s);
      },
    });
    // Zones come from node labels, and pods on a node not yet known were skipped: resync the
    // services of a node's pods when the node appears or its zone changes.
    this.nodes.addEventHandler({
      add: (n, initial) => { if (!initial) this.enqueueForNode(n); },
      update: (o, n) => { if (o.metadata.labels?.[LABEL_TOPOLOGY_ZONE] !== n.metadata.labels?.[LABEL_TOPOLOGY_ZONE]) this.enqueueForNode(n); },
    });
  }

  private managed(s: EndpointSlice): boolean { return s.metadata.labels?.[LABEL_MANAGED_BY] === this.reconciler.controllerName; }

  private enqueueForSlice(s: EndpointSlice): void {
    const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!svc) return;
    this.controller.enqueueAfter(`${s.metadata.namespace}/${svc}`, Math.max(SLICE_CHANGE_MIN_DELAY_MS, this.batchMs));
  }

  private enqueueForNode(n: Node): void {
    const keys = new Set<string>();
    for (const p of this.pods.store.list()) {
      if (p.spec.nodeName !== n.metadata.name) continue;
      for (const k of servicesForLabels(servicesIn(this.services, p.metadata.namespace), p.metadata.labels)) keys.add(k);
    }
    for (const k of keys) this.controller.enqueueKey(k);
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const svc = this.services.store.get(key);
    if (!svc) {
      // Its slices go with it (garbage collection through the ownerReference).
      this.triggerTimes.deleteService(namespace, name);
      this.tracker.deleteService(namespace, name);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    if (svc.spec?.selector === undefined || svc.spec.selector === null) return;

    const pods = this.pods.store.listNamespace(namespace).filter((p) => serviceSelects(svc, p.metadata.labels));
    const slices = this.slices.store.listNamespace(namespace).filter((s) => s.metadata.labels?.[LABEL_SERVICE_NAME] === name
      && this.managed(s) && !s.metadata.deletionTimestamp);
    if (this.tracker.staleSlices(svc, slices)) throw new Error('EndpointSlice informer cache is out of date');
    const triggerTime = this.triggerTimes.compute(namespace, svc, pods);
    try {
      await this.reconciler.reconcile(svc, pods, slices, triggerTime);
    } catch (err) {
      this.recorder.event({ ...svc, kind: 'Service', apiVersion: 'v1' }, 'Warning', 'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${namespace}/${name}: ${errorMessage(err)}`);
      throw err;
    }
  }
}
