import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { CniError, ErrorCode } from '../errors.js';
import { ExecError, run } from '../exec.js';
import type { BridgeNetConf, CniEnv, CniResult } from '../types.js';
import { HostLocalStore } from './hostlocal.js';

async function findPlugin(type: string, path: string[]): Promise<string> {
  if (!/^[A-Za-z0-9_.-]+$/.test(type)) throw new CniError(ErrorCode.InvalidNetworkConfig, `invalid ipam type "${type}"`);
  for (const dir of path) {
    const p = join(dir, type);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      /* next */
    }
  }
  throw new CniError(ErrorCode.Internal, `failed to find plugin "${type}" in path [${path.join(' ')}]`);
}

/** Execs an external IPAM plugin found on CNI_PATH with the same config on stdin. */
async function execPlugin(cmd: 'ADD' | 'DEL' | 'CHECK', conf: BridgeNetConf, env: CniEnv): Promise<CniResult | undefined> {
  const bin = await findPlugin(conf.ipam.type, env.path);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CNI_COMMAND: cmd };
  try {
    const out = await run(bin, [], { input: JSON.stringify(conf.raw), env: childEnv });
    return cmd === 'ADD' ? (JSON.parse(out) as CniResult) : undefined;
  } catch (e) {
    if (e instanceof ExecError) {
      try {
        const err = JSON.parse(e.stdout) as { code?: number; msg?: string; details?: string };
        throw new CniError(err.code ?? ErrorCode.Internal, err.msg ?? 'ipam plugin failed', err.details ?? '');
      } catch (pe) {
        if (pe instanceof CniError) throw pe;
      }
    }
    throw e;
  }
}

export interface IpamOutcome {
  result: CniResult;
}

export async function ipamAdd(conf: BridgeNetConf, env: CniEnv): Promise<CniResult> {
  if (conf.ipam.type === 'host-local') {
    const store = new HostLocalStore(conf.name, conf.ipam);
    const r = await store.allocate(env.containerId, env.ifname);
    return { cniVersion: conf.cniVersion, ips: r.ips, routes: r.routes };
  }
  const r = await execPlugin('ADD', conf, env);
  if (!r) throw new CniError(ErrorCode.Internal, 'ipam plugin returned no result');
  return r;
}

/** Releases the container's addresses; returns them when known (in-process host-local). */
export async function ipamDel(conf: BridgeNetConf, env: CniEnv): Promise<string[]> {
  if (conf.ipam.type === 'host-local') {
    return new HostLocalStore(conf.name, conf.ipam).release(env.containerId, env.ifname);
  }
  await execPlugin('DEL', conf, env);
  return [];
}

export async function ipamCheck(conf: BridgeNetConf, env: CniEnv): Promise<void> {
  if (conf.ipam.type === 'host-local') {
    const held = await new HostLocalStore(conf.name, conf.ipam).held(env.containerId, env.ifname);
    const want = (conf.prevResult?.ips ?? []).map((i) => i.address.split('/')[0] ?? '');
    for (const w of want) {
      if (!held.includes(w)) throw new CniError(ErrorCode.Internal, `host-local: failed to find address ${w} for container ${env.containerId}`);
    }
    if (held.length === 0) throw new CniError(ErrorCode.Internal, `host-local: no addresses held by ${env.containerId}/${env.ifname}`);
    return;
  }
  await execPlugin('CHECK', conf, env);
}
