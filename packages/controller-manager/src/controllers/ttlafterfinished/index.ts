// kube-controller-manager's "ttl-after-finished" controller.
import type { ControllerInit } from '../../context.js';
import { TTLAfterFinishedController } from './controller.js';

export { TTLAfterFinishedController } from './controller.js';
export { needsCleanup, timeLeft } from './ttl.js';

export const initTTLAfterFinished: ControllerInit = (ctx) => new TTLAfterFinishedController(ctx);
