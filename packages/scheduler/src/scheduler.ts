// kube-scheduler's core loop (upstream pkg/scheduler/schedule_one.go): pop the next pod, run the
// profile's framework over a snapshot of the cache (PreFilter, Filter on a sample of nodes,
// PostFilter/preemption on failure, PreScore/Score, pick the best), assume it in the cache, and
// bind asynchronously so the next pod's cycle starts at once. Informers feed the cache and the
// queue; cluster events move unschedulable pods back to the active queue.
import type { Logger } from 'pino';
import { realClock, type Clock } from '@kube-ts/client/clock';
import type { RestClient } from '@kube-ts/client/rest';
import { R } from '@kube-ts/client/resources';
import { SharedInformerFactory } from '@kube-ts/client/factory';
import { unwrapTombstone, type SharedIndexInformer, type Tombstone } from '@kube-ts/client/informer';
import { EventBroadcaster, eventSinkFromRest, getReference, type EventRecorder } from '@kube-ts/client/events';
import type { KubeObject, Namespace, Node, Pod, PodDisruptionBudget, PriorityClass } from '@kube-ts/client/types';
import { SchedulerApi } from './api.js';
import { SchedulerCache } from './backend/cache.js';
import { SchedulingQueue } from './backend/queue.js';
import { numFeasibleNodesToFind } from './config/load.js';
import type { KubeSchedulerConfiguration } from './config/types.js';
import { ActionType, type ClusterEvent, type ClusterEventWithHint } from './framework/events.js';
import type { EventRecorderLike, NodeScore, NodeToStatusMap, PluginFactory } from './framework/interface.js';
import type { NodeInfo } from './framework/nodeinfo.js';
import { PodInfo, type QueuedPodInfo } from './framework/podinfo.js';
import { Framework } from './framework/runtime.js';
import type { Snapshot } from './framework/snapshot.js';
import { Code, isSuccess, Status, type MaybeStatus } from './framework/status.js';
import type { CycleState } from './framework/cyclestate.js';
import { newSchedulerMetrics, type SchedulerMetrics } from './metrics.js';
import { inTreeRegistry } from './plugins/registry.js';
import { InformerOwnerSelectors } from './ownerselectors.js';
import type { Registry } from 'prom-client';

export interface Diagnosis {
  nodeToStatus: NodeToStatusMap;
  unschedulablePlugins: Set<string>;
  pendingPlugins: Set<string>;
  preFilterMsg: string;
  postFilterMsg: string;
}

/** Upstream FitError: "0/N nodes are available: <histogram of reasons>. <postfilter message>." */
export class FitError extends Error {
  constructor(readonly pod: Pod, readonly numAllNodes: number, readonly diagnosis: Diagnosis) {
    super(`0/${numAllNodes} nodes are available`);
    this.name = 'FitError';
  }

