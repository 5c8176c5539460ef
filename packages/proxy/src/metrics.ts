// kube-proxy's metrics (pkg/proxy/metrics, v1.32): names, help texts and buckets as upstream,
// registered per mode as RegisterMetrics does (iptables-only and nftables-only ones apart).
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** metrics.ExponentialBuckets(start, factor, count) */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}

/** NetworkProgrammingLatency's buckets: 0.25s, 0.5s, 1..59s, 60..115s by 5, 2..5 min by 30s. */
export const NETWORK_PROGRAMMING_BUCKETS = [
  ...linearBuckets(0.25, 0.25, 2), ...linearBuckets(1, 1, 59), ...linearBuckets(60, 5, 12), ...linearBuckets(120, 30, 7),
];

const SYNC_BUCKETS = exponentialBuckets(0.001, 2, 15);

export class ProxyMetrics {
  readonly registry: Registry;
  readonly syncProxyRulesLatency: Histogram;
  readonly syncFullProxyRulesLatency: Histogram | undefined;
  readonly syncPartialProxyRulesLatency: Histogram | undefined;
  readonly syncProxyRulesLastTimestamp: Gauge;
  readonly syncProxyRulesLastQueuedTimestamp: Gauge;
  readonly networkProgrammingLatency: Histogram;
  readonly endpointChangesPending: Gauge;
  readonly endpointChangesTotal: Counter;
  readonly serviceChangesPending: Gauge;
  readonly serviceChangesTotal: Counter;
  readonly iptablesRestoreFailuresTotal: Counter | undefined;
  readonly iptablesPartialRestoreFailuresTotal: Counter | undefined;
  readonly iptablesRulesTotal: Gauge<'table'> | undefined;
  readonly iptablesRulesLastSync: Gauge<'table'> | undefined;
  readonly nftablesSyncFailuresTotal: Counter | undefined;
  readonly nftablesCleanupFailuresTotal: Counter | undefined;
  readonly nftablesObjects: Gauge<'kind'> | undefined;
  readonly proxyHealthzTotal: Counter<'code'>;
  readonly proxyLivezTotal: Counter<'code'>;
  readonly noLocalEndpointsTotal: Gauge<'traffic_policy'>;

  constructor(mode: string, registry: Registry = new Registry()) {
    this.registry = registry;
    const registers = [registry];
    const hist = (name: string, help: string, buckets = SYNC_BUCKETS): Histogram => new Histogram({ name, help, buckets, registers });
    this.syncProxyRulesLatency = hist('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds');
    this.syncProxyRulesLastQueuedTimestamp = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', help: 'The last time a sync of proxy rules was queued', registers });
    this.syncProxyRulesLastTimestamp = new Gauge({ name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds', help: 'The last time proxy rules were successfully synced', registers });
    this.endpointChangesPending = new Gauge({ name: 'kubeproxy_sync_proxy_rules_endpoint_changes_pending', help: 'Pending proxy rules Endpoint changes', registers });
    this.endpointChangesTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_endpoint_changes_total', help: 'Cumulative proxy rules Endpoint changes', registers });
    this.serviceChangesPending = new Gauge({ name: 'kubeproxy_sync_proxy_rules_service_changes_pending', help: 'Pending proxy rules Service changes', registers });
    this.serviceChangesTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_service_changes_total', help: 'Cumulative proxy rules Service changes', registers });
    this.proxyHealthzTotal = new Counter({ name: 'kubeproxy_proxy_healthz_total', help: 'Cumulative proxy healthz HTTP status', labelNames: ['code'], registers });
    this.proxyLivezTotal = new Counter({ name: 'kubeproxy_proxy_livez_total', help: 'Cumulative proxy livez HTTP status', labelNames: ['code'], registers });
    this.networkProgrammingLatency = hist('kubeproxy_network_programming_duration_seconds', 'In Cluster Network Programming Latency in seconds', NETWORK_PROGRAMMING_BUCKETS);
    this.noLocalEndpointsTotal = new Gauge({ name: 'kubeproxy_sync_proxy_rules_no_local_endpoints_total', help: 'Number of services with a Local traffic policy and no endpoints', labelNames: ['traffic_policy'], registers });
    if (mode === 'iptables') {
      this.syncFullProxyRulesLatency = hist('kubeproxy_sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs');
      this.syncPartialProxyRulesLatency = hist('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs');
      this.iptablesRestoreFailuresTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_iptables_restore_failures_total', help: 'Cumulative proxy iptables restore failures', registers });
      this.iptablesPartialRestoreFailuresTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total', help: 'Cumulative proxy iptables partial restore failures', registers });
      this.iptablesRulesTotal = new Gauge({ name: 'kubeproxy_sync_proxy_rules_iptables_total', help: 'Total number of iptables rules owned by kube-proxy', labelNames: ['table'], registers });
      this.iptablesRulesLastSync = new Gauge({ name: 'kubeproxy_sync_proxy_rules_iptables_last', help: 'Number of iptables rules written by kube-proxy in last sync', labelNames: ['table'], registers });
    } else if (mode === 'nftables') {
      this.nftablesSyncFailuresTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_nftables_sync_failures_total', help: 'Cumulative proxy nftables sync failures', registers });
      this.nftablesCleanupFailuresTotal = new Counter({ name: 'kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total', help: 'Cumulative proxy nftables cleanup failures', registers });
      // Not in upstream 1.32 (it has no nftables rules count): the counterpart of ..._iptables_total.
      this.nftablesObjects = new Gauge({ name: 'kubeproxy_sync_proxy_rules_nftables_objects', help: 'Chains, rules and set/map elements kube-proxy owns in its nftables table', labelNames: ['kind'], registers });
    }
  }

  /** A sync attempt failed (iptables-restore or nft rejected the update). */
  syncFailed(partial: boolean): void {
    this.iptablesRestoreFailuresTotal?.inc();
    if (partial) this.iptablesPartialRestoreFailuresTotal?.inc();
    this.nftablesSyncFailuresTotal?.inc();
  }

  /** One sync attempt's duration (successful or not), by the kind of sync it was. */
  observeSync(seconds: number, full: boolean): void {
    this.syncProxyRulesLatency.observe(seconds);
    (full ? this.syncFullProxyRulesLatency : this.syncPartialProxyRulesLatency)?.observe(seconds);
  }

  /** Rules programmed after a successful sync (iptables mode: by table; nftables: by kind of object). */
  setRuleCounts(full: boolean, ruleCounts: Record<string, number>): void {
    if (this.nftablesObjects) for (const [kind, n] of Object.entries(ruleCounts)) this.nftablesObjects.set({ kind }, n);
    if (!this.iptablesRulesTotal) return;
    for (const [table, n] of Object.entries(ruleCounts)) {
      this.iptablesRulesTotal.set({ table }, n);
      // A full sync writes every rule; what a partial one wrote is the proxier's to know.
      if (full) this.iptablesRulesLastSync?.set({ table }, n);
    }
  }
}
