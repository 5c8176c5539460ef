// The horizontal pod autoscaler controller (autoscaling/v2), resource metrics from metrics.k8s.io.
import type { ControllerInit } from '../../context.js';
import { HorizontalController } from './controller.js';

export { HorizontalController } from './controller.js';
export const initHorizontalPodAutoscaler: ControllerInit = (ctx) => new HorizontalController(ctx);
