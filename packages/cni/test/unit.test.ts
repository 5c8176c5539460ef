import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, parseEnv, validIfName } from '../src/config.js';
import { CniError } from '../src/errors.js';
import { candidates, HostLocalStore, parseRange, parseRangeSets } from '../src/ipam/hostlocal.js';
import { broadcastOf, contains, formatIPv4, parseCidr, parseIPv4 } from '../src/ipnet.js';
import { chainName } from '../src/ipmasq.js';
import { hostVethName } from '../src/netsetup.js';
import { formatResult } from '../src/result.js';
import { build, HOSTLOCAL_BIN, runPlugin } from './helpers.js';

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof CniError ? e.code : -1;
  }
  return undefined;
}

const base = { cniVersion: '1.0.0', name: 'net1', type: 'bridge', ipam: { type: 'host-local', subnet: '10.1.0.0/24' } };

describe('config parsing', () => {
  it('applies defaults', () => {
    const c = parseConfig(JSON.stringify(base));
    expect(c.bridge).toBe('cni0');
    expect(c.isGateway).toBe(false);
    expect(c.ipMasq).toBe(false);
    expect(parseConfig(JSON.stringify({ ...base, isDefaultGateway: true })).isGateway).toBe(true);
  });
  it('maps errors to spec codes', () => {
    expect(codeOf(() => parseConfig('{nope'))).toBe(6);
    expect(codeOf(() => parseConfig('[1]'))).toBe(6);
    expect(codeOf(() => parseConfig(JSON.stringify({ ...base, cniVersion: '0.2.0' })))).toBe(1);
    expect(codeOf(() => parseConfig(JSON.stringify({ ...base, cniVersion: undefined })))).toBe(4);
    expect(codeOf(() => parseConfig(JSON.stringify({ ...base, name: '' })))).toBe(4);
    expect(codeOf(() => parseConfig(JSON.stringify({ ...base, ipam: undefined })))).toBe(4);
    expect(codeOf(() => parseConfig(JSON.stringify({ ...base, mtu: 10 })))).toBe(4);
    expect(codeOf(() => parseConfig(JSON.stringify({ ...base, ipMasq: 'yes' })))).toBe(4);
    expect(codeOf(() => parseConfig(JSON.stringify({ ...base, bridge: 'a-very-long-bridge-name' })))).toBe(4);
    for (const v of ['0.3.0', '0.3.1', '0.4.0', '1.0.0']) {
      expect(parseConfig(JSON.stringify({ ...base, cniVersion: v })).cniVersion).toBe(v);
    }
  });
  it('validates the environment with code 7', () => {
    const env = { CNI_COMMAND: 'ADD', CNI_CONTAINERID: 'abc', CNI_NETNS: '/var/run/netns/x', CNI_IFNAME: 'eth0', CNI_PATH: '/opt' };
    expect(parseEnv(env).command).toBe('ADD');
    expect(codeOf(() => parseEnv({ ...env, CNI_COMMAND: undefined }))).toBe(7);
    expect(codeOf(() => parseEnv({ ...env, CNI_COMMAND: 'FOO' }))).toBe(7);
    expect(codeOf(() => parseEnv({ ...env, CNI_NETNS: undefined }))).toBe(7);
    expect(codeOf(() => parseEnv({ ...env, CNI_CONTAINERID: '../x' }))).toBe(7);
    expect(codeOf(() => parseEnv({ ...env, CNI_IFNAME: 'eth0/1' }))).toBe(7);
    expect(parseEnv({ ...env, CNI_COMMAND: 'DEL', CNI_NETNS: undefined }).netns).toBe('');
    expect(parseEnv({ CNI_COMMAND: 'VERSION' }).command).toBe('VERSION');
    expect(parseEnv({ ...env, CNI_ARGS: 'K8S_POD_NAME=a;IgnoreUnknown=1' }).args).toEqual({ K8S_POD_NAME: 'a', IgnoreUnknown: '1' });
    expect(validIfName('x'.repeat(16))).toBe(false);
  });
  it('names chains and veths like the reference (length limits)', () => {
    expect(chainName('net1', 'abc')).toMatch(/^CNI-[0-9a-f]{24}$/);
    expect(hostVethName('abc', 'eth0')).toMatch(/^veth[0-9a-f]{8}$/);
  });
  it('formats pre-1.0 results with ips[].version', () => {
    const r = { cniVersion: '0.4.0', ips: [{ address: '10.0.0.2/24', gateway: '10.0.0.1', interface: 2 }] };
    expect(formatResult(r, '0.4.0')['ips']).toEqual([{ version: '4', interface: 2, address: '10.0.0.2/24', gateway: '10.0.0.1' }]);
    expect(formatResult(r, '1.0.0')['ips']).toEqual([{ interface: 2, address: '10.0.0.2/24', gateway: '10.0.0.1' }]);
  });
});

