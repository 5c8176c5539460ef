// The probe manager (pkg/kubelet/prober/prober_manager.go): one worker per container probe, cached
// results per container instance, and UpdatePodStatus filling containerStatuses[].ready/.started.
import { realClock, type Clock, type Container, type EventRecorder, type Pod, type PodStatus, type Timer } from '@kube-ts/client';
import type { Logger } from 'pino';
import type { RuntimeService } from '../cri/types.js';
import { unrefTimeout } from './outcome.js';
import { Prober } from './prober.js';
import { ResultsStore } from './results.js';
import { bareContainerId, containerStatusesOf, initContainerStatusesOf, probeOf, type ProbeResult, type ProbeType, type ProbedContainerStatus } from './types.js';
import { ProbeWorker, type WorkerHost } from './worker.js';

export interface ProberDeps {
  runtime: RuntimeService;
  recorder?: EventRecorder;
  clock?: Clock;
  logger: Logger;
  /** The kubelet's latest computed status for the pod (containerStatuses with containerID "containerd://<id>",
   *  state.running.startedAt, podIP); workers read it each period. */
  getPodStatus(podUid: string): PodStatus | undefined;
  /** Called when a result changes (readiness flip, liveness/startup failure) so the kubelet re-syncs the pod. */
  onResult(podUid: string): void;
}

/** The real clock with unref'd timers: probe loops never keep the kubelet process alive. */
const unrefClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const t = unrefTimeout(ms, fn);
    return { cancel: () => clearTimeout(t) };
  },
  sleep(ms, signal) {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const t: Timer = unrefClock.after(ms, done);
      function done(): void {
        t.cancel();
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
  },
};

const key = (podUid: string, containerName: string, type: ProbeType): string => `${podUid}/${containerName}/${type}`;

/** Probe types in the order upstream starts their workers. */
const TYPES: ProbeType[] = ['startup', 'readiness', 'liveness'];

export class ProbeManager {
  private readonly workers = new Map<string, ProbeWorker>();
  private readonly host: WorkerHost;
  private readonly results = new ResultsStore();

  constructor(private readonly deps: ProberDeps) {
    const clock = !deps.clock || deps.clock === realClock ? unrefClock : deps.clock;
    const log = deps.logger;
    const results = this.results;
    this.host = {
      clock,
      log,
      results,
      prober: new Prober(deps.runtime, deps.recorder, log),
      startedAt: clock.now(),
      getPodStatus: (uid) => deps.getPodStatus(uid),
      isStarted: (uid, name, id) => this.isStarted(uid, name, id),
      resultChanged: (uid, type, result) => this.resultChanged(uid, type, result),
      workerExited: (w) => {
        const k = key(w.podUid, w.container.name, w.type);
        if (this.workers.get(k) === w) this.workers.delete(k);
      },
    };
  }

  /** Starts one worker per (container, probe type) that has a probe; sidecars (restartable init containers) included. */
  addPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const containers: Container[] = [...pod.spec.containers, ...(pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    for (const c of containers) {
      for (const type of TYPES) {
        const probe = probeOf(c, type);
        if (!probe) continue;
        const k = key(uid, c.name, type);
        const existing = this.workers.get(k);
        if (existing) {
          // Probes cannot change on a pod; keep the newest object for its metadata (deletionTimestamp).
          existing.pod = pod;
          continue;
        }
        const w = new ProbeWorker(this.host, type, pod, c, probe);
        this.workers.set(k, w);
        w.start();
      }
    }
  }

  /** Stops the pod's workers (and drops their results). */
  removePod(podUid: string): void {
    for (const [k, w] of this.workers) {
      if (w.podUid !== podUid) continue;
      w.stop();
      this.workers.delete(k);
    }
  }

  /** While a pod terminates only readiness keeps probing (upstream StopLivenessAndStartup). */
  stopLivenessAndStartup(podUid: string): void {
    for (const [k, w] of this.workers) {
      if (w.podUid !== podUid || w.type === 'readiness') continue;
      w.stop();
      this.workers.delete(k);
    }
  }

  /** Stops workers of pods not in `desired` (upstream CleanupPods). */
  cleanupPods(desired: ReadonlySet<string>): void {
    for (const uid of new Set([...this.workers.values()].map((w) => w.podUid))) if (!desired.has(uid)) this.removePod(uid);
  }

  /**
   * Fills containerStatuses[].ready and .started in place from results, as upstream UpdatePodStatus
   * does (ready only if running and readiness Success or no readiness probe; started from startup results).
   */
  updatePodStatus(pod: Pod, status: PodStatus): void {
    const uid = pod.metadata.uid ?? '';
    for (const c of containerStatusesOf(status)) this.fillStatus(uid, c);
    const inits = pod.spec.initContainers ?? [];
    for (const c of initContainerStatusesOf(status)) {
      const spec = inits.find((i) => i.name === c.name);
      if (spec?.restartPolicy === 'Always') {
        this.fillStatus(uid, c);
        continue;
      }
      c.started = this.startedOf(uid, c);
      // Regular init containers are ready once they exited successfully.
      c.ready = c.state?.terminated !== undefined && (c.state.terminated.exitCode ?? 0) === 0;
    }
  }

  /** Latest result for a container instance (containerID without the runtime prefix); undefined = none yet. */
  result(type: ProbeType, containerId: string): ProbeResult | undefined {
    return this.results.get(type, containerId);
  }

  /** Stops every worker. */
  stop(): void {
    for (const w of this.workers.values()) w.stop();
    this.workers.clear();
  }

  /** Number of live workers (tests, metrics). */
  workerCount(): number {
    return this.workers.size;
  }

  private fillStatus(uid: string, c: ProbedContainerStatus): void {
    const started = this.startedOf(uid, c);
    c.started = started;
    if (!started) {
      c.ready = false;
      return;
    }
    const id = bareContainerId(c.containerID);
    if (this.results.get('readiness', id) === 'Success') {
      c.ready = true;
      return;
    }
    const w = this.workers.get(key(uid, c.name, 'readiness'));
    c.ready = w === undefined; // no readiness probe: ready as soon as it runs
    // Not ready yet: probe again now rather than a period later.
    w?.trigger();
  }

  private startedOf(uid: string, c: ProbedContainerStatus): boolean {
    if (!c.state?.running) return false;
    return this.isStarted(uid, c.name, bareContainerId(c.containerID));
  }

  private isStarted(uid: string, name: string, id: string): boolean {
    const r = this.results.get('startup', id);
    if (r !== undefined) return r === 'Success';
    return !this.workers.has(key(uid, name, 'startup'));
  }

  private resultChanged(uid: string, type: ProbeType, result: ProbeResult): void {
    // The kubelet acts on readiness and startup changes, and on liveness only when it fails.
    if (type === 'liveness' && result !== 'Failure') return;
    try {
      this.deps.onResult(uid);
    } catch (err) {
      this.deps.logger.error({ err, podUID: uid, probeType: type }, 'onResult failed');
    }
  }
}
