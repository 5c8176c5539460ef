// Upstream's validation.Validate (pkg/proxy/apis/config/validation, v1.32) for Linux, with its
// field paths (the internal config's Go field names) and messages, aggregated as
// utilerrors.NewAggregate prints them: one error alone, several as "[a, b]".
import { isIP } from 'node:net';
import { formatDuration, parseDuration } from './duration.js';
import { effectiveConfig } from './effective.js';
import { splitHostPort } from './hostport.js';
import type { KubeProxyConfiguration } from './types.js';

const P = 'KubeProxyConfiguration';

function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  return String(v);
}

const invalid = (path: string, v: unknown, detail: string): string => `${path}: Invalid value: ${fmtValue(v)}: ${detail}`;
/** A metav1.Duration prints through its String() method. */
class Dur { constructor(readonly ms: number) {} toString(): string { return formatDuration(this.ms); } }

export function isCIDR(s: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return false;
  const fam = isIP(m[1]!);
  return fam !== 0 && Number(m[2]) <= (fam === 4 ? 32 : 128);
}

function validateHostPort(input: string, path: string): string[] {
  const hp = splitHostPort(input);
  if (hp instanceof Error) return [invalid(path, input, 'must be IP:port')];
  const errs: string[] = [];
  const [host, port] = hp;
  if (isIP(host) === 0) errs.push(invalid(path, host, 'must be a valid IP'));
  const p = /^[+-]?\d+$/.test(port) ? Number(port) : NaN;
  if (!Number.isInteger(p) || p < 1 || p > 65535) errs.push(invalid(path, port, 'must be a valid port'));
  return errs;
}

function portRangeOk(s: string): boolean {
  const v = s.trim();
  if (v === '') return true;
  const m = /^(\d+)(?:([-+])(\d+))?$/.exec(v);
  if (!m) return false;
  const base = Number(m[1]);
  const end = m[2] === '-' ? Number(m[3]) : m[2] === '+' ? base + Number(m[3]) - 1 : base;
  return base <= 65535 && end <= 65535 && end >= base;
}

function durationMs(s: string | null): number { return s === null ? 0 : parseDuration(s); }

