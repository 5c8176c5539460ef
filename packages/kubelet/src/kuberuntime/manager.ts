// Drives one pod's containers toward its spec (kuberuntime_manager.go SyncPod / computePodActions):
// sandbox (re)creation, init containers in order, regular containers with the restart policy and
// crash-loop back-off, liveness/startup restarts, graceful kills with preStop.
import { mkdir, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Clock, Container, Pod } from '@kube-ts/client';
import type { ImageService, Mount, PodSandboxConfig, RuntimeService } from '../cri/types.js';
import { containerLifecycle, isHostNetwork, isSidecar, podDesc, restartPolicyOf, type LifecycleHandler } from '../api.js';
import { isCriNotFound } from '../cri/client.js';
import type { PodVolume } from '../volume/manager.js';
import type { Waiting } from '../status/generate.js';
import { Backoff, goDuration } from './backoff.js';
import { containerConfig } from './container.js';
import { containerEnv, ContainerConfigError, type EnvDeps } from './env.js';
import { runHandler } from './hooks.js';
import { ImageManager, ImagePullError } from './images.js';
import { A_PRESTOP, containerHash } from './labels.js';
import { podHostname, sandboxConfig, type SandboxSettings } from './sandbox.js';
import type { RuntimeContainer, RuntimePod } from './status.js';

export type EventFn = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export interface RuntimeManagerDeps {
  runtime: RuntimeService;
  images: ImageService;
  clock: Clock;
  logger: Logger;
  event: EventFn;
  env: EnvDeps;
  sandbox: SandboxSettings;
  rootDir: string;
  memoryCapacity(): number;
  /** Liveness/startup result for a container instance: 'Failure' triggers a restart. */
  probeFailed(type: 'liveness' | 'startup', containerId: string): boolean;
  /** Mounts for a container from the pod's volumes. */
  containerMounts(pod: Pod, c: Container, volumes: Map<string, PodVolume>, env: Record<string, string>): Mount[];
}

export interface SyncResult {
  waiting: Map<string, Waiting>;
  /** The sync killed, created or started something (the runtime view is stale). */
  changed: boolean;
  /** Re-sync after this long (back-off expiry). */
  requeueAfterMs?: number;
  /** Init container failed with restartPolicy Never: the pod is Failed. */
  podFailed?: boolean;
}

interface Actions {
  createSandbox: boolean;
  attempt: number;
  killPod: boolean;
  kill: { rc: RuntimeContainer; message: string }[];
  start: { c: Container; type: 'init' | 'regular'; prev?: RuntimeContainer }[];
  podFailed: boolean;
}

const MIN_GRACE_SECONDS = 2;

export class RuntimeManager {
  readonly backoff: Backoff;
  private readonly imageManager: ImageManager;

  constructor(private readonly d: RuntimeManagerDeps) {
    this.backoff = new Backoff(d.clock);
    this.imageManager = new ImageManager(d.images, new Backoff(d.clock), () => d.clock.now());
  }

  private latest(rp: RuntimePod, name: string): RuntimeContainer | undefined {
    return rp.containers.find((c) => c.name === name);
  }

