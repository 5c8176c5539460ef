// node-lifecycle-controller and taint-eviction-controller (upstream 1.32 runs them separately,
// SeparateTaintEvictionController being on by default).
import type { ControllerInit } from '../../context.js';
import { NodeLifecycleController } from './controller.js';
import { TaintEvictionController } from './tainteviction.js';

export { NodeLifecycleController, type NodeLifecycleConfig } from './controller.js';
export { TaintEvictionController } from './tainteviction.js';

export const initNodeLifecycle: ControllerInit = (ctx) => new NodeLifecycleController(ctx);

export const initTaintEviction: ControllerInit = (ctx) => new TaintEvictionController(ctx);