describe('IP range arithmetic', () => {
  it('parses and formats', () => {
    expect(formatIPv4(parseIPv4('10.1.2.3'))).toBe('10.1.2.3');
    expect(parseIPv4('255.255.255.255')).toBe(0xffffffff);
    expect(codeOf(() => parseIPv4('256.1.1.1'))).toBe(4);
    const n = parseCidr('10.1.0.77/22');
    expect(formatIPv4(n.network)).toBe('10.1.0.0');
    expect(formatIPv4(broadcastOf(n))).toBe('10.1.3.255');
    expect(contains(n, parseIPv4('10.1.3.1'))).toBe(true);
    expect(contains(n, parseIPv4('10.1.4.1'))).toBe(false);
  });
  it('defaults and validates ranges', () => {
    const r = parseRange({ subnet: '192.168.5.0/24' });
    expect([formatIPv4(r.start), formatIPv4(r.end), formatIPv4(r.gateway)]).toEqual(['192.168.5.1', '192.168.5.254', '192.168.5.1']);
    expect(codeOf(() => parseRange({ subnet: '192.168.5.0/24', rangeStart: '192.168.6.1' }))).toBe(4);
    expect(codeOf(() => parseRange({ subnet: '192.168.5.0/24', rangeStart: '192.168.5.9', rangeEnd: '192.168.5.3' }))).toBe(4);
    expect(codeOf(() => parseRange({ subnet: '192.168.5.1/24' }))).toBe(4);
    expect(codeOf(() => parseRange({ subnet: 'fd00::/64' }))).toBe(4);
    expect(codeOf(() => parseRangeSets({ type: 'host-local', ranges: [[{ subnet: '10.0.0.0/24' }], [{ subnet: '10.0.0.0/25' }]] }))).toBe(4);
  });
  it('enumerates candidates skipping gateway, wrapping after last reserved', () => {
    const set = [parseRange({ subnet: '10.0.0.0/29' })];
    const all = [...candidates(set, undefined)].map((c) => formatIPv4(c.ip));
    expect(all).toEqual(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    const after = [...candidates(set, parseIPv4('10.0.0.4'))].map((c) => formatIPv4(c.ip));
    expect(after).toEqual(['10.0.0.5', '10.0.0.6', '10.0.0.2', '10.0.0.3', '10.0.0.4']);
    const two = [parseRange({ subnet: '10.0.0.0/30' }), parseRange({ subnet: '10.0.1.0/30', gateway: '10.0.1.2' })];
    expect([...candidates(two, parseIPv4('10.0.0.2'))].map((c) => formatIPv4(c.ip))).toEqual(['10.0.1.1', '10.0.0.2']);
  });
});

describe('host-local allocator', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ktscni-unit-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('allocates, records owner, refuses duplicates, releases, exhausts', async () => {
    const s = new HostLocalStore('small', { type: 'host-local', dataDir: dir, ranges: [[{ subnet: '10.5.0.0/29' }]], routes: [{ dst: '0.0.0.0/0' }] });
    const a = await s.allocate('c1', 'eth0');
    expect(a.ips).toEqual([{ address: '10.5.0.2/29', gateway: '10.5.0.1' }]);
    expect(a.routes).toEqual([{ dst: '0.0.0.0/0' }]);
    expect(await readFile(join(dir, 'small', '10.5.0.2'), 'utf8')).toBe('c1\r\neth0');
    expect(await readFile(join(dir, 'small', 'last_reserved_ip.0'), 'utf8')).toBe('10.5.0.2');
    await expect(s.allocate('c1', 'eth0')).rejects.toThrow(/duplicate allocation/);
    expect((await s.allocate('c1', 'eth1')).ips[0]?.address).toBe('10.5.0.3/29');
    for (const id of ['c2', 'c3', 'c4']) await s.allocate(id, 'eth0');
    await expect(s.allocate('c5', 'eth0')).rejects.toThrow(/no IP addresses available/);
    expect(await s.release('c1', 'eth0')).toEqual(['10.5.0.2']);
    expect(await s.release('c1', 'eth0')).toEqual([]);
    expect((await s.allocate('c5', 'eth0')).ips[0]?.address).toBe('10.5.0.2/29');
    expect(await s.held('c5', 'eth0')).toEqual(['10.5.0.2']);
  });

  it('50 concurrent in-process allocations get 50 distinct IPs', async () => {
    const s = new HostLocalStore('conc', { type: 'host-local', dataDir: dir, ranges: [[{ subnet: '10.6.0.0/24' }]] });
    const res = await Promise.all(Array.from({ length: 50 }, (_, i) => s.allocate(`c${i}`, 'eth0')));
    const ips = res.map((r) => r.ips[0]?.address);
    expect(new Set(ips).size).toBe(50);
    expect(ips).not.toContain('10.6.0.1/24');
  });

  it('50 concurrent host-local processes get 50 distinct IPs (real fs locking)', async () => {
    await build();
    const conf = JSON.stringify({ cniVersion: '1.0.0', name: 'procs', type: 'host-local', ipam: { type: 'host-local', dataDir: dir, ranges: [[{ subnet: '10.7.0.0/24' }]] } });
    const runs = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        runPlugin(HOSTLOCAL_BIN, { CNI_COMMAND: 'ADD', CNI_CONTAINERID: `p${i}`, CNI_NETNS: '/proc/self/ns/net', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni' }, conf),
      ),
    );
    for (const r of runs) expect(r.code, r.stdout + r.stderr).toBe(0);
    const ips = runs.map((r) => ((r.json?.['ips'] as { address: string }[])[0] ?? { address: '' }).address);
    expect(new Set(ips).size).toBe(50);
    const files = (await readdir(join(dir, 'procs'))).filter((f) => /^\d/.test(f));
    expect(files.length).toBe(50);
  }, 120_000);
});
