export * from './types.js';
export * from './topology.js';
export * from './exec.js';
export * from './config/index.js';
export * from './model/tracker.js';
export * from './conntrack.js';
export { IptablesProxier } from './iptables/proxier.js';
export { NftablesProxier } from './nftables/proxier.js';
export * from './proxy.js';
