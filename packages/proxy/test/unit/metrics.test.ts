import { describe, expect, it } from 'vitest';
import { ProxyMetrics, NETWORK_PROGRAMMING_BUCKETS, exponentialBuckets } from '../../src/metrics.js';

async function names(mode: string): Promise<string[]> {
  const m = new ProxyMetrics(mode);
  return (await m.registry.getMetricsAsJSON()).map((x) => x.name).sort();
}

const CORE = [
  'kubeproxy_network_programming_duration_seconds', 'kubeproxy_proxy_healthz_total', 'kubeproxy_proxy_livez_total',
  'kubeproxy_sync_proxy_rules_duration_seconds', 'kubeproxy_sync_proxy_rules_endpoint_changes_pending',
  'kubeproxy_sync_proxy_rules_endpoint_changes_total', 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds',
  'kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
  'kubeproxy_sync_proxy_rules_service_changes_pending', 'kubeproxy_sync_proxy_rules_service_changes_total',
];

describe('kube-proxy metrics', () => {
  it('registers the core set plus each mode\'s own, as upstream RegisterMetrics', async () => {
    expect(await names('iptables')).toEqual([...CORE,
      'kubeproxy_sync_full_proxy_rules_duration_seconds', 'kubeproxy_sync_partial_proxy_rules_duration_seconds',
      'kubeproxy_sync_proxy_rules_iptables_last', 'kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total',
      'kubeproxy_sync_proxy_rules_iptables_restore_failures_total', 'kubeproxy_sync_proxy_rules_iptables_total'].sort());
    expect(await names('nftables')).toEqual([...CORE,
      'kubeproxy_sync_proxy_rules_nftables_cleanup_failures_total', 'kubeproxy_sync_proxy_rules_nftables_objects',
      'kubeproxy_sync_proxy_rules_nftables_sync_failures_total'].sort());
  });

  it('uses upstream\'s buckets', () => {
    const sync = exponentialBuckets(0.001, 2, 15);
    expect(sync[0]).toBe(0.001);
    expect(sync[14]).toBeCloseTo(16.384);
    expect(NETWORK_PROGRAMMING_BUCKETS).toHaveLength(2 + 59 + 12 + 7);
    expect(NETWORK_PROGRAMMING_BUCKETS.slice(0, 4)).toEqual([0.25, 0.5, 1, 2]);
    expect(NETWORK_PROGRAMMING_BUCKETS.at(-1)).toBe(300);
  });

  it('counts failures by mode and sets rule counts by table', async () => {
    const m = new ProxyMetrics('iptables');
    m.syncFailed(true);
    m.syncFailed(false);
    m.setRuleCounts(true, { nat: 12, filter: 3 });
    m.setRuleCounts(false, { nat: 14, filter: 3 });
    const text = await m.registry.metrics();
    expect(text).toMatch(/^kubeproxy_sync_proxy_rules_iptables_restore_failures_total 2$/m);
    expect(text).toMatch(/^kubeproxy_sync_proxy_rules_iptables_partial_restore_failures_total 1$/m);
    expect(text).toMatch(/^kubeproxy_sync_proxy_rules_iptables_total\{table="nat"\} 14$/m);
    expect(text).toMatch(/^kubeproxy_sync_proxy_rules_iptables_last\{table="nat"\} 12$/m);
    const n = new ProxyMetrics('nftables');
    n.syncFailed(false);
    n.setRuleCounts(false, { chains: 31, rules: 72, elements: 21 });
    const nt = await n.registry.metrics();
    expect(nt).toMatch(/^kubeproxy_sync_proxy_rules_nftables_sync_failures_total 1$/m);
    expect(nt).toMatch(/^kubeproxy_sync_proxy_rules_nftables_objects\{kind="rules"\} 72$/m);
    expect(nt).not.toMatch(/iptables_total/);
  });
});
