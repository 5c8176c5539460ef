// The runtime's view of one pod (kubecontainer.PodStatus): its sandboxes and containers as CRI
// reports them, newest first, read by pod UID label.
import type { ContainerStatus as CriContainerStatus, PodSandboxStatus, RuntimeService } from '../cri/types.js';
import { A_CONTAINER_HASH, A_RESTART_COUNT, L_CONTAINER_NAME, L_CONTAINER_TYPE, L_POD_UID } from './labels.js';

export type RuntimeState = 'created' | 'running' | 'exited' | 'unknown';

export interface RuntimeContainer {
  id: string;
  name: string;
  type: 'init' | 'regular' | string;
  state: RuntimeState;
  createdAt: number;
  startedAt: number;
  finishedAt: number;
  exitCode: number;
  image: string;
  imageRef: string;
  reason: string;
  message: string;
  hash: string;
  restartCount: number;
  logPath: string;
  annotations: Record<string, string>;
  /** Host paths behind the container's mounts (the termination message file is one). */
  mounts: { containerPath: string; hostPath: string }[];
}

export interface RuntimePod {
  uid: string;
  sandboxes: PodSandboxStatus[];
  containers: RuntimeContainer[];
  /** IPs of the newest ready sandbox (CNI result). */
  ips: string[];
}

/** CRI timestamps are nanoseconds since the epoch as decimal strings. */
export const nsToMs = (ns: string | number | undefined): number => {
  if (ns === undefined || ns === '' || ns === '0' || ns === 0) return 0;
  return Number(BigInt(String(ns)) / 1_000_000n);
};

const STATE: Record<string, RuntimeState> = {
  CONTAINER_CREATED: 'created',
  CONTAINER_RUNNING: 'running',
  CONTAINER_EXITED: 'exited',
  CONTAINER_UNKNOWN: 'unknown',
};

export function toRuntimeContainer(s: CriContainerStatus): RuntimeContainer {
  return {
    id: s.id,
    name: s.metadata?.name ?? s.labels[L_CONTAINER_NAME] ?? '',
    type: s.labels[L_CONTAINER_TYPE] ?? 'regular',
    state: STATE[s.state] ?? 'unknown',
    createdAt: nsToMs(s.createdAt),
    startedAt: nsToMs(s.startedAt),
    finishedAt: nsToMs(s.finishedAt),
    exitCode: s.exitCode,
    image: s.image?.image ?? '',
    imageRef: s.imageRef,
    reason: s.reason,
    message: s.message,
    hash: s.annotations[A_CONTAINER_HASH] ?? '',
    restartCount: Number(s.annotations[A_RESTART_COUNT] ?? 0),
    logPath: s.logPath,
    annotations: s.annotations,
    mounts: (s.mounts ?? []).map((m) => ({ containerPath: m.containerPath, hostPath: m.hostPath })),
  };
}

export async function readRuntimePod(rt: RuntimeService, uid: string): Promise<RuntimePod> {
  const sel = { [L_POD_UID]: uid };
  const [sbs, cs] = await Promise.all([rt.listPodSandbox({ labelSelector: sel }), rt.listContainers({ labelSelector: sel })]);
  const sandboxes: PodSandboxStatus[] = [];
  for (const s of sbs) {
    try {
      sandboxes.push(await rt.podSandboxStatus(s.id));
    } catch {
      /* removed meanwhile */
    }
  }
  sandboxes.sort((a, b) => (BigInt(b.createdAt) > BigInt(a.createdAt) ? 1 : -1));
  const containers: RuntimeContainer[] = [];
  for (const c of cs) {
    try {
      containers.push(toRuntimeContainer(await rt.containerStatus(c.id)));
    } catch {
      /* removed meanwhile */
    }
  }
  containers.sort((a, b) => b.createdAt - a.createdAt || b.restartCount - a.restartCount);
  const ready = sandboxes.find((s) => s.state === 'SANDBOX_READY');
  const ips: string[] = [];
  if (ready?.network?.ip) ips.push(ready.network.ip);
  for (const a of ready?.network?.additionalIps ?? []) if (a.ip) ips.push(a.ip);
  return { uid, sandboxes, containers, ips };
}

/** Newest instance of a container by name. */
export function latestContainer(rp: RuntimePod, name: string): RuntimeContainer | undefined {
  return rp.containers.find((c) => c.name === name);
}
