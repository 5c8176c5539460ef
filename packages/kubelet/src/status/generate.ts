// API PodStatus from the runtime's view (kubelet_pods.go generateAPIPodStatus, getPhase,
// pkg/kubelet/status/generate.go): phase, conditions, container statuses with state, lastState,
// restartCount and waiting reasons, pod and host IPs, startTime, qosClass.
import { readFileSync } from 'node:fs';
import type { Container, Pod, PodCondition } from '@kube-ts/client';
import type { ContainerState, ContainerStatus, KubeletPodStatus } from '../api.js';
import { initStatusesOf, isHostNetwork, isSidecar, restartPolicyOf } from '../api.js';
import { qosClass } from '../cm/qos.js';
import { A_TERMINATION_MESSAGE_PATH } from '../kuberuntime/labels.js';
import type { RuntimeContainer, RuntimePod } from '../kuberuntime/status.js';

export interface Waiting { reason: string; message?: string }

export interface GenerateInput {
  pod: Pod;
  runtime: RuntimePod;
  /** Waiting reasons the last sync recorded per container name (CrashLoopBackOff, ErrImagePull...). */
  waiting: Map<string, Waiting>;
  nodeIPs: string[];
  now: number;
}

export const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready'];

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function terminationMessage(rc: RuntimeContainer, c: Container | undefined): string | undefined {
  const path = rc.annotations[A_TERMINATION_MESSAGE_PATH];
  const m = rc.mounts.find((x) => x.containerPath === path);
  let msg: string | undefined;
  if (m) {
    try {
      msg = readFileSync(m.hostPath, 'utf8').slice(0, 4096) || undefined;
    } catch {
      msg = undefined;
    }
  }
  if (!msg && (c?.['terminationMessagePolicy'] as string | undefined) === 'FallbackToLogsOnError' && rc.exitCode !== 0 && rc.logPath) {
    try {
      const lines = readFileSync(rc.logPath, 'utf8').split('\n').filter(Boolean).slice(-80);
      msg = lines.map((l) => l.split(' ').slice(3).join(' ')).join('\n').slice(-2048) + '\n';
    } catch {
      msg = undefined;
    }
  }
  return msg ?? (rc.message || undefined);
}

function terminatedState(rc: RuntimeContainer, c: Container | undefined): ContainerState {
  const message = terminationMessage(rc, c);
  return {
    terminated: {
      exitCode: rc.exitCode,
      reason: rc.reason || (rc.exitCode === 0 ? 'Completed' : 'Error'),
      ...(message ? { message } : {}),
      startedAt: rc.startedAt ? iso(rc.startedAt) : undefined,
      finishedAt: rc.finishedAt ? iso(rc.finishedAt) : undefined,
      containerID: `containerd://${rc.id}`,
    },
  };
}

function containerStatus(c: Container, in_: GenerateInput, defaultWaiting: string, old: ContainerStatus | undefined): ContainerStatus {
  const instances = in_.runtime.containers.filter((x) => x.name === c.name);
  const cur = instances[0];
  const prev = instances[1];
  const w = in_.waiting.get(c.name);
  const base: ContainerStatus = {
    name: c.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: cur?.restartCount ?? old?.restartCount ?? 0,
    image: c.image ?? '',
    imageID: cur?.imageRef ?? '',
    started: false,
  };
  if (!cur) {
    base.state = { waiting: { reason: w?.reason ?? defaultWaiting, ...(w?.message ? { message: w.message } : {}) } };
    // Keep what the API already showed when the runtime lost the containers (e.g. after GC).
    if (old?.lastState?.terminated) base.lastState = old.lastState;
    return base;
  }
  base.containerID = `containerd://${cur.id}`;
  if (cur.state === 'running') {
    base.state = { running: { startedAt: iso(cur.startedAt || cur.createdAt) } };
    if (prev && prev.state === 'exited') base.lastState = terminatedState(prev, c);
  } else if (cur.state === 'exited' || cur.state === 'unknown') {
    if (w) {
      base.state = { waiting: { reason: w.reason, ...(w.message ? { message: w.message } : {}) } };
      base.lastState = terminatedState(cur, c);
    } else {
      base.state = terminatedState(cur, c);
      if (prev && prev.state === 'exited') base.lastState = terminatedState(prev, c);
    }
  } else {
    base.state = { waiting: { reason: w?.reason ?? 'ContainerCreating', ...(w?.message ? { message: w.message } : {}) } };
    if (prev && prev.state === 'exited') base.lastState = terminatedState(prev, c);
  }
  return base;
}