  computeActions(pod: Pod, rp: RuntimePod): Actions {
    const a: Actions = { createSandbox: false, attempt: 0, killPod: false, kill: [], start: [], podFailed: false };
    const policy = restartPolicyOf(pod);
    const sb = rp.sandboxes[0];
    const sandboxOk = sb?.state === 'SANDBOX_READY' && (isHostNetwork(pod) || !!sb.network?.ip);
    const inits = pod.spec.initContainers ?? [];
    const running = rp.containers.filter((c) => c.state === 'running');
    if (!sandboxOk) {
      // A Never pod whose sandbox died after its containers ran is done, not restarted.
      if (sb && policy === 'Never' && rp.containers.length > 0) {
        a.killPod = true;
        return a;
      }
      a.createSandbox = true;
      a.attempt = sb ? (sb.metadata.attempt ?? 0) + 1 : 0;
      a.kill = running.map((rc) => ({ rc, message: 'Pod sandbox changed, it will be killed and re-created.' }));
      if (inits.length) a.start.push({ c: inits[0]!, type: 'init', prev: this.latest(rp, inits[0]!.name) });
      else for (const c of pod.spec.containers) a.start.push({ c, type: 'regular', prev: this.latest(rp, c.name) });
      return a;
    }
    // Init containers: one at a time, in order; sidecars keep running once started.
    for (const c of inits) {
      const st = this.latest(rp, c.name);
      if (isSidecar(c)) {
        if (!st || st.state === 'exited' || st.state === 'unknown') {
          a.start.push({ c, type: 'init', prev: st });
          return a;
        }
        if (st.state === 'created') return a;
        continue;
      }
      if (!st) {
        a.start.push({ c, type: 'init' });
        return a;
      }
      if (st.state === 'running' || st.state === 'created') return a;
      if (st.exitCode === 0 && st.state === 'exited') continue;
      if (policy === 'Never') {
        a.podFailed = true;
        a.killPod = true;
        return a;
      }
      a.start.push({ c, type: 'init', prev: st });
      return a;
    }
    for (const c of pod.spec.containers) {
      const st = this.latest(rp, c.name);
      if (!st) {
        a.start.push({ c, type: 'regular' });
        continue;
      }
      if (st.state === 'running') {
        if (st.hash && st.hash !== containerHash(c)) {
          a.kill.push({ rc: st, message: `Container ${c.name} definition changed, will be restarted` });
        } else if (this.d.probeFailed('startup', st.id)) {
          a.kill.push({ rc: st, message: `Container ${c.name} failed startup probe, will be restarted` });
        } else if (this.d.probeFailed('liveness', st.id)) {
          a.kill.push({ rc: st, message: `Container ${c.name} failed liveness probe, will be restarted` });
        }
        continue;
      }
      if (st.state === 'created') {
        // Created but never started (kubelet died in between): replace it.
        a.kill.push({ rc: st, message: '' });
        a.start.push({ c, type: 'regular', prev: st });
        continue;
      }
      const restart = policy === 'Always' || (policy === 'OnFailure' && st.exitCode !== 0);
      if (restart) a.start.push({ c, type: 'regular', prev: st });
    }
    const names = new Set([...inits, ...pod.spec.containers].map((c) => c.name));
    for (const rc of running) {
      if (!names.has(rc.name)) a.kill.push({ rc, message: `Container ${rc.name} is not in the pod spec, it will be killed` });
    }
    return a;
  }

  /** One sync of a pod that should run. volumes must be set up already. */
  async syncPod(pod: Pod, rp: RuntimePod, volumes: Map<string, PodVolume>, cgroupParent: string): Promise<SyncResult> {
    const a = this.computeActions(pod, rp);
    const res: SyncResult = { waiting: new Map(), changed: a.killPod || a.createSandbox || a.kill.length > 0 || a.start.length > 0 };
    if (a.killPod) {
      await this.killPod(pod, rp, undefined);
      res.podFailed = a.podFailed;
      return res;
    }
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all(
      a.kill.map(async (k) => {
        if (k.message) this.d.event(pod, 'Normal', 'Killing', k.message);
        await this.killContainer(pod, k.rc, grace);
        if (k.rc.state === 'created') await this.d.runtime.removeContainer(k.rc.id).catch(() => undefined);
      }),
    );
    let sandboxId = rp.sandboxes[0]?.id ?? '';
    let podIP: string | undefined = rp.ips[0];
    const sbConfig = sandboxConfig(pod, a.attempt, cgroupParent, this.d.sandbox);
    if (a.createSandbox) {
      for (const s of rp.sandboxes) {
        if (s.state === 'SANDBOX_READY') await this.d.runtime.stopPodSandbox(s.id).catch(() => undefined);
      }
      await mkdir(sbConfig.logDirectory ?? '', { recursive: true });
      try {
        sandboxId = await this.d.runtime.runPodSandbox(sbConfig);
      } catch (err) {
        const msg = `Failed to create pod sandbox: ${(err as { details?: string }).details ?? (err as Error).message}`;
        this.d.event(pod, 'Warning', 'FailedCreatePodSandBox', msg);
        throw new Error(msg);
      }
      const st = await this.d.runtime.podSandboxStatus(sandboxId);
      podIP = st.network?.ip || undefined;
      await this.writeEtcHosts(pod, podIP);
    }
    const mounts = this.podMounts(pod);
    for (const s of a.start) {
      const w = await this.startContainer(pod, s.c, s.type, s.prev, sandboxId, sbConfig, volumes, podIP, await mounts);
      if (w) {
        res.waiting.set(s.c.name, w.waiting);
        if (w.retryMs !== undefined) res.requeueAfterMs = Math.min(res.requeueAfterMs ?? Infinity, w.retryMs);
      }
    }
    return res;
  }

  private podDir(pod: Pod): string {
    return join(this.d.rootDir, 'pods', pod.metadata.uid ?? '');
  }

