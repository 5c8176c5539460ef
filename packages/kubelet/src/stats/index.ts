// Node and pod resource usage for /stats/summary and the eviction manager.
export { StatsProvider, removeTerminatedContainers, removeTerminatedSandboxes, type StatsDeps } from './provider.js';
export * from './types.js';
