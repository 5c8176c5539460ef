// The rules in the built-in chains that lead into ours (upstream iptablesJumpChains and the
// kubelet-duplicate iptablesKubeletJumpChains). They cannot go through iptables-restore without
// owning all of INPUT/OUTPUT/..., so each is checked with -C and prepended with -I when missing.
import type { CommandRunner } from '../types.js';
import {
  KUBE_EXTERNAL_SERVICES, KUBE_FIREWALL, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL, KUBE_SERVICES,
} from './names.js';

export type Table = 'filter' | 'nat' | 'mangle';

export interface JumpChain {
  table: Table;
  /** Our chain (the jump target). */
  dst: string;
  /** The built-in chain holding the jump. */
  src: string;
  comment: string;
  extra: readonly string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'] as const;

export const JUMP_CHAINS: readonly JumpChain[] = [
  { table: 'filter', dst: KUBE_EXTERNAL_SERVICES, src: 'INPUT', comment: 'kubernetes externally-visible service portals', extra: NEW },
  { table: 'filter', dst: KUBE_EXTERNAL_SERVICES, src: 'FORWARD', comment: 'kubernetes externally-visible service portals', extra: NEW },
  { table: 'filter', dst: KUBE_NODEPORTS, src: 'INPUT', comment: 'kubernetes health check service ports', extra: [] },
  { table: 'filter', dst: KUBE_SERVICES, src: 'FORWARD', comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', dst: KUBE_SERVICES, src: 'OUTPUT', comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', dst: KUBE_FORWARD, src: 'FORWARD', comment: 'kubernetes forwarding rules', extra: [] },
  { table: 'filter', dst: KUBE_PROXY_FIREWALL, src: 'INPUT', comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'filter', dst: KUBE_PROXY_FIREWALL, src: 'OUTPUT', comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'filter', dst: KUBE_PROXY_FIREWALL, src: 'FORWARD', comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'nat', dst: KUBE_SERVICES, src: 'OUTPUT', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', dst: KUBE_SERVICES, src: 'PREROUTING', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', dst: KUBE_POSTROUTING, src: 'POSTROUTING', comment: 'kubernetes postrouting rules', extra: [] },
];

/** Kubelet's anti-martian chain; kube-proxy links it too (no comment), as upstream. */
export const KUBELET_JUMP_CHAINS: readonly JumpChain[] = [
  { table: 'filter', dst: KUBE_FIREWALL, src: 'INPUT', comment: '', extra: [] },
  { table: 'filter', dst: KUBE_FIREWALL, src: 'OUTPUT', comment: '', extra: [] },
];

export function jumpRuleArgs(j: JumpChain): string[] {
  const args = [...j.extra];
  if (j.comment) args.push('-m', 'comment', '--comment', j.comment);
  args.push('-j', j.dst);
  return args;
}

/** Creates our chains and their jump rules where missing (upstream EnsureChain + EnsureRule(Prepend)). */
export async function ensureJumps(runner: CommandRunner, jumps: readonly JumpChain[]): Promise<void> {
  for (const j of jumps) {
    const args = jumpRuleArgs(j);
    const check = await runner.run('iptables', ['-w', '-t', j.table, '-C', j.src, ...args]);
    if (check.code === 0) continue;
    // -C fails both for a missing rule and a missing target chain: create the chain (may exist).
    const mk = await runner.run('iptables', ['-w', '-t', j.table, '-N', j.dst]);
    if (mk.code !== 0 && !/exists/i.test(mk.stderr)) {
      throw new Error(`iptables -t ${j.table} -N ${j.dst}: ${mk.stderr.trim()}`);
    }
    const ins = await runner.run('iptables', ['-w', '-t', j.table, '-I', j.src, ...args]);
    if (ins.code !== 0) throw new Error(`iptables -t ${j.table} -I ${j.src} ${args.join(' ')}: ${ins.stderr.trim()}`);
  }
}

/** Removes the jump rules (every copy); absent rules and chains are fine. Returns the failures. */
export async function deleteJumps(runner: CommandRunner, jumps: readonly JumpChain[]): Promise<string[]> {
  const errors: string[] = [];
  for (const j of jumps) {
    const args = jumpRuleArgs(j);
    // Bounded: a rule we cannot delete must not loop forever.
    for (let i = 0; i < 8; i++) {
      const r = await runner.run('iptables', ['-w', '-t', j.table, '-D', j.src, ...args]);
      if (r.code === 0) continue;
      if (!isNotFound(r.stderr)) errors.push(`iptables -t ${j.table} -D ${j.src}: ${r.stderr.trim()}`);
      break;
    }
  }
  return errors;
}

/** iptables' wording for "nothing to delete" (missing rule, chain or table). */
export function isNotFound(stderr: string): boolean {
  return /does a matching rule exist|does not exist|No chain\/target\/match by that name|Couldn't load target|table .* not exist|doesn't exist/i.test(stderr);
}