  // Kubernetes-managed /etc/hosts (kubelet_pods.go managedHostsFileContent).
  private async writeEtcHosts(pod: Pod, podIP: string | undefined): Promise<void> {
    if (isHostNetwork(pod)) return;
    const { hostname, domain } = podHostname(pod);
    const lines = [
      '# Kubernetes-managed hosts file.',
      '127.0.0.1\tlocalhost',
      '::1\tlocalhost ip6-localhost ip6-loopback',
      'fe00::0\tip6-localnet',
      'fe00::0\tip6-mcastprefix',
      'fe00::1\tip6-allnodes',
      'fe00::2\tip6-allrouters',
    ];
    if (podIP) lines.push(domain ? `${podIP}\t${hostname}.${domain}.cluster.local\t${hostname}` : `${podIP}\t${hostname}`);
    const aliases = (pod.spec['hostAliases'] as { ip: string; hostnames?: string[] }[] | undefined) ?? [];
    if (aliases.length) {
      lines.push('', '# Entries added by HostAliases.');
      for (const h of aliases) lines.push(`${h.ip}\t${(h.hostnames ?? []).join('\t')}`);
    }
    await mkdir(this.podDir(pod), { recursive: true });
    await writeFile(join(this.podDir(pod), 'etc-hosts'), lines.join('\n') + '\n');
  }

  private async podMounts(pod: Pod): Promise<Mount[]> {
    if (isHostNetwork(pod)) return [];
    return [{ containerPath: '/etc/hosts', hostPath: join(this.podDir(pod), 'etc-hosts'), readonly: false }];
  }

  private backoffKey(pod: Pod, c: Container): string {
    return `${pod.metadata.name!}_${pod.metadata.namespace ?? 'default'}_${pod.metadata.uid ?? ''}_${c.name}_${containerHash(c)}`;
  }

