import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainName } from '../src/ipmasq.js';
import { hostVethName } from '../src/netsetup.js';
import { BRIDGE_BIN, build, cleanupKernel, cniEnv, dropNatTableIfCreated, isRoot, natRules, natTableExists, REF_DIR, runPlugin, sh } from './helpers.js';

const DATA = join(tmpdir(), 'ktscni-e2e-data');
const NET = 'ktscni-e2e';
const nsPath = (n: string): string => `/var/run/netns/${n}`;

function conf(extra: Record<string, unknown> = {}, name = NET, bridge = 'ktscni0', subnet = '10.244.77.0/24'): Record<string, unknown> {
  return {
    cniVersion: '1.0.0',
    name,
    type: 'bridge',
    bridge,
    isGateway: true,
    isDefaultGateway: true,
    ipMasq: true,
    hairpinMode: true,
    ipam: { type: 'host-local', ranges: [[{ subnet }]], dataDir: DATA },
    ...extra,
  };
}

interface Result {
  interfaces: { name: string; mac?: string; sandbox?: string }[];
  ips: { address: string; gateway?: string; interface?: number }[];
  routes: { dst: string; gw?: string }[];
}

const addrOf = (r: Result): string => (r.ips[0]?.address ?? '').split('/')[0] ?? '';
const ping = (args: string[]): Promise<string> => sh(args[0] ?? '', args.slice(1));

