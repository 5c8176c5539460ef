// framework.NodeInfo: a node with the pods the scheduler believes are on it (bound and assumed),
// their summed requests, host ports in use, and image locality data. Snapshots of these are what
// Filter and Score plugins read.
import type { Node } from '@kube-ts/client/types';
import { Resource } from './resource.js';
import type { PodInfo } from './podinfo.js';

export interface ImageStateSummary {
  /** Image size in bytes. */
  size: number;
  /** How many nodes have the image. */
  numNodes: number;
}

/** Host ports in use: `ip/protocol/port` entries; 0.0.0.0 conflicts with every IP. */
export class HostPortInfo {
  private readonly ports = new Map<string, Set<string>>(); // ip -> "proto/port"

  add(ip: string | undefined, protocol: string | undefined, port: number): void {
    const k = ip || '0.0.0.0';
    let s = this.ports.get(k);
    if (!s) this.ports.set(k, (s = new Set()));
    s.add(`${protocol || 'TCP'}/${port}`);
  }

  remove(ip: string | undefined, protocol: string | undefined, port: number): void {
    const k = ip || '0.0.0.0';
    const s = this.ports.get(k);
    s?.delete(`${protocol || 'TCP'}/${port}`);
    if (s && s.size === 0) this.ports.delete(k);
  }

  /** Whether ip/protocol/port conflicts with a port in use (0.0.0.0 on either side matches any IP). */
  checkConflict(ip: string | undefined, protocol: string | undefined, port: number): boolean {
    const pp = `${protocol || 'TCP'}/${port}`;
    const k = ip || '0.0.0.0';
    if (k === '0.0.0.0') {
      for (const s of this.ports.values()) if (s.has(pp)) return true;
      return false;
    }
    return (this.ports.get(k)?.has(pp) ?? false) || (this.ports.get('0.0.0.0')?.has(pp) ?? false);
  }

  clone(): HostPortInfo {
    const c = new HostPortInfo();
    for (const [k, s] of this.ports) c.ports.set(k, new Set(s));
    return c;
  }

  get size(): number { let n = 0; for (const s of this.ports.values()) n += s.size; return n; }
}

let generation = 0;
/** A process-wide counter: every NodeInfo change gets a new generation (snapshots copy only changed nodes). */
export function nextGeneration(): number { return ++generation; }

export class NodeInfo {
  node: Node | undefined;
  pods: PodInfo[] = [];
  /** Pods with any (anti-)affinity term. */
  podsWithAffinity: PodInfo[] = [];
  /** Pods with a required anti-affinity term. */
  podsWithRequiredAntiAffinity: PodInfo[] = [];
  usedPorts = new HostPortInfo();
  requested = new Resource();
  /** Requests with scoring defaults for containers that set none. */
  nonZeroRequested = new Resource();
  allocatable = new Resource();
  /** image name -> summary, for images on this node. */
  imageStates = new Map<string, ImageStateSummary>();
  generation = nextGeneration();

  constructor(node?: Node, pods: PodInfo[] = []) {
    if (node) this.setNode(node);
    for (const p of pods) this.addPod(p);
  }

  get name(): string { return this.node?.metadata.name ?? ''; }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = Resource.fromList(node.status?.allocatable);
    this.generation = nextGeneration();
  }

  addPod(p: PodInfo): void {
    this.pods.push(p);
    if (p.hasAffinity()) this.podsWithAffinity.push(p);
    if (p.requiredAntiAffinityTerms.length) this.podsWithRequiredAntiAffinity.push(p);
    this.update(p, 1);
  }

  /** Removes by uid; returns whether it was there. */
  removePod(p: PodInfo): boolean {
    const i = this.pods.findIndex((x) => x.uid === p.uid);
    if (i < 0) return false;
    const old = this.pods[i]!;
    this.pods.splice(i, 1);
    this.podsWithAffinity = this.podsWithAffinity.filter((x) => x.uid !== p.uid);
    this.podsWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity.filter((x) => x.uid !== p.uid);
    this.update(old, -1);
    return true;
  }

  private update(p: PodInfo, sign: 1 | -1): void {
    this.requested.plus(p.requests, sign);
    this.nonZeroRequested.plus(p.nonZeroRequests, sign);
    // Sidecars (restartable init containers) hold their host ports for the pod's lifetime too.
    const sidecars = (p.pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
    for (const c of [...(p.pod.spec.containers ?? []), ...sidecars]) {
      for (const port of c.ports ?? []) {
        if (!port.hostPort) continue;
        if (sign > 0) this.usedPorts.add(port.hostIP, port.protocol, port.hostPort);
        else this.usedPorts.remove(port.hostIP, port.protocol, port.hostPort);
      }
    }
    this.generation = nextGeneration();
  }

  clone(): NodeInfo {
    const c = new NodeInfo();
    c.node = this.node;
    c.pods = [...this.pods];
    c.podsWithAffinity = [...this.podsWithAffinity];
    c.podsWithRequiredAntiAffinity = [...this.podsWithRequiredAntiAffinity];
    c.usedPorts = this.usedPorts.clone();
    c.requested = this.requested.clone();
    c.nonZeroRequested = this.nonZeroRequested.clone();
    c.allocatable = this.allocatable.clone();
    c.imageStates = new Map(this.imageStates);
    c.generation = this.generation;
    return c;
  }
}
