// The kubelet: wires the pod sources (API watch of pods bound here, static manifests), pod workers,
// the CRI runtime manager, PLEG, probes, volumes, status, node status and lease, eviction, and the
// :10250 server. syncPod is level-triggered: each pass recomputes from the pod spec and what the
// runtime reports, so a restarted kubelet adopts running containers instead of restarting them.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Registry, collectDefaultMetrics, Histogram, Gauge } from 'prom-client';
import {
  buildConfig,
  EventBroadcaster,
  eventSinkFromRest,
  getReference,
  R,
  realClock,
  RestClient,
  SharedIndexInformer,
  unwrapTombstone,
  type Clock,
  type EventRecorder,
  type Pod,
  type PodCondition,
  type Service,
} from '@kube-ts/client';
import { CriClient } from './cri/client.js';
import { isStaticPod, podDesc, type KubeletPodStatus } from './api.js';
import { CgroupManager } from './cm/cgroups.js';
import { RuntimeManager } from './kuberuntime/manager.js';
import { readRuntimePod, type RuntimePod } from './kuberuntime/status.js';
import { serviceLinkEnv } from './kuberuntime/env.js';
import { GenericPLEG } from './pleg/generic.js';
import { PodWorkers, type WorkerResult } from './pod/workers.js';
import { StaticPodSource } from './pod/static.js';
import { MirrorClient } from './pod/mirror.js';
import { PodManager } from './podmanager.js';
import { StatusManager } from './status/manager.js';
import { generatePodStatus, KUBELET_CONDITIONS, kubeletConditions, withTransitionTimes, type Waiting } from './status/generate.js';
import { VolumeManager, VolumeSetupError, type PodVolume } from './volume/manager.js';
import { ProbeManager } from './prober/index.js';
import { StatsProvider } from './stats/index.js';
import { EvictionManager } from './eviction/index.js';
import { NodeStatusManager } from './nodestatus/index.js';
import { startKubeletServer } from './server/server.js';
import type { KubeletSettings } from './config/index.js';

export interface KubeletOptions {
  settings: KubeletSettings;
  logger: Logger;
  clock?: Clock;
}

/** Why a pod ended Failed by the kubelet's hand; conditions (DisruptionTarget) join the pod's own, as killPodNow does. */
interface Evicted { reason: string; message: string; conditions?: PodCondition[] }

