// NodeStatusManager: registration (registerWithAPIServer / tryRegisterWithAPIServer /
// initialNode), the node status loop (syncNodeStatus every nodeStatusUpdateFrequency, PATCHing
// nodes/<n>/status only when something changed or nodeStatusReportFrequency passed), the fast
// status update after startup (until Ready), the runtime-up loop (CRI Status every 5s), and the
// node Lease heartbeat.
import type { Logger } from 'pino';
import {
  getReference, isAlreadyExists, R, realClock,
  type Clock, type EventRecorder, type Node, type ObjectReference, type RestClient, type Timer,
} from '@kube-ts/client';
import type { ImageService, RuntimeService } from '../cri/types.js';
import type { KubeletSettings } from '../config/types.js';
import { defaultHostIP, readMachineInfo, type MachineInfo } from './machine.js';
import { NodeLeaseController } from './lease.js';
import { nodeStatusHasChanged, nodeStatusPatch } from './patch.js';
import { RuntimeState, updateRuntimeUp } from './runtimestate.js';
import { DEFAULT_SETTERS, type EventType, type StatusInputs } from './setters.js';

export interface NodeStatusDeps {
  rest: RestClient;
  settings: KubeletSettings;
  runtime: RuntimeService & ImageService;
  clock?: Clock;
  logger: Logger;
  recorder?: EventRecorder;
  kubeletPort: number;
  /** From the eviction manager; absent = no pressure. */
  pressure?(): { memory: boolean; disk: boolean; pid: boolean };
  /** Called when spec.podCIDR is first seen/changes (the kubelet forwards it to CRI UpdateRuntimeConfig). */
  onPodCIDR?(cidr: string): void;
  /** Host facts (tests inject fixed ones); default reads /proc, /sys, /etc and statfs(rootDir). */
  machineInfo?(): Promise<MachineInfo>;
  /** InternalIP when --node-ip is not set; default: the default route's IPv4, else 127.0.0.1. */
  hostIP?(): Promise<string>;
  random?: () => number;
}

const NODE_STATUS_UPDATE_RETRY = 5;
const RUNTIME_UP_PERIOD_MS = 5000;
const FAST_STATUS_PERIOD_MS = 100;
const NODE_READY_GRACE_PERIOD_MS = 120_000;
const ARCH = process.arch === 'x64' ? 'amd64' : process.arch;

/** The labels registration reconciles on an existing Node (updateDefaultLabels). */
const DEFAULT_LABELS = [
  'kubernetes.io/hostname', 'topology.kubernetes.io/zone', 'topology.kubernetes.io/region',
  'failure-domain.beta.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/region',
  'node.kubernetes.io/instance-type', 'beta.kubernetes.io/instance-type',
  'kubernetes.io/os', 'kubernetes.io/arch', 'beta.kubernetes.io/os', 'beta.kubernetes.io/arch',
];
const CMAD_ANNOTATION = 'volumes.kubernetes.io/controller-managed-attach-detach';

export class NodeStatusManager {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly s: KubeletSettings;
  private readonly runtimeState: RuntimeState;
  private readonly lease: NodeLeaseController;
  private readonly nodeRef: ObjectReference;
  private last: Node | undefined;
  private registered = false;
  private stopped = true;
  private readonly timers = new Set<Timer>();
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  /** Serializes status passes (syncNodeStatusMux). */
  private mutex: Promise<void> = Promise.resolve();
  private lastStatusReportTime = 0;
  private delayAfterNodeStatusChange = 0;
  private podCIDRs = '';
  private machine: MachineInfo | undefined;
  private machineReadAt = 0;

  constructor(private readonly deps: NodeStatusDeps) {
    this.clock = deps.clock ?? realClock;
    this.log = deps.logger;
    this.s = deps.settings;
    this.runtimeState = new RuntimeState(this.clock);
    // The kubelet's nodeRef: kind and name, and the node name as uid (what describe node looks up).
    this.nodeRef = getReference({ kind: 'Node', metadata: { name: this.s.nodeName, uid: this.s.nodeName } });
    this.lease = new NodeLeaseController({
      rest: deps.rest,
      nodeName: this.s.nodeName,
      leaseDurationSeconds: this.s.config.nodeLeaseDurationSeconds,
      renewIntervalMs: this.s.nodeLeaseRenewIntervalMs,
      clock: this.clock,
      logger: deps.logger.child({ component: 'nodelease' }),
      random: deps.random,
    });
  }

  /** The last Node read from or written to the apiserver. */
  node(): Node | undefined { return this.last; }

  /** The node Lease heartbeat (started by start()). */
  leaseController(): NodeLeaseController { return this.lease; }

  private nodes() { return this.deps.rest.resource<Node>(R.nodes); }

