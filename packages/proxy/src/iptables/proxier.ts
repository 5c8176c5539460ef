// kube-proxy's iptables mode (upstream pkg/proxy/iptables, v1.32): each sync writes the nat and
// filter tables' KUBE-* chains with one `iptables-restore --noflush`. A partial sync rewrites
// the top-level chains in full but only the per-service chains of changed service ports;
// chains that no longer belong to any service are flushed and deleted in the same transaction.
import type { Logger } from 'pino';
import type { CommandRunner, Proxier, ProxierOptions, ProxyState, SyncChanges, SyncResult } from '../types.js';
import { ZONE_LABEL } from '../topology.js';
import { cleanupLeftovers, existingChains } from './cleanup.js';
import { type GenerateConfig, type ServiceFragment, generate, restoreText } from './generate.js';
import { cidrContains, isIPv4, localIPv4Addresses, parseCIDR4 } from '../ipv4.js';
import { JUMP_CHAINS, KUBELET_JUMP_CHAINS, ensureJumps } from './jumps.js';
import { NameCache } from './namecache.js';
import { isServiceChainName } from './names.js';

/** Above this many chains declared or deleted in one restore, use the `-S` bulk trick (see restoreText). */
const BULK_CHAINS = 1000;

export interface IptablesProxierOptions extends ProxierOptions {
  /** --iptables-localhost-nodeports (upstream default true): NodePorts answer on 127.0.0.1 too. */
  localhostNodePorts?: boolean;
}

/** Upstream formats the mark with %#08x: "0x" and eight hex digits (1<<14 → 0x00004000). */
export function masqueradeMark(bit: number): string {
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new Error(`masqueradeBit must be within 0..31, got ${bit}`);
  return `0x${(2 ** bit).toString(16).padStart(8, '0')}`;
}

export class IptablesProxier implements Proxier {
  readonly mode = 'iptables' as const;
  private readonly runner: CommandRunner;
  private readonly logger: Logger;
  private readonly opts: IptablesProxierOptions;
  private readonly mark: string;
  private readonly localCIDR: string | null;
  private readonly names = new NameCache();
  /** Per service port output of the last successful sync (reused by partial syncs). */
  private fragments = new Map<string, ServiceFragment>();
  /** Service chains in the kernel after the last successful sync. */
  private programmed = new Set<string>();
  private needFull = true;
  /** Read the kernel's chains (iptables-save) on the next full sync: at start and after a failure. */
  private needSave = true;
  /** Inputs that shape per-service chains; a change forces a full sync. */
  private fragmentKey = '';
  private initialized = false;
  private localhostNodePorts: boolean;
  private conntrackTCPLiberal = false;
  /** iptables-nft accepts `-S` inside iptables-restore (probed once). */
  private bulkListing = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(opts: IptablesProxierOptions) {
    this.opts = opts;
    this.runner = opts.runner;
    this.logger = opts.logger;
    this.mark = masqueradeMark(opts.masqueradeBit);
    const v4 = opts.clusterCIDRs.filter((c) => parseCIDR4(c) !== null && !c.includes(':'));
    // Upstream's ClusterCIDR local detector takes one CIDR per family.
    this.localCIDR = v4[0]?.trim() ?? null;
    if (v4.length > 1) this.logger.warn({ used: this.localCIDR, given: v4 }, 'only the first IPv4 cluster CIDR detects pod traffic');
    this.localhostNodePorts = (opts.localhostNodePorts ?? true) && nodePortAddressesIncludeLoopback(opts.nodePortAddresses);
  }

  sync(state: ProxyState, changes: SyncChanges): Promise<SyncResult> {
    return this.serialize(() => this.syncLocked(state, changes));
  }

