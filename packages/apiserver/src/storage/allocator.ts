// Persisted range allocators for Service cluster IPs and node ports, as upstream keeps them: one
// RangeAllocation object per range (/registry/ranges/serviceips, /registry/ranges/servicenodeports)
// holding a bitmap, changed only by compare-and-swap, so several apiservers share it safely.
import { randomInt } from 'node:crypto';
import { Errors } from '../api/errors.js';
import type { EtcdClient } from './etcd.js';

interface RangeAllocation {
  apiVersion: 'v1';
  kind: 'RangeAllocation';
  metadata: { creationTimestamp: string };
  range: string;
  /** Base64 bitmap: bit i set = offset i allocated. */
  data: string;
}

export interface Range {
  /** As upstream prints it: "10.0.0.0/24" or "30000-32767". */
  text: string;
  size: number;
  /** The value at offset i. */
  at(i: number): string;
  /** The offset of a value, or undefined when outside the range. */
  offset(v: string): number | undefined;
}

export class AllocationError extends Error {}

const ipToInt = (ip: string): number | undefined => {
  const p = ip.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
  return p.reduce((n, x) => n * 256 + Number(x), 0);
};
const intToIp = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** The usable addresses of an IPv4 CIDR: the network and broadcast addresses are excluded. */
export function cidrRange(cidr: string): Range & { base: number; prefix: number } {
  const [ip, bits] = cidr.split('/');
  const base0 = ipToInt(ip ?? '');
  const prefix = Number(bits);
  if (base0 === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > 30) throw new Error(`invalid --service-cluster-ip-range ${cidr}: an IPv4 CIDR between /8 and /30 is required`);
  const total = 2 ** (32 - prefix);
  const base = base0 - (base0 % total);
  const size = total - 2;
  return {
    text: `${intToIp(base)}/${prefix}`, size, base, prefix,
    at: (i) => intToIp(base + 1 + i),
    offset: (v) => { const n = ipToInt(v); return n === undefined || n <= base || n >= base + total - 1 ? undefined : n - base - 1; },
  };
}

export function portRange(spec: string): Range {
  const m = /^(\d+)-(\d+)$/.exec(spec.trim()) ?? /^(\d+)\+(\d+)$/.exec(spec.trim());
  if (!m) throw new Error(`invalid --service-node-port-range ${spec}: want "min-max"`);
  const lo = Number(m[1]);
  const hi = spec.includes('+') ? lo + Number(m[2]) : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) throw new Error(`invalid --service-node-port-range ${spec}`);
  return {
    text: `${lo}-${hi}`, size: hi - lo + 1,
    at: (i) => String(lo + i),
    offset: (v) => { const n = Number(v); return Number.isInteger(n) && n >= lo && n <= hi ? n - lo : undefined; },
  };
}

export class RangeAllocator {
  constructor(private readonly etcd: EtcdClient, private readonly key: string, readonly range: Range) {}

  private async read(): Promise<{ bits: Buffer; modRevision: number }> {
    const r = await this.etcd.get(this.key);
    if (!r.kv) return { bits: Buffer.alloc(Math.ceil(this.range.size / 8)), modRevision: 0 };
    const ra = JSON.parse(r.kv.value.toString()) as RangeAllocation;
    const bits = Buffer.alloc(Math.ceil(this.range.size / 8));
    Buffer.from(ra.data ?? '', 'base64').copy(bits);
    return { bits, modRevision: r.kv.modRevision };
  }

  private async write(bits: Buffer, modRevision: number): Promise<boolean> {
    const ra: RangeAllocation = {
      apiVersion: 'v1', kind: 'RangeAllocation', metadata: { creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
      range: this.range.text, data: bits.toString('base64'),
    };
    const value = Buffer.from(JSON.stringify(ra));
    if (modRevision === 0) return 'revision' in (await this.etcd.create(this.key, value));
    return 'revision' in (await this.etcd.update(this.key, value, modRevision));
  }

  /** Changes the bitmap by compare-and-swap, retrying on concurrent changes. */
  private async change<T>(f: (bits: Buffer) => T): Promise<T> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const { bits, modRevision } = await this.read();
      const out = f(bits);
      if (await this.write(bits, modRevision)) return out;
    }
    throw Errors.internal(`cannot allocate from ${this.key}: too many concurrent changes`);
  }

  /** Allocates `value`, or a free one when undefined. Throws AllocationError with upstream's wording. */
  async allocate(value?: string): Promise<string> {
    return this.change((bits) => {
      const get = (i: number): boolean => (bits[i >> 3]! & (1 << (i & 7))) !== 0;
      const set = (i: number): void => { bits[i >> 3] = bits[i >> 3]! | (1 << (i & 7)); };
      if (value !== undefined) {
        const i = this.range.offset(value);
        if (i === undefined) throw new AllocationError(`provided ${this.kind()} is not in the valid range. The range of valid ${this.kind()}s is ${this.range.text}`);
        if (get(i)) throw new AllocationError(`provided ${this.kind()} is already allocated`);
        set(i);
        return value;
      }
      // Random start, then the next free one: upstream allocates randomly too.
      const start = randomInt(this.range.size);
      for (let k = 0; k < this.range.size; k++) {
        const i = (start + k) % this.range.size;
        if (!get(i)) { set(i); return this.range.at(i); }
      }
      throw new AllocationError(`range is full`);
    });
  }

  async release(value: string): Promise<void> {
    const i = this.range.offset(value);
    if (i === undefined) return;
    await this.change((bits) => { bits[i >> 3] = bits[i >> 3]! & ~(1 << (i & 7)); });
  }

  private kind(): string {
    return this.key.endsWith('serviceips') ? 'IP' : 'port';
  }
}
