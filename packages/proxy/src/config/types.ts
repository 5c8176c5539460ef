// kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration (k8s.io/kube-proxy/config/v1alpha1, v1.32),
// with upstream's json field names. Durations stay Go duration strings, as the file spells them;
// pointer fields upstream are `null` when unset.

export const API_VERSION = 'kubeproxy.config.k8s.io/v1alpha1';
export const KIND = 'KubeProxyConfiguration';

export interface ClientConnectionConfiguration {
  kubeconfig: string;
  acceptContentTypes: string;
  contentType: string;
  qps: number;
  burst: number;
}

export interface LoggingConfiguration {
  format: string;
  flushFrequency: string | number;
  verbosity: number;
  vmodule?: unknown[];
  options: Record<string, unknown>;
}

export interface KubeProxyIPTablesConfiguration {
  masqueradeBit: number | null;
  masqueradeAll: boolean;
  localhostNodePorts: boolean | null;
  syncPeriod: string;
  minSyncPeriod: string;
}

export interface KubeProxyIPVSConfiguration {
  syncPeriod: string;
  minSyncPeriod: string;
  scheduler: string;
  excludeCIDRs: string[] | null;
  strictARP: boolean;
  tcpTimeout: string;
  tcpFinTimeout: string;
  udpTimeout: string;
}

export interface KubeProxyNFTablesConfiguration {
  masqueradeBit: number | null;
  masqueradeAll: boolean;
  syncPeriod: string;
  minSyncPeriod: string;
}

export interface KubeProxyConntrackConfiguration {
  maxPerCore: number | null;
  min: number | null;
  tcpEstablishedTimeout: string | null;
  tcpCloseWaitTimeout: string | null;
  tcpBeLiberal: boolean;
  udpTimeout: string;
  udpStreamTimeout: string;
}

export interface KubeProxyWinkernelConfiguration {
  networkName: string;
  sourceVip: string;
  enableDSR: boolean;
  rootHnsEndpointName: string;
  forwardHealthCheckVip: boolean;
}

export interface DetectLocalConfiguration {
  bridgeInterface: string;
  interfaceNamePrefix: string;
}

export interface KubeProxyConfiguration {
  apiVersion: string;
  kind: string;
  featureGates: Record<string, boolean>;
  clientConnection: ClientConnectionConfiguration;
  logging: LoggingConfiguration;
  hostnameOverride: string;
  bindAddress: string;
  healthzBindAddress: string;
  metricsBindAddress: string;
  bindAddressHardFail: boolean;
  enableProfiling: boolean;
  showHiddenMetricsForVersion: string;
  /** '' | 'iptables' | 'ipvs' | 'nftables' ('' means iptables on Linux). */
  mode: string;
  iptables: KubeProxyIPTablesConfiguration;
  ipvs: KubeProxyIPVSConfiguration;
  nftables: KubeProxyNFTablesConfiguration;
  winkernel: KubeProxyWinkernelConfiguration;
  detectLocalMode: string;
  detectLocal: DetectLocalConfiguration;
  clusterCIDR: string;
  nodePortAddresses: string[] | null;
  oomScoreAdj: number | null;
  conntrack: KubeProxyConntrackConfiguration;
  configSyncPeriod: string;
  portRange: string;
  windowsRunAsService?: boolean;
}

/** A flag or config error: the CLI prints the message and exits 1. */
export class ConfigError extends Error {}
