// kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration: types, defaults, decoding, flags, validation.
export * from './types.js';
export * from './duration.js';
export * from './defaults.js';
export * from './decode.js';
export * from './effective.js';
export * from './flags.js';
export * from './load.js';
export * from './validate.js';