/** Field errors of a defaulted configuration (after platformApplyDefaults), in upstream's order. */
export function validateConfiguration(c: KubeProxyConfiguration): string[] {
  const errs: string[] = [];
  const ipt = `${P}.KubeProxyIPTablesConfiguration`;
  if (c.iptables.masqueradeBit !== null && (c.iptables.masqueradeBit < 0 || c.iptables.masqueradeBit > 31)) {
    errs.push(invalid(`${ipt}.MasqueradeBit`, c.iptables.masqueradeBit, 'must be within the range [0, 31]'));
  }
  if (c.mode === 'ipvs') {
    const ipvs = `${P}.KubeProxyIPVSConfiguration`;
    for (const [k, name] of [['tcpTimeout', 'TCPTimeout'], ['tcpFinTimeout', 'TCPFinTimeout'], ['udpTimeout', 'UDPTimeout']] as const) {
      const ms = parseDuration(c.ipvs[k]);
      if (ms < 0) errs.push(invalid(`${ipvs}.${name}`, new Dur(ms), 'must be greater than or equal to 0'));
    }
    (c.ipvs.excludeCIDRs ?? []).forEach((cidr, i) => { if (!isCIDR(cidr)) errs.push(invalid(`${ipvs}.ExcludeCidrs[${i}]`, cidr, 'must be a valid CIDR')); });
  } else if (c.mode === 'nftables') {
    const b = c.nftables.masqueradeBit;
    if (b !== null && (b < 0 || b > 31)) errs.push(invalid(`${P}.KubeProxyNFTablesConfiguration.MasqueradeBit`, b, 'must be within the range [0, 31]'));
  }
  const lin = `${P}.KubeProxyLinuxConfiguration`;
  const ct = `${lin}.KubeProxyConntrackConfiguration`;
  if (c.conntrack.maxPerCore !== null && c.conntrack.maxPerCore < 0) errs.push(invalid(`${ct}.MaxPerCore`, c.conntrack.maxPerCore, 'must be greater than or equal to 0'));
  if (c.conntrack.min !== null && c.conntrack.min < 0) errs.push(invalid(`${ct}.Min`, c.conntrack.min, 'must be greater than or equal to 0'));
  for (const [k, name] of [['tcpEstablishedTimeout', 'TCPEstablishedTimeout'], ['tcpCloseWaitTimeout', 'TCPCloseWaitTimeout'], ['udpTimeout', 'UDPTimeout'], ['udpStreamTimeout', 'UDPStreamTimeout']] as const) {
    const ms = durationMs(c.conntrack[k]);
    if (ms < 0) errs.push(invalid(`${ct}.${name}`, new Dur(ms), 'must be greater than or equal to 0'));
  }
  if (c.oomScoreAdj !== null && (c.oomScoreAdj < -1000 || c.oomScoreAdj > 1000)) errs.push(invalid(`${lin}.OOMScoreAdj`, c.oomScoreAdj, 'must be within the range [-1000, 1000]'));

  const modes = ['iptables', 'ipvs', 'nftables'];
  if (c.mode !== '' && !modes.includes(c.mode)) {
    errs.push(invalid(`${P}.Mode.ProxyMode`, c.mode, `must be ${modes.join(', ')} or blank (blank means the best-available proxy [currently iptables])`));
  }
  if (c.clientConnection.burst < 0) errs.push(invalid(`${P}.ClientConnection.Burst`, c.clientConnection.burst, 'must be greater than or equal to 0'));

  const eff = effectiveConfig(c);
  if (eff.configSyncPeriodMs <= 0) errs.push(invalid(`${P}.ConfigSyncPeriod`, new Dur(eff.configSyncPeriodMs), 'must be greater than 0'));
  if (eff.syncPeriodMs <= 0) errs.push(invalid(`${P}.SyncPeriod`, new Dur(eff.syncPeriodMs), 'must be greater than 0'));
  if (eff.minSyncPeriodMs < 0) errs.push(invalid(`${P}.MinSyncPeriod`, new Dur(eff.minSyncPeriodMs), 'must be greater than or equal to 0'));
  if (eff.minSyncPeriodMs > eff.syncPeriodMs) {
    errs.push(invalid(`${P}.SyncPeriod`, new Dur(eff.minSyncPeriodMs), `must be greater than or equal to ${P}.MinSyncPeriod`));
  }
  if (isIP(c.bindAddress) === 0) errs.push(invalid(`${P}.BindAddress`, c.bindAddress, 'not a valid textual representation of an IP address'));
  if (c.healthzBindAddress !== '') errs.push(...validateHostPort(c.healthzBindAddress, `${P}.HealthzBindAddress`));
  errs.push(...validateHostPort(c.metricsBindAddress, `${P}.MetricsBindAddress`));
  if (!portRangeOk(c.portRange)) errs.push(invalid(`${P}.PortRange`, c.portRange, 'must be a valid port range (e.g. 300-2000)'));

  const npa = c.nodePortAddresses ?? [];
  for (const [i, a] of npa.entries()) {
    if (a === 'primary') {
      if (i !== 0 || npa.length !== 1) errs.push(invalid(`${P}.NodePortAddresses[${i}]`, a, "can't use both 'primary' and CIDRs"));
      break;
    }
    if (!isCIDR(a)) errs.push(invalid(`${P}.NodePortAddresses[${i}]`, a, 'must be a valid CIDR'));
  }

  const localModes = ['ClusterCIDR', 'NodeCIDR', 'BridgeInterface', 'InterfaceNamePrefix', ''];
  if (!localModes.includes(c.detectLocalMode)) {
    errs.push(`${P}.DetectLocalMode: Unsupported value: ${JSON.stringify(c.detectLocalMode)}: supported values: ${localModes.map((m) => JSON.stringify(m)).join(', ')}`);
  }
  const dl = `${P}.DetectLocalConfiguration`;
  if (c.detectLocalMode === 'BridgeInterface' && c.detectLocal.bridgeInterface === '') errs.push(invalid(`${dl}.InterfaceName`, '', 'must not be empty'));
  if (c.detectLocalMode === 'InterfaceNamePrefix' && c.detectLocal.interfaceNamePrefix === '') errs.push(invalid(`${dl}.InterfacePrefix`, '', 'must not be empty'));
  if (c.detectLocalMode === 'ClusterCIDR' && eff.clusterCIDRs.length > 0) {
    const cidrs = eff.clusterCIDRs;
    const pairMsg = 'must be a either a single CIDR or dual-stack pair of CIDRs (e.g. [10.100.0.0/16, fde4:8dba:82e1::/48]';
    if (cidrs.length > 2) errs.push(invalid(`${dl}.ClusterCIDRs`, cidrs, pairMsg));
    else {
      cidrs.forEach((s, i) => { if (!isCIDR(s)) errs.push(invalid(`${dl}.ClusterCIDRs[${i}]`, s, 'must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)')); });
      if (cidrs.length === 2 && cidrs.every(isCIDR) && isIP(cidrs[0]!.split('/')[0]!) === isIP(cidrs[1]!.split('/')[0]!)) errs.push(invalid(`${dl}.ClusterCIDRs`, cidrs, pairMsg));
    }
  }
  if (c.logging.format !== 'text' && c.logging.format !== 'json') {
    errs.push(`${P}.logging.format: Unsupported value: ${JSON.stringify(c.logging.format)}: supported values: "json", "text"`);
  }
  return errs;
}

/** utilerrors.NewAggregate(...).Error(): one message alone, several (deduplicated) in brackets. */
export function aggregate(errs: string[]): string {
  const uniq = [...new Set(errs)];
  return uniq.length === 1 ? uniq[0]! : `[${uniq.join(', ')}]`;
}
