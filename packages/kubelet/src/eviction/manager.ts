// The eviction manager (eviction_manager.go): every interval it observes the node's signals,
// tracks which thresholds are met (soft ones for their grace period), keeps pressure conditions
// for the transition period, and when a threshold calls for it, reclaims node-level resources or
// evicts the single highest-ranked pod. Admission rejects pods the node cannot take under pressure.
import type { Logger } from 'pino';
import { realClock, type Clock, type EventRecorder, type ObjectReference, type Pod, type PodCondition, type Timer } from '@kube-ts/client';
import type { PodStats, Summary } from '../stats/types.js';
import {
  makeSignalObservations,
  mergeThresholds,
  nodeConditions as conditionsFor,
  nodeConditionsLastObservedAt,
  nodeConditionsObservedSince,
  sortByEvictionPriority,
  thresholdsFirstObservedAt,
  thresholdsMet,
  thresholdsMetGracePeriod,
  thresholdsUpdatedStats,
  type Observations,
} from './observations.js';
import { containerRequest, getPodQOS, isCriticalPod, TAINT_NODE_MEMORY_PRESSURE, toleratesTaint } from './pods.js';
import { cmp, formatQuantity, newQuantity, parseQuantity, zero, add, type Quantity } from './quantity.js';
import { buildSignalToRankFunc, type RankFunc, type StatsFunc } from './rank.js';
import {
  formatThreshold,
  isHardThreshold,
  parseThresholds,
  SIGNAL_TO_RESOURCE,
  thresholdQuantity,
  type EvictionConfig,
  type PressureCondition,
  type ResourceName,
  type Signal,
  type Threshold,
} from './thresholds.js';

/** Reason in pod status, on the pod's event and in admission rejections. */
export const REASON = 'Evicted';
export const EVENT_THRESHOLD_MET = 'EvictionThresholdMet';
/** How long pods get when a hard threshold (or a local storage limit) forces them out. */
export const IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS = 1;
export const DEFAULT_MONITORING_INTERVAL_MS = 10_000;

export interface EvictionDeps {
  stats: { summary(): Promise<Summary> };
  activePods(): Pod[];
  clock?: Clock;
  logger: Logger;
  recorder?: EventRecorder;
  nodeRef: { name: string };
  /** Kill the pod and set phase Failed, reason Evicted, message; resolves when done. */
  evictPod(pod: Pod, gracePeriodSeconds: number, reason: string, message: string, conditions?: PodCondition[]): Promise<boolean>;
  /** Whether images live on their own filesystem; by default told from the summary (nodefs vs imagefs figures). */
  hasDedicatedImageFs?(): Promise<boolean>;
  /** Node-level reclaim tried before evicting pods under disk pressure. */
  containerGC?: { deleteAllUnusedContainers(): Promise<void> };
  imageGC?: { deleteUnusedImages(): Promise<void> };
}

export interface AdmitResult { admit: boolean; reason?: string; message?: string }

type ReclaimFunc = () => Promise<void>;

export class EvictionManager {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly thresholds: Threshold[];
  private readonly localStorage: boolean;
  private conditions: PressureCondition[] = [];
  private conditionsLastObservedAt = new Map<PressureCondition, number>();
  private firstObservedAt = new Map<Threshold, number>();
  private met: Threshold[] = [];
  private lastObservations: Observations = new Map();
  private dedicatedImageFs?: boolean;
  private rankFuncs: Partial<Record<Signal, RankFunc>> = {};
  private reclaimFuncs: Partial<Record<Signal, ReclaimFunc[]>> = {};
  private chain: Promise<unknown> = Promise.resolve();
  private timer?: Timer;
  private running = false;

  constructor(
    private readonly cfg: EvictionConfig,
    private readonly deps: EvictionDeps,
  ) {
    this.clock = deps.clock ?? realClock;
    this.log = deps.logger;
    this.thresholds = parseThresholds(cfg);
    this.localStorage = cfg.localStorageCapacityIsolation ?? true;
  }