  /** The full message (call after PostFilter has filled diagnosis.postFilterMsg). */
  describe(): string {
    let msg = `0/${this.numAllNodes} nodes are available:`;
    const d = this.diagnosis;
    if (d.preFilterMsg) msg += ` ${d.preFilterMsg}.`;
    else {
      const counts = new Map<string, number>();
      for (const s of d.nodeToStatus.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
      const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
      if (parts.length) msg += ` ${parts.join(', ')}.`;
    }
    // One closing period, as users see it ("... preemption: 0/3 nodes are available: ... pod.").
    if (d.postFilterMsg) msg += ` ${d.postFilterMsg.replace(/\.$/, '')}.`;
    return msg;
  }
}

export const NO_NODES_MSG = 'no nodes available to schedule pods';

export interface SchedulerOptions {
  rest: RestClient;
  config: KubeSchedulerConfiguration;
  logger: Logger;
  metricsRegistry: Registry;
  clock?: Clock;
  /** Out-of-tree plugins merged over the in-tree registry. */
  extraPlugins?: Map<string, PluginFactory>;
  /** Host name recorded as the event source. */
  host?: string;
}

function nodeUpdateAction(a: Node, b: Node): number {
  const j = (v: unknown): string => JSON.stringify(v ?? null);
  let act = 0;
  if (j(a.status?.allocatable) !== j(b.status?.allocatable)) act |= ActionType.UpdateNodeAllocatable;
  if (j(a.metadata.labels) !== j(b.metadata.labels)) act |= ActionType.UpdateNodeLabel;
  if (j(a.spec?.taints) !== j(b.spec?.taints) || Boolean(a.spec?.unschedulable) !== Boolean(b.spec?.unschedulable)) act |= ActionType.UpdateNodeTaint;
  const conds = (n: Node): string => j((n.status?.conditions ?? []).map((c) => [c.type, c.status]));
  if (conds(a) !== conds(b)) act |= ActionType.UpdateNodeCondition;
  if (j(a.metadata.annotations) !== j(b.metadata.annotations)) act |= ActionType.UpdateNodeAnnotation;
  return act;
}

function isAssigned(p: Pod): boolean { return Boolean(p.spec?.nodeName); }

export class Scheduler {
  readonly cache = new SchedulerCache();
  readonly queue: SchedulingQueue;
  readonly profiles = new Map<string, Framework>();
  readonly metrics: SchedulerMetrics;
  private readonly factory: SharedInformerFactory;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly api: SchedulerApi;
  private readonly broadcaster: EventBroadcaster;
  /** One recorder per profile: events name the profile's schedulerName as their source, as upstream. */
  private readonly recorders = new Map<string, EventRecorder>();
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly namespaces: SharedIndexInformer<Namespace>;
  private readonly pdbInformer: SharedIndexInformer<PodDisruptionBudget>;
  private readonly priorityClasses: SharedIndexInformer<PriorityClass>;
  private nextStartNodeIndex = 0;
  private readonly bindings = new Set<Promise<void>>();
  private snapshot: Snapshot | undefined;

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger;
    this.metrics = newSchedulerMetrics(opts.metricsRegistry);
    this.factory = new SharedInformerFactory(opts.rest, { logger: opts.logger, clock: this.clock });
    this.api = new SchedulerApi(opts.rest, opts.config.profiles[0]?.schedulerName ?? 'default-scheduler', () => this.clock.now());
    this.broadcaster = new EventBroadcaster({ sink: eventSinkFromRest(opts.rest), component: 'default-scheduler', host: opts.host, clock: this.clock, logger: opts.logger });
    this.pods = this.factory.informerFor<Pod>(R.pods, { fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed' });
    this.nodes = this.factory.informerFor<Node>(R.nodes);
    this.namespaces = this.factory.informerFor<Namespace>(R.namespaces);
    this.pdbInformer = this.factory.informerFor<PodDisruptionBudget>(R.poddisruptionbudgets);
    this.priorityClasses = this.factory.informerFor<PriorityClass>(R.priorityclasses);

    const registry = new Map([...inTreeRegistry(), ...(opts.extraPlugins ?? [])]);
    const owners = new InformerOwnerSelectors(
      this.factory.informerFor(R.services), this.factory.informerFor(R.replicationcontrollers),
      this.factory.informerFor(R.replicasets), this.factory.informerFor(R.statefulsets),
    );
    for (const base of opts.config.profiles) {
      // PodTopologySpread's default constraints need the owners' selectors (an internal arg).
      const pluginConfig = [...(base.pluginConfig ?? [])];
      const i = pluginConfig.findIndex((pc) => pc.name === 'PodTopologySpread');
      const pts = { name: 'PodTopologySpread', args: { ...(i >= 0 ? pluginConfig[i]!.args : {}), __lister: owners } };
      if (i >= 0) pluginConfig[i] = pts; else pluginConfig.push(pts);
      const profile = { ...base, pluginConfig };
      const rec = this.broadcaster.newRecorder({ component: profile.schedulerName });
      this.recorders.set(profile.schedulerName, rec);
      const recorderLike: EventRecorderLike = {
        event: (obj, type, reason, message) => rec.event(getReference(obj as KubeObject, R.pods), type, reason, message),
      };
      const fwk = new Framework(profile, registry, {
        snapshot: () => this.snapshot ?? this.cache.updateSnapshot(),
        api: this.api,
        recorder: recorderLike,
        nominatedPodsForNode: (n) => this.queue.nominatedPodsForNode(n),
        pdbs: () => this.pdbInformer.store.list(),
        priorityClass: (n) => this.priorityClasses.store.get(n),
        namespaceLabels: (ns) => this.namespaces.store.get(ns)?.metadata.labels,
        parallelism: opts.config.parallelism,
        clock: this.clock,
      });
      this.profiles.set(profile.schedulerName, fwk);
    }
    const first = this.profiles.values().next().value as Framework;
    const pluginEvents = new Map<string, ClusterEventWithHint[]>();
    for (const f of this.profiles.values()) for (const [k, v] of f.eventsToRegister()) pluginEvents.set(k, v);
    this.queue = new SchedulingQueue({
      less: (a, b) => first.less(a, b),
      clock: this.clock,
      podInitialBackoffMs: opts.config.podInitialBackoffSeconds * 1000,
      podMaxBackoffMs: opts.config.podMaxBackoffSeconds * 1000,
      pluginEvents,
      metrics: this.metrics,
    });
    this.addEventHandlers();
  }

  private responsibleFor(p: Pod): boolean { return this.profiles.has(p.spec?.schedulerName ?? 'default-scheduler'); }

  private move(event: ClusterEvent, oldObj: unknown, newObj: unknown): void {
    this.queue.moveAllToActiveOrBackoffQueue(event, oldObj, newObj);
  }

  private addEventHandlers(): void {
    this.nodes.addEventHandler({
      add: (n) => { this.cache.addOrUpdateNode(n); this.move({ resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' }, undefined, n); },
      update: (o, n) => {
        this.cache.addOrUpdateNode(n);
        const act = nodeUpdateAction(o, n);
        if (act) this.move({ resource: 'Node', actionType: act, label: 'NodeUpdate' }, o, n);
      },
      delete: (x) => { this.cache.removeNode(unwrapTombstone(x)); },
    });
    this.pods.addEventHandler({
      add: (p) => {
        if (isAssigned(p)) {
          this.cache.addPod(p);
          this.move({ resource: 'AssignedPod', actionType: ActionType.Add, label: 'AssignedPodAdd' }, undefined, p);
        } else if (this.responsibleFor(p) && !p.metadata.deletionTimestamp) {
          this.queue.add(p);
          if (p.status?.nominatedNodeName) this.queue.addNominatedPod(new PodInfo(p), p.status.nominatedNodeName);
        }
      },
      update: (o, p) => {
        if (isAssigned(p)) {
          if (!isAssigned(o)) { this.queue.delete(o); }
          this.cache.updatePod(o, p);
          if (JSON.stringify(o.metadata.labels ?? {}) !== JSON.stringify(p.metadata.labels ?? {})) {
            this.move({ resource: 'AssignedPod', actionType: ActionType.UpdatePodLabel, label: 'AssignedPodUpdate' }, o, p);
          }
        } else if (this.responsibleFor(p)) {
          if (p.metadata.deletionTimestamp) { this.queue.delete(p); return; }
          this.queue.update(o, p);
        }
      },
      delete: (x: Pod | Tombstone<Pod>) => {
        const p = unwrapTombstone(x);
        if (isAssigned(p) || this.cache.isAssumed(p)) {
          this.cache.removePod(p);
          this.move({ resource: 'AssignedPod', actionType: ActionType.Delete, label: 'AssignedPodDelete' }, p, undefined);
        }
        this.queue.delete(p);
      },
    });
    this.pdbInformer.addEventHandler({});
    this.priorityClasses.addEventHandler({});
    this.namespaces.addEventHandler({
      add: (n) => this.move({ resource: 'Namespace', actionType: ActionType.Add, label: 'NamespaceAdd' }, undefined, n),
      update: (o, n) => { if (JSON.stringify(o.metadata.labels) !== JSON.stringify(n.metadata.labels)) this.move({ resource: 'Namespace', actionType: ActionType.UpdateOther, label: 'NamespaceUpdate' }, o, n); },
    });
  }

  /** Runs until `signal` aborts: informers, then the scheduling loop. */
  async run(signal: AbortSignal): Promise<void> {
    this.factory.start(signal);
    if (!(await this.factory.waitForCacheSync(signal))) return;
    this.log.info({ nodes: this.cache.nodeCount(), pods: this.cache.podCount() }, 'caches synced; scheduling');
    this.queue.run();
    signal.addEventListener('abort', () => this.queue.close(), { once: true });
    while (!signal.aborted) {
      const q = await this.queue.pop();
      if (!q) break;
      try { await this.scheduleOne(q); } catch (e) { this.log.error({ err: e }, 'scheduling cycle failed'); this.queue.done(q.podInfo.pod); }
      // Let informer and binding I/O run between cycles.
      await new Promise<void>((r) => setImmediate(r));
    }
    await Promise.allSettled([...this.bindings]);
    await this.broadcaster.shutdown();
    await this.factory.shutdown();
  }

  // ---- one pod ------------------------------------------------------------------------------

  private async scheduleOne(q: QueuedPodInfo): Promise<void> {
    const pod = q.podInfo.pod;
    const fwk = this.profiles.get(pod.spec.schedulerName ?? 'default-scheduler');
    if (!fwk) { this.queue.done(pod); return; }
    if (pod.metadata.deletionTimestamp || this.cache.isAssumed(pod)) { this.queue.done(pod); return; }
    const start = this.clock.now();
    const cycle = this.queue.schedulingCycle();
    const state = fwk.newCycleState();
    this.snapshot = this.cache.updateSnapshot();
    let host: string;
    try {
      host = this.schedulePod(fwk, state, pod, this.snapshot);
    } catch (e) {
      if (e instanceof FitError) {
        let nominated: string | undefined;
        if (fwk.hasPostFilterPlugins()) {
          const r = await fwk.runPostFilterPlugins(state, pod, e.diagnosis.nodeToStatus);
          if (r.status && r.status.code !== Code.Success) {
            const m = r.status.message();
            if (m) e.diagnosis.postFilterMsg = m;
          }
          nominated = r.result?.nominatedNodeName;
          if (nominated) this.metrics.preemption(1);
        }
        q.unschedulablePlugins = e.diagnosis.unschedulablePlugins;
        q.pendingPlugins = e.diagnosis.pendingPlugins;
        this.metrics.attempt('unschedulable', fwk.profileName, (this.clock.now() - start) / 1000);
        this.handleFailure(fwk, q, Status.unschedulable(e.describe()), cycle, nominated);
      } else {
        this.metrics.attempt('error', fwk.profileName, (this.clock.now() - start) / 1000);
        this.handleFailure(fwk, q, Status.error(e as Error), cycle, undefined);
      }
      return;
    } finally {
      this.snapshot = undefined;
    }

    // Assume, reserve, permit: still part of the (serial) scheduling cycle.
    this.cache.assumePod(pod, host);
    const reserve = fwk.runReservePluginsReserve(state, pod, host);
    if (!isSuccess(reserve)) {
      fwk.runReservePluginsUnreserve(state, pod, host);
      this.cache.forgetPod(pod);
      this.metrics.attempt('error', fwk.profileName, (this.clock.now() - start) / 1000);
      this.handleFailure(fwk, q, reserve!, cycle, undefined);
      return;
    }
    const permit = fwk.runPermitPlugins(state, pod, host);
    if (!isSuccess(permit) && permit!.code !== Code.Wait) {
      fwk.runReservePluginsUnreserve(state, pod, host);
      this.cache.forgetPod(pod);
      if (permit!.isUnschedulable()) q.unschedulablePlugins = new Set([permit!.plugin]);
      this.metrics.attempt(permit!.isUnschedulable() ? 'unschedulable' : 'error', fwk.profileName, (this.clock.now() - start) / 1000);
      this.handleFailure(fwk, q, permit!, cycle, undefined);
      return;
    }
    this.queue.deleteNominatedPodIfExists(pod);
    const b = this.bindingCycle(fwk, state, q, host, start, cycle).finally(() => this.bindings.delete(b));
    this.bindings.add(b);
  }

  private async bindingCycle(fwk: Framework, state: CycleState, q: QueuedPodInfo, host: string, start: number, cycle: number): Promise<void> {
    const pod = q.podInfo.pod;
    let status: MaybeStatus = await fwk.waitOnPermit(pod);
    if (isSuccess(status)) status = await fwk.runPreBindPlugins(state, pod, host);
    if (isSuccess(status)) status = await fwk.runBindPlugins(state, pod, host);
    if (!isSuccess(status)) {
      fwk.runReservePluginsUnreserve(state, pod, host);
      this.cache.forgetPod(pod);
      // The assumed pod's resources are free again: pods waiting on them may fit now.
      this.move({ resource: 'AssignedPod', actionType: ActionType.Delete, label: 'AssignedPodDelete' }, pod, undefined);
      this.metrics.attempt('error', fwk.profileName, (this.clock.now() - start) / 1000);
      this.handleFailure(fwk, q, status!, cycle, undefined);
      return;
    }
    this.cache.finishBinding(pod);
    const now = this.clock.now();
    this.metrics.attempt('scheduled', fwk.profileName, (now - start) / 1000);
    this.metrics.podScheduled(q.attempts, (now - (q.initialAttemptTimestamp ?? q.timestamp)) / 1000);
    this.recorders.get(fwk.profileName)!.event(getReference(pod, R.pods), 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${host}`);
    fwk.runPostBindPlugins(state, pod, host);
    this.queue.done(pod);
  }

  /** Returns the chosen node or throws FitError / an Error. */
  schedulePod(fwk: Framework, state: CycleState, pod: Pod, snapshot: Snapshot): string {
    const all = snapshot.list();
    if (all.length === 0) throw new Error(NO_NODES_MSG);
    const { feasible, diagnosis } = this.findNodesThatFitPod(fwk, state, pod, all);
    if (feasible.length === 0) throw new FitError(pod, all.length, diagnosis);
    if (feasible.length === 1) return feasible[0]!.name;
    const scores = this.prioritizeNodes(fwk, state, pod, feasible);
    return this.selectHost(scores);
  }

  private findNodesThatFitPod(fwk: Framework, state: CycleState, pod: Pod, all: NodeInfo[]): { feasible: NodeInfo[]; diagnosis: Diagnosis } {
    const diagnosis: Diagnosis = { nodeToStatus: new Map(), unschedulablePlugins: new Set(), pendingPlugins: new Set(), preFilterMsg: '', postFilterMsg: '' };
    const pre = fwk.runPreFilterPlugins(state, pod, all);
    if (!isSuccess(pre.status)) {
      const s = pre.status!;
      if (!s.isUnschedulable()) throw new Error(s.message());
      // Every node is rejected for the PreFilter's reason (its code tells preemption whether to try).
      const st = new Status(s.code, s.reasons).withPlugin(s.plugin);
      for (const n of all) diagnosis.nodeToStatus.set(n.name, st);
      diagnosis.preFilterMsg = s.message();
      if (s.plugin) diagnosis.unschedulablePlugins.add(s.plugin);
      return { feasible: [], diagnosis };
    }
    // A pod with a nominated node (after preemption) tries that node first.
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const ni = this.snapshot?.get(nominated);
      if (ni && isSuccess(fwk.runFilterPluginsWithNominatedPods(state, pod, ni))) return { feasible: [ni], diagnosis };
    }
    let nodes = all;
    const allowed = pre.result?.nodeNames;
    if (allowed) {
      nodes = all.filter((n) => allowed.has(n.name));
      const absent = new Status(Code.UnschedulableAndUnresolvable, [`node(s) didn't satisfy plugin(s) [${(pre.narrowedBy ?? []).join(' ')}]`]);
      for (const n of all) if (!allowed.has(n.name)) diagnosis.nodeToStatus.set(n.name, absent);
    }
    const pct = fwk.percentageOfNodesToScore ?? this.opts.config.percentageOfNodesToScore;
    const want = numFeasibleNodesToFind(pct, nodes.length);
    const feasible: NodeInfo[] = [];
    const n = nodes.length;
    const startIdx = allowed ? 0 : this.nextStartNodeIndex % Math.max(1, n);
    let processed = 0;
    for (let i = 0; i < n && feasible.length < want; i++) {
      const ni = nodes[(startIdx + i) % n]!;
      processed++;
      const s = fwk.runFilterPluginsWithNominatedPods(state, pod, ni);
      if (isSuccess(s)) { feasible.push(ni); continue; }
      if (!s!.isUnschedulable()) throw new Error(s!.message());
      diagnosis.nodeToStatus.set(ni.name, s!);
      if (s!.plugin) diagnosis.unschedulablePlugins.add(s!.plugin);
    }
    if (!allowed) this.nextStartNodeIndex = (startIdx + processed) % Math.max(1, n);
    return { feasible, diagnosis };
  }

  private prioritizeNodes(fwk: Framework, state: CycleState, pod: Pod, nodes: NodeInfo[]): NodeScore[] {
    if (!fwk.hasScorePlugins()) return nodes.map((n) => ({ name: n.name, score: 1 }));
    const pre = fwk.runPreScorePlugins(state, pod, nodes);
    if (!isSuccess(pre)) throw new Error(pre!.message());
    const r = fwk.runScorePlugins(state, pod, nodes);
    if (!isSuccess(r.status)) throw new Error(r.status!.message());
    return r.scores;
  }

  /** The highest score; ties broken uniformly at random (reservoir sampling, as upstream). */
  private selectHost(scores: NodeScore[]): string {
    let best = scores[0]!;
    let count = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i]!;
      if (s.score > best.score) { best = s; count = 1; }
      else if (s.score === best.score) { count++; if (Math.random() * count < 1) best = s; }
    }
    return best.name;
  }

  private handleFailure(fwk: Framework, q: QueuedPodInfo, status: Status, cycle: number, nominatedNodeName: string | undefined): void {
    const pod = q.podInfo.pod;
    const reason = status.code === Code.Error ? 'SchedulerError' : 'Unschedulable';
    const message = status.message();
    if (status.code === Code.Error) this.log.error({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, err: message }, 'error scheduling pod; retrying');
    else this.log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, reason: message }, 'unable to schedule pod; waiting');
    // Only requeue pods that still exist and are still unassigned.
    const cur = this.pods.store.getByName(pod.metadata.namespace, pod.metadata.name ?? '');
    if (cur && cur.metadata.uid === pod.metadata.uid && !isAssigned(cur)) {
      q.podInfo = new PodInfo(cur);
      this.queue.addUnschedulableIfNotPresent(q, cycle);
    } else {
      this.queue.done(pod);
    }
    if (nominatedNodeName) this.queue.addNominatedPod(q.podInfo, nominatedNodeName);
    this.recorders.get(fwk.profileName)!.event(getReference(pod, R.pods), 'Warning', 'FailedScheduling', message);
    const target = cur ?? pod;
    this.api.updateFailureStatus(target, reason, message, nominatedNodeName).catch((e: unknown) => {
      this.log.warn({ err: (e as Error).message }, 'failed to update pod status');
    });
  }
}
