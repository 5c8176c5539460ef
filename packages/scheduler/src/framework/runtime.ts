// The framework runtime for one profile: instantiates the enabled plugins, sorts them into
// extension points, and runs each point with upstream's rules (first Filter failure wins, scores
// normalized then weighted, Reserve undone in reverse, Bind plugins tried until one does not Skip).
import type { Pod } from '@kube-ts/client/types';
import { realClock, type Clock } from '@kube-ts/client/clock';
import type { Profile, ExtensionPoint } from '../config/types.js';
import { resolvePlugins } from '../config/load.js';
import { CycleState } from './cyclestate.js';
import type { ClusterEventWithHint } from './events.js';
import type {
  BindPlugin, ClusterApi, EnqueueExtensions, EventRecorderLike, FilterPlugin, Handle, NodeInfoLister, NodeScore,
  NodeToStatusMap, PermitPlugin, Plugin, PluginFactory, PostBindPlugin, PostFilterPlugin, PostFilterResult,
  PreBindPlugin, PreFilterPlugin, PreFilterResult, PreScorePlugin, QueueSortPlugin, ReservePlugin, ScorePlugin,
} from './interface.js';
import type { NodeInfo } from './nodeinfo.js';
import { PodInfo, priorityOf, type QueuedPodInfo } from './podinfo.js';
import { Code, isSkip, isSuccess, MAX_NODE_SCORE, MIN_NODE_SCORE, Status, type MaybeStatus } from './status.js';

export interface FrameworkDeps {
  snapshot: () => NodeInfoLister;
  api: ClusterApi;
  recorder: EventRecorderLike;
  nominatedPodsForNode: (nodeName: string) => PodInfo[];
  pdbs: Handle['pdbs'];
  priorityClass: Handle['priorityClass'];
  namespaceLabels: Handle['namespaceLabels'];
  parallelism?: number;
  clock?: Clock;
}

/** Which methods mark a plugin as implementing an extension point. */
const POINT_METHOD: Record<ExtensionPoint, string> = {
  preEnqueue: 'preEnqueue', queueSort: 'less', preFilter: 'preFilter', filter: 'filter', postFilter: 'postFilter',
  preScore: 'preScore', score: 'score', reserve: 'reserve', permit: 'permit', preBind: 'preBind', bind: 'bind', postBind: 'postBind',
};

function implementsPoint(p: Plugin, point: ExtensionPoint): boolean {
  return typeof (p as unknown as Record<string, unknown>)[POINT_METHOD[point]] === 'function';
}

/** Go's time.Duration String() for whole milliseconds (5s, 1m30s, 1.5s, 250ms). */
function formatGoDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const sec = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
}

/** A pod held at Permit: `done` settles once (allowed, rejected or timed out); waitOnPermit removes it. */
interface Waiting { done: Promise<MaybeStatus>; finish: (s: MaybeStatus) => void; settled: boolean }

export class Framework implements Handle {
  readonly profileName: string;
  readonly percentageOfNodesToScore: number | undefined;
  readonly plugins = new Map<string, Plugin>();
  readonly api: ClusterApi;
  readonly recorder: EventRecorderLike;
  readonly parallelism: number;
  private readonly clock: Clock;
  private queueSortPlugin: QueueSortPlugin | undefined;
  private preFilterPlugins: PreFilterPlugin[] = [];
  private filterPlugins: FilterPlugin[] = [];
  private postFilterPlugins: PostFilterPlugin[] = [];
  private preScorePlugins: PreScorePlugin[] = [];
  private scorePlugins: Array<{ plugin: ScorePlugin; weight: number }> = [];
  private reservePlugins: ReservePlugin[] = [];
  private permitPlugins: PermitPlugin[] = [];
  private preBindPlugins: PreBindPlugin[] = [];
  private bindPlugins: BindPlugin[] = [];
  private postBindPlugins: PostBindPlugin[] = [];
  private readonly waiting = new Map<string, Waiting>();

