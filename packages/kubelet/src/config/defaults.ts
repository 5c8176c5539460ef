// Upstream's SetDefaults_KubeletConfiguration (pkg/kubelet/apis/config/v1beta1/defaults.go,
// defaults_linux.go) for v1.32, and the defaults of the command-line-only flags.
import { KUBELET_CONFIG_API_VERSION, KUBELET_CONFIG_KIND, type KubeletConfiguration } from './types.js';

export const DEFAULT_ROOT_DIR = '/var/lib/kubelet';
export const DEFAULT_CERT_DIR = '/var/lib/kubelet/pki';
export const DEFAULT_KUBELET_PORT = 10250;
export const DEFAULT_CONTAINER_RUNTIME_ENDPOINT = 'unix:///run/containerd/containerd.sock';

/** defaults_linux.go DefaultEvictionHard (replaced wholesale when evictionHard is set, as in 1.32). */
export const DEFAULT_EVICTION_HARD: Readonly<Record<string, string>> = Object.freeze({
  'memory.available': '100Mi',
  'nodefs.available': '10%',
  'nodefs.inodesFree': '5%',
  'imagefs.available': '15%',
});

/** A fully defaulted configuration (what an empty config file decodes to). */
export function defaultKubeletConfiguration(): KubeletConfiguration {
  return {
    apiVersion: KUBELET_CONFIG_API_VERSION,
    kind: KUBELET_CONFIG_KIND,
    enableServer: true,
    staticPodPath: '',
    podLogsDir: '/var/log/pods',
    syncFrequency: '1m0s',
    fileCheckFrequency: '20s',
    httpCheckFrequency: '20s',
    address: '0.0.0.0',
    port: DEFAULT_KUBELET_PORT,
    readOnlyPort: 0,
    tlsCertFile: '',
    tlsPrivateKeyFile: '',
    rotateCertificates: false,
    serverTLSBootstrap: false,
    authentication: {
      x509: {},
      webhook: { enabled: true, cacheTTL: '2m0s' },
      anonymous: { enabled: false },
    },
    authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
    registryPullQPS: 5,
    registryBurst: 10,
    eventRecordQPS: 50,
    eventBurst: 100,
    enableDebuggingHandlers: true,
    enableContentionProfiling: false,
    healthzPort: 10248,
    healthzBindAddress: '127.0.0.1',
    oomScoreAdj: -999,
    clusterDomain: '',
    clusterDNS: [],
    streamingConnectionIdleTimeout: '4h0m0s',
    nodeStatusUpdateFrequency: '10s',
    nodeStatusReportFrequency: '5m0s',
    nodeLeaseDurationSeconds: 40,
    imageMinimumGCAge: '2m0s',
    imageMaximumGCAge: '0s',
    imageGCHighThresholdPercent: 85,
    imageGCLowThresholdPercent: 80,
    volumeStatsAggPeriod: '1m0s',
    cgroupsPerQOS: true,
    cgroupRoot: '',
    cgroupDriver: 'cgroupfs',
    cpuManagerPolicy: 'none',
    cpuManagerReconcilePeriod: '10s',
    memoryManagerPolicy: 'None',
    topologyManagerPolicy: 'none',
    topologyManagerScope: 'container',
    runtimeRequestTimeout: '2m0s',
    hairpinMode: 'promiscuous-bridge',
    maxPods: 110,
    podCIDR: '',
    podPidsLimit: -1,
    resolvConf: '/etc/resolv.conf',
    cpuCFSQuota: true,
    cpuCFSQuotaPeriod: '100ms',
    nodeStatusMaxImages: 50,
    maxOpenFiles: 1_000_000,
    contentType: 'application/vnd.kubernetes.protobuf',
    kubeAPIQPS: 50,
    kubeAPIBurst: 100,
    serializeImagePulls: true,
    evictionHard: { ...DEFAULT_EVICTION_HARD },
    evictionSoft: {},
    evictionSoftGracePeriod: {},
    evictionPressureTransitionPeriod: '5m0s',
    evictionMaxPodGracePeriod: 0,
    evictionMinimumReclaim: {},
    podsPerCore: 0,
    enableControllerAttachDetach: true,
    makeIPTablesUtilChains: true,
    iptablesMasqueradeBit: 14,
    iptablesDropBit: 15,
    featureGates: {},
    failSwapOn: true,
    containerLogMaxSize: '10Mi',
    containerLogMaxFiles: 5,
    containerLogMaxWorkers: 1,
    containerLogMonitorInterval: '10s',
    configMapAndSecretChangeDetectionStrategy: 'Watch',
    systemReserved: {},
    kubeReserved: {},
    systemReservedCgroup: '',
    kubeReservedCgroup: '',
    enforceNodeAllocatable: ['pods'],
    providerID: '',
    shutdownGracePeriod: '0s',
    shutdownGracePeriodCriticalPods: '0s',
    registerWithTaints: [],
    registerNode: true,
    localStorageCapacityIsolation: true,
    containerRuntimeEndpoint: DEFAULT_CONTAINER_RUNTIME_ENDPOINT,
    imageServiceEndpoint: '',
    volumePluginDir: '/usr/libexec/kubernetes/kubelet-plugins/volume/exec/',
    logging: { format: 'text', flushFrequency: '5s', verbosity: 0, options: { text: { infoBufferSize: '0' }, json: { infoBufferSize: '0' } } },
    enableSystemLogHandler: true,
    enableProfilingHandler: true,
    enableDebugFlagsHandler: true,
    seccompDefault: false,
    memoryThrottlingFactor: 0.9,
    failCgroupV1: false,
  };
}

/**
 * Defaults that depend on what the file set (applied after decoding a file, before flags):
 * nodeStatusReportFrequency follows an explicit nodeStatusUpdateFrequency, and
 * serializeImagePulls is false when maxParallelImagePulls > 1.
 */
export function applyDependentDefaults(cfg: KubeletConfiguration, explicit: ReadonlySet<string>): void {
  if (!explicit.has('nodeStatusReportFrequency') && explicit.has('nodeStatusUpdateFrequency')) {
    cfg.nodeStatusReportFrequency = cfg.nodeStatusUpdateFrequency;
  }
  if (!explicit.has('serializeImagePulls')) {
    cfg.serializeImagePulls = !(cfg.maxParallelImagePulls !== undefined && cfg.maxParallelImagePulls >= 2);
  }
  // A negative podPidsLimit means "node allocatable": upstream stores -1.
  if (cfg.podPidsLimit < 0) cfg.podPidsLimit = -1;
}
