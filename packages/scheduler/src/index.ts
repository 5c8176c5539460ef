// @kube-ts/scheduler: the scheduler as a library (framework, plugins, queue, cache, config).
export * from './scheduler.js';
export * from './config/load.js';
export * from './config/types.js';
export * from './framework/status.js';
export * from './framework/cyclestate.js';
export * from './framework/interface.js';
export * from './framework/events.js';
export * from './framework/nodeinfo.js';
export * from './framework/podinfo.js';
export * from './framework/resource.js';
export * from './framework/snapshot.js';
export * from './framework/runtime.js';
export * from './plugins/registry.js';
