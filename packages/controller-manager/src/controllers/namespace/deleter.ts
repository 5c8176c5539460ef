// Deleting everything in a namespace that is being deleted (upstream namespaced_resources_deleter.go):
// for every namespaced resource that supports delete, deletecollection (or list + delete each),
// then list what is left; pods get a graceful-termination estimate, objects held by finalizers a
// default one. Conditions on the namespace say what is left; once nothing is, the `kubernetes`
// finalizer is removed through namespaces/<name>/finalize and the apiserver deletes the namespace.
import { isConflict, isNotFound } from '@kube-ts/client/errors';
import type { ResourceType } from '@kube-ts/client/resources';
import type { Namespace } from '@kube-ts/client/types';
import { supportsAllVerbs, type ApiResource } from '../../discovery.js';
import { isNotSupported, type NamespaceDeleterApi } from './api.js';
import { NamespaceConditionUpdater, type ContentTotals, type NamespaceCondition } from './conditions.js';
import { metaNow } from '../../util/pods.js';

/** Default wait for objects held by finalizers (upstream finalizerEstimateSeconds). */
export const FINALIZER_ESTIMATE_SECONDS = 15;
export const FINALIZER_KUBERNETES = 'kubernetes';

/** Content is still going away; check again in about `estimate` seconds. */
export class ResourcesRemainingError extends Error {
  constructor(readonly estimate: number) {
    super(`some content remains in the namespace, estimate ${estimate} seconds before it is removed`);
    this.name = 'ResourcesRemainingError';
  }
}

interface GvrDeletionMetadata {
  finalizerEstimateSeconds: number;
  numRemaining: number;
  finalizersToNumRemaining: Map<string, number>;
}

type Op = 'list' | 'deletecollection';
const gvrKey = (r: ResourceType): string => `${r.group}/${r.version}/${r.plural}`;
/** "pods." / "deployments.apps": how upstream names a resource in condition messages. */
const groupResource = (r: ResourceType): string => `${r.plural}.${r.group}`;


export class NamespacedResourcesDeleter {
  /** Operations the server answered 405/404 for (upstream opCache). */
  private readonly notSupported = new Set<string>();

  constructor(private readonly api: NamespaceDeleterApi, private readonly now: () => number, private readonly finalizerToken = FINALIZER_KUBERNETES) {}

  /** One pass; throws ResourcesRemainingError when content is still terminating. */
  async delete(name: string): Promise<void> {
    let ns: Namespace;
    try { ns = await this.api.getNamespace(name); } catch (e) { if (isNotFound(e)) return; throw e; }
    if (!ns.metadata.deletionTimestamp) return;
    try {
      ns = await this.retryOnConflict(ns, (n) => this.ensureTerminating(n));
    } catch (e) { if (isNotFound(e)) return; throw e; }
    if (!ns.metadata.deletionTimestamp) return;
    if ((ns.spec?.finalizers ?? []).length === 0) return;
    const estimate = await this.deleteAllContent(ns);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    try {
      await this.retryOnConflict(ns, (n) => this.finalize(n));
    } catch (e) { if (!isNotFound(e)) throw e; }
  }

  private async retryOnConflict(ns: Namespace, fn: (n: Namespace) => Promise<Namespace>): Promise<Namespace> {
    let latest = ns;
    for (;;) {
      try { return await fn(latest); } catch (e) {
        if (!isConflict(e)) throw e;
        const prev = latest;
        latest = await this.api.getNamespace(prev.metadata.name!);
        if (prev.metadata.uid !== latest.metadata.uid) throw new Error('namespace uid has changed across retries');
      }
    }
  }

  private async ensureTerminating(ns: Namespace): Promise<Namespace> {
    if (!ns.metadata.deletionTimestamp || ns.status?.phase === 'Terminating') return ns;
    return this.api.updateNamespaceStatus({ ...ns, status: { ...ns.status, phase: 'Terminating' } });
  }

  private async finalize(ns: Namespace): Promise<Namespace> {
    const finalizers = [...new Set((ns.spec?.finalizers ?? []).filter((f) => f !== this.finalizerToken))].sort();
    try {
      return await this.api.finalizeNamespace({ ...ns, spec: { ...ns.spec, finalizers } });
    } catch (e) {
      if (isNotFound(e)) return ns;
      throw e;
    }
  }

  private supported(r: ApiResource, op: Op): boolean {
    return r.verbs.includes(op) && !this.notSupported.has(`${op}:${gvrKey(r)}`);
  }

