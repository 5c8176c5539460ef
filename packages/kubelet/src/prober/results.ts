// The cached probe results (pkg/kubelet/prober/results), one table per probe type, keyed by the
// container instance (bare container ID), so a restarted container starts from scratch.
import type { ProbeResult, ProbeType } from './types.js';

export class ResultsStore {
  private readonly byType: Record<ProbeType, Map<string, ProbeResult>> = {
    liveness: new Map(),
    readiness: new Map(),
    startup: new Map(),
  };

  get(type: ProbeType, containerId: string): ProbeResult | undefined {
    return this.byType[type].get(containerId);
  }

  /** Returns true when the stored result changed (upstream then sends an update). */
  set(type: ProbeType, containerId: string, result: ProbeResult): boolean {
    const m = this.byType[type];
    if (m.get(containerId) === result) return false;
    m.set(containerId, result);
    return true;
  }

  remove(type: ProbeType, containerId: string): void {
    this.byType[type].delete(containerId);
  }
}
