import { ExecError, run } from './exec.js';

/** Thin wrapper over iproute2; `netns` is a network namespace path entered with nsenter. */

function ipArgs(netns: string | undefined, args: readonly string[]): [string, string[]] {
  return netns === undefined ? ['ip', [...args]] : ['nsenter', [`--net=${netns}`, 'ip', ...args]];
}

export function ip(args: readonly string[], netns?: string): Promise<string> {
  const [file, a] = ipArgs(netns, args);
  return run(file, a);
}

/** Runs several ip commands in one process (`ip -batch -`); each command is a list of validated tokens. */
export function ipBatch(cmds: readonly (readonly string[])[], netns?: string, force = false): Promise<string> {
  for (const c of cmds) {
    for (const t of c) {
      if (!/^[A-Za-z0-9_.:/@-]+$/.test(t)) throw new Error(`refusing unsafe ip batch token "${t}"`);
    }
  }
  const [file, a] = ipArgs(netns, [...(force ? ['-force'] : []), '-batch', '-']);
  return run(file, a, { input: cmds.map((c) => c.join(' ')).join('\n') + '\n' });
}

export function isNotFound(e: unknown): boolean {
  return (
    e instanceof ExecError &&
    /does not exist|Cannot find device|No such device|No such file|not found|Cannot open network namespace/i.test(e.stderr)
  );
}

export function isExists(e: unknown): boolean {
  return e instanceof ExecError && /File exists|already exists/i.test(e.stderr);
}

export interface LinkInfo {
  ifindex: number;
  ifname: string;
  address?: string;
  master?: string;
  mtu?: number;
  flags?: string[];
  link_index?: number;
  linkinfo?: { info_kind?: string; info_slave_data?: { hairpin?: boolean } };
}

export interface AddrInfo {
  family: string;
  local: string;
  prefixlen: number;
}

export interface AddrLink extends LinkInfo {
  addr_info?: AddrInfo[];
}

export interface RouteInfo {
  dst: string;
  gateway?: string;
  dev?: string;
}

export async function linkShow(name: string, netns?: string): Promise<LinkInfo | undefined> {
  try {
    const out = JSON.parse(await ip(['-j', '-d', 'link', 'show', 'dev', name], netns)) as LinkInfo[];
    return out[0];
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function addrShow(name: string, netns?: string): Promise<AddrLink | undefined> {
  try {
    const out = JSON.parse(await ip(['-j', 'addr', 'show', 'dev', name], netns)) as AddrLink[];
    return out[0];
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export async function routeShow(netns?: string): Promise<RouteInfo[]> {
  return JSON.parse(await ip(['-j', '-4', 'route', 'show'], netns)) as RouteInfo[];
}

/** Deletes a link; a missing link is not an error. */
export async function linkDel(name: string, netns?: string): Promise<void> {
  try {
    await ip(['link', 'del', 'dev', name], netns);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