/** getPhase (kubelet_pods.go), including the sidecar-aware init accounting. */
export function podPhase(pod: Pod, inits: ContainerStatus[], regular: ContainerStatus[]): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  const policy = restartPolicyOf(pod);
  let pendingInit = 0;
  let failedInit = 0;
  const specInits = pod.spec.initContainers ?? [];
  for (const s of inits) {
    const spec = specInits.find((c) => c.name === s.name);
    if (spec && isSidecar(spec)) {
      if (!s.state.running) pendingInit++;
      continue;
    }
    if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting && s.lastState.terminated && s.lastState.terminated.exitCode !== 0) {
      failedInit++;
    } else if (s.state.running || s.state.waiting) {
      pendingInit++;
    }
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of regular) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    }
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function cond(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? 'True' : 'False', ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

/** Conditions the kubelet owns; ready/started in container statuses must already be filled. */
export function kubeletConditions(pod: Pod, st: KubeletPodStatus, sandboxReady: boolean, otherConditions: PodCondition[]): PodCondition[] {
  const phase = st.phase;
  const inits = st.initContainerStatuses ?? [];
  const specInits = pod.spec.initContainers ?? [];
  const incompleteInit = inits
    .filter((s) => {
      const spec = specInits.find((c) => c.name === s.name);
      if (spec && isSidecar(spec)) return !s.started && !s.state.running;
      return !(s.state.terminated && s.state.terminated.exitCode === 0);
    })
    .map((s) => s.name);
  const regular = st.containerStatuses ?? [];
  const sidecarsUnready = inits.filter((s) => {
    const spec = specInits.find((c) => c.name === s.name);
    return spec && isSidecar(spec) && !s.ready;
  });
  const unready = [...sidecarsUnready.map((s) => s.name), ...regular.filter((s) => !s.ready).map((s) => s.name)];
  const out: PodCondition[] = [cond('PodReadyToStartContainers', sandboxReady)];
  const initialized = incompleteInit.length === 0 || phase === 'Succeeded';
  out.push(
    initialized
      ? cond('Initialized', true, phase === 'Succeeded' && incompleteInit.length > 0 ? 'PodCompleted' : undefined)
      : cond('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`),
  );
  let containersReady: PodCondition;
  if (phase === 'Succeeded') containersReady = cond('ContainersReady', false, 'PodCompleted');
  else if (unready.length > 0) containersReady = cond('ContainersReady', false, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
  else containersReady = cond('ContainersReady', true);
  out.push(containersReady);
  let ready: PodCondition = { ...containersReady, type: 'Ready' };
  if (ready.status === 'True') {
    const gates = (pod.spec['readinessGates'] as { conditionType: string }[] | undefined) ?? [];
    const missing: string[] = [];
    for (const g of gates) {
      const c = otherConditions.find((x) => x.type === g.conditionType);
      if (!c) missing.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
      else if (c.status !== 'True') missing.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
    }
    if (missing.length) ready = cond('Ready', false, 'ReadinessGatesNotReady', missing.join(', '));
  }
  out.push(ready);
  return out;
}

/** Builds the status minus ready/started and conditions (the prober fills those next). */
export function generatePodStatus(in_: GenerateInput): KubeletPodStatus {
  const { pod } = in_;
  const old = (pod.status ?? {}) as KubeletPodStatus;
  const specInits = pod.spec.initContainers ?? [];
  const initStatuses = specInits.map((c) => containerStatus(c, in_, 'PodInitializing', initStatusesOf(old).find((s) => s.name === c.name)));
  const initsDone = initStatuses.every((s, i) => {
    const spec = specInits[i]!;
    if (isSidecar(spec)) return s.state.running !== undefined;
    return s.state.terminated?.exitCode === 0;
  });
  const oldRegular = (old.containerStatuses ?? []) as ContainerStatus[];
  const regular = pod.spec.containers.map((c) =>
    containerStatus(c, in_, initsDone ? 'ContainerCreating' : 'PodInitializing', oldRegular.find((s) => s.name === c.name)),
  );
  const hostNet = isHostNetwork(pod);
  const ips = hostNet ? in_.nodeIPs : in_.runtime.ips;
  const st: KubeletPodStatus = {
    phase: podPhase(pod, initStatuses, regular),
    hostIP: in_.nodeIPs[0],
    hostIPs: in_.nodeIPs.map((ip) => ({ ip })),
    ...(ips.length ? { podIP: ips[0], podIPs: ips.map((ip) => ({ ip })) } : {}),
    startTime: old.startTime ?? iso(in_.now),
    qosClass: qosClass(pod),
    containerStatuses: regular,
    ...(specInits.length ? { initContainerStatuses: initStatuses } : {}),
  };
  // The kubelet never moves a pod out of a terminal phase.
  if (old.phase === 'Succeeded' || old.phase === 'Failed') st.phase = old.phase;
  return st;
}

/** Keeps lastTransitionTime when a condition's status did not change. */
export function withTransitionTimes(next: PodCondition[], prev: PodCondition[] | undefined, now: number): PodCondition[] {
  return next.map((c) => {
    const p = prev?.find((x) => x.type === c.type);
    return { ...c, lastProbeTime: null, lastTransitionTime: p && p.status === c.status && p.lastTransitionTime ? p.lastTransitionTime : iso(now) };
  });
}