  private record(type: EventType, reason: string, message: string): void {
    this.deps.recorder?.event(this.nodeRef, type, reason, message);
  }

  private async locked<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.mutex;
    let release!: () => void;
    this.mutex = new Promise<void>((r) => { release = r; });
    await prev;
    try { return await fn(); } finally { release(); }
  }

  /** Host facts, re-read at most every 10s (cAdvisor caches MachineInfo). */
  private async machineInfo(): Promise<MachineInfo | undefined> {
    const now = this.clock.now();
    if (this.machine && now - this.machineReadAt < 10_000) return this.machine;
    try {
      this.machine = await (this.deps.machineInfo ? this.deps.machineInfo() : readMachineInfo(this.s.rootDir));
      this.machineReadAt = now;
    } catch (err) {
      this.log.error({ err }, 'Error getting machine info');
    }
    return this.machine;
  }

  private async gatherInputs(): Promise<StatusInputs> {
    const cfg = this.s.config;
    const [machine, version, images, ip] = await Promise.all([
      this.machineInfo(),
      this.deps.runtime.version().catch((err: unknown) => { this.log.error({ err }, 'Error getting runtime version'); return undefined; }),
      this.deps.runtime.listImages().catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))),
      this.s.nodeIPs.length ? Promise.resolve(undefined) : (this.deps.hostIP ?? defaultHostIP)(),
    ]);
    return {
      now: this.clock.now(),
      nodeName: this.s.nodeName,
      hostname: this.s.hostname,
      nodeIPs: this.s.nodeIPs.length ? this.s.nodeIPs : [ip ?? '127.0.0.1'],
      machine,
      maxPods: cfg.maxPods,
      podsPerCore: cfg.podsPerCore,
      reservation: { systemReserved: cfg.systemReserved, kubeReserved: cfg.kubeReserved, evictionHard: cfg.evictionHard },
      localStorageCapacityIsolation: cfg.localStorageCapacityIsolation,
      runtime: version ? { name: version.runtimeName, version: version.runtimeVersion } : undefined,
      images,
      maxImages: cfg.nodeStatusMaxImages,
      kubeletPort: this.deps.kubeletPort,
      pressure: this.deps.pressure?.() ?? { memory: false, disk: false, pid: false },
      readyErrors: [...this.runtimeState.runtimeErrors(), ...this.runtimeState.networkErrors()],
      record: (type, reason, message) => this.record(type, reason, message),
    };
  }

  /** setNodeStatus: every setter runs; one failing is logged and the rest still apply. */
  private async setNodeStatus(node: Node): Promise<void> {
    const inp = await this.gatherInputs();
    for (const set of DEFAULT_SETTERS) {
      try { set(node, inp); } catch (err) { this.log.error({ err: String(err) }, 'Failed to set some node status fields'); }
    }
  }

  /** initialNode: labels, taints, attach/detach annotation, provider ID, then the status. */
  private async initialNode(): Promise<Node> {
    const cfg = this.s.config;
    const labels: Record<string, string> = {
      'kubernetes.io/hostname': this.s.hostname,
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': ARCH,
      'beta.kubernetes.io/os': 'linux',
      'beta.kubernetes.io/arch': ARCH,
    };
    for (const [k, v] of Object.entries(this.s.nodeLabels)) {
      if (k in labels) this.log.warn({ label: k, value: v, default: labels[k] }, 'the node label will overwrite default setting');
      labels[k] = v;
    }
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: this.s.nodeName, labels }, spec: {}, status: {} };
    if (cfg.registerWithTaints.length) node.spec!.taints = cfg.registerWithTaints.map((t) => ({ ...t }));
    if (cfg.enableControllerAttachDetach) node.metadata.annotations = { [CMAD_ANNOTATION]: 'true' };
    if (cfg.providerID) node.spec!.providerID = cfg.providerID;
    await this.setNodeStatus(node);
    return node;
  }

  /** Registers the node, retrying with backoff (100ms doubling to 7s) until it succeeds or stop(). */
  async register(): Promise<Node> {
    await updateRuntimeUp(this.deps.runtime, this.runtimeState, this.clock, this.log);
    let step = 100;
    for (;;) {
      if (this.abort.signal.aborted) throw new Error('node status manager stopped before the node registered');
      try {
        const node = this.s.config.registerNode ? await this.tryRegister() : await this.nodes().get(this.s.nodeName);
        if (node) {
          this.registered = true;
          this.last = node;
          return node;
        }
      } catch (err) {
        this.log.error({ err: String(err), node: this.s.nodeName }, 'Unable to register node with API server');
      }
      await this.clock.sleep(step, this.abort.signal);
      step = Math.min(step * 2, 7000);
    }
  }

  /** tryRegisterWithAPIServer: create; on AlreadyExists reconcile the existing Node. */
  private async tryRegister(): Promise<Node | undefined> {
    const node = await this.initialNode();
    this.log.info({ node: node.metadata.name }, 'Attempting to register node');
    try {
      const created = await this.nodes().create(node);
      this.log.info({ node: node.metadata.name }, 'Successfully registered node');
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    const existing = await this.nodes().get(this.s.nodeName);
    this.log.info({ node: this.s.nodeName }, 'Node was previously registered');
    const updated: Node = structuredClone(existing);
    let requiresUpdate = this.reconcileCMADAnnotation(node, updated);
    requiresUpdate = this.updateDefaultLabels(node, updated) || requiresUpdate;
    requiresUpdate = this.reconcileExtendedResources(updated) || requiresUpdate;
    requiresUpdate = this.reconcileHugePages(node, updated) || requiresUpdate;
    if (!requiresUpdate) return existing;
    const patch = nodeStatusPatch(existing, updated);
    return patch ? this.nodes().patch(this.s.nodeName, undefined, patch, 'strategic', { subresource: 'status' }) : existing;
  }

  private reconcileCMADAnnotation(initial: Node, existing: Node): boolean {
    const want = initial.metadata.annotations?.[CMAD_ANNOTATION];
    const have = existing.metadata.annotations?.[CMAD_ANNOTATION];
    if (want === have) return false;
    existing.metadata.annotations ??= {};
    if (want === undefined) delete existing.metadata.annotations[CMAD_ANNOTATION];
    else existing.metadata.annotations[CMAD_ANNOTATION] = want;
    return true;
  }

  private updateDefaultLabels(initial: Node, existing: Node): boolean {
    let needsUpdate = false;
    const labels = (existing.metadata.labels ??= {});
    for (const l of DEFAULT_LABELS) {
      const v = initial.metadata.labels?.[l];
      if (v === undefined) continue;
      if (labels[l] !== v) { labels[l] = v; needsUpdate = true; }
      if (labels[l] === '') delete labels[l];
    }
    return needsUpdate;
  }

  /** Extended resources (device plugins) start at zero until their plugins register again. */
  private reconcileExtendedResources(existing: Node): boolean {
    let changed = false;
    const st = (existing.status ??= {});
    for (const k of Object.keys(st.capacity ?? {})) {
      if (k.includes('/') && !k.startsWith('kubernetes.io/') && !k.includes('.kubernetes.io/') && !k.startsWith('requests.') && st.capacity![k] !== '0') {
        st.capacity![k] = '0';
        (st.allocatable ??= {})[k] = '0';
        changed = true;
      }
    }
    return changed;
  }

  private reconcileHugePages(initial: Node, existing: Node): boolean {
    let changed = false;
    const st = (existing.status ??= {});
    const want = initial.status?.capacity ?? {};
    for (const [k, v] of Object.entries(want)) {
      if (!k.startsWith('hugepages-') || st.capacity?.[k] === v) continue;
      (st.capacity ??= {})[k] = v;
      (st.allocatable ??= {})[k] = initial.status?.allocatable?.[k] ?? v;
      changed = true;
    }
    for (const k of Object.keys(st.capacity ?? {})) {
      if (k.startsWith('hugepages-') && !(k in want)) {
        delete st.capacity![k];
        delete st.allocatable?.[k];
        changed = true;
      }
    }
    return changed;
  }

  /** updateNode: podCIDR, the os/arch labels, the setters; whether anything changed. */
  private async updateNode(original: Node): Promise<{ node: Node; changed: boolean }> {
    const node: Node = structuredClone(original);
    let podCIDRChanged = false;
    const cidrs = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
    if (cidrs.length) {
      const joined = cidrs.join(',');
      if (joined !== this.podCIDRs) {
        this.log.info({ podCIDR: joined }, 'Updating Pod CIDR');
        this.podCIDRs = joined;
        podCIDRChanged = true;
        try { this.deps.onPodCIDR?.(joined); } catch (err) { this.log.error({ err }, 'Error updating pod CIDR'); }
      }
    }
    let labelsMissing = false;
    const labels = (node.metadata.labels ??= {});
    if (labels['kubernetes.io/os'] !== 'linux') { labels['kubernetes.io/os'] = 'linux'; labelsMissing = true; }
    if (labels['kubernetes.io/arch'] !== ARCH) { labels['kubernetes.io/arch'] = ARCH; labelsMissing = true; }
    await this.setNodeStatus(node);
    return { node, changed: podCIDRChanged || labelsMissing || nodeStatusHasChanged(original.status, node.status) };
  }

  private async patchNodeStatus(original: Node, node: Node): Promise<Node> {
    const patch = nodeStatusPatch(original, node);
    const updated = patch
      ? await this.nodes().patch(this.s.nodeName, undefined, patch, 'strategic', { subresource: 'status' })
      : original;
    this.lastStatusReportTime = this.clock.now();
    this.last = updated;
    return updated;
  }

  /** isUpdateStatusPeriodExperid: the report period plus a fixed random offset of +-50%. */
  private reportPeriodExpired(): boolean {
    if (this.lastStatusReportTime === 0) return false;
    if (this.delayAfterNodeStatusChange === 0) {
      this.delayAfterNodeStatusChange = this.s.nodeStatusReportFrequencyMs * (-0.5 + (this.deps.random ?? Math.random)());
    }
    return this.clock.now() - this.lastStatusReportTime >= this.s.nodeStatusReportFrequencyMs + this.delayAfterNodeStatusChange;
  }

  private async tryUpdateNodeStatus(): Promise<void> {
    const original = await this.nodes().get(this.s.nodeName);
    this.last = original;
    const { node, changed } = await this.updateNode(original);
    if (!changed && !this.reportPeriodExpired()) return;
    await this.patchNodeStatus(original, node);
  }

  /** syncNodeStatus: register if needed, then updateNodeStatus with up to 5 tries. */
  private async syncNodeStatus(): Promise<void> {
    await this.locked(async () => {
      if (!this.registered && this.s.config.registerNode) await this.register();
      for (let i = 0; i < NODE_STATUS_UPDATE_RETRY; i++) {
        try { await this.tryUpdateNodeStatus(); return; } catch (err) {
          this.log.error({ err: String(err) }, 'Error updating node status, will retry');
        }
      }
      this.log.error('Unable to update node status: update node status exceeds retry count');
    });
  }

  /** One runtime check and one status pass (tests; the loops do the same on their periods). */
  async syncNow(): Promise<void> {
    await updateRuntimeUp(this.deps.runtime, this.runtimeState, this.clock, this.log);
    await this.syncNodeStatus();
  }

  /**
   * fastNodeStatusUpdate: until the node is Ready (or 120s passed), check every 100ms whether the
   * runtime would make it Ready and patch at once when it does. True when done.
   */
  private async fastNodeStatusUpdate(timedOut: boolean): Promise<boolean> {
    if (timedOut) {
      this.log.error('Node not becoming ready in time after startup');
      return true;
    }
    return this.locked(async () => {
      const original = this.last;
      const ready = original?.status?.conditions?.find((c) => c.type === 'Ready');
      if (!original || !ready) return false;
      if (ready.status === 'True') return true;
      await updateRuntimeUp(this.deps.runtime, this.runtimeState, this.clock, this.log);
      const { node, changed } = await this.updateNode(original);
      if (!changed || node.status?.conditions?.find((c) => c.type === 'Ready')?.status !== 'True') return false;
      this.log.info('Fast updating node status as it just became ready');
      try { await this.patchNodeStatus(original, node); } catch (err) {
        this.log.error({ err: String(err) }, 'Error updating node status, will retry with syncNodeStatus');
        return 'retry' as const;
      }
      return true;
    }).then(async (r) => {
      if (r !== 'retry') return r;
      await this.syncNodeStatus();
      return true;
    });
  }

  /** Runs `fn` now and then `periodMs` (jittered by `jitter`) after each run ends, until stop(). */
  private every(periodMs: number, jitter: number, fn: () => Promise<boolean | void>): void {
    const run = (): void => {
      if (this.stopped) return;
      const p = fn().catch((err: unknown) => { this.log.error({ err: String(err) }, 'node status loop failed'); });
      this.inflight.add(p);
      void p.then((done) => {
        this.inflight.delete(p);
        if (this.stopped || done === true) return;
        const t = this.clock.after(periodMs * (1 + (this.deps.random ?? Math.random)() * jitter), () => { this.timers.delete(t); run(); });
        this.timers.add(t);
      });
    };
    run();
  }

  /** Starts the runtime-up, status, fast-status and lease loops. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const started = this.clock.now();
    this.every(RUNTIME_UP_PERIOD_MS, 0, () => updateRuntimeUp(this.deps.runtime, this.runtimeState, this.clock, this.log));
    this.every(this.s.nodeStatusUpdateFrequencyMs, 0.04, () => this.syncNodeStatus());
    this.every(FAST_STATUS_PERIOD_MS, 0, () => this.fastNodeStatusUpdate(this.clock.now() - started >= NODE_READY_GRACE_PERIOD_MS));
    this.lease.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    await Promise.all([...this.inflight, this.lease.stop()]);
  }
}