  /** Monitors every intervalMs (upstream: 10 s) until stop(). */
  start(intervalMs = DEFAULT_MONITORING_INTERVAL_MS): void {
    if (this.running) return;
    this.running = true;
    const loop = async (): Promise<void> => {
      if (!this.running) return;
      try {
        const evicted = await this.synchronize();
        if (evicted.length > 0) this.log.info({ pods: evicted.map(podKey) }, 'Eviction manager: pods evicted');
      } catch (err) {
        this.log.error({ err }, 'Eviction manager: failed to synchronize');
      }
      if (this.running) this.timer = this.clock.after(intervalMs, () => void loop());
    };
    this.timer = this.clock.after(0, () => void loop());
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  isUnderMemoryPressure(): boolean { return this.conditions.includes('MemoryPressure'); }
  isUnderDiskPressure(): boolean { return this.conditions.includes('DiskPressure'); }
  isUnderPIDPressure(): boolean { return this.conditions.includes('PIDPressure'); }
  /** The pressure conditions currently reported (for the node status). */
  nodeConditions(): PressureCondition[] { return [...this.conditions]; }

  /** Upstream Admit: under memory pressure only BestEffort pods (not tolerating it) are rejected; any other pressure rejects all but critical pods. */
  admit(pod: Pod): AdmitResult {
    if (this.conditions.length === 0 || isCriticalPod(pod)) return { admit: true };
    if (this.conditions.length === 1 && this.conditions[0] === 'MemoryPressure') {
      if (getPodQOS(pod) !== 'BestEffort') return { admit: true };
      if (toleratesTaint(pod.spec.tolerations, TAINT_NODE_MEMORY_PRESSURE, 'NoSchedule')) return { admit: true };
    }
    this.log.info({ pod: podKey(pod), nodeCondition: this.conditions }, 'Failed to admit pod to node');
    return { admit: false, reason: REASON, message: `The node had condition: [${this.conditions.join(' ')}]. ` };
  }

  /** One monitoring pass; passes never overlap. Returns the pods evicted (at most one for a threshold). */
  synchronize(): Promise<Pod[]> {
    const run = this.chain.then(() => this.syncOnce());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async syncOnce(): Promise<Pod[]> {
    if (this.thresholds.length === 0 && !this.localStorage) return [];
    const activePods = this.deps.activePods();
    let summary: Summary;
    try {
      summary = await this.deps.stats.summary();
    } catch (err) {
      this.log.error({ err }, 'Eviction manager: failed to get summary stats');
      return [];
    }
    if (this.dedicatedImageFs === undefined) await this.detectImageFs(summary);

    const { observations, statsFunc } = makeSignalObservations(summary);
    let thresholds = thresholdsMet(this.thresholds, observations, false);
    if (this.met.length > 0) thresholds = mergeThresholds(thresholds, thresholdsMet(this.met, observations, true));

    const now = this.clock.now();
    const firstObservedAt = thresholdsFirstObservedAt(thresholds, this.firstObservedAt, now);
    const lastObservedAt = nodeConditionsLastObservedAt(conditionsFor(thresholds), this.conditionsLastObservedAt, now);
    const conditions = nodeConditionsObservedSince(lastObservedAt, this.cfg.evictionPressureTransitionPeriodMs, now);
    thresholds = thresholdsMetGracePeriod(firstObservedAt, now);
    for (const t of firstObservedAt.keys()) {
      if (!thresholds.includes(t)) this.log.debug({ threshold: formatThreshold(t), durationMs: now - firstObservedAt.get(t)! }, 'Eviction manager: eviction criteria not yet met');
    }

    this.conditions = conditions;
    this.firstObservedAt = firstObservedAt;
    this.conditionsLastObservedAt = lastObservedAt;
    this.met = thresholds;
    thresholds = thresholdsUpdatedStats(thresholds, observations, this.lastObservations);
    this.lastObservations = observations;

    if (this.localStorage) {
      const evicted = await this.localStorageEviction(activePods, statsFunc);
      if (evicted.length > 0) return evicted;
    }
    if (thresholds.length === 0) return [];

    thresholds = sortByEvictionPriority(thresholds);
    const toReclaim = thresholds[0]!;
    const resource = SIGNAL_TO_RESOURCE[toReclaim.signal];
    this.log.info({ resourceName: resource }, 'Eviction manager: attempting to reclaim');
    this.deps.recorder?.event(this.nodeReference(), 'Warning', EVENT_THRESHOLD_MET, `Attempting to reclaim ${resource}`);

    if (await this.reclaimNodeLevelResources(toReclaim.signal, resource)) {
      this.log.info({ resourceName: resource }, 'Eviction manager: able to reduce resource pressure without evicting pods.');
      return [];
    }
    this.log.info({ resourceName: resource }, 'Eviction manager: must evict pod(s) to reclaim');
    const rank = this.rankFuncs[toReclaim.signal];
    if (!rank) {
      this.log.error({ threshold: toReclaim.signal }, 'Eviction manager: no ranking function for signal');
      return [];
    }
    if (activePods.length === 0) {
      this.log.error('Eviction manager: eviction thresholds have been met, but no pods are active to evict');
      return [];
    }
    const ranked = [...activePods];
    rank(ranked, statsFunc);
    this.log.info({ pods: ranked.map(podKey) }, 'Eviction manager: pods ranked for eviction');

    for (const pod of ranked) {
      let grace = IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS;
      if (!isHardThreshold(toReclaim)) {
        grace = this.cfg.evictionMaxPodGracePeriod;
        const own = pod.spec.terminationGracePeriodSeconds;
        if (own !== undefined && own !== null) grace = Math.min(grace, own);
      }
      const message = evictionMessage(resource, pod, statsFunc, thresholds, observations);
      const condition: PodCondition = { type: 'DisruptionTarget', status: 'True', reason: 'TerminationByKubelet', message };
      if (await this.evict(pod, grace, message, [condition])) return [pod];
    }
    this.log.info('Eviction manager: unable to evict any pods from the node');
    return [];
  }

  private async detectImageFs(summary: Summary): Promise<void> {
    let dedicated = false;
    if (this.deps.hasDedicatedImageFs) {
      dedicated = await this.deps.hasDedicatedImageFs();
    } else {
      const n = summary.node.fs;
      const i = summary.node.runtime?.imageFs;
      // Same filesystem when statfs gives the same size and inode count for both paths.
      dedicated = !!n && !!i && (n.capacityBytes !== i.capacityBytes || n.inodes !== i.inodes);
    }
    this.dedicatedImageFs = dedicated;
    this.rankFuncs = buildSignalToRankFunc(dedicated);
    const gc: ReclaimFunc[] = [];
    if (this.deps.containerGC) gc.push(() => this.deps.containerGC!.deleteAllUnusedContainers());
    if (this.deps.imageGC) gc.push(() => this.deps.imageGC!.deleteUnusedImages());
    const disk: Signal[] = dedicated
      ? ['imagefs.available', 'imagefs.inodesFree', 'containerfs.available', 'containerfs.inodesFree']
      : ['nodefs.available', 'nodefs.inodesFree', 'imagefs.available', 'imagefs.inodesFree', 'containerfs.available', 'containerfs.inodesFree'];
    this.reclaimFuncs = {};
    for (const s of disk) this.reclaimFuncs[s] = gc;
  }

  /** Runs the signal's node-level reclaim; true when no threshold (with min reclaim) is met afterwards. */
  private async reclaimNodeLevelResources(signal: Signal, resource: ResourceName): Promise<boolean> {
    const funcs = this.reclaimFuncs[signal] ?? [];
    if (funcs.length === 0) return false;
    for (const f of funcs) {
      try {
        await f();
      } catch (err) {
        this.log.info({ resourceName: resource, err }, 'Eviction manager: unexpected error when attempting to reduce resource pressure');
      }
    }
    let summary: Summary;
    try {
      summary = await this.deps.stats.summary();
    } catch (err) {
      this.log.error({ err }, 'Eviction manager: failed to get summary stats after resource reclaim');
      return false;
    }
    return thresholdsMet(this.thresholds, makeSignalObservations(summary).observations, true).length === 0;
  }

  /** Pods over an emptyDir sizeLimit or an ephemeral-storage limit go at once, whatever the node's state. */
  private async localStorageEviction(pods: Pod[], statsFunc: StatsFunc): Promise<Pod[]> {
    const evicted: Pod[] = [];
    for (const pod of pods) {
      const s = statsFunc(pod);
      if (!s) continue;
      const message = this.emptyDirOverLimit(pod, s) ?? podStorageOverLimit(pod, s) ?? this.containerStorageOverLimit(pod, s);
      if (message !== undefined && (await this.evict(pod, IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS, message))) evicted.push(pod);
    }
    return evicted;
  }

  private emptyDirOverLimit(pod: Pod, s: PodStats): string | undefined {
    for (const v of pod.spec.volumes ?? []) {
      const size = tryQuantity((v['emptyDir'] as { sizeLimit?: string | number } | undefined)?.sizeLimit);
      const used = s.volume?.find((x) => x.name === v['name'])?.usedBytes;
      if (!size || used === undefined || size.nanos <= 0n) continue;
      if (cmp(newQuantity(used, 'BinarySI'), size) > 0) return `Usage of EmptyDir volume ${JSON.stringify(v['name'])} exceeds the limit ${JSON.stringify(formatQuantity(size))}. `;
    }
    return undefined;
  }

  private containerStorageOverLimit(pod: Pod, s: PodStats): string | undefined {
    const limits = new Map<string, Quantity>();
    for (const c of pod.spec.containers) {
      const l = tryQuantity(c.resources?.limits?.['ephemeral-storage']);
      if (l && l.nanos !== 0n) limits.set(c.name, l);
    }
    for (const c of s.containers) {
      let used = newQuantity(c.logs?.usedBytes ?? 0, 'BinarySI');
      if (!this.dedicatedImageFs) used = add(used, newQuantity(c.rootfs?.usedBytes ?? 0, 'BinarySI'));
      const limit = limits.get(c.name);
      if (limit && cmp(limit, used) < 0) return `Container ${c.name} exceeded its local ephemeral storage limit ${JSON.stringify(formatQuantity(limit))}. `;
    }
    return undefined;
  }

  /** Records the eviction and kills the pod; false only for critical pods, which are never evicted. */
  private async evict(pod: Pod, gracePeriodSeconds: number, message: string, conditions?: PodCondition[]): Promise<boolean> {
    if (isCriticalPod(pod)) {
      this.log.error({ pod: podKey(pod) }, 'Eviction manager: cannot evict a critical pod');
      return false;
    }
    this.deps.recorder?.event(podReference(pod), 'Warning', REASON, message);
    this.log.debug({ pod: podKey(pod), podUID: pod.metadata.uid, message }, 'Evicting pod');
    try {
      await this.deps.evictPod(pod, gracePeriodSeconds, REASON, message, conditions);
      this.log.info({ pod: podKey(pod) }, 'Eviction manager: pod is evicted successfully');
    } catch (err) {
      this.log.error({ err, pod: podKey(pod) }, 'Eviction manager: pod failed to evict');
    }
    return true;
  }

  private nodeReference(): ObjectReference {
    // The kubelet's node reference uses the node name as its UID.
    return { kind: 'Node', name: this.deps.nodeRef.name, uid: this.deps.nodeRef.name };
  }
}

function tryQuantity(v: string | number | undefined): Quantity | undefined {
  if (v === undefined) return undefined;
  try {
    return parseQuantity(v);
  } catch {
    return undefined;
  }
}

/** Sum of the containers' ephemeral-storage limits (max with init containers), when any sets one. */
function podStorageOverLimit(pod: Pod, s: PodStats): string | undefined {
  let limit: Quantity | undefined;
  for (const c of pod.spec.containers) {
    const l = tryQuantity(c.resources?.limits?.['ephemeral-storage']);
    if (l) limit = limit ? add(limit, l) : l;
  }
  for (const c of pod.spec.initContainers ?? []) {
    const l = tryQuantity(c.resources?.limits?.['ephemeral-storage']);
    if (l && (!limit || cmp(limit, l) < 0)) limit = l;
  }
  if (!limit) return undefined;
  const overhead = tryQuantity(pod.spec.overhead?.['ephemeral-storage']);
  if (overhead) limit = add(limit, overhead);
  const used = newQuantity(s['ephemeral-storage']?.usedBytes ?? 0, 'BinarySI');
  if (cmp(used, limit) > 0) return `Pod ephemeral local storage usage exceeds the total limit of containers ${formatQuantity(limit)}. `;
  return undefined;
}

/** evictionMessage: the starved resource, the threshold and what each container over its request used. */
export function evictionMessage(resource: ResourceName, pod: Pod, statsFunc: StatsFunc, thresholds: Threshold[], observations: Observations): string {
  let message = `The node was low on resource: ${resource}. `;
  for (const t of thresholds) {
    if (SIGNAL_TO_RESOURCE[t.signal] !== resource) continue;
    const o = observations.get(t.signal);
    if (!o) continue;
    message += `Threshold quantity: ${formatQuantity(thresholdQuantity(t.value, o.capacity))}, available: ${formatQuantity(o.available)}. `;
    break;
  }
  const s = statsFunc(pod);
  if (!s) return message;
  const specs = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])];
  for (const cs of s.containers) {
    const spec = specs.find((c) => c.name === cs.name);
    if (!spec) continue;
    const request = spec.resources?.requests?.[resource] !== undefined ? containerRequest(spec, resource) : zero('DecimalSI');
    let usage: Quantity | undefined;
    if (resource === 'memory' && cs.memory?.workingSetBytes !== undefined) usage = newQuantity(cs.memory.workingSetBytes, 'BinarySI');
    if (resource === 'ephemeral-storage' && cs.rootfs?.usedBytes !== undefined && cs.logs?.usedBytes !== undefined) {
      usage = newQuantity(cs.rootfs.usedBytes + cs.logs.usedBytes, 'BinarySI');
    }
    if (usage && cmp(usage, request) > 0) {
      message += `Container ${spec.name} was using ${formatQuantity(usage)}, request is ${formatQuantity(request)}, has larger consumption of ${resource}. `;
    }
  }
  return message;
}

const podKey = (p: Pod): string => `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`;

function podReference(pod: Pod): ObjectReference {
  const ref: ObjectReference = { kind: 'Pod', apiVersion: 'v1', name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid };
  if (pod.metadata.resourceVersion) ref.resourceVersion = pod.metadata.resourceVersion;
  return ref;
}
