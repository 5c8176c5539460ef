// kube-controller-manager's "pod-garbage-collector" (podgc) controller.
import type { ControllerInit } from '../../context.js';
import { PodGCController } from './controller.js';

export { PodGCController, type PodGCOptions } from './controller.js';

export const initPodGC: ControllerInit = (ctx) => new PodGCController(ctx);
