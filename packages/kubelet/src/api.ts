// The parts of core/v1 Pod the kubelet reads in detail. The client's Pod type keeps these open
// (index signatures); these shapes name the fields so the runtime code stays typed.
import type { Container, Pod, PodStatus } from '@kube-ts/client';

export interface ExecAction { command?: string[] }
export interface HTTPGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: 'HTTP' | 'HTTPS';
  httpHeaders?: { name: string; value: string }[];
}
export interface TCPSocketAction { port: number | string; host?: string }
export interface LifecycleHandler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  sleep?: { seconds: number };
}
export interface Lifecycle { postStart?: LifecycleHandler; preStop?: LifecycleHandler }

export interface Capabilities { add?: string[]; drop?: string[] }
export interface SecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  readOnlyRootFilesystem?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: Capabilities;
}
export interface PodSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  fsGroup?: number;
  sysctls?: { name: string; value: string }[];
}

export interface ContainerStateWaiting { reason?: string; message?: string }
export interface ContainerStateRunning { startedAt?: string }
export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}
export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}
export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
}
export interface PodIP { ip: string }

/** PodStatus as the kubelet writes it. */
export interface KubeletPodStatus extends PodStatus {
  containerStatuses?: ContainerStatus[];
  initContainerStatuses?: ContainerStatus[];
  podIPs?: PodIP[];
  hostIPs?: PodIP[];
  qosClass?: 'Guaranteed' | 'Burstable' | 'BestEffort';
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export const containerLifecycle = (c: Container): Lifecycle | undefined => c['lifecycle'] as Lifecycle | undefined;
export const containerSecurity = (c: Container): SecurityContext | undefined => c['securityContext'] as SecurityContext | undefined;
export const podSecurity = (p: Pod): PodSecurityContext | undefined => p.spec['securityContext'] as PodSecurityContext | undefined;
export const containerStatusesOf = (s: PodStatus | undefined): ContainerStatus[] => ((s?.['containerStatuses'] as ContainerStatus[] | undefined) ?? []);
export const initStatusesOf = (s: PodStatus | undefined): ContainerStatus[] => ((s?.['initContainerStatuses'] as ContainerStatus[] | undefined) ?? []);

export const podKey = (p: Pod): string => `${p.metadata.namespace ?? 'default'}/${p.metadata.name!}`;
/** Upstream's format for pods in messages: name_namespace(uid). */
export const podDesc = (p: Pod): string => `${p.metadata.name!}_${p.metadata.namespace ?? 'default'}(${p.metadata.uid ?? ''})`;
export const isHostNetwork = (p: Pod): boolean => p.spec.hostNetwork === true;
export const restartPolicyOf = (p: Pod): 'Always' | 'OnFailure' | 'Never' =>
  (p.spec.restartPolicy as 'Always' | 'OnFailure' | 'Never' | undefined) ?? 'Always';
/** Init containers with restartPolicy Always are sidecars (upstream SidecarContainers, on by default in 1.29+). */
export const isSidecar = (c: Container): boolean => c.restartPolicy === 'Always';

export const CONFIG_SOURCE_ANNOTATION = 'kubernetes.io/config.source';
export const CONFIG_MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
export const CONFIG_HASH_ANNOTATION = 'kubernetes.io/config.hash';
export const CONFIG_SEEN_ANNOTATION = 'kubernetes.io/config.seen';
export const isStaticPod = (p: Pod): boolean => {
  const s = p.metadata.annotations?.[CONFIG_SOURCE_ANNOTATION];
  return s !== undefined && s !== 'api';
};
export const isMirrorPod = (p: Pod): boolean => p.metadata.annotations?.[CONFIG_MIRROR_ANNOTATION] !== undefined;
