// The kubelet's runtimeState (pkg/kubelet/runtime.go) and updateRuntimeUp (kubelet.go): the CRI
// Status conditions turned into the errors the Ready condition reports.
import type { Logger } from 'pino';
import type { Clock } from '@kube-ts/client';
import type { RuntimeCondition, RuntimeService } from '../cri/types.js';

/** kubecontainer.RuntimeCondition.String(); Go prints a nil pointer as "<nil>". */
export function runtimeConditionString(c: RuntimeCondition | undefined): string {
  if (!c) return '<nil>';
  return `${c.type}=${c.status} reason:${c.reason} message:${c.message}`;
}

export class RuntimeState {
  /** When the runtime last reported RuntimeReady (0 = never). */
  private lastBaseRuntimeSync = 0;
  private runtimeError: string | undefined;
  private networkError: string | undefined;

  /** baseRuntimeSyncThreshold: the runtime is "down" when not ready for this long (upstream 30s). */
  constructor(private readonly clock: Clock, private readonly thresholdMs = 30_000) {}

  setRuntimeSync(at: number): void { this.lastBaseRuntimeSync = at; }
  setRuntimeState(err: string | undefined): void { this.runtimeError = err; }
  setNetworkState(err: string | undefined): void { this.networkError = err; }

  runtimeErrors(): string[] {
    const errs: string[] = [];
    if (this.lastBaseRuntimeSync === 0) errs.push('container runtime status check may not have completed yet');
    else if (this.lastBaseRuntimeSync + this.thresholdMs <= this.clock.now()) errs.push('container runtime is down');
    if (this.runtimeError) errs.push(this.runtimeError);
    return errs;
  }

  networkErrors(): string[] {
    return this.networkError ? [this.networkError] : [];
  }
}

/** One updateRuntimeUp pass: CRI Status -> runtime state. */
export async function updateRuntimeUp(runtime: Pick<RuntimeService, 'status'>, state: RuntimeState, clock: Clock, log: Logger): Promise<void> {
  let conditions: RuntimeCondition[];
  try {
    conditions = (await runtime.status()).status?.conditions ?? [];
  } catch (err) {
    log.error({ err }, 'Container runtime sanity check failed');
    return;
  }
  const networkReady = conditions.find((c) => c.type === 'NetworkReady');
  if (!networkReady?.status) {
    log.debug({ networkReady: runtimeConditionString(networkReady) }, 'Container runtime network not ready');
    state.setNetworkState(`container runtime network not ready: ${runtimeConditionString(networkReady)}`);
  } else {
    state.setNetworkState(undefined);
  }
  const runtimeReady = conditions.find((c) => c.type === 'RuntimeReady');
  if (!runtimeReady?.status) {
    log.error({ runtimeReady: runtimeConditionString(runtimeReady) }, 'Container runtime not ready');
    state.setRuntimeState(`container runtime not ready: ${runtimeConditionString(runtimeReady)}`);
    return;
  }
  state.setRuntimeState(undefined);
  state.setRuntimeSync(clock.now());
}
