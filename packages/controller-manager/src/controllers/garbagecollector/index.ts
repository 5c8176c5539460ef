// kube-controller-manager's "garbagecollector" controller: deletes objects whose owners are gone
// and carries out foreground and orphan deletion.
import type { ControllerInit } from '../../context.js';
import { GarbageCollector } from './controller.js';

export { GarbageCollector, type GarbageCollectorOptions } from './controller.js';

export const initGarbageCollector: ControllerInit = (ctx) => new GarbageCollector(ctx);
