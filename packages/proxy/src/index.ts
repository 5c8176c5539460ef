export * from './types.js';
export * from './topology.js';
export * from './exec.js';
