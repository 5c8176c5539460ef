// kube-controller-manager's deployment controller.
import type { ControllerInit } from '../../context.js';
import { DeploymentController } from './controller.js';

export { DeploymentController } from './controller.js';

export const initDeployment: ControllerInit = (ctx) => new DeploymentController(ctx);
