// kube-controller-manager's "endpointslice-controller" (upstream short name "endpointslice").
import type { ControllerInit } from '../../context.js';
import { EndpointSliceController } from './controller.js';

export { EndpointSliceController } from './controller.js';

export const initEndpointSlice: ControllerInit = (ctx) => new EndpointSliceController(ctx).controller;
