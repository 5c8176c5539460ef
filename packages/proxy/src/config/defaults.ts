// Upstream's v1alpha1 defaulting (SetDefaults_KubeProxyConfiguration, v1.32) plus the Linux
// platformApplyDefaults the server runs after loading (mode "" → iptables, nftables → NodePorts
// on the primary node IPs, detectLocalMode "" → ClusterCIDR).
import { isIP } from 'node:net';
import { splitHostPort } from './hostport.js';
import type { KubeProxyConfiguration } from './types.js';
import { API_VERSION, KIND } from './types.js';

export const PROXY_HEALTHZ_PORT = 10256;
export const PROXY_STATUS_PORT = 10249;
/** qos.KubeProxyOOMScoreAdj */
export const KUBE_PROXY_OOM_SCORE_ADJ = -999;

/** Go zero values: what an empty document decodes to before defaulting. */
export function emptyConfiguration(): KubeProxyConfiguration {
  return {
    apiVersion: API_VERSION, kind: KIND, featureGates: {},
    clientConnection: { kubeconfig: '', acceptContentTypes: '', contentType: '', qps: 0, burst: 0 },
    logging: { format: '', flushFrequency: 0, verbosity: 0, options: {} },
    hostnameOverride: '', bindAddress: '', healthzBindAddress: '', metricsBindAddress: '',
    bindAddressHardFail: false, enableProfiling: false, showHiddenMetricsForVersion: '', mode: '',
    iptables: { masqueradeBit: null, masqueradeAll: false, localhostNodePorts: null, syncPeriod: '0s', minSyncPeriod: '0s' },
    ipvs: { syncPeriod: '0s', minSyncPeriod: '0s', scheduler: '', excludeCIDRs: null, strictARP: false, tcpTimeout: '0s', tcpFinTimeout: '0s', udpTimeout: '0s' },
    nftables: { masqueradeBit: null, masqueradeAll: false, syncPeriod: '0s', minSyncPeriod: '0s' },
    winkernel: { networkName: '', sourceVip: '', enableDSR: false, rootHnsEndpointName: '', forwardHealthCheckVip: false },
    detectLocalMode: '', detectLocal: { bridgeInterface: '', interfaceNamePrefix: '' },
    clusterCIDR: '', nodePortAddresses: null, oomScoreAdj: null,
    conntrack: { maxPerCore: null, min: null, tcpEstablishedTimeout: null, tcpCloseWaitTimeout: null, tcpBeLiberal: false, udpTimeout: '0s', udpStreamTimeout: '0s' },
    configSyncPeriod: '0s', portRange: '',
  };
}

const isZeroDuration = (d: string): boolean => /^[+-]?(0+(\.0*)?[a-zµμ]*)+$/.test(d) || d === '';

/** proxyutil.AppendPortIfNeeded: a bare IP gets the port; IP:port and anything unparsable stay as they are. */
export function appendPortIfNeeded(addr: string, port: number): string {
  if (!(splitHostPort(addr) instanceof Error)) return addr;
  const v = isIP(addr);
  if (v === 4) return `${addr}:${port}`;
  if (v === 6) return `[${addr}]:${port}`;
  return addr;
}

export function setDefaults(c: KubeProxyConfiguration): KubeProxyConfiguration {
  if (!c.bindAddress) c.bindAddress = '0.0.0.0';
  const v4 = isIP(c.bindAddress) === 4;
  const [healthzHost, metricsHost] = v4 ? ['0.0.0.0', '127.0.0.1'] : ['[::]', '[::1]'];
  c.healthzBindAddress = c.healthzBindAddress === '' ? `${healthzHost}:${PROXY_HEALTHZ_PORT}` : appendPortIfNeeded(c.healthzBindAddress, PROXY_HEALTHZ_PORT);
  c.metricsBindAddress = c.metricsBindAddress === '' ? `${metricsHost}:${PROXY_STATUS_PORT}` : appendPortIfNeeded(c.metricsBindAddress, PROXY_STATUS_PORT);
  c.oomScoreAdj ??= KUBE_PROXY_OOM_SCORE_ADJ;
  if (isZeroDuration(c.iptables.syncPeriod)) c.iptables.syncPeriod = '30s';
  if (isZeroDuration(c.iptables.minSyncPeriod)) c.iptables.minSyncPeriod = '1s';
  c.iptables.localhostNodePorts ??= true;
  if (isZeroDuration(c.ipvs.syncPeriod)) c.ipvs.syncPeriod = '30s';
  if (isZeroDuration(c.nftables.syncPeriod)) c.nftables.syncPeriod = '30s';
  if (isZeroDuration(c.nftables.minSyncPeriod)) c.nftables.minSyncPeriod = '1s';
  c.conntrack.maxPerCore ??= 32 * 1024;
  c.conntrack.min ??= 128 * 1024;
  c.iptables.masqueradeBit ??= 14;
  c.nftables.masqueradeBit ??= 14;
  c.conntrack.tcpEstablishedTimeout ??= '24h0m0s';
  c.conntrack.tcpCloseWaitTimeout ??= '1h0m0s';
  if (isZeroDuration(c.configSyncPeriod)) c.configSyncPeriod = '15m0s';
  if (!c.clientConnection.contentType) c.clientConnection.contentType = 'application/vnd.kubernetes.protobuf';
  if (c.clientConnection.qps === 0) c.clientConnection.qps = 5;
  if (c.clientConnection.burst === 0) c.clientConnection.burst = 10;
  // logsapi.SetRecommendedLoggingConfiguration
  if (!c.logging.format) c.logging.format = 'text';
  if (c.logging.flushFrequency === 0 || c.logging.flushFrequency === '' || c.logging.flushFrequency === '0s') c.logging.flushFrequency = '5s';
  c.logging.options = { text: { infoBufferSize: '0' }, json: { infoBufferSize: '0' }, ...c.logging.options };
  return c;
}

/** server_linux.go platformApplyDefaults. */
export function platformApplyDefaults(c: KubeProxyConfiguration): void {
  if (c.mode === '') c.mode = 'iptables';
  if (c.mode === 'nftables' && (c.nodePortAddresses ?? []).length === 0) c.nodePortAddresses = ['primary'];
  if (c.detectLocalMode === '') c.detectLocalMode = 'ClusterCIDR';
}

/** A defaulted configuration, as `kube-proxy` with no flags and no file would run. */
export function defaultConfiguration(): KubeProxyConfiguration {
  return setDefaults(emptyConfiguration());
}
