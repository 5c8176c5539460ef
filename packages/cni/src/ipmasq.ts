import { createHash } from 'node:crypto';
import { ExecError, run } from './exec.js';

const MAX_CHAIN_LENGTH = 28;
const CHAIN_PREFIX = 'CNI-';

/** Chain name as the reference plugins format it: CNI- + sha512(name+id) hex, 28 chars total. */
export function chainName(network: string, containerId: string): string {
  const h = createHash('sha512').update(network + containerId).digest('hex');
  return CHAIN_PREFIX + h.slice(0, MAX_CHAIN_LENGTH - CHAIN_PREFIX.length);
}

export function chainComment(network: string, containerId: string): string {
  return `name: "${network}" id: "${containerId}"`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function restore(lines: string[]): Promise<string> {
  return run('iptables-restore', ['-w', '5', '--noflush'], { input: ['*nat', ...lines, 'COMMIT', ''].join('\n') });
}

/** Masquerades traffic from `ipCidr` leaving `subnet` (multicast excluded), via a per-container chain. */
export async function setupIpMasq(ipAddr: string, subnet: string, chain: string, comment: string): Promise<void> {
  const c = `-m comment --comment ${quote(comment)}`;
  await restore([
    `:${chain} - [0:0]`,
    `-A ${chain} -d ${subnet} ${c} -j ACCEPT`,
    `-A ${chain} ! -d 224.0.0.0/4 ${c} -j MASQUERADE`,
    `-A POSTROUTING -s ${ipAddr}/32 ${c} -j ${chain}`,
  ]);
}

/**
 * Removes the POSTROUTING jumps to `chain` and the chain itself; missing pieces are fine.
 * Fast path: one iptables-restore with the exact rules for the released addresses; falls back to scanning.
 */
export async function teardownIpMasq(chain: string, comment?: string, ips: string[] = []): Promise<void> {
  if (comment !== undefined && ips.length > 0) {
    const c = `-m comment --comment ${quote(comment)}`;
    try {
      await restore([...ips.map((ip) => `-D POSTROUTING -s ${ip}/32 ${c} -j ${chain}`), `-F ${chain}`, `-X ${chain}`]);
      return;
    } catch {
      /* some piece already gone: scan below */
    }
  }
  const post = await run('iptables', ['-w', '5', '-t', 'nat', '-S', 'POSTROUTING']);
  const lines = post
    .split('\n')
    .filter((l) => l.startsWith('-A POSTROUTING ') && l.endsWith(` -j ${chain}`))
    .map((l) => '-D' + l.slice(2));
  let chainExists = true;
  try {
    await run('iptables', ['-w', '5', '-t', 'nat', '-S', chain]);
  } catch (e) {
    if (!(e instanceof ExecError)) throw e;
    chainExists = false;
  }
  if (chainExists) lines.push(`-F ${chain}`, `-X ${chain}`);
  if (lines.length > 0) await restore(lines);
}

export async function chainExists(chain: string): Promise<boolean> {
  try {
    await run('iptables', ['-w', '5', '-t', 'nat', '-S', chain]);
    return true;
  } catch {
    return false;
  }
}
