// ContainerConfig for CreateContainer (kuberuntime_container.go generateContainerConfig): command
// and args with $(VAR) expansion, env, mounts, log path, resources as cgroup settings, and the
// security context basics.
import { milliValue, value, type Container, type Pod } from '@kube-ts/client';
import type { ContainerConfig, LinuxContainerResources, LinuxContainerSecurityContext, Mount } from '../cri/types.js';
import { containerSecurity, podSecurity } from '../api.js';
import { qosClass } from '../cm/qos.js';
import { containerAnnotations, containerLabels } from './labels.js';
import { expand } from './env.js';

const CPU_PERIOD = 100_000;

/** Upstream GetContainerOOMScoreAdjust (the runtime clamps negatives here: restrict_oom_score_adj). */
export function oomScoreAdj(p: Pod, c: Container, memoryCapacity: number): number {
  const q = qosClass(p);
  if (q === 'Guaranteed') return -997;
  if (q === 'BestEffort') return 1000;
  const req = c.resources?.requests?.['memory'];
  const r = req !== undefined ? value(String(req)) : 0;
  const adj = memoryCapacity > 0 ? 1000 - Math.floor((1000 * r) / memoryCapacity) : 999;
  return Math.min(999, Math.max(2, adj));
}

export function containerResources(p: Pod, c: Container, memoryCapacity: number): LinuxContainerResources {
  const lim = c.resources?.limits ?? {};
  const req = c.resources?.requests ?? {};
  const cpuReq = req['cpu'] ?? lim['cpu'];
  const out: LinuxContainerResources = {
    cpuShares: cpuReq !== undefined ? Math.max(2, Math.floor((milliValue(String(cpuReq)) * 1024) / 1000)) : 2,
    oomScoreAdj: oomScoreAdj(p, c, memoryCapacity),
  };
  if (lim['cpu'] !== undefined) {
    out.cpuPeriod = CPU_PERIOD;
    out.cpuQuota = Math.max(1000, Math.floor((milliValue(String(lim['cpu'])) * CPU_PERIOD) / 1000));
  }
  if (lim['memory'] !== undefined) out.memoryLimitInBytes = value(String(lim['memory']));
  return out;
}

export function securityContext(p: Pod, c: Container): LinuxContainerSecurityContext {
  const ps = podSecurity(p);
  const cs = containerSecurity(c);
  const out: LinuxContainerSecurityContext = {
    privileged: cs?.privileged === true,
    readonlyRootfs: cs?.readOnlyRootFilesystem === true,
    noNewPrivs: cs?.allowPrivilegeEscalation === false,
    namespaceOptions: {
      network: p.spec.hostNetwork === true ? 'NODE' : 'POD',
      pid: p.spec['hostPID'] === true ? 'NODE' : p.spec['shareProcessNamespace'] === true ? 'POD' : 'CONTAINER',
      ipc: p.spec['hostIPC'] === true ? 'NODE' : 'POD',
    },
    supplementalGroups: [...(ps?.supplementalGroups ?? []), ...(ps?.fsGroup !== undefined ? [ps.fsGroup] : [])],
  };
  const uid = cs?.runAsUser ?? ps?.runAsUser;
  const gid = cs?.runAsGroup ?? ps?.runAsGroup;
  if (uid !== undefined) out.runAsUser = { value: uid };
  if (gid !== undefined) out.runAsGroup = { value: gid };
  if (cs?.capabilities) {
    out.capabilities = {
      addCapabilities: (cs.capabilities.add ?? []).map(capName),
      dropCapabilities: (cs.capabilities.drop ?? []).map(capName),
    };
  }
  return out;
}

// Pod specs name capabilities without the CAP_ prefix; "ALL" stays as is.
const capName = (c: string): string => (c.toUpperCase() === 'ALL' || c.startsWith('CAP_') ? c.toUpperCase() : `CAP_${c.toUpperCase()}`);

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  type: 'init' | 'regular';
  imageRef: string;
  restartCount: number;
  hash: string;
  env: Record<string, string>;
  mounts: Mount[];
  memoryCapacity: number;
}

export function containerConfig(i: ContainerConfigInput): ContainerConfig {
  const c = i.container;
  return {
    metadata: { name: c.name, attempt: i.restartCount },
    image: { image: i.imageRef },
    command: (c.command ?? []).map((s) => expand(s, i.env)),
    args: (c.args ?? []).map((s) => expand(s, i.env)),
    workingDir: c.workingDir ?? '',
    envs: Object.entries(i.env).map(([key, value]) => ({ key, value })),
    mounts: i.mounts,
    labels: containerLabels(i.pod, c, i.type),
    annotations: containerAnnotations(i.pod, c, i.hash, i.restartCount),
    logPath: `${c.name}/${i.restartCount}.log`,
    stdin: c['stdin'] === true,
    stdinOnce: c['stdinOnce'] === true,
    tty: c['tty'] === true,
    linux: { resources: containerResources(i.pod, c, i.memoryCapacity), securityContext: securityContext(i.pod, c) },
  };
}
