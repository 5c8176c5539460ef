// Node IPAM: address parsing, the CidrSet (upstream cidr_set_test.go cases: full allocation,
// sequential allocation, occupy/release, out of range) and the range allocator's restart rebuild.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { RestClient } from '@kube-ts/client/rest';
import type { Node } from '@kube-ts/client/types';
import { DEFAULT_OPTIONS } from '../../src/context.js';
import { buildContext } from '../../src/contextbuilder.js';
import { CidrSet, ERR_NO_CIDRS_REMAINING } from '../../src/controllers/nodeipam/cidrset.js';
import { formatCidr, formatIP, parseCidr, parseIPv4, parseIPv6 } from '../../src/controllers/nodeipam/ip.js';
import { RangeAllocator, rangeAllocatorConfig } from '../../src/controllers/nodeipam/rangeallocator.js';

const cidr = (s: string) => { const c = parseCidr(s); if (!c) throw new Error(`bad ${s}`); return c; };

describe('ip parsing', () => {
  it.each([
    ['10.0.0.1', 0x0a000001n], ['255.255.255.255', 0xffffffffn], ['0.0.0.0', 0n],
  ])('IPv4 %s', (s, v) => { expect(parseIPv4(s)).toBe(v); expect(formatIP(v, 4)).toBe(s); });

  it.each(['10.0.0', '10.0.0.256', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', ''])('rejects IPv4 %j', (s) => expect(parseIPv4(s)).toBeUndefined());

  it.each([
    ['::', '::'], ['::1', '::1'], ['fd00::', 'fd00::'], ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['fd00:10:244::', 'fd00:10:244::'],
    ['::ffff:10.0.0.1', '::ffff:a00:1'],
  ])('IPv6 %s', (s, out) => { expect(formatIP(parseIPv6(s)!, 6)).toBe(out); });

  it.each(['1::2::3', '12345::', ':::', '1:2:3:4:5:6:7:8:9', 'g::'])('rejects IPv6 %j', (s) => expect(parseIPv6(s)).toBeUndefined());

  it('masks CIDRs to the network like net.ParseCIDR', () => {
    expect(formatCidr(cidr('10.1.2.3/16'))).toBe('10.1.0.0/16');
    expect(formatCidr(cidr('fd00::1/48'))).toBe('fd00::/48');
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0')).toBeUndefined();
  });
});

describe('CidrSet', () => {
  it('TestCIDRSetFullyAllocated: one /30 in a /30; released it is handed out again', () => {
    const s = new CidrSet(cidr('127.123.234.0/30'), 30);
    const c = s.allocateNext();
    expect(formatCidr(c)).toBe('127.123.234.0/30');
    expect(() => s.allocateNext()).toThrow(ERR_NO_CIDRS_REMAINING);
    s.release(c);
    expect(formatCidr(s.allocateNext())).toBe('127.123.234.0/30');
  });

  it('TestCIDRSet_RandomishAllocation: 256 distinct /24s from a /16, in order, then exhaustion', () => {
    const s = new CidrSet(cidr('127.123.0.0/16'), 24);
    const got = Array.from({ length: 256 }, () => formatCidr(s.allocateNext()));
    expect(new Set(got).size).toBe(256);
    expect(got[0]).toBe('127.123.0.0/24');
    expect(got[255]).toBe('127.123.255.0/24');
    expect(() => s.allocateNext()).toThrow(ERR_NO_CIDRS_REMAINING);
    expect(s.allocatedCount).toBe(256);
  });

  it('allocation continues after the last allocated subnet (a released one is not reused at once)', () => {
    const s = new CidrSet(cidr('10.0.0.0/22'), 24);
    const a = s.allocateNext(); s.allocateNext();
    s.release(a);
    expect(formatCidr(s.allocateNext())).toBe('10.0.2.0/24');
    expect(formatCidr(s.allocateNext())).toBe('10.0.3.0/24');
    expect(formatCidr(s.allocateNext())).toBe('10.0.0.0/24');
  });

  it('TestOccupy: a larger CIDR occupies every subnet it covers, a smaller one its subnet', () => {
    const s = new CidrSet(cidr('127.0.0.0/8'), 16);
    s.occupy(cidr('127.0.0.0/8'));
    expect(s.allocatedCount).toBe(256);
    expect(() => s.allocateNext()).toThrow(ERR_NO_CIDRS_REMAINING);
    const t = new CidrSet(cidr('10.0.0.0/16'), 24);
    t.occupy(cidr('10.0.4.0/22'));
    expect(t.allocatedCount).toBe(4);
    t.occupy(cidr('10.0.9.128/25'));
    expect(t.isUsed(cidr('10.0.9.0/24'))).toBe(true);
    t.release(cidr('10.0.4.0/22'));
    expect(t.allocatedCount).toBe(1);
  });

  it('rejects CIDRs out of the cluster range and bad mask sizes', () => {
    const s = new CidrSet(cidr('10.0.0.0/16'), 24);
    expect(() => s.occupy(cidr('10.1.0.0/24'))).toThrow('cidr 10.1.0.0/24 is out the range of cluster cidr 10.0.0.0/16');
    expect(() => new CidrSet(cidr('10.0.0.0/16'), 8)).toThrow();
    expect(() => new CidrSet(cidr('fd00::/48'), 112)).toThrow('the node CIDR size is too big');
  });

  it('IPv6: /64s from a /56', () => {
    const s = new CidrSet(cidr('fd00:10:244::/56'), 64);
    expect(formatCidr(s.allocateNext())).toBe('fd00:10:244::/64');
    expect(formatCidr(s.allocateNext())).toBe('fd00:10:244:1::/64');
    expect(s.maxCIDRs).toBe(256);
  });
});

describe('range allocator', () => {
  it('config: single stack uses --node-cidr-mask-size, dual stack the per-family defaults', () => {
    expect(rangeAllocatorConfig({ nodeCIDRMaskSize: 24 })).toBe('kube-controller-manager missing --cluster-cidr');
    const one = rangeAllocatorConfig({ clusterCIDR: '10.244.0.0/16', nodeCIDRMaskSize: 26 });
    expect(typeof one !== 'string' && one.nodeMaskSizes).toEqual([26]);
    const two = rangeAllocatorConfig({ clusterCIDR: '10.244.0.0/16,fd00:10:244::/56', nodeCIDRMaskSize: 24 });
    expect(typeof two !== 'string' && two.nodeMaskSizes).toEqual([24, 64]);
    expect(rangeAllocatorConfig({ clusterCIDR: '10.0.0.0/16,10.1.0.0/16', nodeCIDRMaskSize: 24 })).toMatch(/same IP family/);
    expect(rangeAllocatorConfig({ clusterCIDR: 'nope', nodeCIDRMaskSize: 24 })).toMatch(/invalid --cluster-cidr/);
  });

  it('a restarted allocator occupies what nodes already hold (and the service range) before allocating', () => {
    const rest = new RestClient({ server: 'https://127.0.0.1:1', qps: 1, burst: 1 } as ConstructorParameters<typeof RestClient>[0]);
    const { ctx } = buildContext({ rest, options: DEFAULT_OPTIONS, logger: pino({ level: 'silent' }), metrics: new Registry() });
    const cfg = rangeAllocatorConfig({ clusterCIDR: '10.0.0.0/22', nodeCIDRMaskSize: 24, serviceClusterIPRange: '10.0.1.0/24' });
    if (typeof cfg === 'string') throw new Error(cfg);
    const ra = new RangeAllocator(ctx, cfg);
    const n = (name: string, podCIDRs?: string[]): Node => ({ metadata: { name }, spec: podCIDRs ? { podCIDR: podCIDRs[0], podCIDRs } : {} });
    ra.occupyCIDRs(n('a', ['10.0.0.0/24']));
    ra.occupyCIDRs(n('b'));
    // 10.0.0.0 (node a) and 10.0.1.0 (services) are taken.
    expect(formatCidr(ra.sets[0]!.allocateNext())).toBe('10.0.2.0/24');
    expect(formatCidr(ra.sets[0]!.allocateNext())).toBe('10.0.3.0/24');
    expect(() => ra.sets[0]!.allocateNext()).toThrow(ERR_NO_CIDRS_REMAINING);
    // A deleted node gives its subnet back.
    ra.releaseCIDRs(n('a', ['10.0.0.0/24']));
    expect(formatCidr(ra.sets[0]!.allocateNext())).toBe('10.0.0.0/24');
    expect(() => ra.occupyCIDRs(n('c', ['10.9.0.0/24']))).toThrow('failed to mark cidr[10.9.0.0/24] at idx [0] as occupied for node: c');
    expect(() => ra.occupyCIDRs(n('d', ['10.0.0.0/24', 'fd00::/64']))).toThrow('node:d has an allocated cidr: fd00::/64 at index:1 that does not exist in cluster cidrs configuration');
  });
});
