// The change trackers (upstream ServiceChangeTracker + EndpointsChangeTracker/EndpointSliceCache),
// folded into one: informer events are parsed once and kept per service ("ns/name") as pending
// changes; take() applies only the services touched since the previous take, into copy-on-write
// maps, so a sync at 10,000 services costs what changed, not a rebuild. States handed out are
// never mutated afterwards: a proxier may keep an older one to diff against.
import type { EndpointSlice, Service } from '@kube-ts/client/services';
import type { EndpointInfo, ProxyState, ServicePortInfo, SyncChanges } from '../types.js';
import { ZONE_LABEL } from '../topology.js';
import { CowMap, type CowMapDraft } from './cowmap.js';
import { deepEqual } from '@kube-ts/client/equal';
import { LAST_CHANGE_TRIGGER_TIME, parseEndpointSlice, serviceEndpoints, sliceKeys, type ParsedSlice } from './endpoints.js';
import { serviceKey, servicePortsFromService } from './service.js';

export interface TrackerOptions { nodeName: string; nodeIPs: string[]; nodeLabels?: Record<string, string> }

export interface TakeResult {
  /** Full current state. */
  state: ProxyState;
  /** full: false; changed: service port names whose ServicePortInfo or endpoints differ from the previous take. */
  changes: SyncChanges;
  /** last-change-trigger-time of slices changed since the last take (network programming latency). */
  triggerTimes: Date[];
  /** Service add/update/delete events since the last take. */
  serviceChanges: number;
  /** EndpointSlice events since the last take. */
  endpointChanges: number;
}

interface SliceTracker {
  applied: Map<string, ParsedSlice>;
  /** null: deleted. Only entries that differ from `applied`. */
  pending: Map<string, ParsedSlice | null>;
}

const EMPTY: ReadonlySet<string> = new Set();

export class ProxyTracker {
  private readonly nodeName: string;
  private nodeIPs: string[];
  private nodeLabels: Record<string, string>;
  /** Set when the zone or the node IPs changed: the next take marks every service port changed. */
  private everythingChanged = false;

  /** Service ports as of the last take, by service key. */
  private readonly appliedServices = new Map<string, ServicePortInfo[]>();
  /** Service ports that differ from appliedServices ([] = gone). */
  private readonly pendingServices = new Map<string, ServicePortInfo[]>();
  private readonly slices = new Map<string, SliceTracker>();
  /** Services whose slices have pending entries. */
  private readonly pendingSliceServices = new Set<string>();
  /** "ns/slice" → service key, so a slice whose label moved is removed from its old service. */
  private readonly sliceOwner = new Map<string, string>();
  /** Service port names present in the state (services or endpoints), by service key. */
  private readonly namesByService = new Map<string, Set<string>>();
  private readonly triggerTimes = new Map<string, Date[]>();
  private readonly startTime = Date.now();
  private serviceChanges = 0;
  private endpointChanges = 0;
  private services = CowMap.empty<ServicePortInfo>();
  private endpoints = CowMap.empty<readonly EndpointInfo[]>();
  private state: ProxyState;

  constructor(opts: TrackerOptions) {
    this.nodeName = opts.nodeName;
    this.nodeIPs = [...opts.nodeIPs];
    this.nodeLabels = { ...(opts.nodeLabels ?? {}) };
    this.state = { services: this.services, endpoints: this.endpoints, nodeName: this.nodeName, nodeIPs: [...this.nodeIPs], nodeLabels: { ...this.nodeLabels } };
  }

  updateService(svc: Service): void {
    this.setService(svc, servicePortsFromService(svc));
  }

  deleteService(svc: Service): void {
    this.setService(svc, []);
  }

  private setService(svc: Service, ports: ServicePortInfo[]): void {
    this.serviceChanges++;
    const key = serviceKey(svc.metadata.namespace ?? '', svc.metadata.name ?? '');
    // Compared with what the last take applied, so add-then-delete and no-op updates cancel out.
    if (deepEqual(this.appliedServices.get(key) ?? [], ports)) this.pendingServices.delete(key);
    else this.pendingServices.set(key, ports);
  }

  updateEndpointSlice(slice: EndpointSlice): void {
    this.endpointChanges++;
    const parsed = parseEndpointSlice(slice, this.nodeName);
    if (!parsed) return;
    const owner = this.sliceOwner.get(parsed.slice);
    if (owner !== undefined && owner !== parsed.service) this.setSlice(owner, parsed.slice, null);
    this.sliceOwner.set(parsed.slice, parsed.service);
    if (this.setSlice(parsed.service, parsed.slice, parsed)) {
      const t = Date.parse(slice.metadata.annotations?.[LAST_CHANGE_TRIGGER_TIME] ?? '');
      // Times from before this tracker started measure the previous kube-proxy, not us.
      if (!Number.isNaN(t) && t > this.startTime) {
        const list = this.triggerTimes.get(parsed.service);
        if (list) list.push(new Date(t));
        else this.triggerTimes.set(parsed.service, [new Date(t)]);
      }
    }
  }

