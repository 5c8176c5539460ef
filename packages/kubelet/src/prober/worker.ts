// One probe loop for one (pod, container, probe type) (pkg/kubelet/prober/worker.go): probes every
// periodSeconds on the injected clock, never two probes at once, and stores a result once a run of
// equal results reaches its threshold. Liveness/startup failures put the worker on hold until the
// kubelet replaces the container (a new container ID), which also resets the worker.
import type { Clock, Container, Pod, PodStatus, Timer } from '@kube-ts/client';
import type { Logger } from 'pino';
import type { Prober } from './prober.js';
import type { ResultsStore } from './results.js';
import {
  bareContainerId,
  containerStatusesOf,
  initContainerStatusesOf,
  withDefaults,
  type DefaultedProbe,
  type ProbeResult,
  type ProbeType,
  type ProbedContainerStatus,
  type Probe,
} from './types.js';

/** What a worker needs from its manager. */
export interface WorkerHost {
  readonly clock: Clock;
  readonly prober: Prober;
  readonly results: ResultsStore;
  readonly log: Logger;
  /** When the manager was created: workers started soon after spread their first probe. */
  readonly startedAt: number;
  getPodStatus(podUid: string): PodStatus | undefined;
  /** Whether this container instance counts as started (startup probe passed or none). */
  isStarted(podUid: string, containerName: string, containerId: string): boolean;
  /** A stored result changed. */
  resultChanged(podUid: string, type: ProbeType, result: ProbeResult): void;
  /** The worker ended on its own (pod or container done) and left its results. */
  workerExited(w: ProbeWorker): void;
}

const INITIAL: Record<ProbeType, ProbeResult> = { readiness: 'Failure', liveness: 'Success', startup: 'Unknown' };

export class ProbeWorker {
  readonly spec: DefaultedProbe;
  readonly podUid: string;
  private containerId = '';
  private lastResult: ProbeResult | undefined;
  private resultRun = 0;
  private onHold = false;
  private timer: Timer | undefined;
  private running = false;
  private manualPending = false;
  private started = false;
  private stopped = false;
  private nextTick = 0;

  constructor(
    private readonly host: WorkerHost,
    readonly type: ProbeType,
    public pod: Pod,
    readonly container: Container,
    probe: Probe,
  ) {
    this.spec = withDefaults(probe);
    this.podUid = pod.metadata.uid ?? '';
  }

  get periodMs(): number {
    return this.spec.periodSeconds * 1000;
  }

  start(): void {
    const { clock } = this.host;
    // After a kubelet restart many workers start at once: spread their first probes over a period.
    const jitter = this.periodMs > clock.now() - this.host.startedAt ? Math.random() * this.periodMs : 0;
    this.timer = clock.after(jitter, () => {
      this.timer = undefined;
      this.started = true;
      this.nextTick = clock.now() + this.periodMs;
      void this.run();
    });
  }

  /** Runs a probe soon (readiness, when the kubelet asks for status): queued behind a running one. */
  trigger(): void {
    if (this.stopped) return;
    if (this.running || !this.started) {
      this.manualPending = true;
      return;
    }
    this.timer?.cancel();
    this.timer = undefined;
    queueMicrotask(() => void this.run());
  }

  /** Stops probing and drops this worker's result; a probe in flight is ignored when it returns. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
    if (this.containerId) this.host.results.remove(this.type, this.containerId);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  private async run(): Promise<void> {
    if (this.stopped || this.running) return;
    this.running = true;
    let keepGoing = true;
    try {
      keepGoing = await this.doProbe();
    } catch (err) {
      this.host.log.error({ err, podUID: this.podUid, containerName: this.container.name, probeType: this.type }, 'Probe worker crashed');
    } finally {
      this.running = false;
    }
    if (this.stopped) return;
    if (!keepGoing) {
      this.stop();
      this.host.workerExited(this);
      return;
    }
    this.scheduleNext();
  }

  /** Ticks stay on the grid of the first probe; one tick missed during a slow probe runs at once. */
  private scheduleNext(): void {
    const { clock } = this.host;
    const now = clock.now();
    if (this.manualPending || this.nextTick <= now) {
      if (!this.manualPending) this.nextTick += Math.max(1, Math.ceil((now - this.nextTick + 1) / this.periodMs)) * this.periodMs;
      this.manualPending = false;
      queueMicrotask(() => void this.run());
      return;
    }
    this.timer = clock.after(this.nextTick - now, () => {
      this.timer = undefined;
      this.nextTick += this.periodMs;
      void this.run();
    });
  }

  private findStatus(status: PodStatus): ProbedContainerStatus | undefined {
    const name = this.container.name;
    const c = containerStatusesOf(status).find((s) => s.name === name);
    if (c?.containerID) return c;
    const i = initContainerStatusesOf(status).find((s) => s.name === name);
    return i?.containerID ? i : undefined;
  }

  private setResult(result: ProbeResult): void {
    if (this.host.results.set(this.type, this.containerId, result)) this.host.resultChanged(this.podUid, this.type, result);
  }

  /** One iteration; false ends the worker. */
  private async doProbe(): Promise<boolean> {
    const { host } = this;
    const status = host.getPodStatus(this.podUid);
    if (!status) return true; // not created yet, or already gone
    if (status.phase === 'Failed' || status.phase === 'Succeeded') return false;

    const c = this.findStatus(status);
    if (!c) return true; // container not created yet, or deleted
    const id = bareContainerId(c.containerID);
    if (id !== this.containerId) {
      if (this.containerId) host.results.remove(this.type, this.containerId);
      this.containerId = id;
      this.lastResult = undefined;
      this.resultRun = 0;
      this.onHold = false;
      this.setResult(INITIAL[this.type]);
    }
    if (this.onHold) return true;

    const running = c.state?.running;
    if (!running) {
      this.setResult('Failure');
      // Keep watching unless the container ended for good.
      return !c.state?.terminated || (this.pod.spec.restartPolicy ?? 'Always') !== 'Never';
    }

    if (this.pod.metadata.deletionTimestamp && (this.type === 'liveness' || this.type === 'startup')) {
      // The pod is going away: leave a quiet success so nothing restarts it meanwhile.
      this.setResult('Success');
      return false;
    }

    const startedAt = running.startedAt ? Date.parse(running.startedAt) : NaN;
    if (Number.isFinite(startedAt) && Math.trunc((host.clock.now() - startedAt) / 1000) < this.spec.initialDelaySeconds) return true;

    // Our own startup results decide (what updatePodStatus reports), not a possibly stale status.
    const started = host.isStarted(this.podUid, this.container.name, id);
    // Startup probes stop once the container started; the others wait for it.
    if (started ? this.type === 'startup' : this.type !== 'startup') return true;

    const r = await host.prober.probe(this.type, this.spec, this.pod, status, this.container, id);
    if (this.stopped || this.containerId !== id) return true;
    if (r.error !== undefined) return true; // an errored probe leaves the state alone

    if (this.lastResult === r.result) this.resultRun++;
    else {
      this.lastResult = r.result;
      this.resultRun = 1;
    }
    if ((r.result === 'Failure' && this.resultRun < this.spec.failureThreshold) || (r.result === 'Success' && this.resultRun < this.spec.successThreshold)) {
      return true;
    }
    this.setResult(r.result);
    if ((this.type === 'liveness' || this.type === 'startup') && r.result === 'Failure') {
      // The kubelet restarts the container; probing it meanwhile would only race the kill.
      this.onHold = true;
      this.resultRun = 0;
    }
    return true;
  }
}
