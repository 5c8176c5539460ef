// What the v1alpha1 fields mean for the running proxy, as upstream's conversion to the internal
// config resolves them: the mode's own section supplies the sync periods, masqueradeAll and
// masqueradeBit (ipvs shares iptables' bit), clusterCIDR splits on commas.
import { parseDuration } from './duration.js';
import type { KubeProxyConfiguration } from './types.js';

export interface EffectiveConfig {
  mode: string;
  syncPeriodMs: number;
  minSyncPeriodMs: number;
  masqueradeAll: boolean;
  masqueradeBit: number;
  clusterCIDRs: string[];
  configSyncPeriodMs: number;
}

export function effectiveConfig(c: KubeProxyConfiguration): EffectiveConfig {
  const mode = c.mode === '' ? 'iptables' : c.mode;
  const section = mode === 'nftables' ? c.nftables : mode === 'ipvs' ? c.ipvs : c.iptables;
  return {
    mode,
    syncPeriodMs: parseDuration(section.syncPeriod),
    minSyncPeriodMs: parseDuration(section.minSyncPeriod),
    masqueradeAll: mode === 'nftables' ? c.nftables.masqueradeAll : c.iptables.masqueradeAll,
    masqueradeBit: (mode === 'nftables' ? c.nftables.masqueradeBit : c.iptables.masqueradeBit) ?? 14,
    clusterCIDRs: c.clusterCIDR ? c.clusterCIDR.split(',') : [],
    configSyncPeriodMs: parseDuration(c.configSyncPeriod),
  };
}
