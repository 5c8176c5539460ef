// kube-controller-manager's "cronjob" controller.
import type { ControllerInit } from '../../context.js';
import { CronJobController } from './controller.js';

export { CronJobController, type CronJobControllerOptions } from './controller.js';
export { parseStandard, type CronSchedule } from './cron.js';
export { mostRecentScheduleTime, nextScheduleTimeDuration, jobNameFor } from './schedule.js';

export const initCronJob: ControllerInit = (ctx) => new CronJobController(ctx);