  /** `registry` maps plugin names to factories; the profile's pluginConfig supplies their args. */
  constructor(profile: Profile, registry: Map<string, PluginFactory>, private readonly deps: FrameworkDeps) {
    this.profileName = profile.schedulerName;
    this.percentageOfNodesToScore = profile.percentageOfNodesToScore;
    this.api = deps.api;
    this.recorder = deps.recorder;
    this.parallelism = deps.parallelism ?? 16;
    this.clock = deps.clock ?? realClock;
    const instance = (name: string): Plugin => {
      let p = this.plugins.get(name);
      if (!p) {
        const f = registry.get(name);
        if (!f) throw new Error(`couldn't create scheduler profile "${profile.schedulerName}": plugin "${name}" does not exist`);
        p = f(args.get(name), this);
        this.plugins.set(name, p);
      }
      return p;
    };
    const args = new Map((profile.pluginConfig ?? []).map((pc) => [pc.name, pc.args]));
    const enabled = resolvePlugins(profile, (name, point) => implementsPoint(instance(name), point));
    for (const point of Object.keys(enabled) as ExtensionPoint[]) {
      for (const ref of enabled[point]) {
        const p = instance(ref.name);
        if (!implementsPoint(p, point)) throw new Error(`plugin "${ref.name}" does not extend ${point} plugin`);
        switch (point) {
          case 'queueSort': this.queueSortPlugin ??= p as QueueSortPlugin; break;
          case 'preFilter': this.preFilterPlugins.push(p as PreFilterPlugin); break;
          case 'filter': this.filterPlugins.push(p as FilterPlugin); break;
          case 'postFilter': this.postFilterPlugins.push(p as PostFilterPlugin); break;
          case 'preScore': this.preScorePlugins.push(p as PreScorePlugin); break;
          case 'score': this.scorePlugins.push({ plugin: p as ScorePlugin, weight: ref.weight ?? 1 }); break;
          case 'reserve': this.reservePlugins.push(p as ReservePlugin); break;
          case 'permit': this.permitPlugins.push(p as PermitPlugin); break;
          case 'preBind': this.preBindPlugins.push(p as PreBindPlugin); break;
          case 'bind': this.bindPlugins.push(p as BindPlugin); break;
          case 'postBind': this.postBindPlugins.push(p as PostBindPlugin); break;
          case 'preEnqueue': break; // the queue applies scheduling gates itself
        }
      }
    }
    if (!this.queueSortPlugin) throw new Error(`profile "${profile.schedulerName}": no queue sort plugin is enabled`);
    if (this.bindPlugins.length === 0) throw new Error(`profile "${profile.schedulerName}": at least one bind plugin is needed`);
  }

  // ---- Handle ------------------------------------------------------------------------------

  snapshot(): NodeInfoLister { return this.deps.snapshot(); }
  nominatedPodsForNode(nodeName: string): PodInfo[] { return this.deps.nominatedPodsForNode(nodeName); }
  pdbs(): ReturnType<Handle['pdbs']> { return this.deps.pdbs(); }
  priorityClass(name: string): ReturnType<Handle['priorityClass']> { return this.deps.priorityClass(name); }
  namespaceLabels(ns: string): ReturnType<Handle['namespaceLabels']> { return this.deps.namespaceLabels(ns); }

  // ---- queue sort / events -----------------------------------------------------------------

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean { return this.queueSortPlugin!.less(a, b); }

  /** plugin name -> the cluster events it registered. */
  eventsToRegister(): Map<string, ClusterEventWithHint[]> {
    const out = new Map<string, ClusterEventWithHint[]>();
    for (const [name, p] of this.plugins) {
      const ext = p as Partial<EnqueueExtensions>;
      if (typeof ext.eventsToRegister === 'function') out.set(name, ext.eventsToRegister());
    }
    return out;
  }

  hasPostFilterPlugins(): boolean { return this.postFilterPlugins.length > 0; }
  hasScorePlugins(): boolean { return this.scorePlugins.length > 0; }

  // ---- filtering ---------------------------------------------------------------------------

  runPreFilterPlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: MaybeStatus; narrowedBy?: string[] } {
    let result: PreFilterResult | undefined;
    let returnStatus: MaybeStatus = null;
    const narrowedBy: string[] = [];
    for (const p of this.preFilterPlugins) {
      let r: { result?: PreFilterResult; status: MaybeStatus };
      try { r = p.preFilter(state, pod, nodes); } catch (e) { r = { status: Status.error(e as Error) }; }
      if (isSkip(r.status)) { state.skipFilterPlugins.add(p.name); continue; }
      if (!isSuccess(r.status)) {
        const s = r.status!;
        s.withPlugin(p.name);
        // Unresolvable: preemption cannot help, stop. Unschedulable: run the rest, as a later
        // plugin may find the pod unresolvable (upstream #119770).
        if (s.code === Code.UnschedulableAndUnresolvable) return { status: s };
        if (s.code === Code.Unschedulable) { returnStatus ??= s; continue; }
        return { status: Status.error(`running PreFilter plugin "${p.name}": ${s.message()}`).withPlugin(p.name) };
      }
      if (r.result?.nodeNames) {
        narrowedBy.push(p.name);
        result = { nodeNames: result?.nodeNames ? new Set([...result.nodeNames].filter((n) => r.result!.nodeNames!.has(n))) : new Set(r.result.nodeNames) };
        if (result.nodeNames!.size === 0) {
          const msg = narrowedBy.length === 1 ? `node(s) didn't satisfy plugin ${narrowedBy[0]}` : `node(s) didn't satisfy plugin(s) [${narrowedBy.join(' ')}] simultaneously`;
          return { result, status: Status.unresolvable(msg).withPlugin(p.name), narrowedBy };
        }
      }
    }
    return { result, status: returnStatus, narrowedBy };
  }

  runFilterPlugins(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    for (const p of this.filterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      let s: MaybeStatus;
      try { s = p.filter(state, pod, nodeInfo); } catch (e) { s = Status.error(e as Error); }
      if (!isSuccess(s)) {
        s!.withPlugin(p.name);
        if (s!.code === Code.Error) return Status.error(`running "${p.name}" filter plugin: ${s!.message()}`).withPlugin(p.name);
        return s;
      }
    }
    return null;
  }

  runPreFilterExtensionAddPod(state: CycleState, podToSchedule: Pod, podInfoToAdd: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.addPod(state, podToSchedule, podInfoToAdd, nodeInfo);
      if (!isSuccess(s)) return Status.error(`running AddPod on PreFilter plugin "${p.name}": ${s!.message()}`);
    }
    return null;
  }

  runPreFilterExtensionRemovePod(state: CycleState, podToSchedule: Pod, podInfoToRemove: PodInfo, nodeInfo: NodeInfo): MaybeStatus {
    for (const p of this.preFilterPlugins) {
      if (state.skipFilterPlugins.has(p.name)) continue;
      const ext = p.preFilterExtensions?.();
      if (!ext) continue;
      const s = ext.removePod(state, podToSchedule, podInfoToRemove, nodeInfo);
      if (!isSuccess(s)) return Status.error(`running RemovePod on PreFilter plugin "${p.name}": ${s!.message()}`);
    }
    return null;
  }

  /** Nominated pods of equal or higher priority count as already running on the node. */
  private addNominatedPods(pod: Pod, state: CycleState, nodeInfo: NodeInfo): { added: boolean; state: CycleState; nodeInfo: NodeInfo; status?: Status } {
    const nominated = this.nominatedPodsForNode(nodeInfo.name);
    if (nominated.length === 0) return { added: false, state, nodeInfo };
    const ni = nodeInfo.clone();
    const st = state.clone();
    let added = false;
    for (const p of nominated) {
      if (priorityOf(p.pod) >= priorityOf(pod) && p.pod.metadata.uid !== pod.metadata.uid) {
        ni.addPod(p);
        const s = this.runPreFilterExtensionAddPod(st, pod, p, ni);
        if (!isSuccess(s)) return { added: false, state, nodeInfo, status: s! };
        added = true;
      }
    }
    return { added, state: st, nodeInfo: ni };
  }

  /** Filter twice when nominated pods exist: with them (must fit beside them) and without (must not rely on them). */
  runFilterPluginsWithNominatedPods(state: CycleState, pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    let status: MaybeStatus = null;
    let podsAdded = false;
    for (let i = 0; i < 2; i++) {
      let st = state;
      let ni = nodeInfo;
      if (i === 0) {
        const r = this.addNominatedPods(pod, state, nodeInfo);
        if (r.status) return r.status;
        podsAdded = r.added;
        st = r.state;
        ni = r.nodeInfo;
      } else if (!podsAdded || !isSuccess(status)) {
        break;
      }
      status = this.runFilterPlugins(st, pod, ni);
      if (!isSuccess(status) && !status!.isUnschedulable()) return status;
    }
    return status;
  }

  async runPostFilterPlugins(state: CycleState, pod: Pod, m: NodeToStatusMap): Promise<{ result: PostFilterResult | null; status: MaybeStatus }> {
    const reasons: string[] = [];
    let last: MaybeStatus = Status.unschedulable();
    for (const p of this.postFilterPlugins) {
      let r: { result: PostFilterResult | null; status: MaybeStatus };
      try { r = await p.postFilter(state, pod, m); } catch (e) { r = { result: null, status: Status.error(e as Error) }; }
      if (isSuccess(r.status)) return r;
      if (r.status!.code === Code.Error) return { result: null, status: r.status!.withPlugin(p.name) };
      reasons.push(...r.status!.reasons);
      last = r.status!.withPlugin(p.name);
    }
    return { result: null, status: reasons.length ? new Status(last!.code, reasons).withPlugin(last!.plugin) : last };
  }

  // ---- scoring -----------------------------------------------------------------------------

  runPreScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): MaybeStatus {
    for (const p of this.preScorePlugins) {
      let s: MaybeStatus;
      try { s = p.preScore(state, pod, nodes); } catch (e) { s = Status.error(e as Error); }
      if (isSkip(s)) { state.skipScorePlugins.add(p.name); continue; }
      if (!isSuccess(s)) return Status.error(`running PreScore plugin "${p.name}": ${s!.message()}`).withPlugin(p.name);
    }
    return null;
  }

  /** Weighted sum per node. */
  runScorePlugins(state: CycleState, pod: Pod, nodes: NodeInfo[]): { scores: NodeScore[]; status: MaybeStatus } {
    const totals = nodes.map((n) => ({ name: n.name, score: 0 }));
    for (const { plugin, weight } of this.scorePlugins) {
      if (state.skipScorePlugins.has(plugin.name)) continue;
      const scores: NodeScore[] = new Array(nodes.length);
      for (let i = 0; i < nodes.length; i++) {
        let r: { score: number; status: MaybeStatus };
        try { r = plugin.score(state, pod, nodes[i]!); } catch (e) { r = { score: 0, status: Status.error(e as Error) }; }
        if (!isSuccess(r.status)) return { scores: [], status: Status.error(`running Score plugin "${plugin.name}": ${r.status!.message()}`).withPlugin(plugin.name) };
        scores[i] = { name: nodes[i]!.name, score: r.score };
      }
      const ext = plugin.scoreExtensions?.();
      if (ext) {
        const s = ext.normalizeScore(state, pod, scores);
        if (!isSuccess(s)) return { scores: [], status: Status.error(`running Normalize on Score plugin "${plugin.name}": ${s!.message()}`).withPlugin(plugin.name) };
      }
      for (let i = 0; i < scores.length; i++) {
        const sc = scores[i]!.score;
        if (sc > MAX_NODE_SCORE || sc < MIN_NODE_SCORE) {
          return { scores: [], status: Status.error(`plugin "${plugin.name}" returns an invalid score ${sc}, it should in the range of [${MIN_NODE_SCORE}, ${MAX_NODE_SCORE}] after normalizing`) };
        }
        totals[i]!.score += sc * weight;
      }
    }
    return { scores: totals, status: null };
  }

  // ---- reserve / permit / bind -------------------------------------------------------------

  runReservePluginsReserve(state: CycleState, pod: Pod, nodeName: string): MaybeStatus {
    for (const p of this.reservePlugins) {
      let s: MaybeStatus;
      try { s = p.reserve(state, pod, nodeName); } catch (e) { s = Status.error(e as Error); }
      if (!isSuccess(s)) return s!.withPlugin(p.name);
    }
    return null;
  }

  runReservePluginsUnreserve(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of [...this.reservePlugins].reverse()) {
      try { p.unreserve(state, pod, nodeName); } catch { /* unreserve must not fail the cycle */ }
    }
  }

  /** Returns Wait when some plugin asked to wait (then waitOnPermit resolves the outcome). */
  runPermitPlugins(state: CycleState, pod: Pod, nodeName: string): MaybeStatus {
    const waits: Array<{ plugin: string; ms: number }> = [];
    for (const p of this.permitPlugins) {
      let r: { status: MaybeStatus; timeoutMs: number };
      try { r = p.permit(state, pod, nodeName); } catch (e) { r = { status: Status.error(e as Error), timeoutMs: 0 }; }
      if (isSuccess(r.status)) continue;
      if (r.status!.code === Code.Wait) { waits.push({ plugin: p.name, ms: Math.min(r.timeoutMs, 15 * 60_000) }); continue; }
      if (r.status!.isUnschedulable()) return r.status!.withPlugin(p.name);
      return Status.error(`running Permit plugin "${p.name}": ${r.status!.message()}`).withPlugin(p.name);
    }
    if (waits.length === 0) return null;
    // One timer per waiting plugin, as upstream's waitingPod: the first to expire rejects the pod.
    const uid = pod.metadata.uid ?? '';
    let resolve!: (s: MaybeStatus) => void;
    const w: Waiting = { done: new Promise<MaybeStatus>((r) => { resolve = r; }), settled: false, finish: (s) => {
      if (w.settled) return;
      w.settled = true;
      for (const t of timers) t.cancel();
      resolve(s);
    } };
    const timers = waits.map((x) => this.clock.after(x.ms, () => {
      w.finish(Status.unschedulable(`rejected due to timeout after waiting ${formatGoDuration(x.ms)} at plugin ${x.plugin}`).withPlugin(x.plugin));
    }));
    this.waiting.set(uid, w);
    return new Status(Code.Wait);
  }

  /** Allows (null) or rejects a waiting pod (for Permit plugins that coordinate groups of pods). */
  signalWaitingPod(uid: string, status: MaybeStatus): boolean {
    const w = this.waiting.get(uid);
    if (!w || w.settled) return false;
    w.finish(status);
    return true;
  }

  async waitOnPermit(pod: Pod): Promise<MaybeStatus> {
    const uid = pod.metadata.uid ?? '';
    const w = this.waiting.get(uid);
    if (!w) return null;
    const s = await w.done;
    this.waiting.delete(uid);
    return s;
  }

  async runPreBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus> {
    for (const p of this.preBindPlugins) {
      let s: MaybeStatus;
      try { s = await p.preBind(state, pod, nodeName); } catch (e) { s = Status.error(e as Error); }
      if (!isSuccess(s)) return s!.withPlugin(p.name);
    }
    return null;
  }

  async runBindPlugins(state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus> {
    let status: MaybeStatus = Status.skip();
    for (const p of this.bindPlugins) {
      try { status = await p.bind(state, pod, nodeName); } catch (e) { status = Status.error(e as Error); }
      if (isSkip(status)) continue;
      if (!isSuccess(status)) return status!.withPlugin(p.name);
      return null;
    }
    return status;
  }

  runPostBindPlugins(state: CycleState, pod: Pod, nodeName: string): void {
    for (const p of this.postBindPlugins) {
      try { p.postBind(state, pod, nodeName); } catch { /* informational only */ }
    }
  }

  newCycleState(): CycleState { return new CycleState(); }
}
