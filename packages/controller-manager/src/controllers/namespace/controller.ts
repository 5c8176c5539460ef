// The namespace controller (upstream namespace_controller.go): namespaces with a deletionTimestamp
// are queued (after a short grace period, so admission and informer caches catch up) and handed to
// the deleter; content still terminating requeues after half its estimate.
import { R } from '@kube-ts/client/resources';
import { objectKey, type Namespace } from '@kube-ts/client/types';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { ResourceDiscovery } from '../../discovery.js';
import { restNamespaceDeleterApi, type NamespaceDeleterApi } from './api.js';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from './deleter.js';

export interface NamespaceControllerOptions {
  /** Delay before a deleting namespace is first processed (upstream namespaceDeletionGracePeriod: 5s). */
  deletionGracePeriodMs?: number;
  /** Resync of all namespaces (upstream --namespace-sync-period: 5m). */
  resyncMs?: number;
  /** How stale discovery may be for one pass (upstream reads it every pass). */
  discoveryMaxAgeMs?: number;
  /** Replaces the REST-backed API (unit tests). */
  api?: NamespaceDeleterApi;
}

export class NamespaceController implements Controller {
  readonly name = 'namespace';
  readonly queue: QueueController;
  readonly deleter: NamespacedResourcesDeleter;

  constructor(ctx: ControllerContext, o: NamespaceControllerOptions = {}) {
    const informer = ctx.informers.informerFor<Namespace>(R.namespaces);
    const api = o.api ?? restNamespaceDeleterApi(ctx.rest, new ResourceDiscovery(ctx.rest, ctx.clock), o.discoveryMaxAgeMs ?? 2_000);
    this.deleter = new NamespacedResourcesDeleter(api, () => ctx.clock.now());
    this.queue = new QueueController({ name: 'namespace', ctx, caches: [informer], sync: (key) => this.sync(key) });
    const grace = o.deletionGracePeriodMs ?? 5_000;
    const enqueue = (ns: Namespace): void => {
      if (!ns.metadata.deletionTimestamp) return;
      this.queue.enqueueAfter(objectKey(ns), grace);
    };
    informer.addEventHandler({ add: enqueue, update: (_old, ns) => enqueue(ns) }, o.resyncMs ?? 5 * 60_000);
  }

  async sync(key: string): Promise<SyncResult | void> {
    try {
      await this.deleter.delete(key);
    } catch (e) {
      if (e instanceof ResourcesRemainingError) return { requeueAfterMs: (Math.floor(e.estimate / 2) + 1) * 1000 };
      throw e;
    }
  }

  run(workers: number, signal: AbortSignal): Promise<void> { return this.queue.run(workers, signal); }
}
