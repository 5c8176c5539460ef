// EndpointSliceTracker (staging endpointslice/util/endpointslice_tracker.go): the version of
// every slice this controller last wrote, per Service, so a sync can tell that the informer cache
// has not caught up with its own writes (and retry) and that an event is just its own write echoed.
// Upstream compares metadata.generation; where the apiserver does not set it on EndpointSlices
// the resourceVersion (an increasing integer here) stands in.
import type { EndpointSlice, Service } from '@kube-ts/client/services';
import { LABEL_SERVICE_NAME } from './endpoint.js';

const DELETION_EXPECTED = -1n;

export function sliceVersion(s: EndpointSlice): bigint {
  if (typeof s.metadata.generation === 'number') return BigInt(s.metadata.generation);
  const rv = s.metadata.resourceVersion ?? '';
  return /^\d+$/.test(rv) ? BigInt(rv) : 0n;
}

const serviceKeyOf = (s: EndpointSlice): string => `${s.metadata.namespace ?? ''}/${s.metadata.labels?.[LABEL_SERVICE_NAME] ?? ''}`;

export class EndpointSliceTracker {
  private readonly byService = new Map<string, Map<string, bigint>>();
  private readonly serviceUIDs = new Map<string, string>();

  has(s: EndpointSlice): boolean { return this.byService.get(serviceKeyOf(s))?.has(s.metadata.uid ?? '') ?? false; }

  /** True unless this exact (or a newer) version was written by us. */
  shouldSync(s: EndpointSlice): boolean {
    const g = this.byService.get(serviceKeyOf(s))?.get(s.metadata.uid ?? '');
    return g === undefined || sliceVersion(s) > g;
  }

  /** Is the cache behind our writes for this service? */
  staleSlices(svc: Service, slices: EndpointSlice[]): boolean {
    const key = `${svc.metadata.namespace}/${svc.metadata.name}`;
    const uid = svc.metadata.uid ?? '';
    const tracked = this.serviceUIDs.get(key);
    // A recreated service: what was written for the old one no longer matters.
    if (tracked && uid && tracked !== uid) this.byService.delete(key);
    this.serviceUIDs.set(key, uid);
    const gens = this.byService.get(key);
    if (!gens) return false;
    const provided = new Set<string>();
    for (const s of slices) {
      const u = s.metadata.uid ?? '';
      provided.add(u);
      const g = gens.get(u);
      if (g !== undefined && (g === DELETION_EXPECTED || g > sliceVersion(s))) return true;
    }
    for (const [u, g] of gens) if (g !== DELETION_EXPECTED && !provided.has(u)) return true;
    return false;
  }

  update(s: EndpointSlice): void { this.gens(s).set(s.metadata.uid ?? '', sliceVersion(s)); }

  expectDeletion(s: EndpointSlice): void { this.gens(s).set(s.metadata.uid ?? '', DELETION_EXPECTED); }

  /** Forgets a deleted slice; false when the deletion was not ours (so the service needs a sync). */
  handleDeletion(s: EndpointSlice): boolean {
    const gens = this.byService.get(serviceKeyOf(s));
    if (!gens) return true;
    const u = s.metadata.uid ?? '';
    const g = gens.get(u);
    gens.delete(u);
    return !(g !== undefined && g !== DELETION_EXPECTED);
  }

  deleteService(namespace: string, name: string): void {
    this.byService.delete(`${namespace}/${name}`);
    this.serviceUIDs.delete(`${namespace}/${name}`);
  }

  private gens(s: EndpointSlice): Map<string, bigint> {
    const k = serviceKeyOf(s);
    let m = this.byService.get(k);
    if (!m) { m = new Map(); this.byService.set(k, m); }
    return m;
  }
}
