// The EndpointSlice reconciler (staging k8s.io/endpointslice reconciler.go): turns the pods a
// Service selects into the slices it should have while touching as few slices as possible:
// existing slices drop endpoints no longer wanted and take changed ones in place, slices that
// changed anyway are filled up first, leftovers go into the unchanged slice that ends up fullest
// or into new slices, and a create that coincides with a delete becomes an update instead.
import { isNamespaceTerminating } from '@kube-ts/client/errors';
import type { Endpoint, EndpointSlice, Service } from '@kube-ts/client/services';
import type { Node, Pod } from '@kube-ts/client/types';
import type { SlicePort } from '../endpoints/gohash.js';
import { shouldPodBeInEndpoints } from '../endpoints/podutil.js';
import { formatRFC3339Nano, LAST_CHANGE_TRIGGER_TIME } from '../endpoints/triggertime.js';
import {
  addressTypesForService, CONTROLLER_NAME, endpointKey, endpointPorts, endpointsEqualBeyondHash, isSamePlaceholder,
  newEndpointSlice, ownedBy, podToEndpoint, portMapKey, sliceLabels, sliceToFill, type AddressType,
} from './endpoint.js';

/** Where the reconciler writes (the API in production, a recorder in unit tests). */
export interface SliceWriter {
  create(slice: EndpointSlice): Promise<EndpointSlice>;
  update(slice: EndpointSlice): Promise<EndpointSlice>;
  /** Resolves also when the slice is already gone. */
  delete(slice: EndpointSlice): Promise<void>;
}

export interface ReconcilerOptions {
  maxEndpointsPerSlice: number;
  getNode(name: string): Node | undefined;
  writer: SliceWriter;
  controllerName?: string;
}

/** The changes one address type needs. */
export interface SlicePlan { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[]; added: number; removed: number; errors: string[] }

/** Desired endpoints of one port set, by identity, in pod order. */
class EndpointSet {
  private readonly m = new Map<string, Endpoint>();
  insert(ep: Endpoint): void { this.m.set(endpointKey(ep), ep); }
  get(ep: Endpoint): Endpoint | undefined { return this.m.get(endpointKey(ep)); }
  delete(ep: Endpoint): void { this.m.delete(endpointKey(ep)); }
  get size(): number { return this.m.size; }
  pop(): Endpoint {
    const [k, v] = this.m.entries().next().value as [string, Endpoint];
    this.m.delete(k);
    return v;
  }
}

