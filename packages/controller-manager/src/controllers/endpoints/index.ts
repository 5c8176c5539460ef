// kube-controller-manager's "endpoints-controller" (upstream short name "endpoint").
import type { ControllerInit } from '../../context.js';
import { EndpointsController } from './controller.js';

export { EndpointsController } from './controller.js';

export const initEndpoints: ControllerInit = (ctx) => new EndpointsController(ctx).controller;
