// Service storage side effects (upstream's service REST): cluster IPs and node ports come from
// the persisted range allocators on create, carry over on update, and go back on delete.
import { Errors } from '../api/errors.js';
import type { KubeObject, StatusCause } from '../api/types.js';
import type { ResourceDef } from '../registry/resource.js';
import { AllocationError, type RangeAllocator } from '../storage/allocator.js';
import type { StorageHook } from './context.js';

type Obj = Record<string, unknown>;
interface Port { name?: string; port?: number; protocol?: string; nodePort?: number }

const specOf = (o: KubeObject): Obj => ((o.spec && typeof o.spec === 'object') ? o.spec as Obj : (o.spec = {}) as Obj);
const portsOf = (s: Obj): Port[] => (Array.isArray(s.ports) ? s.ports as Port[] : []);
const wantsIP = (s: Obj): boolean => s.type !== 'ExternalName' && s.clusterIP !== 'None';
const wantsNodePorts = (s: Obj): boolean => s.type === 'NodePort' || s.type === 'LoadBalancer';

function invalid(o: KubeObject, causes: StatusCause[]): never {
  throw Errors.invalid('Service', '', o.metadata.name ?? '', causes);
}

export function serviceAllocationHook(ips: RangeAllocator, ports: RangeAllocator): StorageHook {
  /** Allocates what `next` needs and `cur` (if any) does not already hold; returns what was taken. */
  async function allocate(next: KubeObject, cur: KubeObject | undefined, dryRun: boolean): Promise<{ ips: string[]; ports: number[] }> {
    const taken = { ips: [] as string[], ports: [] as number[] };
    const s = specOf(next);
    const old = cur ? specOf(cur) : undefined;
    try {
      if (wantsIP(s)) {
        const oldIP = old && wantsIP(old) ? old.clusterIP as string | undefined : undefined;
        if (!s.clusterIP && oldIP) s.clusterIP = oldIP;
        if (oldIP && s.clusterIP !== oldIP) invalid(next, [{ reason: 'FieldValueInvalid', message: `Invalid value: []string{"${String(s.clusterIP)}"}: may not change once set`, field: 'spec.clusterIPs[0]' }]);
        if (!oldIP) {
          const want = typeof s.clusterIP === 'string' && s.clusterIP !== '' ? s.clusterIP : undefined;
          try {
            s.clusterIP = dryRun ? (want ?? '') : await ips.allocate(want);
            if (!dryRun) taken.ips.push(s.clusterIP as string);
          } catch (e) {
            if (e instanceof AllocationError) invalid(next, [{ reason: 'FieldValueInvalid', message: `Invalid value: []string{"${want ?? ''}"}: failed to allocate IP ${want ?? ''}: ${e.message}`, field: 'spec.clusterIPs' }]);
            throw e;
          }
        }
        if (s.clusterIP) s.clusterIPs = [s.clusterIP];
      } else if (s.type === 'ExternalName') {
        delete s.clusterIP;
        delete s.clusterIPs;
      } else s.clusterIPs = ['None'];
      if (wantsNodePorts(s)) {
        const oldPorts = old && wantsNodePorts(old) ? portsOf(old) : [];
        for (const [i, p] of portsOf(s).entries()) {
          const prev = oldPorts.find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
          if (!p.nodePort && prev) p.nodePort = prev;
          if (p.nodePort && p.nodePort === prev) continue;
          try {
            if (dryRun) continue;
            p.nodePort = Number(await ports.allocate(p.nodePort ? String(p.nodePort) : undefined));
            taken.ports.push(p.nodePort);
          } catch (e) {
            if (e instanceof AllocationError) invalid(next, [{ reason: 'FieldValueInvalid', message: `Invalid value: ${p.nodePort ?? 0}: ${e.message}`, field: `spec.ports[${i}].nodePort` }]);
            throw e;
          }
        }
      } else {
        for (const p of portsOf(s)) delete p.nodePort;
      }
      return taken;
    } catch (e) {
      await release(taken);
      throw e;
    }
  }

  async function release(v: { ips: string[]; ports: number[] }): Promise<void> {
    for (const ip of v.ips) await ips.release(ip);
    for (const p of v.ports) await ports.release(String(p));
  }

  /** What `a` holds that `b` does not. */
  function held(a: KubeObject, b?: KubeObject): { ips: string[]; ports: number[] } {
    const s = specOf(a);
    const t = b ? specOf(b) : undefined;
    const ipA = wantsIP(s) ? s.clusterIP as string | undefined : undefined;
    const ipB = t && wantsIP(t) ? t.clusterIP as string | undefined : undefined;
    const portsA = wantsNodePorts(s) ? portsOf(s).map((p) => p.nodePort).filter((n): n is number => !!n) : [];
    const portsB = new Set(t && wantsNodePorts(t) ? portsOf(t).map((p) => p.nodePort) : []);
    return { ips: ipA && ipA !== ipB ? [ipA] : [], ports: portsA.filter((p) => !portsB.has(p)) };
  }

  const pending = new WeakMap<KubeObject, { ips: string[]; ports: number[] }>();
  return {
    appliesTo: (def: ResourceDef) => def.group === '' && def.plural === 'services',
    beforeCreate: async (obj, dryRun) => { pending.set(obj, await allocate(obj, undefined, dryRun)); },
    createFailed: async (obj) => { const t = pending.get(obj); if (t) await release(t); },
    beforeUpdate: async (next, cur, dryRun) => { pending.set(next, await allocate(next, cur, dryRun)); },
    updateFailed: async (next) => { const t = pending.get(next); if (t) await release(t); },
    // After a successful update, what the old object held and the new one does not goes back.
    afterUpdate: async (next, cur) => { await release(held(cur, next)); },
    afterDelete: async (obj) => { await release(held(obj)); },
  };
}