/** An error list as utilerrors.NewAggregate prints it. */
export function aggregateMessage(errs: string[]): string {
  return errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`;
}

export class Reconciler {
  readonly controllerName: string;
  constructor(private readonly o: ReconcilerOptions) { this.controllerName = o.controllerName ?? CONTROLLER_NAME; }

  /** Reconciles every address type of the service; throws an aggregate of what went wrong. */
  async reconcile(svc: Service, pods: Pod[], existing: EndpointSlice[], triggerTimeMs: number): Promise<void> {
    const types = addressTypesForService(svc);
    const unsupported = existing.filter((s) => !types.includes(s.addressType as AddressType));
    const errs: string[] = [];
    for (const t of types) {
      const plan = this.plan(svc, pods, existing.filter((s) => s.addressType === t), t);
      errs.push(...plan.errors);
      try { await this.finalize(svc, plan, triggerTimeMs); } catch (err) { errs.push(err instanceof Error ? err.message : String(err)); }
    }
    for (const s of unsupported) {
      try { await this.o.writer.delete(s); } catch (err) {
        errs.push(`error deleting ${s.metadata.name} EndpointSlice for Service ${svc.metadata.namespace}/${svc.metadata.name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (errs.length) throw new Error(aggregateMessage(errs));
  }

  /** reconcileByAddressType without the writes: what to create, update and delete. */
  plan(svc: Service, pods: Pod[], existing: EndpointSlice[], addressType: AddressType): SlicePlan {
    const errors: string[] = [];
    const toCreate: EndpointSlice[] = []; const toUpdate: EndpointSlice[] = []; const toDelete: EndpointSlice[] = [];
    const existingByPorts = new Map<string, EndpointSlice[]>();
    for (const s of existing) {
      if (!ownedBy(s, svc)) { toDelete.push(s); continue; }
      const k = portMapKey(s.ports as SlicePort[] | null | undefined);
      existingByPorts.set(k, [...(existingByPorts.get(k) ?? []), s]);
    }
    const desiredByPorts = new Map<string, { ports: SlicePort[]; set: EndpointSet }>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = endpointPorts(svc, pod);
      const k = portMapKey(ports);
      let d = desiredByPorts.get(k);
      if (!d) { d = { ports, set: new EndpointSet() }; desiredByPorts.set(k, d); }
      const node = this.o.getNode(pod.spec.nodeName ?? '');
      if (!node && svc.spec?.publishNotReadyAddresses !== true) {
        // Retried later; meanwhile the slice is written without this pod.
        errors.push(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: Node ${pod.spec.nodeName ?? ''} Not Found`);
        continue;
      }
      const ep = podToEndpoint(pod, node, svc, addressType);
      if (ep.addresses.length > 0) d.set.insert(ep);
    }
    let added = 0; let removed = 0;
    for (const [k, d] of desiredByPorts) {
      const r = this.byPortMapping(svc, existingByPorts.get(k) ?? [], d.set, d.ports, addressType);
      toCreate.push(...r.create); toUpdate.push(...r.update); toDelete.push(...r.delete);
      added += r.added; removed += r.removed;
    }
    for (const [k, slices] of existingByPorts) if (!desiredByPorts.has(k)) toDelete.push(...slices);

    // A service with a selector always has at least one slice: an empty placeholder.
    if (existing.length === toDelete.length && toCreate.length === 0) {
      const placeholder = newEndpointSlice(svc, [], addressType, this.controllerName);
      if (toDelete.length === 1 && isSamePlaceholder(toDelete[0]!, placeholder)) toDelete.length = 0;
      else toCreate.push(placeholder);
    }
    return { create: toCreate, update: toUpdate, delete: toDelete, added, removed, errors };
  }

  private byPortMapping(svc: Service, existing: EndpointSlice[], desired: EndpointSet, ports: SlicePort[], addressType: AddressType):
    { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[]; added: number; removed: number } {
    const max = this.o.maxEndpointsPerSlice;
    const byName = new Map<string, EndpointSlice>();
    const unchanged = new Set<string>(); const toUpdate = new Set<string>(); const toDelete = new Set<string>();
    let removed = 0;
    // 1. Keep wanted endpoints (in their desired form) and drop the rest.
    for (const s of existing) {
      const name = s.metadata.name!;
      byName.set(name, s);
      const kept: Endpoint[] = [];
      let changed = false;
      for (const ep of s.endpoints ?? []) {
        const want = desired.get(ep);
        if (!want) continue;
        kept.push(want);
        if (!endpointsEqualBeyondHash(want, ep)) changed = true;
        desired.delete(ep);
      }
      const { labels, changed: labelsChanged } = sliceLabels(s.metadata.labels, svc, this.controllerName);
      const had = s.endpoints?.length ?? 0;
      if (changed || had !== kept.length) {
        if (had > kept.length) removed += had - kept.length;
        if (kept.length === 0) toDelete.add(name);
        else {
          const copy = structuredClone(s);
          copy.endpoints = kept;
          copy.metadata.labels = labels;
          byName.set(name, copy); toUpdate.add(name);
        }
      } else if (labelsChanged) {
        const copy = structuredClone(s);
        copy.metadata.labels = labels;
        byName.set(name, copy); toUpdate.add(name);
      } else {
        unchanged.add(name);
      }
    }
    const added = desired.size;
    // 2. Fill the slices being updated anyway, fullest first.
    if (desired.size > 0 && toUpdate.size > 0) {
      const slices = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
      for (const s of slices) {
        s.endpoints ??= [];
        while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(desired.pop());
      }
    }
    // 3. The rest: into one unchanged slice that can take them all, else into new slices.
    const toCreate: EndpointSlice[] = [];
    while (desired.size > 0) {
      let fill: EndpointSlice | undefined;
      if (desired.size < max && unchanged.size > 0) fill = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (!fill) fill = newEndpointSlice(svc, ports, addressType, this.controllerName);
      else { fill = structuredClone(fill); byName.set(fill.metadata.name!, fill); }
      fill.endpoints ??= [];
      while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(desired.pop());
      if (fill.metadata.name) { toUpdate.add(fill.metadata.name); unchanged.delete(fill.metadata.name); }
      else toCreate.push(fill);
    }
    return {
      create: toCreate, update: [...toUpdate].map((n) => byName.get(n)!), delete: [...toDelete].map((n) => byName.get(n)!),
      added, removed,
    };
  }

  /** finalize: creates that can reuse a slice being deleted become updates; then write. */
  async finalize(svc: Service, plan: SlicePlan, triggerTimeMs: number): Promise<void> {
    const create = [...plan.create]; const update = [...plan.update]; const del = [...plan.delete];
    for (let i = 0; i < del.length && create.length > 0;) {
      const victim = del[i]!;
      const slice = create[create.length - 1]!;
      if (victim.addressType === slice.addressType && ownedBy(victim, svc)) {
        slice.metadata.name = victim.metadata.name;
        delete slice.metadata.generateName;
        slice.metadata.resourceVersion = victim.metadata.resourceVersion;
        create.pop(); update.push(slice); del.splice(i, 1);
      } else i++;
    }
    const ns = svc.metadata.namespace; const name = svc.metadata.name;
    // No new slices for a service being deleted (the garbage collector is removing them).
    if (!svc.metadata.deletionTimestamp) {
      for (const s of create) {
        setTriggerTime(s, triggerTimeMs);
        try { await this.o.writer.create(s); } catch (err) {
          if (isNamespaceTerminating(err)) return;
          throw new Error(`failed to create EndpointSlice for Service ${ns}/${name}: ${msg(err)}`);
        }
      }
    }
    for (const s of update) {
      setTriggerTime(s, triggerTimeMs);
      try { await this.o.writer.update(s); } catch (err) {
        throw new Error(`failed to update ${s.metadata.name} EndpointSlice for Service ${ns}/${name}: ${msg(err)}`);
      }
    }
    for (const s of del) {
      try { await this.o.writer.delete(s); } catch (err) {
        throw new Error(`failed to delete ${s.metadata.name} EndpointSlice for Service ${ns}/${name}: ${msg(err)}`);
      }
    }
  }
}

const msg = (err: unknown): string => (err instanceof Error ? err.message : String(err));

function setTriggerTime(s: EndpointSlice, ms: number): void {
  const a = { ...(s.metadata.annotations ?? {}) };
  if (ms) a[LAST_CHANGE_TRIGGER_TIME] = formatRFC3339Nano(ms);
  else delete a[LAST_CHANGE_TRIGGER_TIME];
  s.metadata.annotations = Object.keys(a).length ? a : undefined;
}
