import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { CniError, ErrorCode } from './errors.js';
import { addrShow, ip, ipBatch, isExists, linkDel, linkShow, routeShow } from './ip.js';
import { formatIPv4, parseCidr } from './ipnet.js';
import type { BridgeNetConf, CniResult, Route } from './types.js';

/** Host-side veth name: veth + 8 hex chars of sha256(containerId/ifname) (15-char limit). */
export function hostVethName(containerId: string, ifname: string): string {
  return 'veth' + createHash('sha256').update(`${containerId}/${ifname}`).digest('hex').slice(0, 8);
}

async function enableForwarding(): Promise<void> {
  const p = '/proc/sys/net/ipv4/ip_forward';
  const cur = (await readFile(p, 'utf8').catch(() => '')).trim();
  if (cur !== '1') await writeFile(p, '1');
}

/** Creates the bridge if missing, brings it up and (isGateway) puts the gateway addresses on it. */
export async function ensureBridge(conf: BridgeNetConf, gateways: string[]): Promise<string | undefined> {
  try {
    await ip(['link', 'add', 'name', conf.bridge, ...(conf.mtu ? ['mtu', String(conf.mtu)] : []), 'type', 'bridge']);
  } catch (e) {
    if (!isExists(e)) throw e;
    const l = await linkShow(conf.bridge);
    if (l?.linkinfo?.info_kind !== 'bridge') {
      throw new CniError(ErrorCode.Internal, `${conf.bridge} already exists but is not a bridge`);
    }
  }
  const cmds: string[][] = [['link', 'set', 'dev', conf.bridge, 'up']];
  if (conf.promiscMode) cmds.push(['link', 'set', 'dev', conf.bridge, 'promisc', 'on']);
  for (const g of gateways) cmds.push(['addr', 'replace', g, 'dev', conf.bridge]);
  await ipBatch(cmds);
  if (conf.isGateway) await enableForwarding();
  return (await linkShow(conf.bridge))?.address;
}

export interface VethResult {
  hostName: string;
  hostMac?: string;
  contMac: string;
}

/** 0a:58 + IPv4 bytes (as kubenet/ovn do): stable and unique per address. */
export function macForIp(ipv4: string): string {
  const b = ipv4.split('.').map((o) => Number(o).toString(16).padStart(2, '0'));
  return ['0a', '58', ...b].join(':');
}

export async function setupVeth(conf: BridgeNetConf, containerId: string, netns: string, ifname: string, contMac: string): Promise<VethResult> {
  const hostName = hostVethName(containerId, ifname);
  const mtu = conf.mtu ? ['mtu', String(conf.mtu)] : [];
  try {
    await ip(['link', 'add', hostName, ...mtu, 'type', 'veth', 'peer', 'name', ifname, ...mtu, 'address', contMac, 'netns', netns]);
  } catch (e) {
    if (isExists(e)) {
      throw new CniError(ErrorCode.Internal, `container veth name "${ifname}" or host "${hostName}" already exists`);
    }
    throw e;
  }
  const cmds: string[][] = [
    ['link', 'set', 'dev', hostName, 'master', conf.bridge],
    ['link', 'set', 'dev', hostName, 'up'],
  ];
  if (conf.hairpinMode) cmds.push(['link', 'set', 'dev', hostName, 'type', 'bridge_slave', 'hairpin', 'on']);
  await ipBatch(cmds);
  const host = await linkShow(hostName);
  const r: VethResult = { hostName, contMac };
  if (host?.address) r.hostMac = host.address;
  return r;
}

/** Inside the netns: bring the interface up, add addresses and routes (gw defaults to the address's gateway). */
export async function configureContainerIface(netns: string, ifname: string, result: CniResult): Promise<void> {
  const cmds: string[][] = [['link', 'set', 'dev', ifname, 'up']];
  const ips = result.ips ?? [];
  for (const a of ips) cmds.push(['addr', 'add', a.address, 'dev', ifname]);
  const gw = ips.find((a) => a.gateway)?.gateway;
  for (const r of result.routes ?? []) {
    const via = r.gw ?? gw;
    const dst = r.dst === '0.0.0.0/0' ? 'default' : r.dst;
    cmds.push(via ? ['route', 'add', dst, 'via', via, 'dev', ifname] : ['route', 'add', dst, 'dev', ifname]);
  }
  cmds.push(['link', 'set', 'dev', 'lo', 'up']);
  await ipBatch(cmds, netns);
}

export async function teardown(containerId: string, netns: string, ifname: string): Promise<void> {
  await linkDel(hostVethName(containerId, ifname));
  if (netns && existsSync(netns)) await linkDel(ifname, netns).catch(() => undefined);
}

function normDst(d: string): string {
  if (d === 'default' || d === '0.0.0.0/0') return '0.0.0.0/0';
  const n = parseCidr(d.includes('/') ? d : `${d}/32`);
  return `${formatIPv4(n.network)}/${n.prefix}`;
}

/** CHECK: the container interface has every address of prevResult and every route; the host veth is on the bridge. */
export async function checkNetwork(conf: BridgeNetConf, containerId: string, netns: string, ifname: string): Promise<void> {
  const prev = conf.prevResult;
  if (!prev) throw new CniError(ErrorCode.InvalidNetworkConfig, 'required prevResult missing');
  if (!existsSync(netns)) throw new CniError(ErrorCode.Internal, `netns ${netns} does not exist`);
  const link = await addrShow(ifname, netns);
  if (!link) throw new CniError(ErrorCode.Internal, `interface ${ifname} not found in ${netns}`);
  if (!(link.flags ?? []).includes('UP')) throw new CniError(ErrorCode.Internal, `interface ${ifname} is down`);
  const have = new Set((link.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
  const ifaces = prev.interfaces ?? [];
  for (const a of prev.ips ?? []) {
    const iface = a.interface !== undefined ? ifaces[a.interface] : undefined;
    if (iface && iface.name !== ifname) continue;
    if (!have.has(a.address)) throw new CniError(ErrorCode.Internal, `address ${a.address} not found on ${ifname}`);
  }
  const routes = await routeShow(netns);
  const gw = (prev.ips ?? []).find((a) => a.gateway)?.gateway;
  for (const r of prev.routes ?? ([] as Route[])) {
    const want = normDst(r.dst);
    const via = r.gw ?? gw;
    const ok = routes.some((x) => normDst(x.dst) === want && (via === undefined || x.gateway === via));
    if (!ok) throw new CniError(ErrorCode.Internal, `route ${r.dst}${via ? ` via ${via}` : ''} not found in ${netns}`);
  }
  const host = await linkShow(hostVethName(containerId, ifname));
  if (!host) throw new CniError(ErrorCode.Internal, `host veth for ${containerId}/${ifname} not found`);
  if (host.master !== conf.bridge) throw new CniError(ErrorCode.Internal, `host veth ${host.ifname} is not attached to ${conf.bridge}`);
}
