// kube-controller-manager's disruption controller (pkg/controller/disruption): keeps every
// PodDisruptionBudget's status (expected, healthy and desired pod counts, disruptionsAllowed,
// the DisruptionAllowed condition) current for the eviction API, drops disruptedPods entries the
// eviction API left behind once the pod is deleted or two minutes pass, and resets DisruptionTarget
// conditions on pods that were never deleted (after two minutes).
import type { EventRecorder } from '@kube-ts/client/events';
import { isConflict, isNotFound } from '@kube-ts/client/errors';
import { unwrapTombstone, type SharedIndexInformer, type Tombstone } from '@kube-ts/client/informer';
import { labelSelectorMatches } from '@kube-ts/client/labels';
import { R } from '@kube-ts/client/resources';
import { objectKey, type Pod } from '@kube-ts/client/types';
import type { Deployment, ReplicaSet, ReplicationController, StatefulSet } from '@kube-ts/client/workloads';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController, type SyncResult } from '../../controller.js';
import { metaNow, podCondition } from '../../util/pods.js';
import { buildDisruptedPodMap, countHealthyPods, expectedPodCount, setMetaCondition, nextPdbStatus, type ScaleFinder } from './budget.js';
import { scaleFinders } from './finders.js';
import { DISRUPTION_ALLOWED, SYNC_FAILED, type PodDisruptionBudget } from './types.js';

/** stalePodDisruptionTimeout. */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;
const FIELD_MANAGER = 'DisruptionController';

export class DisruptionController implements Controller {
  readonly name = 'disruption-controller';
  readonly queue: QueueController;
  readonly staleQueue: QueueController;
  private readonly pdbs: SharedIndexInformer<PodDisruptionBudget>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly rss: SharedIndexInformer<ReplicaSet>;
  private readonly deployments: SharedIndexInformer<Deployment>;
  private readonly rcs: SharedIndexInformer<ReplicationController>;
  private readonly sets: SharedIndexInformer<StatefulSet>;
  private readonly recorder: EventRecorder;
  private readonly finders: ScaleFinder[];

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = ctx.recorder('controllermanager');
    const inf = ctx.informers;
    this.pdbs = inf.informerFor<PodDisruptionBudget>(R.poddisruptionbudgets);
    this.pods = inf.informerFor<Pod>(R.pods);
    this.rss = inf.informerFor<ReplicaSet>(R.replicasets);
    this.deployments = inf.informerFor<Deployment>(R.deployments);
    this.rcs = inf.informerFor<ReplicationController>(R.replicationcontrollers);
    this.sets = inf.informerFor<StatefulSet>(R.statefulsets);
    const caches = [this.pdbs, this.pods, this.rss, this.deployments, this.rcs, this.sets];
    this.queue = new QueueController({ name: this.name, queueName: 'disruption', ctx, caches, sync: (k) => this.sync(k) });
    this.staleQueue = new QueueController({ name: this.name, queueName: 'stale_pod_disruption', ctx, caches, sync: (k) => this.syncStalePodDisruption(k) });
    this.finders = scaleFinders({
      replicaSet: (ns, n) => this.rss.store.getByName(ns, n),
      deployment: (ns, n) => this.deployments.store.getByName(ns, n),
      replicationController: (ns, n) => this.rcs.store.getByName(ns, n),
      statefulSet: (ns, n) => this.sets.store.getByName(ns, n),
    });

    this.pdbs.addEventHandler({
      add: (p) => this.queue.enqueue(p),
      update: (_o, p) => this.queue.enqueue(p),
      delete: (p) => this.queue.enqueue(p),
    });
    this.pods.addEventHandler({
      add: (p) => this.onPod(p),
      update: (o, p) => {
        // A relabelled pod leaves its old budget as well.
        if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) this.enqueuePdbFor(o);
        this.onPod(p);
      },
      delete: (p: Pod | Tombstone<Pod>) => this.enqueuePdbFor(unwrapTombstone(p)),
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    await Promise.all([this.queue.run(workers, signal), this.staleQueue.run(workers, signal)]);
  }

  private onPod(p: Pod): void {
    this.enqueuePdbFor(p);
    const stale = this.staleDisruptionCondition(p);
    if (stale) this.staleQueue.enqueueAfter(objectKey(p), stale.cleanAfterMs);
  }

  private enqueuePdbFor(p: Pod): void {
    const pdb = this.pdbForPod(p);
    if (pdb) this.queue.enqueue(pdb);
  }

  /** getPdbForPod: the first budget selecting the pod (a warning when several do). */
  private pdbForPod(pod: Pod): PodDisruptionBudget | undefined {
    if (!pod.metadata.labels || Object.keys(pod.metadata.labels).length === 0) return undefined;
    const list = this.pdbs.store.byIndex('namespace', pod.metadata.namespace ?? '').filter((b) => labelSelectorMatches(b.spec.selector, pod.metadata.labels));
    if (list.length === 0) return undefined;
    if (list.length > 1) {
      this.recorder.event({ ...pod, kind: 'Pod', apiVersion: 'v1' }, 'Warning', 'MultiplePodDisruptionBudgets', `Pod "${pod.metadata.namespace!}"/"${pod.metadata.name!}" matches multiple PodDisruptionBudgets.  Chose "${list[0]!.metadata.name!}" arbitrarily.`);
    }
    return list[0];
  }

