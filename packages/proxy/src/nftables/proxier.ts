// kube-proxy's nftables mode (upstream pkg/proxy/nftables/proxier.go): one `ip kube-proxy`
// table, written as one `nft -f -` transaction per sync.
//
// A full sync declares the whole table (add table, add+flush our chains, flush and refill the
// shared sets/maps). An incremental sync writes only what the changed service ports own: their
// chains (skipping chains whose rules did not change), affinity sets and set/map elements, from
// a model of what is programmed. Chains that fall out of use are flushed at once and deleted by a
// later sync, as upstream: a kernel before 6.2 may still count a just-deleted map element's
// reference to them.
//
// Cost, measured with nft 1.0.6 / kernel 6.18: whatever a transaction holds, any `add rule` or
// `add element` makes nft load the chains and sets of the ruleset into its cache first (a netlink
// dump of every chain: hence no per-endpoint chains except for session affinity, see service.ts;
// 10,000 services × 2 endpoints went from ~31,000 chains to ~11,000); the kernel then validates
// the jump graph once per commit (every kube-proxy rule has a verdict, DNAT or lookup). Both are per
// transaction, so a sync is exactly one nft run and lists nothing (upstream lists chains and
// sets on every sync). A long-lived `nft -i` does not help: our own commit bumps the ruleset
// generation, so nft refetches its cache for the next command anyway.
import type { Logger } from 'pino';
import type { CommandRunner, Proxier, ProxierOptions, ProxyState, ServicePortInfo, SyncChanges, SyncResult } from '../types.js';
import { cidrContains, isIPv4, isLoopback, localIPv4Addresses, parseCIDR4 } from '../ipv4.js';
import { ElementStore } from './elements.js';
import { masqueradeMark, setup, type SetupCounts } from './layout.js';
import * as N from './names.js';
import { NftScript } from './script.js';
import { buildServicePort, programmable, type ChainSpec, type ElementSpec, type NodeContext, type ServicePortProgram } from './service.js';

/** What one service port has in the kernel. */
interface Programmed {
  chains: Map<string, readonly string[]>;
  affinitySets: Map<string, number>;
  elements: readonly ElementSpec[];
}

export interface NftablesTuning {
  /** How long a chain stays stale (flushed) before a sync deletes it; upstream: 1 s. */
  staleChainDelayMs?: number;
  now?: () => number;
}

/** The script of the last sync, for tests and `--v=9`-style debugging. */
export interface LastSync { full: boolean; script: string }

export class NftablesProxier implements Proxier {
  readonly mode = 'nftables' as const;
  private readonly runner: CommandRunner;
  private readonly log: Logger;
  private readonly mark: string;
  private readonly staleDelayMs: number;
  private readonly now: () => number;

  private initialized = false;
  private needFull = true;
  private baseChainsRecreated = false;
  private setupCounts: SetupCounts = { chains: 0, rules: 0, elements: 0 };
  private services = new Map<string, Programmed>();
  private elements = new ElementStore();
  /** Chain → when it became stale (flushed, waiting for deletion). */
  private readonly staleChains = new Map<string, number>();
  private nodePortIPs: readonly string[] | null = null;
  private nodeKey = '';
  private serviceChains = 0;
  private serviceRules = 0;
  private lastScript: LastSync = { full: false, script: '' };

  constructor(private readonly opts: ProxierOptions, tuning: NftablesTuning = {}) {
    this.runner = opts.runner;
    this.log = opts.logger;
    this.mark = masqueradeMark(opts.masqueradeBit);
    this.staleDelayMs = tuning.staleChainDelayMs ?? 1000;
    this.now = tuning.now ?? Date.now;
  }

  /** The transaction the last sync ran (or tried to run). */
  get lastSync(): LastSync {
    return this.lastScript;
  }

