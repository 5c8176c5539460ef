// The kubelet's flags and KubeletConfiguration (kubelet.config.k8s.io/v1beta1).
export * from './types.js';
export { defaultKubeletConfiguration, DEFAULT_EVICTION_HARD, DEFAULT_ROOT_DIR, DEFAULT_CERT_DIR, DEFAULT_KUBELET_PORT, DEFAULT_CONTAINER_RUNTIME_ENDPOINT } from './defaults.js';
export { parseDuration, formatDuration } from './duration.js';
export { decodeKubeletConfiguration, loadConfigFile } from './file.js';
export { KUBELET_FLAGS, kubeletUsage, parseKubeletFlags } from './flags.js';
export { parseTaints, validateNodeLabels } from './labels.js';
export { validateKubeletConfiguration } from './validate.js';
export { loadKubeletSettings, getHostname, type LoadOptions } from './load.js';