  /** Deletes what it can; returns the estimate in seconds (0: all gone). Throws the aggregated errors. */
  async deleteAllContent(ns: Namespace): Promise<number> {
    const name = ns.metadata.name!;
    const deletedAt = Date.parse(ns.metadata.deletionTimestamp!);
    const errs: Error[] = [];
    const updater = new NamespaceConditionUpdater(metaNow(this.now()));
    let estimate = 0;
    const discovered = await this.api.discoverNamespacedResources();
    if (discovered.error) {
      errs.push(discovered.error);
      updater.processDiscoverResourcesErr(discovered.error);
    }
    const deletable = discovered.resources.filter((r) => supportsAllVerbs(r, ['delete']));
    const totals: ContentTotals = { resourceToNumRemaining: new Map(), finalizersToNumRemaining: new Map() };
    for (const r of deletable) {
      let meta: GvrDeletionMetadata;
      try {
        meta = await this.deleteAllContentFor(r, name, deletedAt);
      } catch (e) {
        const err = e as Error & { meta?: GvrDeletionMetadata };
        errs.push(err);
        updater.processDeleteContentErr(err);
        meta = err.meta ?? { finalizerEstimateSeconds: 0, numRemaining: 0, finalizersToNumRemaining: new Map() };
      }
      estimate = Math.max(estimate, meta.finalizerEstimateSeconds);
      if (meta.numRemaining > 0) {
        totals.resourceToNumRemaining.set(groupResource(r), meta.numRemaining);
        for (const [f, n] of meta.finalizersToNumRemaining) {
          if (n > 0) totals.finalizersToNumRemaining.set(f, (totals.finalizersToNumRemaining.get(f) ?? 0) + n);
        }
      }
    }
    updater.processContentTotals(totals);
    const conditions = updater.update(ns.status?.conditions as NamespaceCondition[] | undefined);
    if (conditions) {
      try {
        await this.api.updateNamespaceStatus({ ...ns, status: { ...ns.status, conditions } });
      } catch { /* a failed condition update must not block deletion; the next pass retries */ }
    }
    if (errs.length === 1) throw errs[0];
    if (errs.length > 1) throw new Error(`[${errs.map((e) => e.message).join(', ')}]`);
    return estimate;
  }

  /** Deletes one resource's content in the namespace; errors carry the metadata known so far. */
  private async deleteAllContentFor(r: ApiResource, namespace: string, deletedAt: number): Promise<GvrDeletionMetadata> {
    const fail = (e: unknown, estimate: number): never => {
      throw Object.assign(e instanceof Error ? e : new Error(String(e)), { meta: { finalizerEstimateSeconds: estimate, numRemaining: 0, finalizersToNumRemaining: new Map() } });
    };
    let estimate = 0;
    try { estimate = await this.estimateGracefulTermination(r, namespace, deletedAt); } catch (e) { fail(e, 0); }
    let collectionDone = false;
    try { collectionDone = await this.deleteCollection(r, namespace); } catch (e) { fail(e, estimate); }
    if (!collectionDone) {
      try { await this.deleteEachItem(r, namespace); } catch (e) { fail(e, estimate); }
    }
    let remaining: { items: Array<{ metadata: { finalizers?: string[] } }> } | undefined;
    try { remaining = await this.listCollection(r, namespace); } catch (e) { fail(e, estimate); }
    if (!remaining || remaining.items.length === 0) return { finalizerEstimateSeconds: remaining ? 0 : estimate, numRemaining: 0, finalizersToNumRemaining: new Map() };
    const finalizersToNumRemaining = new Map<string, number>();
    for (const item of remaining.items) for (const f of item.metadata.finalizers ?? []) finalizersToNumRemaining.set(f, (finalizersToNumRemaining.get(f) ?? 0) + 1);
    const numRemaining = remaining.items.length;
    if (estimate !== 0) return { finalizerEstimateSeconds: estimate, numRemaining, finalizersToNumRemaining };
    if (finalizersToNumRemaining.size > 0) return { finalizerEstimateSeconds: FINALIZER_ESTIMATE_SECONDS, numRemaining, finalizersToNumRemaining };
    throw Object.assign(new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${r.group}/${r.version}, Resource=${r.plural}`), {
      meta: { finalizerEstimateSeconds: estimate, numRemaining, finalizersToNumRemaining },
    });
  }

  private async deleteCollection(r: ApiResource, namespace: string): Promise<boolean> {
    if (!this.supported(r, 'deletecollection')) return false;
    try {
      await this.api.deleteCollection(r, namespace);
      return true;
    } catch (e) {
      if (isNotSupported(e)) { this.notSupported.add(`deletecollection:${gvrKey(r)}`); return false; }
      throw e;
    }
  }

  private async listCollection(r: ApiResource, namespace: string): Promise<{ items: Array<{ metadata: { name?: string; finalizers?: string[] } }> } | undefined> {
    if (!this.supported(r, 'list')) return undefined;
    try {
      return { items: await this.api.list(r, namespace) };
    } catch (e) {
      if (isNotSupported(e)) { this.notSupported.add(`list:${gvrKey(r)}`); return undefined; }
      throw e;
    }
  }

  private async deleteEachItem(r: ApiResource, namespace: string): Promise<void> {
    const list = await this.listCollection(r, namespace);
    if (!list) return;
    for (const item of list.items) {
      try { await this.api.delete(r, namespace, item.metadata.name!); } catch (e) { if (!isNotFound(e) && !isNotSupported(e)) throw e; }
    }
  }

  /** Seconds pods may still take to terminate (0 once the namespace has been deleting that long). */
  private async estimateGracefulTermination(r: ResourceType, namespace: string, deletedAt: number): Promise<number> {
    let estimate = 0;
    if (r.group === '' && r.plural === 'pods') {
      for (const p of await this.api.listPods(namespace)) {
        const phase = p.status?.phase;
        if (phase === 'Succeeded' || phase === 'Failed') continue;
        const grace = p.spec.terminationGracePeriodSeconds;
        if (typeof grace === 'number' && grace > estimate) estimate = grace;
      }
    }
    if (this.now() - deletedAt >= estimate * 1000) estimate = 0;
    return estimate;
  }
}
