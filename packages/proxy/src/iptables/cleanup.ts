// kube-proxy --cleanup for iptables mode (upstream CleanupLeftovers): unlink our chains from the
// built-in ones, then flush and delete every chain we own in nat and filter. Chains that are not
// ours (no KUBE- prefix, or another component's KUBE-* chain) are left alone; absence is fine.
import type { Logger } from 'pino';
import type { CommandRunner } from '../types.js';
import { JUMP_CHAINS, KUBELET_JUMP_CHAINS, deleteJumps, isNotFound } from './jumps.js';
import {
  KUBE_EXTERNAL_SERVICES, KUBE_FIREWALL, KUBE_FORWARD, KUBE_MARK_MASQ, KUBE_NODEPORTS,
  KUBE_POSTROUTING, KUBE_PROXY_CANARY, KUBE_PROXY_FIREWALL, KUBE_SERVICES, isServiceChainName,
} from './names.js';
import { chainsFromSave } from './save.js';

const NAT_CHAINS = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ, KUBE_PROXY_CANARY];
const FILTER_CHAINS = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL, KUBE_PROXY_CANARY];

/** The chains of `table` now in the kernel, or null when it cannot be read (e.g. no such table). */
export async function existingChains(runner: CommandRunner, table: 'nat' | 'filter'): Promise<Set<string> | null> {
  const r = await runner.run('iptables-save', ['-t', table]);
  return r.code === 0 ? chainsFromSave(r.stdout) : null;
}

/** Flushes and deletes `chains` of `table` in one iptables-restore transaction. */
async function dropChains(runner: CommandRunner, table: string, chains: readonly string[]): Promise<string | null> {
  if (chains.length === 0) return null;
  let body = '';
  for (const c of chains) body += `:${c} - [0:0]\n`;
  for (const c of chains) body += `-X ${c}\n`;
  // Many chains: `-S` first keeps iptables-nft-restore linear (see restoreText in generate.ts);
  // retried without it for an iptables-restore that does not take -S.
  const attempts = chains.length > 1000 ? ['-S\n', ''] : [''];
  let err = '';
  for (const head of attempts) {
    const r = await runner.run('iptables-restore', ['-w', '5', '--noflush'], `*${table}\n${head}${body}COMMIT\n`);
    if (r.code === 0) return null;
    err = r.stderr.trim();
  }
  return `iptables-restore (${table}): ${err}`;
}

/** Returns true when something could not be removed (details are logged). */
export async function cleanupLeftovers(runner: CommandRunner, logger: Logger): Promise<boolean> {
  const errors = await deleteJumps(runner, [...JUMP_CHAINS, ...KUBELET_JUMP_CHAINS]);

  const nat = await existingChains(runner, 'nat');
  if (nat) {
    const drop = [...nat].filter((c) => NAT_CHAINS.includes(c) || isServiceChainName(c));
    const err = await dropChains(runner, 'nat', drop);
    if (err) errors.push(err);
  }
  const filter = await existingChains(runner, 'filter');
  if (filter) {
    const err = await dropChains(runner, 'filter', [...filter].filter((c) => FILTER_CHAINS.includes(c)));
    if (err) errors.push(err);
    // Kubelet's chain, which we duplicate: removed on its own so that a kubelet still linking
    // it only costs us this chain, not the whole transaction above.
    if (filter.has(KUBE_FIREWALL)) {
      await runner.run('iptables', ['-w', '-t', 'filter', '-F', KUBE_FIREWALL]);
      const x = await runner.run('iptables', ['-w', '-t', 'filter', '-X', KUBE_FIREWALL]);
      if (x.code !== 0) logger.info({ stderr: x.stderr.trim() }, 'KUBE-FIREWALL is still in use; left in place');
    }
  }
  // Upstream's monitor canary in mangle; usually absent.
  const m = await runner.run('iptables', ['-w', '-t', 'mangle', '-X', KUBE_PROXY_CANARY]);
  if (m.code !== 0 && !isNotFound(m.stderr)) logger.debug({ stderr: m.stderr.trim() }, 'mangle canary not removed');

  for (const e of errors) logger.error(e);
  return errors.length > 0;
}