  async sync(state: ProxyState, changes: SyncChanges): Promise<SyncResult> {
    const start = this.now();
    const nodePortIPs = await this.computeNodePortIPs(state);
    // Topology hints depend on the node's labels: upstream re-syncs everything when they change.
    const nodeKey = JSON.stringify([state.nodeName, state.nodeIPs[0] ?? '', Object.entries(state.nodeLabels).sort()]);
    const full = changes.full || this.needFull || !this.initialized || nodeKey !== this.nodeKey;
    const ctx: NodeContext = {
      masqueradeAll: this.opts.masqueradeAll,
      clusterCIDRs: this.opts.clusterCIDRs.filter((c) => parseCIDR4(c) !== null),
      nodeIP: state.nodeIPs.find(isIPv4),
      nodeLabels: state.nodeLabels,
    };
    try {
      if (full) await this.fullSync(state, ctx, nodePortIPs, start);
      else await this.partialSync(state, changes.changed, ctx, nodePortIPs, start);
    } catch (e) {
      // The transaction was atomic, but the model already moved on: start over next time.
      this.needFull = true;
      this.staleChains.clear();
      throw e;
    }
    this.needFull = false;
    this.initialized = true;
    this.nodeKey = nodeKey;
    this.log.debug({ full, elapsedMs: this.now() - start, services: this.services.size }, 'nftables sync complete');
    return { full, ruleCounts: this.ruleCounts() };
  }

  async cleanup(): Promise<void> {
    for (const family of ['ip', 'ip6']) {
      const r = await this.runner.run('nft', ['delete', 'table', family, N.TABLE]);
      if (r.code !== 0 && !/No such file or directory/.test(r.stderr)) {
        throw new Error(`nft delete table ${family} ${N.TABLE}: ${r.stderr.trim()}`);
      }
    }
    this.reset();
    this.needFull = true;
    this.initialized = false;
    this.staleChains.clear();
  }

  private reset(): void {
    this.services = new Map();
    this.elements = new ElementStore();
    this.serviceChains = 0;
    this.serviceRules = 0;
    this.nodePortIPs = null;
    this.setupCounts = { chains: 0, rules: 0, elements: 0 };
  }

  private ruleCounts(): Record<string, number> {
    return {
      chains: this.setupCounts.chains + this.serviceChains,
      rules: this.setupCounts.rules + this.serviceRules,
      elements: this.elements.size + (this.nodePortIPs?.length ?? 0),
    };
  }

  /** nodeport-ips contents, or null for "every local address" (--nodeport-addresses 0.0.0.0/0). */
  private async computeNodePortIPs(state: ProxyState): Promise<readonly string[] | null> {
    const cidrs = this.opts.nodePortAddresses.filter((a) => a !== 'primary').map(parseCIDR4).filter((c) => c !== null);
    if (cidrs.some((c) => c.bits === 0)) return null;
    const nodeIPs = state.nodeIPs.filter((ip) => isIPv4(ip) && !isLoopback(ip));
    const out = new Set<string>();
    // Default ("primary"): the node's own IPs.
    if (cidrs.length === 0 || this.opts.nodePortAddresses.includes('primary')) for (const ip of nodeIPs) out.add(ip);
    if (cidrs.length > 0) {
      const local = await localIPv4Addresses(this.runner);
      if (local.error !== undefined) this.log.error({ stderr: local.error }, 'cannot list local addresses; NodePorts limited to --nodeport-addresses may not work');
      for (const ip of [...nodeIPs, ...local.ips]) {
        if (isIPv4(ip) && !isLoopback(ip) && cidrs.some((c) => cidrContains(c, ip))) out.add(ip);
      }
    }
    return [...out].sort();
  }

  private build(state: ProxyState, name: string, ctx: NodeContext): ServicePortProgram | null {
    const svc: ServicePortInfo | undefined = state.services.get(name);
    if (!svc || !programmable(svc)) return null;
    return buildServicePort(svc, state.endpoints.get(name) ?? [], ctx);
  }

