// PodGC (upstream podgc/gc_controller.go): every 20 s, from the pod and node caches, force-deletes
// terminated pods beyond --terminated-pod-gc-threshold (oldest first), terminating pods on
// out-of-service nodes, pods bound to nodes that are gone (a node must be missing from the cache,
// then still missing after a quarantine and confirmed by a GET), and terminating pods that were
// never scheduled. A pod not yet terminal is first marked Failed (with a DisruptionTarget
// condition for orphans) through a patch of its status.
import { isNotFound } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { Node, Pod } from '@kube-ts/client/types';
import type { Controller, ControllerContext } from '../../context.js';
import { metaNow } from '../../util/pods.js';
import { missingNodeNames, terminatedPodsToDelete, terminatingPodsOnOutOfServiceNodes, unscheduledTerminatingPods } from './select.js';

export const FIELD_MANAGER = 'PodGC';

export interface PodGCOptions {
  /** Period of the GC loop (upstream gcCheckPeriod: 20 s). */
  periodMs?: number;
  /** How long a node must stay missing before its pods go (upstream quarantineTime: 40 s). */
  quarantineMs?: number;
}

interface DisruptionCondition { type: string; status: 'True'; reason: string; message: string }

export class PodGCController implements Controller {
  readonly name = 'podgc';
  private readonly pods;
  private readonly nodes;
  /** Missing node name -> when its quarantine ends (upstream's delaying nodeQueue). */
  private readonly quarantine = new Map<string, number>();
  private readonly periodMs: number;
  private readonly quarantineMs: number;

  constructor(private readonly ctx: ControllerContext, o: PodGCOptions = {}) {
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    this.nodes = ctx.informers.informerFor<Node>(R.nodes);
    this.periodMs = o.periodMs ?? 20_000;
    this.quarantineMs = o.quarantineMs ?? 40_000;
  }

  async run(_workers: number, signal: AbortSignal): Promise<void> {
    if (!(await this.pods.waitForSync(signal)) || !(await this.nodes.waitForSync(signal))) return;
    this.ctx.logger.info({ controller: this.name }, 'Starting controller');
    while (!signal.aborted) {
      try { await this.gc(); } catch (e) { this.ctx.logger.error({ err: String(e) }, 'podgc: pass failed'); }
      await this.ctx.clock.sleep(this.periodMs, signal);
    }
    this.ctx.logger.info({ controller: this.name }, 'Shutting down controller');
  }

  /** One pass over the caches. */
  async gc(): Promise<void> {
    const pods = this.pods.store.list();
    const nodes = this.nodes.store.list();
    const terminated = terminatedPodsToDelete(pods, this.ctx.options.terminatedPodGCThreshold);
    if (terminated.length > 0) this.ctx.logger.info({ numPods: terminated.length }, 'Garbage collecting pods');
    await this.deleteAll(terminated);
    await this.deleteAll(terminatingPodsOnOutOfServiceNodes(pods, (n) => this.nodes.store.get(n)));
    await this.gcOrphaned(pods, new Set(nodes.map((n) => n.metadata.name ?? '')));
    await this.deleteAll(unscheduledTerminatingPods(pods));
  }

  private async deleteAll(pods: Pod[], condition?: DisruptionCondition): Promise<void> {
    await Promise.all(pods.map(async (p) => {
      try { await this.markFailedAndDeletePod(p, condition); } catch (e) {
        this.ctx.logger.warn({ pod: `${p.metadata.namespace}/${p.metadata.name}`, err: String(e) }, 'podgc: delete failed');
      }
    }));
  }

  private async gcOrphaned(pods: Pod[], existing: Set<string>): Promise<void> {
    const now = this.ctx.clock.now();
    for (const name of missingNodeNames(pods, existing)) if (!this.quarantine.has(name)) this.quarantine.set(name, now + this.quarantineMs);
    const deleted = new Set<string>();
    for (const [name, readyAt] of [...this.quarantine]) {
      if (readyAt > now) continue;
      this.quarantine.delete(name);
      if (existing.has(name)) continue;
      try {
        await this.ctx.rest.resource<Node>(R.nodes).get(name);
      } catch (e) {
        if (isNotFound(e)) deleted.add(name);
        else this.ctx.logger.warn({ node: name, err: String(e) }, 'podgc: error while getting node');
      }
    }
    if (deleted.size === 0) return;
    const orphans = pods.filter((p) => deleted.has(p.spec.nodeName ?? ''));
    await this.deleteAll(orphans, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
  }

  async markFailedAndDeletePod(p: Pod, condition?: DisruptionCondition): Promise<void> {
    const pods = this.ctx.rest.resource<Pod>(R.pods);
    const name = p.metadata.name!; const ns = p.metadata.namespace;
    this.ctx.logger.info({ pod: `${ns}/${name}` }, 'PodGC is force deleting Pod');
    const phase = p.status?.phase;
    try {
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        // Orphaned pods have no kubelet to ever move them to a terminal phase.
        const status: Record<string, unknown> = { phase: 'Failed' };
        if (condition) status.conditions = [{ ...condition, lastTransitionTime: metaNow(this.ctx.clock.now()) }];
        // Upstream applies this status server-side (field manager PodGC); our apiserver's apply
        // drops .status on the status subresource, so a strategic merge patch (conditions merge
        // by type) sends the same fields under the same manager.
        await pods.patch(name, ns, { status }, 'strategic', { subresource: 'status', fieldManager: FIELD_MANAGER });
      }
      await pods.delete(name, ns, { gracePeriodSeconds: 0 });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}