describe.skipIf(!isRoot())('bridge plugin against the real kernel', () => {
  let hadNat = true;
  beforeAll(async () => {
    await cleanupKernel([DATA]);
    hadNat = await natTableExists();
    await build();
    for (const n of ['kts-cni-a', 'kts-cni-b', 'kts-cni-r']) await sh('ip', ['netns', 'add', n]);
  }, 120_000);
  afterAll(async () => {
    await cleanupKernel([DATA]);
    await dropNatTableIfCreated(hadNat);
  }, 120_000);

  let resA: Result | undefined;

  it('VERSION reports supported versions', async () => {
    const r = await runPlugin(BRIDGE_BIN, { CNI_COMMAND: 'VERSION' }, JSON.stringify({ cniVersion: '0.4.0' }));
    expect(r.code).toBe(0);
    expect(r.json).toEqual({ cniVersion: '0.4.0', supportedVersions: ['0.3.0', '0.3.1', '0.4.0', '1.0.0'] });
  });

  it('invalid configs return error JSON with spec codes', async () => {
    const bad = await runPlugin(BRIDGE_BIN, cniEnv('ADD', 'bad', nsPath('kts-cni-a')), '{not json');
    expect(bad.code).toBe(1);
    expect(bad.json?.['code']).toBe(6);
    const noIpam = await runPlugin(BRIDGE_BIN, cniEnv('ADD', 'bad', nsPath('kts-cni-a')), JSON.stringify(conf({ ipam: undefined })));
    expect(noIpam.json).toMatchObject({ cniVersion: '1.0.0', code: 4 });
    expect(typeof noIpam.json?.['msg']).toBe('string');
    const ver = await runPlugin(BRIDGE_BIN, cniEnv('ADD', 'bad', nsPath('kts-cni-a')), JSON.stringify(conf({ cniVersion: '0.1.0' })));
    expect(ver.json?.['code']).toBe(1);
    const env = await runPlugin(BRIDGE_BIN, { CNI_COMMAND: 'ADD' }, JSON.stringify(conf()));
    expect(env.json?.['code']).toBe(7);
  });

  it('ADD configures the netns and returns the result', async () => {
    const r = await runPlugin(BRIDGE_BIN, cniEnv('ADD', 'ctr-a', nsPath('kts-cni-a')), JSON.stringify(conf()));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    resA = r.json as unknown as Result;
    expect(r.json?.['cniVersion']).toBe('1.0.0');
    expect(resA.interfaces.map((i) => i.name)).toEqual(['ktscni0', hostVethName('ctr-a', 'eth0'), 'eth0']);
    expect(resA.interfaces[2]?.sandbox).toBe(nsPath('kts-cni-a'));
    expect(resA.ips[0]).toMatchObject({ interface: 2, gateway: '10.244.77.1' });
    expect(resA.ips[0]?.address).toMatch(/^10\.244\.77\.\d+\/24$/);
    const addrs = JSON.parse(await sh('ip', ['-n', 'kts-cni-a', '-j', 'addr', 'show', 'dev', 'eth0'])) as { addr_info: { local: string; prefixlen: number }[] }[];
    expect(addrs[0]?.addr_info.map((a) => `${a.local}/${a.prefixlen}`)).toContain(resA.ips[0]?.address);
    const routes = JSON.parse(await sh('ip', ['-n', 'kts-cni-a', '-j', 'route', 'show', 'default'])) as { gateway?: string }[];
    expect(routes[0]?.gateway).toBe('10.244.77.1');
    const br = JSON.parse(await sh('ip', ['-j', 'addr', 'show', 'dev', 'ktscni0'])) as { addr_info: { local: string }[] }[];
    expect(br[0]?.addr_info.map((a) => a.local)).toContain('10.244.77.1');
    expect(existsSync(join(DATA, NET, addrOf(resA)))).toBe(true);
    expect(await natRules()).toContain(`-j ${chainName(NET, 'ctr-a')}`);
  });

  it('CHECK passes with prevResult and fails without it', async () => {
    const ok = await runPlugin(BRIDGE_BIN, cniEnv('CHECK', 'ctr-a', nsPath('kts-cni-a')), JSON.stringify(conf({ prevResult: resA })));
    expect(ok.code, ok.stdout).toBe(0);
    const missing = await runPlugin(BRIDGE_BIN, cniEnv('CHECK', 'ctr-a', nsPath('kts-cni-a')), JSON.stringify(conf()));
    expect(missing.code).toBe(1);
    const wrong = { ...resA, ips: [{ address: '10.244.77.250/24', gateway: '10.244.77.1', interface: 2 }] };
    const bad = await runPlugin(BRIDGE_BIN, cniEnv('CHECK', 'ctr-a', nsPath('kts-cni-a')), JSON.stringify(conf({ prevResult: wrong })));
    expect(bad.code).toBe(1);
  });

  it('pings netns-to-netns and host-to-netns across the bridge', async () => {
    const b = await runPlugin(BRIDGE_BIN, cniEnv('ADD', 'ctr-b', nsPath('kts-cni-b')), JSON.stringify(conf()));
    expect(b.code, b.stdout).toBe(0);
    const ipA = addrOf(resA as Result);
    const ipB = addrOf(b.json as unknown as Result);
    expect(ipB).not.toBe(ipA);
    await ping(['ip', 'netns', 'exec', 'kts-cni-a', 'ping', '-c', '1', '-W', '2', ipB]);
    await ping(['ping', '-c', '1', '-W', '2', ipA]);
  });

  it('DEL removes veth, allocation and chain; a second DEL and a DEL without netns succeed', async () => {
    const ip = addrOf(resA as Result);
    const del = await runPlugin(BRIDGE_BIN, cniEnv('DEL', 'ctr-a', nsPath('kts-cni-a')), JSON.stringify(conf()));
    expect(del.code, del.stdout).toBe(0);
    expect(del.stdout).toBe('');
    expect(existsSync(join(DATA, NET, ip))).toBe(false);
    await expect(sh('ip', ['link', 'show', 'dev', hostVethName('ctr-a', 'eth0')])).rejects.toThrow();
    const links = JSON.parse(await sh('ip', ['-n', 'kts-cni-a', '-j', 'link', 'show'])) as { ifname: string }[];
    expect(links.map((l) => l.ifname)).not.toContain('eth0');
    expect(await natRules()).not.toContain(chainName(NET, 'ctr-a'));
    const again = await runPlugin(BRIDGE_BIN, cniEnv('DEL', 'ctr-a', nsPath('kts-cni-a')), JSON.stringify(conf()));
    expect(again.code, again.stdout).toBe(0);
    const gone = await runPlugin(BRIDGE_BIN, { ...cniEnv('DEL', 'ctr-b', '/var/run/netns/kts-cni-missing') }, JSON.stringify(conf()));
    expect(gone.code, gone.stdout).toBe(0);
    const noNs = await runPlugin(BRIDGE_BIN, { CNI_COMMAND: 'DEL', CNI_CONTAINERID: 'never', CNI_IFNAME: 'eth0' }, JSON.stringify(conf()));
    expect(noNs.code, noNs.stdout).toBe(0);
  });

  it('50 parallel ADDs into 50 netns get 50 distinct IPs, then DEL all', async () => {
    const names = Array.from({ length: 50 }, (_, i) => `kts-cni-p${i}`);
    await Promise.all(names.map((n) => sh('ip', ['netns', 'add', n])));
    const adds = await Promise.all(names.map((n) => runPlugin(BRIDGE_BIN, cniEnv('ADD', `par-${n}`, nsPath(n)), JSON.stringify(conf()))));
    for (const a of adds) expect(a.code, a.stdout + a.stderr).toBe(0);
    const ips = adds.map((a) => addrOf(a.json as unknown as Result));
    expect(new Set(ips).size).toBe(50);
    const dels = await Promise.all(names.map((n) => runPlugin(BRIDGE_BIN, cniEnv('DEL', `par-${n}`, nsPath(n)), JSON.stringify(conf()))));
    for (const d of dels) expect(d.code, d.stdout).toBe(0);
    const left = (await readdir(join(DATA, NET))).filter((f) => /^\d/.test(f));
    expect(left).toEqual([]);
    await Promise.all(names.map((n) => sh('ip', ['netns', 'del', n])));
  }, 180_000);

  it.skipIf(!existsSync(`${REF_DIR}/bridge`))('reference /usr/lib/cni/bridge produces the same result shape', async () => {
    const rc = conf({}, 'ktscni-ref', 'ktscni1', '10.244.78.0/24');
    const add = await runPlugin(`${REF_DIR}/bridge`, cniEnv('ADD', 'ctr-r', nsPath('kts-cni-r')), JSON.stringify(rc));
    expect(add.code, add.stdout).toBe(0);
    const ref = add.json as unknown as Result;
    expect(ref.interfaces.map((i) => i.name)[0]).toBe('ktscni1');
    expect(ref.interfaces[2]).toMatchObject({ name: 'eth0', sandbox: nsPath('kts-cni-r') });
    expect(ref.ips[0]).toMatchObject({ interface: 2, gateway: '10.244.78.1' });
    expect(addrOf(ref)).toBe('10.244.78.2');
    await ping(['ping', '-c', '1', '-W', '2', addrOf(ref)]);
    const del = await runPlugin(`${REF_DIR}/bridge`, cniEnv('DEL', 'ctr-r', nsPath('kts-cni-r')), JSON.stringify(rc));
    expect(del.code, del.stdout).toBe(0);
  });
});