  private async fullSync(state: ProxyState, ctx: NodeContext, nodePortIPs: readonly string[] | null, start: number): Promise<void> {
    // What an earlier run (or a failed sync) left: service chains to retire, affinity sets to drop.
    const existing = await this.listTable();
    this.reset();
    const tx = new NftScript();
    const deletions = new NftScript();
    this.setupCounts = setup(tx, { masqueradeMark: this.mark, nodePortIPs, recreateBaseChains: !this.baseChainsRecreated });
    this.nodePortIPs = nodePortIPs;

    const names = [...state.services.keys()].sort();
    const activeChains = new Set<string>();
    const activeSets = new Set<string>();
    for (const name of names) {
      const prog = this.build(state, name, ctx);
      if (!prog) continue;
      for (const c of prog.chains) activeChains.add(c.name);
      for (const s of prog.affinitySets) activeSets.add(s.name);
      this.writeService(tx, name, undefined, prog, start);
    }
    this.elements.reconcile(tx);

    for (const chain of existing.chains) {
      if (!N.isServiceChainName(chain) || activeChains.has(chain)) {
        this.staleChains.delete(chain);
        continue;
      }
      const since = this.staleChains.get(chain);
      if (since !== undefined && since <= start - this.staleDelayMs) {
        deletions.deleteChain(chain);
        this.staleChains.delete(chain);
      } else {
        tx.flushChain(chain);
        this.staleChains.set(chain, since ?? start);
      }
    }
    for (const chain of [...this.staleChains.keys()]) if (!existing.chains.has(chain)) this.staleChains.delete(chain);
    for (const set of existing.sets) if (N.isAffinitySetName(set) && !activeSets.has(set)) tx.deleteSet('set', set);

    await this.apply(tx, deletions, true);
    this.baseChainsRecreated = true;
  }

  private async partialSync(
    state: ProxyState, changed: ReadonlySet<string>, ctx: NodeContext, nodePortIPs: readonly string[] | null, start: number,
  ): Promise<void> {
    const tx = new NftScript();
    const trailer = new NftScript();
    if (!sameList(nodePortIPs, this.nodePortIPs)) {
      if (nodePortIPs === null || this.nodePortIPs === null) {
        // Switching between "node IPs" and "all local addresses" changes fixed rules: full sync.
        await this.fullSync(state, ctx, nodePortIPs, start);
        return;
      }
      tx.flushSet('set', N.NODEPORT_IPS_SET);
      for (const ip of nodePortIPs) tx.addElement(N.NODEPORT_IPS_SET, [ip]);
      this.nodePortIPs = nodePortIPs;
    }
    for (const name of changed) {
      const prog = this.build(state, name, ctx);
      const old = this.services.get(name);
      if (!prog && !old) continue;
      this.writeService(tx, name, old, prog, start, trailer);
    }
    this.elements.reconcile(tx);
    for (const line of trailer.commands()) tx.raw(line);

    const deletions = new NftScript();
    for (const [chain, since] of this.staleChains) {
      if (since <= start - this.staleDelayMs) {
        deletions.deleteChain(chain);
        this.staleChains.delete(chain);
      }
    }
    if (tx.length === 0 && deletions.length === 0) return;
    await this.apply(tx, deletions, false);
  }

