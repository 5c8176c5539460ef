// ResourceQuota controller (pkg/controller/resourcequota): keeps status.hard = spec.hard and
// status.used = what the namespace's objects use now. Quotas are recalculated when they change,
// when an object they track is added, changed in a way that changes its usage, or deleted
// (replenishment), and all of them every --resource-quota-sync-period (5 minutes).
//
// Informers for tracked kinds start on first use: a cluster without quotas on secrets never
// watches secrets. `count/<resource>.<group>` names any resource the server serves.
import type { SharedIndexInformer } from '@kube-ts/client/informer';
import { unwrapTombstone } from '@kube-ts/client/informer';
import { R, type ResourceType } from '@kube-ts/client/resources';
import type { KubeObject, Pod } from '@kube-ts/client/types';
import type { ControllerContext, ControllerInit } from '../../context.js';
import { QueueController } from '../../controller.js';
import { ResourceMapper } from './discovery.js';
import { legacyEvaluators, objectCountEvaluator, parseObjectCountName, podChargeEndsAt, type Evaluator } from './evaluators.js';
import type { ResourceQuota } from './types.js';
import { calculateUsage, quotaStatus } from './usage.js';

/** --resource-quota-sync-period default. */
export const RESOURCE_QUOTA_SYNC_PERIOD_MS = 5 * 60_000;

const LEGACY_TYPES: Record<string, ResourceType> = {
  pods: R.pods, services: R.services, persistentvolumeclaims: R.persistentvolumeclaims, configmaps: R.configmaps,
  resourcequotas: R.resourcequotas, replicationcontrollers: R.replicationcontrollers, secrets: R.secrets,
};

interface Tracked { ev: Evaluator; inf: SharedIndexInformer<KubeObject> }

export class ResourceQuotaController {
  readonly name = 'resourcequota';
  readonly queue: QueueController;
  private readonly rqInf: SharedIndexInformer<ResourceQuota>;
  private readonly tracked = new Map<string, Tracked>();
  private readonly pending = new Map<string, Promise<Tracked | undefined>>();
  private readonly legacy = legacyEvaluators();
  private readonly mapper: ResourceMapper;
  private signal: AbortSignal | undefined;

  constructor(private readonly ctx: ControllerContext, syncPeriodMs = RESOURCE_QUOTA_SYNC_PERIOD_MS) {
    this.rqInf = ctx.informers.informerFor<ResourceQuota>(R.resourcequotas);
    this.mapper = new ResourceMapper(ctx.rest);
    this.queue = new QueueController({ name: 'resourcequota', queueName: 'resourcequota_primary', ctx, caches: [this.rqInf], sync: (k) => this.sync(k) });
    this.rqInf.addEventHandler({
      add: (q) => this.queue.enqueue(q),
      // Spec changes and the periodic resync (old === new); our own status writes come back as
      // updates too and are ignored.
      update: (o, n) => { if (o === n || JSON.stringify(o.spec) !== JSON.stringify(n.spec)) this.queue.enqueue(n); },
      delete: (q) => this.queue.enqueue(unwrapTombstone(q)),
    }, syncPeriodMs);
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    this.signal = signal;
    await this.queue.run(workers, signal);
  }

  /** The evaluator and informer for a group resource, started on first use. */
  private track(groupResource: string): Promise<Tracked | undefined> {
    const have = this.tracked.get(groupResource);
    if (have) return Promise.resolve(have);
    let p = this.pending.get(groupResource);
    if (!p) {
      p = (async () => {
        const legacy = this.legacy.find((e) => e.groupResource === groupResource);
        let type: ResourceType | undefined = LEGACY_TYPES[groupResource];
        let ev = legacy;
        if (!type) {
          const i = groupResource.indexOf('.');
          const [resource, group] = i < 0 ? [groupResource, ''] : [groupResource.slice(0, i), groupResource.slice(i + 1)];
          type = await this.mapper.byResource(group, resource);
          if (!type || !type.namespaced) return undefined;
          ev = objectCountEvaluator(group, resource);
        }
        const inf = this.ctx.informers.informerFor<KubeObject>(type);
        const t: Tracked = { ev: ev!, inf };
        inf.addEventHandler({
          add: (o) => this.replenish(t, o),
          update: (o, n) => { if (o !== n && this.usageKey(t.ev, o) !== this.usageKey(t.ev, n)) this.replenish(t, n); },
          delete: (o) => this.replenish(t, unwrapTombstone(o)),
        });
        if (!(await inf.waitForSync(this.signal))) return undefined;
        this.tracked.set(groupResource, t);
        return t;
      })();
      p.finally(() => this.pending.delete(groupResource)).catch(() => undefined);
      this.pending.set(groupResource, p);
    }
    return p;
  }

  /** What about an object a quota can see: its usage and the fields scopes read. */
  private usageKey(ev: Evaluator, o: KubeObject): string {
    const pod = ev.groupResource === 'pods' ? (o as Pod) : undefined;
    return JSON.stringify([ev.usage(o, this.ctx.clock.now()), pod?.spec.activeDeadlineSeconds, pod?.spec.priorityClassName, pod?.status?.qosClass, pod?.metadata.deletionTimestamp]);
  }

  /** replenishQuota: requeue the namespace's quotas that track this kind. */
  private replenish(t: Tracked, o: KubeObject): void {
    const ns = o.metadata.namespace;
    if (!ns) return;
    for (const q of this.rqInf.store.byIndex('namespace', ns)) {
      const names = [...new Set([...Object.keys(q.status?.hard ?? {}), ...Object.keys(q.spec?.hard ?? {})])];
      if (t.ev.matchingResources(names).length > 0) this.queue.enqueue(q);
    }
  }

  /** The group resources the quota's hard names need evaluators for. */
  private neededResources(q: ResourceQuota): string[] {
    const hard = Object.keys(q.spec?.hard ?? {});
    const out = new Set<string>();
    for (const ev of this.legacy) if (ev.matchingResources(hard).length) out.add(ev.groupResource);
    for (const h of hard) {
      const p = parseObjectCountName(h);
      if (p) out.add(p.group ? `${p.resource}.${p.group}` : p.resource);
    }
    return [...out];
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const q = this.rqInf.store.get(key);
    if (!q) return;
    const ns = q.metadata.namespace!;
    const tracked = (await Promise.all(this.neededResources(q).map((gr) => this.track(gr)))).filter((t): t is Tracked => !!t);
    const lists = new Map(tracked.map((t) => [t.ev, t.inf.store.byIndex('namespace', ns)]));
    const now = this.ctx.clock.now();
    const usage = calculateUsage(q, tracked.map((t) => t.ev), (ev) => lists.get(ev) ?? [], now);
    const { status, dirty } = quotaStatus(q, usage);
    if (dirty) {
      await this.ctx.rest.resource<ResourceQuota>(R.resourcequotas).updateStatus({ ...structuredClone(q), status });
    }
    // Pods stuck terminating stop counting once their grace period has passed again: recheck then.
    const pods = tracked.find((t) => t.ev.groupResource === 'pods');
    let next: number | undefined;
    for (const p of (pods ? lists.get(pods.ev) : undefined) ?? []) {
      const end = podChargeEndsAt(p as Pod);
      if (end !== undefined && end >= now && (next === undefined || end < next)) next = end;
    }
    return next !== undefined ? { requeueAfterMs: next - now + 1000 } : undefined;
  }
}

export const initResourceQuota: ControllerInit = (ctx) => new ResourceQuotaController(ctx);
