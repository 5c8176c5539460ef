// core/v1 Probe and the container-status fields the prober reads. The client's Container and
// PodStatus keep these open (index signatures); these shapes name them so the prober stays typed.
import type { Container, PodStatus } from '@kube-ts/client';

export type ProbeType = 'liveness' | 'readiness' | 'startup';
/** results.Result: what workers store and the kubelet reads. */
export type ProbeResult = 'Success' | 'Failure' | 'Unknown';
/** probe.Result: what a single probe action returns (lower case, as upstream prints it). */
export type ActionResult = 'success' | 'warning' | 'failure' | 'unknown';

export type IntOrString = number | string;

export interface HTTPHeader { name: string; value: string }
export interface HTTPGetAction {
  path?: string;
  port: IntOrString;
  host?: string;
  scheme?: string;
  httpHeaders?: HTTPHeader[];
}
export interface TCPSocketAction { port: IntOrString; host?: string }
export interface GRPCAction { port: number; service?: string | null }
export interface ExecAction { command?: string[] }

export interface Probe {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  grpc?: GRPCAction;
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

/** A probe with the API server's defaults applied (SetDefaults_Probe). */
export interface DefaultedProbe extends Probe {
  initialDelaySeconds: number;
  timeoutSeconds: number;
  periodSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export function withDefaults(p: Probe): DefaultedProbe {
  const pos = (v: number | undefined, d: number): number => (typeof v === 'number' && v > 0 ? v : d);
  return {
    ...p,
    initialDelaySeconds: typeof p.initialDelaySeconds === 'number' && p.initialDelaySeconds > 0 ? p.initialDelaySeconds : 0,
    timeoutSeconds: pos(p.timeoutSeconds, 1),
    periodSeconds: pos(p.periodSeconds, 10),
    successThreshold: pos(p.successThreshold, 1),
    failureThreshold: pos(p.failureThreshold, 3),
  };
}

const PROBE_FIELD: Record<ProbeType, string> = {
  liveness: 'livenessProbe',
  readiness: 'readinessProbe',
  startup: 'startupProbe',
};

export function probeOf(c: Container, type: ProbeType): Probe | undefined {
  const p = c[PROBE_FIELD[type]];
  return p && typeof p === 'object' ? (p as Probe) : undefined;
}

/** Upstream's probeType.String(), used in event messages. */
export function probeTypeName(t: ProbeType): string {
  return t === 'liveness' ? 'Liveness' : t === 'readiness' ? 'Readiness' : 'Startup';
}

export interface ContainerEnv { name: string; value?: string }
export interface ContainerPortSpec { name?: string; containerPort: number }

/** The fields of a v1 ContainerStatus the prober reads and writes. */
export interface ProbedContainerStatus {
  name: string;
  containerID?: string;
  state?: {
    running?: { startedAt?: string };
    terminated?: { exitCode?: number };
    waiting?: object;
  };
  ready?: boolean;
  started?: boolean;
}

export const containerStatusesOf = (s: PodStatus): ProbedContainerStatus[] =>
  (s['containerStatuses'] as ProbedContainerStatus[] | undefined) ?? [];
export const initContainerStatusesOf = (s: PodStatus): ProbedContainerStatus[] =>
  (s['initContainerStatuses'] as ProbedContainerStatus[] | undefined) ?? [];

/** "containerd://abc" -> "abc" (kubecontainer.ParseContainerID keeps only the ID for lookups). */
export function bareContainerId(id: string | undefined): string {
  if (!id) return '';
  const i = id.indexOf('://');
  return i >= 0 ? id.slice(i + 3) : id;
}