  cleanup(): Promise<void> {
    return this.serialize(async () => {
      const failed = await cleanupLeftovers(this.runner, this.logger);
      this.fragments = new Map();
      this.programmed = new Set();
      this.needFull = true;
      this.needSave = true;
      if (failed) throw new Error('iptables cleanup left some rules or chains behind (see log)');
    });
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async syncLocked(state: ProxyState, changes: SyncChanges): Promise<SyncResult> {
    const started = performance.now();
    await this.init();
    const config = await this.generateConfig(state);
    const key = JSON.stringify([config.masqueradeAll, config.localCIDR, config.nodeIP, state.nodeLabels[ZONE_LABEL] ?? null]);
    const full = changes.full || this.needFull || key !== this.fragmentKey;
    try {
      // Jump rules only on full syncs: they exist unless someone flushed the tables, which the
      // periodic full sync repairs (upstream skips them on partial syncs the same way).
      if (full) {
        await ensureJumps(this.runner, [...JUMP_CHAINS, ...KUBELET_JUMP_CHAINS]);
        this.names.newGeneration();
      }
      const g = generate({ state, config, full, changed: changes.changed, previous: this.fragments, names: this.names });
      let known: Set<string> = this.programmed;
      let saved = false;
      if (full && this.needSave) {
        // Also finds service chains left behind by an earlier kube-proxy. Later full syncs trust
        // what we programmed: iptables-save alone takes ~1 s at 10k services.
        const nat = await existingChains(this.runner, 'nat');
        if (nat) {
          saved = true;
          known = new Set(this.programmed);
          for (const c of nat) if (isServiceChainName(c)) known.add(c);
        } else {
          this.logger.warn('iptables-save -t nat failed: stale chains of earlier runs are not removed');
        }
      }
      const stale: string[] = [];
      for (const c of known) if (!g.active.has(c)) stale.push(c);
      const text = restoreText(g, stale, this.bulkListing && g.declaredChains + stale.length > BULK_CHAINS);
      const r = await this.runner.run('iptables-restore', ['-w', '5', '--noflush', '--counters'], text);
      if (r.code !== 0) throw new Error(`iptables-restore failed: ${describeRestoreError(r.stderr, text)}`);

      this.fragments = g.fragments;
      this.programmed = g.active;
      this.fragmentKey = key;
      this.needFull = false;
      if (saved) this.needSave = false;
      this.logger.debug({
        full, services: state.services.size, rewritten: g.rewritten, staleChains: stale.length,
        natRules: g.natRuleCount, filterRules: g.filterRuleCount, bytes: text.length,
        ms: Math.round(performance.now() - started),
      }, 'iptables sync done');
      return { full, ruleCounts: { nat: g.natRuleCount, filter: g.filterRuleCount } };
    } catch (e) {
      // The kernel may hold part of anything: only a full rewrite is safe next time.
      this.needFull = true;
      this.needSave = true;
      throw e;
    }
  }

  /** Once: route_localnet for localhost NodePorts, and whether INVALID packets must be dropped. */
  private async init(): Promise<void> {
    if (this.initialized) return;
    this.initialized = true;
    if (this.localhostNodePorts) {
      const r = await this.runner.run('sysctl', ['-w', 'net.ipv4.conf.all.route_localnet=1']);
      if (r.code !== 0) {
        this.logger.warn({ stderr: r.stderr.trim() }, 'cannot set route_localnet=1: NodePorts will not answer on localhost');
        this.localhostNodePorts = false;
      } else {
        this.logger.info('Setting route_localnet=1 to allow node-ports on localhost');
      }
    }
    const version = await this.runner.run('iptables', ['--version']);
    if (/nf_tables/.test(version.stdout)) {
      const probe = await this.runner.run('iptables-restore', ['-w', '5', '--noflush'], '*nat\n-S\nCOMMIT\n');
      this.bulkListing = probe.code === 0;
    }
    const liberal = await this.runner.run('sysctl', ['-n', 'net.netfilter.nf_conntrack_tcp_be_liberal']);
    this.conntrackTCPLiberal = liberal.code === 0 && /^[1-9]/.test(liberal.stdout.trim());
    if (this.conntrackTCPLiberal) this.logger.info('nf_conntrack_tcp_be_liberal set, not installing DROP rules for INVALID packets');
  }

  private async generateConfig(state: ProxyState): Promise<GenerateConfig> {
    return {
      masqueradeMark: this.mark,
      masqueradeAll: this.opts.masqueradeAll,
      localCIDR: this.localCIDR,
      localhostNodePorts: this.localhostNodePorts,
      nodePortIPs: await this.nodePortIPs(state),
      conntrackTCPLiberal: this.conntrackTCPLiberal,
      nodeIP: state.nodeIPs.find(isIPv4) ?? null,
    };
  }

  /** null: every local address. Otherwise the local IPv4 addresses inside --nodeport-addresses. */
  private async nodePortIPs(state: ProxyState): Promise<string[] | null> {
    const spec = nodePortSpec(this.opts.nodePortAddresses);
    if (spec === null) return null;
    const ips = new Set<string>();
    if (spec.primary) for (const ip of state.nodeIPs) if (isIPv4(ip)) ips.add(ip);
    if (spec.cidrs.length > 0) {
      const local = await localIPv4Addresses(this.runner);
      if (local.error !== undefined) this.logger.error({ stderr: local.error }, 'cannot list local addresses; NodePorts limited to --nodeport-addresses may not work');
      for (const ip of local.ips) if (spec.cidrs.some((c) => cidrContains(c, ip))) ips.add(ip);
    }
    return [...ips];
  }
}

interface NodePortSpec { primary: boolean; cidrs: NonNullable<ReturnType<typeof parseCIDR4>>[] }

/** null = match all (no IPv4 entry, or 0.0.0.0/0), as upstream NewNodePortAddresses. */
function nodePortSpec(list: readonly string[]): NodePortSpec | null {
  const spec: NodePortSpec = { primary: false, cidrs: [] };
  for (const s of list) {
    if (s.trim() === 'primary') { spec.primary = true; continue; }
    const c = parseCIDR4(s);
    if (c === null) continue;
    if (c.bits === 0) return null;
    spec.cidrs.push(c);
  }
  return spec.primary || spec.cidrs.length > 0 ? spec : null;
}

function nodePortAddressesIncludeLoopback(list: readonly string[]): boolean {
  const spec = nodePortSpec(list);
  return spec === null || spec.cidrs.some((c) => cidrContains(c, '127.0.0.1'));
}

/** iptables-restore names the failing line ("line N failed"): show it with some context. */
function describeRestoreError(stderr: string, input: string): string {
  const msg = stderr.trim();
  const m = /line (\d+) failed/.exec(msg);
  if (!m) return msg;
  const n = Number(m[1]);
  const lines = input.split('\n');
  const from = Math.max(0, n - 3);
  const context = lines.slice(from, n + 2).map((l, i) => `${from + i + 1}: ${l}`).join('\n');
  return `${msg}\n${context}`;
}
