// The disruption controller (PodDisruptionBudget status).
import type { ControllerInit } from '../../context.js';
import { DisruptionController } from './controller.js';

export { DisruptionController } from './controller.js';

export const initDisruption: ControllerInit = (ctx) => new DisruptionController(ctx);