  private async startContainer(
    pod: Pod,
    c: Container,
    type: 'init' | 'regular',
    prev: RuntimeContainer | undefined,
    sandboxId: string,
    sbConfig: PodSandboxConfig,
    volumes: Map<string, PodVolume>,
    podIP: string | undefined,
    podMounts: Mount[],
  ): Promise<{ waiting: Waiting; retryMs?: number } | undefined> {
    const ev = (t: 'Normal' | 'Warning', r: string, m: string): void => this.d.event(pod, t, r, m);
    if (prev && (prev.state === 'exited' || prev.state === 'unknown')) {
      const key = this.backoffKey(pod, c);
      const finished = prev.finishedAt || this.d.clock.now();
      if (this.backoff.isInBackOffSince(key, finished)) {
        const msg = `back-off ${goDuration(this.backoff.get(key))} restarting failed container=${c.name} pod=${podDesc(pod)}`;
        ev('Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${podDesc(pod)}`);
        return { waiting: { reason: 'CrashLoopBackOff', message: msg }, retryMs: this.backoff.remainingMs(key, finished) + 50 };
      }
      this.backoff.next(key, finished);
    }
    const restartCount = prev ? prev.restartCount + 1 : 0;
    let imageRef: string;
    try {
      imageRef = await this.imageManager.ensure(pod, c, ev);
    } catch (err) {
      if (err instanceof ImagePullError) return { waiting: { reason: err.reason, message: err.message }, retryMs: 10_000 };
      throw err;
    }
    let env: Record<string, string>;
    try {
      env = await containerEnv(pod, c, this.d.env);
    } catch (err) {
      const msg = (err as Error).message;
      ev('Warning', 'Failed', `Error: ${msg}`);
      const reason = err instanceof ContainerConfigError ? err.reason : 'CreateContainerConfigError';
      return { waiting: { reason, message: msg }, retryMs: 5_000 };
    }
    const mounts = [...podMounts, ...this.d.containerMounts(pod, c, volumes, env)];
    // Termination message file, bind-mounted at terminationMessagePath.
    const tmPath = (c['terminationMessagePath'] as string | undefined) ?? '/dev/termination-log';
    if (tmPath) {
      const dir = join(this.podDir(pod), 'containers', c.name);
      await mkdir(dir, { recursive: true });
      const file = join(dir, randomBytes(4).toString('hex'));
      await writeFile(file, '');
      mounts.push({ containerPath: tmPath, hostPath: file, readonly: false });
    }
    const cfg = containerConfig({
      pod,
      container: c,
      type,
      imageRef,
      restartCount,
      hash: containerHash(c),
      env,
      mounts,
      memoryCapacity: this.d.memoryCapacity(),
    });
    let id: string;
    try {
      id = await this.d.runtime.createContainer(sandboxId, cfg, sbConfig);
    } catch (err) {
      const msg = (err as { details?: string }).details ?? (err as Error).message;
      ev('Warning', 'Failed', `Error: ${msg}`);
      return { waiting: { reason: 'CreateContainerError', message: msg }, retryMs: 5_000 };
    }
    ev('Normal', 'Created', `Created container ${c.name}`);
    try {
      await this.d.runtime.startContainer(id);
    } catch (err) {
      const msg = (err as { details?: string }).details ?? (err as Error).message;
      ev('Warning', 'Failed', `Error: ${msg}`);
      return { waiting: { reason: 'RunContainerError', message: msg }, retryMs: 5_000 };
    }
    ev('Normal', 'Started', `Started container ${c.name}`);
    const post = containerLifecycle(c)?.postStart;
    if (post) {
      const fail = await runHandler(post, this.d.runtime, id, c, podIP, 30);
      if (fail) {
        ev('Warning', 'FailedPostStartHook', fail);
        await this.d.runtime.stopContainer(id, MIN_GRACE_SECONDS).catch(() => undefined);
        return { waiting: { reason: 'PostStartHookError', message: fail }, retryMs: 1_000 };
      }
    }
    return undefined;
  }

  /** preStop (from the spec, or the annotation a restarted kubelet finds), then SIGTERM/SIGKILL. */
  async killContainer(pod: Pod | undefined, rc: RuntimeContainer, graceSeconds: number): Promise<void> {
    if (rc.state !== 'running' && rc.state !== 'created') return;
    const spec = pod ? [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c) => c.name === rc.name) : undefined;
    let preStop: LifecycleHandler | undefined = spec ? containerLifecycle(spec)?.preStop : undefined;
    if (!preStop && rc.annotations[A_PRESTOP]) {
      try {
        preStop = JSON.parse(rc.annotations[A_PRESTOP]!) as LifecycleHandler;
      } catch {
        preStop = undefined;
      }
    }
    let grace = graceSeconds;
    if (preStop && rc.state === 'running' && grace > 0) {
      const t0 = this.d.clock.now();
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), grace * 1000);
      const fail = await runHandler(preStop, this.d.runtime, rc.id, spec, undefined, grace, ac.signal);
      clearTimeout(timer);
      if (fail && pod) this.d.event(pod, 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${fail}`);
      grace = Math.max(MIN_GRACE_SECONDS, grace - Math.ceil((this.d.clock.now() - t0) / 1000));
    }
    if (pod) this.d.event(pod, 'Normal', 'Killing', `Stopping container ${rc.name}`);
    try {
      await this.d.runtime.stopContainer(rc.id, grace);
    } catch (err) {
      if (!isCriNotFound(err)) throw err;
    }
  }

  /** Kills every running container (in parallel), then stops the sandboxes. */
  async killPod(pod: Pod | undefined, rp: RuntimePod, graceOverride: number | undefined): Promise<void> {
    const grace = graceOverride ?? pod?.metadata.deletionGracePeriodSeconds ?? pod?.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all(rp.containers.map((rc) => this.killContainer(pod, rc, grace)));
    for (const s of rp.sandboxes) {
      if (s.state !== 'SANDBOX_READY') continue;
      try {
        await this.d.runtime.stopPodSandbox(s.id);
      } catch (err) {
        if (!isCriNotFound(err)) throw err;
      }
    }
  }

  /** Removes every container and sandbox of a pod (after it is gone from the API). */
  async removePod(rp: RuntimePod): Promise<void> {
    for (const c of rp.containers) await this.d.runtime.removeContainer(c.id).catch(() => undefined);
    for (const s of rp.sandboxes) {
      await this.d.runtime.stopPodSandbox(s.id).catch(() => undefined);
      await this.d.runtime.removePodSandbox(s.id).catch(() => undefined);
    }
  }

  /** Keeps the newest `keep` instances per container name (the current one and the previous for
   *  `logs --previous` and lastState); older exited ones are removed, as upstream's container GC. */
  async pruneExited(rp: RuntimePod, keep = 2): Promise<void> {
    const seen = new Map<string, number>();
    for (const c of rp.containers) {
      const n = (seen.get(c.name) ?? 0) + 1;
      seen.set(c.name, n);
      if (n > keep && c.state === 'exited') await this.d.runtime.removeContainer(c.id).catch(() => undefined);
    }
  }
}
