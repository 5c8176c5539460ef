// node-ipam-controller: only with --allocate-node-cidrs (upstream skips it otherwise), and only
// the RangeAllocator (cloud allocators are out of scope).
import type { ControllerInit } from '../../context.js';
import { RangeAllocator, rangeAllocatorConfig } from './rangeallocator.js';

export { RangeAllocator, rangeAllocatorConfig } from './rangeallocator.js';

export const initNodeIpam: ControllerInit = (ctx) => {
  if (!ctx.options.allocateNodeCIDRs) return 'node CIDR allocation is disabled (--allocate-node-cidrs=false)';
  const cfg = rangeAllocatorConfig(ctx.options);
  if (typeof cfg === 'string') return cfg;
  try {
    return new RangeAllocator(ctx, cfg);
  } catch (err) {
    return (err as Error).message;
  }
};