const ACTIVE = (p: Pod): boolean => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export class Kubelet {
  readonly registry = new Registry();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly s: KubeletSettings;
  private rest!: RestClient;
  private cri!: CriClient;
  private recorder!: EventRecorder;
  private broadcaster!: EventBroadcaster;
  private readonly pods = new PodManager();
  private podInformer!: SharedIndexInformer<Pod>;
  private svcInformer!: SharedIndexInformer<Service>;
  private workers!: PodWorkers;
  private runtime!: RuntimeManager;
  private pleg!: GenericPLEG;
  private statusManager!: StatusManager;
  private volumes!: VolumeManager;
  private prober!: ProbeManager;
  private stats!: StatsProvider;
  private eviction!: EvictionManager;
  private nodeStatus!: NodeStatusManager;
  private staticSource: StaticPodSource | undefined;
  private mirror!: MirrorClient;
  private cgroups!: CgroupManager;
  private readonly waiting = new Map<string, Map<string, Waiting>>();
  private readonly admitted = new Set<string>();
  private readonly rejected = new Map<string, Evicted>();
  private readonly evicted = new Map<string, Evicted>();
  private readonly probed = new Set<string>();
  private readonly lastRefresh = new Map<string, number>();
  private readonly ac = new AbortController();
  private housekeepingTimer: NodeJS.Timeout | undefined;
  private server: { port: number; close(): Promise<void> } | undefined;
  private readonly startLatency: Histogram<string>;
  private readonly runningPods: Gauge<string>;
  private readonly firstSeen = new Map<string, number>();

  constructor(o: KubeletOptions) {
    this.s = o.settings;
    this.log = o.logger;
    this.clock = o.clock ?? realClock;
    collectDefaultMetrics({ register: this.registry });
    this.startLatency = new Histogram({
      name: 'kubelet_pod_start_duration_seconds',
      help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120],
      registers: [this.registry],
    });
    this.runningPods = new Gauge({ name: 'kubelet_running_pods', help: 'Number of pods that have a running pod sandbox', registers: [this.registry] });
  }

  get nodeName(): string {
    return this.s.nodeName;
  }

  private cfg(): KubeletSettings['config'] {
    return this.s.config;
  }

  private nodeIPs(): string[] {
    const n = this.nodeStatus?.node();
    const ips = (n?.status?.addresses ?? []).filter((a) => a.type === 'InternalIP').map((a) => a.address);
    if (ips.length) return ips;
    return this.s.nodeIP ? [this.s.nodeIP] : ['127.0.0.1'];
  }

  private allocatable(): Record<string, string> {
    const a = this.nodeStatus?.node()?.status?.allocatable ?? {};
    return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, String(v)]));
  }

  private memoryCapacity(): number {
    const m = this.nodeStatus?.node()?.status?.capacity?.['memory'];
    if (!m) return 0;
    const x = /^(\d+)Ki$/.exec(String(m));
    return x ? Number(x[1]) * 1024 : Number(m) || 0;
  }

  private event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    // Events of static pods go to the mirror pod, the object users can see.
    const target = isStaticPod(pod) ? (this.pods.mirrorOf(pod) ?? pod) : pod;
    this.recorder.event(getReference({ ...target, kind: 'Pod', apiVersion: 'v1' }, R.pods), type, reason, message);
  }

  async start(): Promise<void> {
    const s = this.s;
    const cfg = this.cfg();
    const clientCfg = buildConfig(s.kubeconfig);
    clientCfg.qps = cfg.kubeAPIQPS ?? 50;
    clientCfg.burst = cfg.kubeAPIBurst ?? 100;
    this.rest = new RestClient(clientCfg, { registry: this.registry });
    this.cri = new CriClient(s.containerRuntimeEndpoint, { requestTimeoutMs: s.runtimeRequestTimeoutMs });
    await this.waitForRuntime();
    await mkdir(join(s.rootDir, 'pods'), { recursive: true });
    this.broadcaster = new EventBroadcaster({ sink: eventSinkFromRest(this.rest), component: 'kubelet', host: s.nodeName, clock: this.clock, logger: this.log });
    this.recorder = this.broadcaster.newRecorder({ component: 'kubelet' });
    this.cgroups = new CgroupManager('/sys/fs/cgroup', cfg.cgroupRoot || '/');
    this.statusManager = new StatusManager(this.rest, this.log, (ns, name) => this.apiPod(ns, name));
    this.stats = new StatsProvider({
      runtime: this.cri,
      nodeName: s.nodeName,
      rootDir: s.rootDir,
      imageFsPath: s.rootDir,
      listPods: () => this.pods.list(),
      podCgroupPath: (p) => this.cgroups.podCgroup(p),
      clock: this.clock,
    });
    this.eviction = new EvictionManager(
      {
        evictionHard: cfg.evictionHard ?? {},
        evictionSoft: cfg.evictionSoft ?? {},
        evictionSoftGracePeriod: cfg.evictionSoftGracePeriod ?? {},
        evictionPressureTransitionPeriodMs: s.evictionPressureTransitionPeriodMs ?? 300_000,
        evictionMinimumReclaim: cfg.evictionMinimumReclaim ?? {},
        evictionMaxPodGracePeriod: cfg.evictionMaxPodGracePeriod ?? 0,
      },
      {
        stats: this.stats,
        activePods: () => this.pods.list().filter((p) => ACTIVE(p) && !this.evicted.has(p.metadata.uid ?? '')),
        clock: this.clock,
        logger: this.log,
        recorder: this.recorder,
        nodeRef: { name: s.nodeName },
        evictPod: (pod, grace, reason, message, conditions) => this.evictPod(pod, grace, reason, message, conditions),
      },
    );
    this.nodeStatus = new NodeStatusManager({
      rest: this.rest,
      settings: s,
      runtime: this.cri,
      clock: this.clock,
      logger: this.log,
      recorder: this.recorder,
      kubeletPort: cfg.port ?? 10250,
      pressure: () => ({
        memory: this.eviction.isUnderMemoryPressure(),
        disk: this.eviction.isUnderDiskPressure(),
        pid: this.eviction.isUnderPIDPressure(),
      }),
      onPodCIDR: (cidr) => void this.cri.updateRuntimeConfig(cidr).catch((err: unknown) => this.log.warn({ err }, 'UpdateRuntimeConfig failed')),
    });
    this.volumes = new VolumeManager({
      rest: this.rest,
      rootDir: s.rootDir,
      nodeName: s.nodeName,
      logger: this.log,
      clock: this.clock,
      nodeAllocatable: () => this.allocatable(),
    });
    this.prober = new ProbeManager({
      runtime: this.cri,
      recorder: { event: (obj, type, reason, message) => this.recorder.event(obj, type, reason, message) },
      clock: this.clock,
      logger: this.log,
      getPodStatus: (uid) => this.statusManager.get(uid),
      onResult: (uid) => this.workers.trigger(uid),
    });
    this.runtime = new RuntimeManager({
      runtime: this.cri,
      images: this.cri,
      clock: this.clock,
      logger: this.log,
      event: (pod, type, reason, message) => this.event(pod, type, reason, message),
      env: {
        rest: this.rest,
        nodeAllocatable: () => this.allocatable(),
        serviceEnv: (ns, links) => this.serviceEnv(ns, links),
      },
      sandbox: {
        podLogsDir: cfg.podLogsDir || '/var/log/pods',
        clusterDNS: cfg.clusterDNS ?? [],
        clusterDomain: cfg.clusterDomain || 'cluster.local',
        resolvConf: cfg.resolvConf || '/etc/resolv.conf',
      },
      rootDir: s.rootDir,
      memoryCapacity: () => this.memoryCapacity(),
      probeFailed: (type, id) => this.prober.result(type, id) === 'Failure',
      containerMounts: (pod, c, vols, env) => this.volumes.containerMounts(pod, c, vols, env),
    });
    this.workers = new PodWorkers((uid) => this.syncPod(uid), this.log);
    this.pleg = new GenericPLEG(this.cri, (uid) => this.workers.trigger(uid), this.log, 1000);
    this.mirror = new MirrorClient(this.rest, () => this.nodeStatus.node());

    await this.nodeStatus.register();
    this.nodeStatus.start();
    this.recorder.event(getReference({ apiVersion: 'v1', kind: 'Node', metadata: { name: s.nodeName, uid: s.nodeName } }, R.nodes), 'Normal', 'Starting', 'Starting kubelet.');

    this.podInformer = new SharedIndexInformer<Pod>(this.rest.resource<Pod>(R.pods), { fieldSelector: `spec.nodeName=${s.nodeName}`, logger: this.log });
    this.podInformer.addEventHandler({
      add: (p) => this.onApiPod(p),
      update: (_o, p) => this.onApiPod(p),
      delete: (x) => {
        const p = unwrapTombstone(x);
        const uid = this.pods.deleteApi(p);
        if (uid) this.workers.trigger(uid);
      },
    });
    this.svcInformer = new SharedIndexInformer<Service>(this.rest.resource<Service>(R.services), { logger: this.log });
    void this.podInformer.run(this.ac.signal);
    void this.svcInformer.run(this.ac.signal);
    await Promise.all([this.podInformer.waitForSync(this.ac.signal), this.svcInformer.waitForSync(this.ac.signal)]);

    if (s.staticPodPath) {
      this.staticSource = new StaticPodSource(s.staticPodPath, s.nodeName, s.fileCheckFrequencyMs ?? 20_000, (pods) => {
        for (const uid of this.pods.setStatic(pods)) this.workers.trigger(uid);
      }, this.log);
      await this.staticSource.start();
    }
    this.pleg.start();
    this.eviction.start(10_000);
    this.server = await startKubeletServer(
      {
        nodeName: s.nodeName,
        runtime: this.cri,
        getPodByName: (ns, name) => this.pods.getByName(ns, name),
        listPods: () => this.pods.list(),
        statsSummary: () => this.stats.summary(),
        healthChecks: () => ({ pleg: this.pleg.healthy() ? undefined : 'PLEG is not healthy' }),
        metricsRegistry: this.registry,
      },
      {
        address: cfg.address || '0.0.0.0',
        port: cfg.port ?? 10250,
        tlsCertFile: cfg.tlsCertFile || undefined,
        tlsPrivateKeyFile: cfg.tlsPrivateKeyFile || undefined,
        certDir: s.certDir,
        clientCAFile: cfg.authentication?.x509?.clientCAFile || undefined,
        logger: this.log,
      },
    );
    this.log.info({ port: this.server.port, node: s.nodeName }, 'kubelet serving');
    // Pods the runtime still has from before a restart get a worker (adopt or clean up).
    await this.pleg.relist();
    for (const uid of this.pleg.runtimeUids) this.workers.trigger(uid);
    this.housekeepingTimer = setInterval(() => void this.housekeeping(), 2_000).unref();
  }

  get port(): number {
    return this.server?.port ?? 0;
  }

  private async waitForRuntime(): Promise<void> {
    for (let i = 0; ; i++) {
      try {
        const v = await this.cri.version();
        this.log.info({ runtime: v.runtimeName, version: v.runtimeVersion, api: v.runtimeApiVersion }, 'container runtime ready');
        return;
      } catch (err) {
        if (i >= 60) throw new Error(`container runtime not reachable at ${this.s.containerRuntimeEndpoint}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  private apiPod(ns: string, name: string): Pod | undefined {
    return this.podInformer?.store.get(`${ns}/${name}`);
  }

  private onApiPod(p: Pod): void {
    const uid = this.pods.upsertApi(p);
    if (uid) {
      if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, this.clock.now());
      this.workers.trigger(uid);
    }
  }

  private serviceEnv(ns: string, links: boolean): Record<string, string> {
    const svcs = this.svcInformer.store.list().filter((s) => {
      const sns = s.metadata.namespace ?? 'default';
      if (sns === 'default' && s.metadata.name === 'kubernetes') return true;
      return links && sns === ns;
    });
    const env = serviceLinkEnv(
      svcs.map((s) => ({
        name: s.metadata.name ?? '',
        clusterIP: s.spec?.clusterIP ?? '',
        ports: (s.spec?.ports ?? []).map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
      })),
    );
    return env;
  }

  private async evictPod(pod: Pod, grace: number, reason: string, message: string, conditions?: PodCondition[]): Promise<boolean> {
    const uid = pod.metadata.uid ?? '';
    this.evicted.set(uid, { reason, message, conditions });
    const rp = await readRuntimePod(this.cri, uid);
    await this.runtime.killPod(pod, rp, grace);
    this.workers.trigger(uid);
    return true;
  }

  /** One pass for a pod: run it, terminate it, or clean up after it. */
  private async syncPod(uid: string): Promise<WorkerResult> {
    const pod = this.pods.get(uid);
    const rp = await readRuntimePod(this.cri, uid);
    if (!pod) return this.cleanupPod(uid, rp);
    if (isStaticPod(pod)) await this.syncMirror(pod);
    if (pod.metadata.deletionTimestamp) return this.terminatePod(pod, rp);
    const evicted = this.evicted.get(uid) ?? this.rejected.get(uid);
    if (evicted) return this.finishPod(pod, rp, 'Failed', evicted);
    const apiPhase = (this.apiPod(pod.metadata.namespace ?? 'default', pod.metadata.name!) ?? pod).status?.phase;
    if (apiPhase === 'Succeeded' || apiPhase === 'Failed') return this.finishPod(pod, rp, apiPhase, undefined);
    if (!this.admitted.has(uid)) {
      const r = this.eviction.admit(pod);
      if (!r.admit) {
        // Upstream rejectPod: the event carries the admit message, the status prefixes it.
        const rej = { reason: r.reason ?? 'UnexpectedAdmissionError', message: `Pod was rejected: ${r.message ?? ''}` };
        this.rejected.set(uid, rej);
        this.event(pod, 'Warning', rej.reason, r.message ?? '');
        return this.finishPod(pod, rp, 'Failed', rej);
      }
      this.admitted.add(uid);
    }
    if (!this.probed.has(uid)) {
      this.prober.addPod(pod);
      this.probed.add(uid);
    }
    const cgroupParent = await this.cgroups.ensurePod(pod);
    let volumes: Map<string, PodVolume>;
    try {
      volumes = await this.volumes.setUpPod(pod);
    } catch (err) {
      const msg = (err as Error).message;
      this.event(pod, 'Warning', err instanceof VolumeSetupError ? err.reason : 'FailedMount', msg);
      this.writeStatus(pod, rp, new Map());
      return { requeueAfterMs: 2_000 };
    }
    const now = this.clock.now();
    if (now - (this.lastRefresh.get(uid) ?? 0) > 5_000) {
      this.lastRefresh.set(uid, now);
      await this.volumes.refreshPod(pod).catch((err: unknown) => this.log.warn({ err, pod: podDesc(pod) }, 'volume refresh failed'));
    }
    const res = await this.runtime.syncPod(pod, rp, volumes, cgroupParent);
    this.waiting.set(uid, res.waiting);
    // Most periodic syncs change nothing: only re-read the runtime when this one acted.
    const rp2 = res.changed ? await readRuntimePod(this.cri, uid) : rp;
    const st = this.writeStatus(pod, rp2, res.waiting, res.podFailed ? 'Failed' : undefined);
    if (st.phase === 'Running' && this.firstSeen.has(uid)) {
      this.startLatency.observe((this.clock.now() - this.firstSeen.get(uid)!) / 1000);
      this.firstSeen.delete(uid);
    }
    if (st.phase === 'Succeeded' || st.phase === 'Failed') {
      await this.runtime.killPod(pod, rp2, 0);
      return {};
    }
    await this.runtime.pruneExited(rp2);
    const resync = this.s.syncFrequencyMs ?? 60_000;
    return { requeueAfterMs: Math.min(res.requeueAfterMs ?? resync, resync) };
  }

  private writeStatus(pod: Pod, rp: RuntimePod, waiting: Map<string, Waiting>, phase?: 'Failed' | 'Succeeded', why?: Evicted): KubeletPodStatus {
    const api = this.apiPod(pod.metadata.namespace ?? 'default', pod.metadata.name!) ?? pod;
    const base = { ...pod, status: api.status ?? pod.status };
    const st = generatePodStatus({ pod: base, runtime: rp, waiting, nodeIPs: this.nodeIPs(), now: this.clock.now() });
    if (phase) st.phase = phase;
    if (why) {
      st.reason = why.reason;
      st.message = why.message;
    }
    this.prober.updatePodStatus(pod, st);
    const sandboxReady = rp.sandboxes[0]?.state === 'SANDBOX_READY';
    const apiConds = (api.status?.conditions ?? []) as PodCondition[];
    const others = apiConds.filter((c) => !KUBELET_CONDITIONS.includes(c.type));
    // Conditions the kill adds (DisruptionTarget); the status manager keeps them from the API once written.
    const extra = (why?.conditions ?? []).filter((x) => !apiConds.some((c) => c.type === x.type && c.status === x.status));
    st.conditions = withTransitionTimes([...kubeletConditions(pod, st, sandboxReady, others), ...extra], apiConds, this.clock.now());
    this.statusManager.set(pod, st);
    return st;
  }

  /** A terminal pod (finished, evicted, rejected): everything stopped, final status written. */
  private async finishPod(pod: Pod, rp: RuntimePod, phase: 'Succeeded' | 'Failed', why: Evicted | undefined): Promise<WorkerResult> {
    const uid = pod.metadata.uid ?? '';
    this.prober.removePod(uid);
    this.probed.delete(uid);
    await this.runtime.killPod(pod, rp, undefined);
    const rp2 = await readRuntimePod(this.cri, uid);
    this.writeStatus(pod, rp2, this.waiting.get(uid) ?? new Map(), phase, why);
    return {};
  }

  /** Graceful deletion: kill with the deletion grace period, write the final status, delete for good. */
  private async terminatePod(pod: Pod, rp: RuntimePod): Promise<WorkerResult> {
    const uid = pod.metadata.uid ?? '';
    this.prober.removePod(uid);
    this.probed.delete(uid);
    await this.runtime.killPod(pod, rp, pod.metadata.deletionGracePeriodSeconds ?? undefined);
    const rp2 = await readRuntimePod(this.cri, uid);
    const st = this.writeStatus(pod, rp2, new Map());
    // A deleted pod ends terminal: Succeeded only if every container exited 0 (upstream getPhase with podIsTerminal).
    const allZero = (st.containerStatuses ?? []).every((c) => c.state.terminated?.exitCode === 0);
    const final = st.phase === 'Succeeded' || st.phase === 'Failed' ? st.phase : allZero ? 'Succeeded' : 'Failed';
    this.writeStatus(pod, rp2, new Map(), final);
    await this.volumes.tearDownPod(uid).catch((err: unknown) => this.log.warn({ err }, 'volume teardown failed'));
    for (let i = 0; i < 50 && !this.statusManager.synced(uid); i++) await new Promise((r) => setTimeout(r, 100));
    if (!isStaticPod(pod)) await this.statusManager.deletePod(pod);
    return {};
  }

  /** The pod is gone from every source: remove containers, sandboxes, volumes, cgroups, logs. */
  private async cleanupPod(uid: string, rp: RuntimePod): Promise<WorkerResult> {
    this.prober.removePod(uid);
    this.probed.delete(uid);
    if (rp.containers.some((c) => c.state === 'running') || rp.sandboxes.some((s) => s.state === 'SANDBOX_READY')) {
      await this.runtime.killPod(undefined, rp, 1);
    }
    await this.runtime.removePod(rp);
    await this.volumes.tearDownPod(uid).catch(() => undefined);
    const cg = (await this.cgroups.listPodUids()).get(uid);
    if (cg) await this.cgroups.removeByName(cg);
    await rm(join(this.s.rootDir, 'pods', uid), { recursive: true, force: true }).catch(() => undefined);
    this.statusManager.forget(uid);
    this.waiting.delete(uid);
    this.admitted.delete(uid);
    this.rejected.delete(uid);
    this.evicted.delete(uid);
    this.lastRefresh.delete(uid);
    this.firstSeen.delete(uid);
    return { done: true };
  }

  private async syncMirror(pod: Pod): Promise<void> {
    try {
      await this.mirror.ensure(pod, this.pods.mirrorOf(pod));
    } catch (err) {
      this.log.warn({ err, pod: podDesc(pod) }, 'could not create mirror pod');
    }
  }

  private async housekeeping(): Promise<void> {
    try {
      const known = new Set(this.pods.uids());
      const candidates = new Set<string>([...this.pleg.runtimeUids, ...(await this.cgroups.listPodUids()).keys(), ...(await this.volumes.listPodDirs())]);
      for (const uid of candidates) if (!known.has(uid)) this.workers.trigger(uid);
      // Mirror pods whose static pod is gone.
      for (const m of this.pods.mirrorPods()) {
        if (!this.pods.staticByKey(`${m.metadata.namespace ?? 'default'}/${m.metadata.name!}`)) await this.mirror.delete(m).catch(() => undefined);
      }
      this.runningPods.set(this.pleg.runtimeUids.size);
      this.runtime.backoff.gc();
    } catch (err) {
      this.log.warn({ err }, 'housekeeping failed');
    }
  }

  async stop(): Promise<void> {
    this.ac.abort();
    if (this.housekeepingTimer) clearInterval(this.housekeepingTimer);
    this.workers?.stop();
    this.pleg?.stop();
    this.prober?.stop();
    this.eviction?.stop();
    this.staticSource?.stop();
    await this.nodeStatus?.stop();
    await this.server?.close();
    this.cri?.close();
  }
}

