#!/usr/bin/env node
import { pluginMain, versionInfo } from './cli.js';
import { parseConfig, parseEnv } from './config.js';
import { CniError, ErrorCode } from './errors.js';
import { HostLocalStore } from './ipam/hostlocal.js';
import { formatResult } from './result.js';

/** Standalone host-local IPAM plugin (same store as the bridge plugin's in-process IPAM). */
await pluginMain(async (stdin) => {
  const env = parseEnv(process.env);
  if (env.command === 'VERSION') return versionInfo(stdin);
  const conf = parseConfig(stdin);
  const store = new HostLocalStore(conf.name, conf.ipam);
  switch (env.command) {
    case 'ADD': {
      const r = await store.allocate(env.containerId, env.ifname);
      return formatResult({ cniVersion: conf.cniVersion, ips: r.ips, routes: r.routes, dns: conf.dns ?? {} }, conf.cniVersion);
    }
    case 'DEL':
      await store.release(env.containerId, env.ifname);
      return undefined;
    case 'CHECK': {
      const held = await store.held(env.containerId, env.ifname);
      if (held.length === 0) throw new CniError(ErrorCode.Internal, `no addresses held by ${env.containerId}/${env.ifname}`);
      return undefined;
    }
  }
});