  // ---- PDB status ---------------------------------------------------------------------------

  private pdbRef(pdb: PodDisruptionBudget): PodDisruptionBudget {
    return { ...pdb, kind: 'PodDisruptionBudget', apiVersion: 'policy/v1' };
  }

  async sync(key: string): Promise<SyncResult | void> {
    const pdb = this.pdbs.store.get(key);
    if (!pdb) return;
    try {
      return await this.trySync(pdb);
    } catch (err) {
      if (isConflict(err)) throw err;
      this.ctx.logger.error({ controller: this.name, pdb: key, err: String(err) }, 'Failed to sync PDB');
      await this.failSafe(pdb, err);
      throw err;
    }
  }

  private async trySync(pdb: PodDisruptionBudget): Promise<SyncResult | void> {
    const pods = this.pods.store.byIndex('namespace', pdb.metadata.namespace ?? '').filter((p) => labelSelectorMatches(pdb.spec.selector, p.metadata.labels));
    if (pods.length === 0) this.recorder.event(this.pdbRef(pdb), 'Normal', 'NoPods', 'No matching pods found');
    let counts;
    try {
      counts = expectedPodCount(pdb, pods, this.finders);
    } catch (err) {
      this.recorder.event(this.pdbRef(pdb), 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(err as Error).message}`);
      throw err;
    }
    if (counts.unmanagedPods.length > 0) {
      this.recorder.event(this.pdbRef(pdb), 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${selectorString(pdb)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`);
    }
    const now = this.ctx.clock.now();
    const { disrupted, recheckAtMs, notDeleted } = buildDisruptedPodMap(pods, pdb, now);
    for (const p of notDeleted) {
      // Upstream names the namespace twice in this message; kept as is.
      this.recorder.event({ ...p, kind: 'Pod', apiVersion: 'v1' }, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace!}/${pdb.metadata.namespace!} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disrupted, now);
    const status = nextPdbStatus(pdb, currentHealthy, counts.desiredHealthy, counts.expectedCount, disrupted, now);
    if (status) await this.writeStatus({ ...pdb, status });
    if (recheckAtMs !== undefined) return { requeueAfterMs: Math.max(0, recheckAtMs - now) };
  }

  private async writeStatus(pdb: PodDisruptionBudget): Promise<void> {
    try {
      await this.ctx.rest.resource<PodDisruptionBudget>(R.poddisruptionbudgets).updateStatus(pdb);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** failSafe: when the status cannot be computed, allow no disruptions. */
  private async failSafe(pdb: PodDisruptionBudget, err: unknown): Promise<void> {
    const st = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
    const status = {
      ...st, disruptionsAllowed: 0,
      conditions: setMetaCondition(st.conditions, {
        type: DISRUPTION_ALLOWED, status: 'False', reason: SYNC_FAILED, message: err instanceof Error ? err.message : String(err), observedGeneration: st.observedGeneration ?? 0,
      }, this.ctx.clock.now()),
    };
    await this.writeStatus({ ...pdb, status });
  }

  // ---- stale DisruptionTarget conditions ------------------------------------------------------

  /** nonTerminatingPodHasStaleDisruptionCondition. */
  private staleDisruptionCondition(pod: Pod): { cleanAfterMs: number } | undefined {
    if (pod.metadata.deletionTimestamp) return undefined;
    const c = podCondition(pod, 'DisruptionTarget');
    const phase = pod.status?.phase;
    if (!c || c.status !== 'True' || c.reason === 'TerminationByKubelet' || phase === 'Succeeded' || phase === 'Failed') return undefined;
    const since = Date.parse(c.lastTransitionTime ?? '');
    const waited = Number.isNaN(since) ? STALE_POD_DISRUPTION_TIMEOUT_MS : this.ctx.clock.now() - since;
    return { cleanAfterMs: Math.max(0, STALE_POD_DISRUPTION_TIMEOUT_MS - waited) };
  }

  /** syncStalePodDisruption: DisruptionTarget goes False on pods that were never deleted. */
  async syncStalePodDisruption(key: string): Promise<void> {
    const pod = this.pods.store.get(key);
    if (!pod) return;
    const stale = this.staleDisruptionCondition(pod);
    if (!stale) return;
    if (stale.cleanAfterMs > 0) { this.staleQueue.enqueueAfter(key, stale.cleanAfterMs); return; }
    const apply = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, resourceVersion: pod.metadata.resourceVersion },
      status: { conditions: [{ type: 'DisruptionTarget', status: 'False', lastTransitionTime: metaNow(this.ctx.clock.now()) }] },
    };
    try {
      await this.ctx.rest.resource<Pod>(R.pods).patch(pod.metadata.name!, pod.metadata.namespace, apply, 'apply', { subresource: 'status', fieldManager: FIELD_MANAGER, force: true });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

function selectorString(pdb: PodDisruptionBudget): string {
  const s = pdb.spec.selector;
  if (!s) return '&LabelSelector{}';
  const ml = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}: ${v},`).join('');
  const me = (s.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],}`).join(',');
  return `&LabelSelector{MatchLabels:map[string]string{${ml}},MatchExpressions:[]LabelSelectorRequirement{${me}},}`;
}