  /**
   * Writes one service port's chains, sets and element changes. Chains whose rules are what the
   * kernel already holds are left alone; chains and sets it no longer uses are flushed (chains,
   * deleted later) or deleted (sets, in `trailer`, after the chains referring to them are flushed).
   */
  private writeService(
    tx: NftScript, name: string, old: Programmed | undefined, prog: ServicePortProgram | null, start: number,
    trailer: NftScript = tx,
  ): void {
    const rewrite: ChainSpec[] = [];
    for (const c of prog?.chains ?? []) {
      const before = old?.chains.get(c.name);
      if (before && sameList(before, c.rules)) continue;
      rewrite.push(c);
      tx.addChain(c.name);
      tx.flushChain(c.name);
      this.staleChains.delete(c.name);
    }
    const newSets = new Map((prog?.affinitySets ?? []).map((s) => [s.name, s.timeoutSeconds]));
    for (const [set, timeout] of newSets) {
      const before = old?.affinitySets.get(set);
      if (before === timeout) continue;
      // A new timeout cannot be set on an existing set: recreate it (its users were flushed above).
      if (before !== undefined) tx.deleteSet('set', set);
      tx.addSet('set', set, 'ipv4_addr', { flags: ['dynamic', 'timeout'], timeoutSeconds: timeout });
    }
    for (const c of rewrite) for (const r of c.rules) tx.addRule(c.name, r);

    for (const [chain, rules] of old?.chains ?? []) {
      if (prog?.chains.some((c) => c.name === chain)) continue;
      if (rules.length > 0) tx.flushChain(chain);
      this.staleChains.set(chain, start);
    }
    for (const set of old?.affinitySets.keys() ?? []) if (!newSets.has(set)) trailer.deleteSet('set', set);

    this.elements.replaceOwner(name, old?.elements ?? [], prog?.elements ?? []);
    if (old) {
      this.serviceChains -= old.chains.size;
      for (const r of old.chains.values()) this.serviceRules -= r.length;
    }
    if (!prog) {
      this.services.delete(name);
      return;
    }
    const chains = new Map(prog.chains.map((c) => [c.name, c.rules] as const));
    this.serviceChains += chains.size;
    for (const r of chains.values()) this.serviceRules += r.length;
    this.services.set(name, { chains, affinitySets: newSets, elements: prog.elements });
  }

  /**
   * Runs the transaction with the deletions of long-stale chains in front. Should the kernel
   * refuse those (a reference it has not dropped yet), the sync runs again without them and
   * the chains stay stale for a later try.
   */
  private async apply(tx: NftScript, deletions: NftScript, full: boolean): Promise<void> {
    const body = tx.text();
    const script = deletions.text() + body;
    if (deletions.length > 0) this.log.info({ numChains: deletions.length }, 'Deleting stale nftables chains');
    this.lastScript = { full, script };
    const r = await this.runner.run('nft', ['-f', '-'], script);
    if (r.code === 0) return;
    if (deletions.length > 0) {
      this.log.info({ err: r.stderr.trim() }, 'Unable to delete stale chains; will retry later');
      const now = this.now();
      for (const line of deletions.commands()) this.staleChains.set(line.slice(`delete chain ${N.FAMILY} ${N.TABLE} `.length), now);
      this.lastScript = { full, script: body };
      const again = await this.runner.run('nft', ['-f', '-'], body);
      if (again.code === 0) return;
      throw new Error(`nft -f: ${again.stderr.trim()}`);
    }
    throw new Error(`nft -f: ${r.stderr.trim()}`);
  }

  /** Chains and sets now in our table (empty when there is none). */
  private async listTable(): Promise<{ chains: Set<string>; sets: Set<string> }> {
    const chains = new Set<string>();
    const sets = new Set<string>();
    const c = await this.runner.run('nft', ['-j', 'list', 'chains', N.FAMILY]);
    if (c.code === 0) for (const o of ourObjects(c.stdout, 'chain')) chains.add(o);
    else this.log.debug({ err: c.stderr.trim() }, 'listing nftables chains failed');
    if (chains.size === 0) return { chains, sets };
    const s = await this.runner.run('nft', ['-t', '-j', 'list', 'sets', N.FAMILY]);
    if (s.code === 0) for (const o of ourObjects(s.stdout, 'set')) sets.add(o);
    else this.log.debug({ err: s.stderr.trim() }, 'listing nftables sets failed');
    return { chains, sets };
  }
}

interface NftJsonObject { family?: string; table?: string; name?: string }

/** Names of `kind` objects in our table from `nft -j list ...` output. */
function ourObjects(json: string, kind: 'chain' | 'set'): string[] {
  let doc: { nftables?: Array<Record<string, NftJsonObject>> };
  try {
    doc = JSON.parse(json) as typeof doc;
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const item of doc.nftables ?? []) {
    const o = item[kind];
    if (o && o.family === N.FAMILY && o.table === N.TABLE && typeof o.name === 'string') out.push(o.name);
  }
  return out;
}

function sameList(a: readonly string[] | null, b: readonly string[] | null): boolean {
  if (a === null || b === null) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
