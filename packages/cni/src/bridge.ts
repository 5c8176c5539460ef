#!/usr/bin/env node
import { pluginMain, versionInfo } from './cli.js';
import { parseConfig, parseEnv } from './config.js';
import { ipamAdd, ipamCheck, ipamDel } from './ipam/delegate.js';
import { parseCidr, formatCidr } from './ipnet.js';
import { chainComment, chainExists, chainName, setupIpMasq, teardownIpMasq } from './ipmasq.js';
import { CniError, ErrorCode } from './errors.js';
import {
  checkNetwork,
  configureContainerIface,
  ensureBridge,
  macForIp,
  setupVeth,
  teardown,
} from './netsetup.js';
import { formatResult } from './result.js';
import type { BridgeNetConf, CniEnv, CniResult, ResultInterface, Route } from './types.js';

async function cmdAdd(conf: BridgeNetConf, env: CniEnv): Promise<Record<string, unknown>> {
  const ipam = await ipamAdd(conf, env);
  try {
    const ips = ipam.ips ?? [];
    if (ips.length === 0) throw new CniError(ErrorCode.Internal, 'IPAM plugin returned missing IP config');
    const routes: Route[] = [...(ipam.routes ?? [])];
    if (conf.isDefaultGateway && !routes.some((r) => r.dst === '0.0.0.0/0')) routes.push({ dst: '0.0.0.0/0' });
    // bridge gateway addresses: gateway IP with the subnet's prefix
    const gateways = conf.isGateway
      ? ips.flatMap((a) => (a.gateway ? [`${a.gateway}/${parseCidr(a.address).prefix}`] : []))
      : [];
    const first = ips[0]?.address.split('/')[0] ?? '';
    const bridgeMac = await ensureBridge(conf, gateways);
    const veth = await setupVeth(conf, env.containerId, env.netns, env.ifname, macForIp(first));
    const prev = conf.prevResult;
    const interfaces: ResultInterface[] = [...(prev?.interfaces ?? [])];
    const base = interfaces.length;
    interfaces.push(
      bridgeMac ? { name: conf.bridge, mac: bridgeMac } : { name: conf.bridge },
      veth.hostMac ? { name: veth.hostName, mac: veth.hostMac } : { name: veth.hostName },
      { name: env.ifname, mac: veth.contMac, sandbox: env.netns },
    );
    const result: CniResult = {
      cniVersion: conf.cniVersion,
      interfaces,
      ips: [...(prev?.ips ?? []), ...ips.map((a) => ({ ...a, interface: base + 2 }))],
      routes: [...(prev?.routes ?? []), ...routes],
      dns: conf.dns ?? ipam.dns ?? prev?.dns ?? {},
    };
    await configureContainerIface(env.netns, env.ifname, { cniVersion: conf.cniVersion, ips, routes });
    if (conf.ipMasq) {
      const chain = chainName(conf.name, env.containerId);
      const comment = chainComment(conf.name, env.containerId);
      for (const a of ips) {
        const n = parseCidr(a.address);
        await setupIpMasq(a.address.split('/')[0] ?? '', formatCidr(n.network, n.prefix), chain, comment);
      }
    }
    return formatResult(result, conf.cniVersion);
  } catch (e) {
    await teardown(env.containerId, env.netns, env.ifname).catch(() => undefined);
    if (conf.ipMasq) await teardownIpMasq(chainName(conf.name, env.containerId)).catch(() => undefined);
    await ipamDel(conf, env).catch(() => undefined);
    throw e;
  }
}

async function cmdDel(conf: BridgeNetConf, env: CniEnv): Promise<void> {
  const released = await ipamDel(conf, env);
  const chain = chainName(conf.name, env.containerId);
  await Promise.all([
    teardown(env.containerId, env.netns, env.ifname),
    conf.ipMasq ? teardownIpMasq(chain, chainComment(conf.name, env.containerId), released) : Promise.resolve(),
  ]);
}

async function cmdCheck(conf: BridgeNetConf, env: CniEnv): Promise<void> {
  if (!conf.prevResult) throw new CniError(ErrorCode.InvalidNetworkConfig, 'required prevResult missing');
  await ipamCheck(conf, env);
  await checkNetwork(conf, env.containerId, env.netns, env.ifname);
  if (conf.ipMasq && !(await chainExists(chainName(conf.name, env.containerId)))) {
    throw new CniError(ErrorCode.Internal, 'ipMasq chain missing');
  }
}

await pluginMain(async (stdin) => {
  const env = parseEnv(process.env);
  if (env.command === 'VERSION') return versionInfo(stdin);
  const conf = parseConfig(stdin);
  switch (env.command) {
    case 'ADD':
      return cmdAdd(conf, env);
    case 'DEL':
      await cmdDel(conf, env);
      return undefined;
    case 'CHECK':
      await cmdCheck(conf, env);
      return undefined;
  }
});
