// kubelet.config.k8s.io/v1beta1 KubeletConfiguration: the fields this kubelet reads, with
// upstream's json names. Durations stay Go duration strings as in the file ("10s");
// KubeletSettings carries them parsed to milliseconds.
import type { Taint } from '@kube-ts/client';

export const KUBELET_CONFIG_API_VERSION = 'kubelet.config.k8s.io/v1beta1';
export const KUBELET_CONFIG_KIND = 'KubeletConfiguration';

export interface KubeletX509Authentication { clientCAFile?: string }
export interface KubeletWebhookAuthentication { enabled: boolean; cacheTTL: string }
export interface KubeletAnonymousAuthentication { enabled: boolean }
export interface KubeletAuthentication {
  x509: KubeletX509Authentication;
  webhook: KubeletWebhookAuthentication;
  anonymous: KubeletAnonymousAuthentication;
}
export interface KubeletWebhookAuthorization { cacheAuthorizedTTL: string; cacheUnauthorizedTTL: string }
export interface KubeletAuthorization { mode: 'AlwaysAllow' | 'Webhook'; webhook: KubeletWebhookAuthorization }
export interface LoggingConfiguration { format: string; flushFrequency: string; verbosity: number; options?: Record<string, unknown> }

export interface KubeletConfiguration {
  apiVersion: typeof KUBELET_CONFIG_API_VERSION;
  kind: typeof KUBELET_CONFIG_KIND;
  enableServer: boolean;
  staticPodPath: string;
  podLogsDir: string;
  syncFrequency: string;
  fileCheckFrequency: string;
  httpCheckFrequency: string;
  staticPodURL?: string;
  address: string;
  port: number;
  readOnlyPort: number;
  tlsCertFile: string;
  tlsPrivateKeyFile: string;
  tlsCipherSuites?: string[];
  tlsMinVersion?: string;
  rotateCertificates: boolean;
  serverTLSBootstrap: boolean;
  authentication: KubeletAuthentication;
  authorization: KubeletAuthorization;
  registryPullQPS: number;
  registryBurst: number;
  eventRecordQPS: number;
  eventBurst: number;
  enableDebuggingHandlers: boolean;
  enableContentionProfiling: boolean;
  healthzPort: number;
  healthzBindAddress: string;
  oomScoreAdj: number;
  clusterDomain: string;
  clusterDNS: string[];
  streamingConnectionIdleTimeout: string;
  nodeStatusUpdateFrequency: string;
  nodeStatusReportFrequency: string;
  nodeLeaseDurationSeconds: number;
  imageMinimumGCAge: string;
  imageMaximumGCAge: string;
  imageGCHighThresholdPercent: number;
  imageGCLowThresholdPercent: number;
  volumeStatsAggPeriod: string;
  cgroupsPerQOS: boolean;
  cgroupRoot: string;
  cgroupDriver: 'cgroupfs' | 'systemd';
  cpuManagerPolicy: string;
  cpuManagerReconcilePeriod: string;
  memoryManagerPolicy: string;
  topologyManagerPolicy: string;
  topologyManagerScope: string;
  runtimeRequestTimeout: string;
  hairpinMode: string;
  maxPods: number;
  podCIDR: string;
  podPidsLimit: number;
  resolvConf: string;
  cpuCFSQuota: boolean;
  cpuCFSQuotaPeriod: string;
  nodeStatusMaxImages: number;
  maxOpenFiles: number;
  contentType: string;
  kubeAPIQPS: number;
  kubeAPIBurst: number;
  serializeImagePulls: boolean;
  maxParallelImagePulls?: number;
  /** signal -> threshold without the operator: {"memory.available": "100Mi", "nodefs.available": "10%"}. */
  evictionHard: Record<string, string>;
  evictionSoft: Record<string, string>;
  evictionSoftGracePeriod: Record<string, string>;
  evictionPressureTransitionPeriod: string;
  evictionMaxPodGracePeriod: number;
  evictionMinimumReclaim: Record<string, string>;
  podsPerCore: number;
  enableControllerAttachDetach: boolean;
  makeIPTablesUtilChains: boolean;
  iptablesMasqueradeBit: number;
  iptablesDropBit: number;
  featureGates: Record<string, boolean>;
  failSwapOn: boolean;
  containerLogMaxSize: string;
  containerLogMaxFiles: number;
  containerLogMaxWorkers: number;
  containerLogMonitorInterval: string;
  configMapAndSecretChangeDetectionStrategy: 'Get' | 'Cache' | 'Watch';
  systemReserved: Record<string, string>;
  kubeReserved: Record<string, string>;
  systemReservedCgroup: string;
  kubeReservedCgroup: string;
  enforceNodeAllocatable: string[];
  providerID: string;
  shutdownGracePeriod: string;
  shutdownGracePeriodCriticalPods: string;
  registerWithTaints: Taint[];
  registerNode: boolean;
  localStorageCapacityIsolation: boolean;
  containerRuntimeEndpoint: string;
  imageServiceEndpoint: string;
  volumePluginDir: string;
  logging: LoggingConfiguration;
  enableSystemLogHandler: boolean;
  enableProfilingHandler: boolean;
  enableDebugFlagsHandler: boolean;
  seccompDefault: boolean;
  memoryThrottlingFactor: number;
  failCgroupV1: boolean;
}

/** Everything the kubelet runs with: command-line-only flags, and the merged configuration. */
export interface KubeletSettings {
  /** --hostname-override or os.hostname(), trimmed and lowercased. */
  nodeName: string;
  /** The value of the kubernetes.io/hostname label and the Hostname address (same as nodeName). */
  hostname: string;
  hostnameOverridden: boolean;
  kubeconfig: string;
  /** The --config file, if any. */
  configFile?: string;
  rootDir: string;
  /** First --node-ip (the flag may hold an IPv4,IPv6 pair: nodeIPs). */
  nodeIP?: string;
  nodeIPs: string[];
  nodeLabels: Record<string, string>;
  containerRuntimeEndpoint: string;
  imageServiceEndpoint?: string;
  staticPodPath?: string;
  certDir: string;
  /** -v: log verbosity (accepted; components map >= 4 to debug). */
  verbosity: number;
  config: KubeletConfiguration;
  /** Non-fatal notes from loading (lenient decoding of unknown config fields, ignored flags). */
  warnings: string[];
  // The configuration's durations, parsed (milliseconds).
  syncFrequencyMs: number;
  fileCheckFrequencyMs: number;
  httpCheckFrequencyMs: number;
  nodeStatusUpdateFrequencyMs: number;
  nodeStatusReportFrequencyMs: number;
  runtimeRequestTimeoutMs: number;
  evictionPressureTransitionPeriodMs: number;
  shutdownGracePeriodMs: number;
  shutdownGracePeriodCriticalPodsMs: number;
  streamingConnectionIdleTimeoutMs: number;
  imageMinimumGCAgeMs: number;
  imageMaximumGCAgeMs: number;
  volumeStatsAggPeriodMs: number;
  cpuManagerReconcilePeriodMs: number;
  cpuCFSQuotaPeriodMs: number;
  containerLogMonitorIntervalMs: number;
  /** Lease renew interval: nodeLeaseDurationSeconds * 0.25 (upstream NodeLeaseRenewIntervalFraction). */
  nodeLeaseRenewIntervalMs: number;
}

/** A bad flag, config file or configuration; the message is upstream's. */
export class UsageError extends Error {
  /** Set for --help / -h: the message is the usage text, exit 0. */
  readonly help: boolean;
  constructor(message: string, help = false) {
    super(message);
    this.name = 'UsageError';
    this.help = help;
  }
}
