// framework.Resource: cpu in millicores, memory and ephemeral storage in bytes, pod count, and
// scalar (extended, hugepages) resources; plus the pod request arithmetic upstream uses
// (resourcehelper.PodRequests: containers summed, init containers as a max, sidecars counted
// with the containers they run beside, overhead added).
import { milliValue, value } from '@kube-ts/client/quantity';
import type { Container, Pod, ResourceList } from '@kube-ts/client/types';

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';
export const PODS = 'pods';

/** Defaults for containers without a request, used only for scoring (upstream DefaultMilliCPURequest/DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export class Resource {
  milliCPU = 0;
  memory = 0;
  ephemeralStorage = 0;
  allowedPodNumber = 0;
  scalar = new Map<string, number>();

  static fromList(list: ResourceList | undefined): Resource {
    const r = new Resource();
    r.add(list);
    return r;
  }

  /** Adds a ResourceList (unparseable quantities count as zero, as the apiserver rejects them anyway). */
  add(list: ResourceList | undefined): void {
    for (const [name, q] of Object.entries(list ?? {})) this.addOne(name, quantity(name, q));
  }

  addOne(name: string, v: number): void {
    switch (name) {
      case CPU: this.milliCPU += v; break;
      case MEMORY: this.memory += v; break;
      case EPHEMERAL_STORAGE: this.ephemeralStorage += v; break;
      case PODS: this.allowedPodNumber += v; break;
      default: this.scalar.set(name, (this.scalar.get(name) ?? 0) + v);
    }
  }

  get(name: string): number {
    switch (name) {
      case CPU: return this.milliCPU;
      case MEMORY: return this.memory;
      case EPHEMERAL_STORAGE: return this.ephemeralStorage;
      case PODS: return this.allowedPodNumber;
      default: return this.scalar.get(name) ?? 0;
    }
  }

  set(name: string, v: number): void {
    switch (name) {
      case CPU: this.milliCPU = v; break;
      case MEMORY: this.memory = v; break;
      case EPHEMERAL_STORAGE: this.ephemeralStorage = v; break;
      case PODS: this.allowedPodNumber = v; break;
      default: this.scalar.set(name, v);
    }
  }

  plus(o: Resource, sign = 1): void {
    this.milliCPU += sign * o.milliCPU;
    this.memory += sign * o.memory;
    this.ephemeralStorage += sign * o.ephemeralStorage;
    this.allowedPodNumber += sign * o.allowedPodNumber;
    for (const [k, v] of o.scalar) this.scalar.set(k, (this.scalar.get(k) ?? 0) + sign * v);
  }

  /** Per-resource maximum (init containers). */
  setMax(o: Resource): void {
    this.milliCPU = Math.max(this.milliCPU, o.milliCPU);
    this.memory = Math.max(this.memory, o.memory);
    this.ephemeralStorage = Math.max(this.ephemeralStorage, o.ephemeralStorage);
    for (const [k, v] of o.scalar) this.scalar.set(k, Math.max(this.scalar.get(k) ?? 0, v));
  }

  clone(): Resource {
    const r = new Resource();
    r.plus(this);
    return r;
  }

  /** Names of the resources with a non-zero amount (pods excluded). */
  names(): string[] {
    const out: string[] = [];
    if (this.milliCPU) out.push(CPU);
    if (this.memory) out.push(MEMORY);
    if (this.ephemeralStorage) out.push(EPHEMERAL_STORAGE);
    for (const [k, v] of this.scalar) if (v) out.push(k);
    return out;
  }
}

function quantity(name: string, q: string | number): number {
  try { return name === CPU ? milliValue(q) : value(q); } catch { return 0; }
}

function isRestartableInit(c: Container): boolean { return c.restartPolicy === 'Always'; }

function containerRequests(c: Container, nonZero: boolean): Resource {
  const r = Resource.fromList(c.resources?.requests);
  if (nonZero) {
    const req = c.resources?.requests ?? {};
    if (req[CPU] === undefined) r.milliCPU = DEFAULT_MILLI_CPU_REQUEST;
    if (req[MEMORY] === undefined) r.memory = DEFAULT_MEMORY_REQUEST;
  }
  return r;
}

/**
 * The pod's effective request: max(sum of containers + sidecars, each init container plus the
 * sidecars started before it) + overhead. With `nonZero`, cpu/memory missing on a container count
 * as the scoring defaults (100m, 200Mi).
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const sum = new Resource();
  for (const c of pod.spec.containers ?? []) sum.plus(containerRequests(c, nonZero));
  const sidecars = new Resource();
  const initMax = new Resource();
  for (const c of pod.spec.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (isRestartableInit(c)) {
      sum.plus(r);
      sidecars.plus(r);
      initMax.setMax(sidecars);
    } else {
      const withSidecars = r.clone();
      withSidecars.plus(sidecars);
      initMax.setMax(withSidecars);
    }
  }
  sum.setMax(initMax);
  if (pod.spec.overhead) sum.add(pod.spec.overhead);
  return sum;
}