  deleteEndpointSlice(slice: EndpointSlice): void {
    this.endpointChanges++;
    const keys = sliceKeys(slice);
    if (!keys || slice.addressType !== 'IPv4') return;
    const owner = this.sliceOwner.get(keys.slice) ?? keys.service;
    this.sliceOwner.delete(keys.slice);
    // A deleted slice's annotation dates from its last update, not from the deletion (upstream too).
    if (this.setSlice(owner, keys.slice, null)) this.triggerTimes.delete(owner);
  }

  /** Records a slice's new content; returns whether it differs from the latest known one. */
  private setSlice(service: string, sliceName: string, parsed: ParsedSlice | null): boolean {
    let tr = this.slices.get(service);
    if (!tr) {
      if (!parsed) return false;
      this.slices.set(service, (tr = { applied: new Map(), pending: new Map() }));
    }
    const applied = tr.applied.get(sliceName);
    const latest = tr.pending.has(sliceName) ? tr.pending.get(sliceName) ?? null : applied ?? null;
    const changed = (latest?.key ?? null) !== (parsed?.key ?? null);
    if ((applied?.key ?? null) === (parsed?.key ?? null)) tr.pending.delete(sliceName);
    else tr.pending.set(sliceName, parsed);
    if (tr.pending.size > 0) this.pendingSliceServices.add(service);
    else this.pendingSliceServices.delete(service);
    return changed;
  }

  /** Topology labels; a new zone can change every service's cluster endpoints. */
  setNodeLabels(labels: Record<string, string>): void {
    if ((labels[ZONE_LABEL] ?? '') !== (this.nodeLabels[ZONE_LABEL] ?? '')) this.everythingChanged = true;
    this.nodeLabels = { ...labels };
  }

  /** Node IPs feed NodePort rules of every service, so a change marks every service changed. */
  setNodeIPs(ips: string[]): void {
    if (!deepEqual(ips, this.nodeIPs)) this.everythingChanged = true;
    this.nodeIPs = [...ips];
  }

  hasPending(): boolean {
    return this.pendingServices.size > 0 || this.pendingSliceServices.size > 0 || this.everythingChanged;
  }

  take(): TakeResult {
    const dirty = new Set<string>([...this.pendingServices.keys(), ...this.pendingSliceServices]);
    const changed = new Set<string>();
    if (dirty.size > 0) {
      const svcDraft = this.services.edit();
      const epDraft = this.endpoints.edit();
      for (const key of dirty) this.applyService(key, svcDraft, epDraft, changed);
      this.services = svcDraft.finish();
      this.endpoints = epDraft.finish();
    }
    if (this.everythingChanged) {
      for (const name of this.services.keys()) changed.add(name);
      for (const name of this.endpoints.keys()) changed.add(name);
      this.everythingChanged = false;
    }
    this.state = { services: this.services, endpoints: this.endpoints, nodeName: this.nodeName, nodeIPs: [...this.nodeIPs], nodeLabels: { ...this.nodeLabels } };

    const triggerTimes = [...this.triggerTimes.values()].flat();
    this.triggerTimes.clear();
    const result: TakeResult = {
      state: this.state,
      changes: { full: false, changed },
      triggerTimes,
      serviceChanges: this.serviceChanges,
      endpointChanges: this.endpointChanges,
    };
    this.serviceChanges = 0;
    this.endpointChanges = 0;
    return result;
  }

  /** Applies one service's pending Service and slices and diffs its port names into the maps. */
  private applyService(
    key: string, svcMap: CowMapDraft<ServicePortInfo>, epMap: CowMapDraft<readonly EndpointInfo[]>, changed: Set<string>,
  ): void {
    const pendingPorts = this.pendingServices.get(key);
    if (pendingPorts !== undefined) {
      if (pendingPorts.length > 0) this.appliedServices.set(key, pendingPorts);
      else this.appliedServices.delete(key);
      this.pendingServices.delete(key);
    }
    const tr = this.slices.get(key);
    if (tr) {
      for (const [name, parsed] of tr.pending) {
        if (parsed) tr.applied.set(name, parsed);
        else tr.applied.delete(name);
      }
      tr.pending.clear();
      if (tr.applied.size === 0) this.slices.delete(key);
    }
    this.pendingSliceServices.delete(key);

    const ports = this.appliedServices.get(key) ?? [];
    const eps = tr && tr.applied.size > 0 ? serviceEndpoints(key, tr.applied.values(), ports) : new Map<string, EndpointInfo[]>();
    const names = new Set<string>([...ports.map((p) => p.name), ...eps.keys()]);
    for (const name of this.namesByService.get(key) ?? EMPTY) names.add(name);

    const present = new Set<string>();
    for (const name of names) {
      const next = ports.find((p) => p.name === name);
      const prev = svcMap.get(name);
      let diff = false;
      if (!deepEqual(prev, next)) {
        diff = true;
        if (next) svcMap.set(name, next);
        else svcMap.delete(name);
      }
      const nextEps = eps.get(name);
      if (!deepEqual(epMap.get(name), nextEps)) {
        diff = true;
        if (nextEps) epMap.set(name, nextEps);
        else epMap.delete(name);
      }
      if (diff) changed.add(name);
      if (next || nextEps) present.add(name);
    }
    if (present.size > 0) this.namesByService.set(key, present);
    else this.namesByService.delete(key);
  }
}
