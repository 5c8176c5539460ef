// kube-controller-manager's "job" controller.
import type { ControllerInit } from '../../context.js';
import { JobController } from './controller.js';

export { JobController, type JobControllerOptions } from './controller.js';
export { isJobFinished, finishedJobCondition, JOB_TRACKING_FINALIZER } from './util.js';

export const initJob: ControllerInit = (ctx) => new JobController(ctx);
