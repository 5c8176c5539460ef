// @kube-ts/client: the API client library every component except the apiserver is built on.
// Subpath imports (`@kube-ts/client/informer`) load only what a component needs.
export * from './types.js';
export * from './workloads.js';
export * from './services.js';
export * from './clock.js';
export * from './duration.js';
export * from './equal.js';
export * from './quantity.js';
export * from './labels.js';
export * from './kubeconfig.js';
export * from './errors.js';
export * from './flowcontrol.js';
export * from './resources.js';
export * from './rest.js';
export * from './store.js';
export * from './informer.js';
export * from './factory.js';
export * from './ratelimiter.js';
export * from './queuemetrics.js';
export * from './workqueue.js';
export * from './leaderelection.js';
export * from './events.js';
export * from './serving.js';
export * from './componentmain.js';
