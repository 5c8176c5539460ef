// Runs one probe of a container (pkg/kubelet/prober/prober.go): picks the action, retries an
// action that errored (3 tries), and records the upstream events on the Pod with the container's
// fieldPath: Unhealthy for failures and errors, ProbeWarning for HTTP warnings.
import type { Container, EventRecorder, ObjectReference, Pod, PodStatus } from '@kube-ts/client';
import type { Logger } from 'pino';
import type { RuntimeService } from '../cri/types.js';
import { execProbe } from './exec.js';
import { grpcProbe } from './grpc.js';
import { httpProbe, newHttpProbeRequest } from './http.js';
import type { ActionOutcome } from './outcome.js';
import { tcpProbe } from './tcp.js';
import { probeTypeName, type DefaultedProbe, type ProbeResult, type ProbeType } from './types.js';
import { expandCommand, resolveContainerPort } from './util.js';

const MAX_PROBE_RETRIES = 3;

/** format.Pod: name_namespace(uid). */
const podDesc = (p: Pod): string => `${p.metadata.name ?? ''}_${p.metadata.namespace ?? ''}(${p.metadata.uid ?? ''})`;

export interface ProbeRun {
  result: ProbeResult;
  /** Set when the probe errored: the worker throws such results away. */
  error?: string;
}

/** kubecontainer.GenerateContainerRef: the Pod, pointed at the container by fieldPath. */
export function containerRef(pod: Pod, containerName: string): ObjectReference | undefined {
  let list: string | undefined;
  if (pod.spec.containers.some((c) => c.name === containerName)) list = 'containers';
  else if ((pod.spec.initContainers ?? []).some((c) => c.name === containerName)) list = 'initContainers';
  else if (((pod.spec['ephemeralContainers'] ?? []) as Container[]).some((c) => c.name === containerName)) list = 'ephemeralContainers';
  if (!list) return undefined;
  const ref: ObjectReference = {
    kind: 'Pod',
    apiVersion: 'v1',
    name: pod.metadata.name,
    namespace: pod.metadata.namespace,
    uid: pod.metadata.uid,
    resourceVersion: pod.metadata.resourceVersion,
    fieldPath: `spec.${list}{${containerName}}`,
  };
  for (const k of Object.keys(ref) as Array<keyof ObjectReference>) if (ref[k] === undefined || ref[k] === '') delete ref[k];
  return ref;
}

export class Prober {
  constructor(
    private readonly runtime: RuntimeService,
    private readonly recorder: EventRecorder | undefined,
    private readonly log: Logger,
  ) {}

  async probe(type: ProbeType, spec: DefaultedProbe, pod: Pod, status: PodStatus, container: Container, containerId: string): Promise<ProbeRun> {
    let out: ActionOutcome = { result: 'unknown', output: '' };
    for (let i = 0; i < MAX_PROBE_RETRIES; i++) {
      out = await this.runProbe(spec, pod, status, container, containerId);
      if (out.error === undefined) break;
    }
    const name = probeTypeName(type);
    const fields = { probeType: name, pod: `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`, podUID: pod.metadata.uid, containerName: container.name };
    if (out.error !== undefined) {
      this.log.debug({ ...fields, probeResult: out.result, err: out.error }, 'Probe errored');
      this.event(pod, container.name, 'Unhealthy', `${name} probe errored and resulted in ${out.result} state: ${out.error}`);
      return { result: 'Failure', error: out.error };
    }
    switch (out.result) {
      case 'success':
        this.log.trace(fields, 'Probe succeeded');
        return { result: 'Success' };
      case 'warning':
        this.event(pod, container.name, 'ProbeWarning', `${name} probe warning: ${out.output}`);
        this.log.trace({ ...fields, output: out.output }, 'Probe succeeded with a warning');
        return { result: 'Success' };
      case 'failure':
        this.log.debug({ ...fields, output: out.output }, 'Probe failed');
        this.event(pod, container.name, 'Unhealthy', `${name} probe failed: ${out.output}`);
        return { result: 'Failure' };
      default:
        this.log.debug(fields, 'Probe unknown without error');
        return { result: 'Failure' };
    }
  }

  private event(pod: Pod, containerName: string, reason: string, message: string): void {
    if (!this.recorder) return;
    const ref = containerRef(pod, containerName);
    if (!ref) {
      this.log.error({ pod: pod.metadata.name, containerName }, "Can't make a ref to pod and container");
      return;
    }
    this.recorder.event(ref, 'Warning', reason, message);
  }

  private async runProbe(p: DefaultedProbe, pod: Pod, status: PodStatus, container: Container, containerId: string): Promise<ActionOutcome> {
    const timeoutMs = p.timeoutSeconds * 1000;
    const podIP = status.podIP ?? '';
    try {
      if (p.exec) {
        const cmd = expandCommand(p.exec.command ?? [], container);
        return await execProbe(this.runtime, containerId, cmd, p.timeoutSeconds);
      }
      if (p.httpGet) return await httpProbe(newHttpProbeRequest(p.httpGet, container, podIP), timeoutMs);
      if (p.tcpSocket) {
        const port = resolveContainerPort(p.tcpSocket.port, container);
        return await tcpProbe(p.tcpSocket.host || podIP, port, timeoutMs);
      }
      if (p.grpc) return await grpcProbe(podIP, p.grpc.service ?? '', p.grpc.port, p.timeoutSeconds);
      return { result: 'unknown', output: '', error: `missing probe handler for ${podDesc(pod)}:${container.name}` };
    } catch (err) {
      // Port resolution and request building fail before any I/O: unknown, with the reason.
      return { result: 'unknown', output: '', error: err instanceof Error ? err.message : String(err) };
    }
  }
}
