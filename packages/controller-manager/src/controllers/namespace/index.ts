// kube-controller-manager's "namespace" controller: empties and finalizes deleted namespaces.
import type { ControllerInit } from '../../context.js';
import { NamespaceController } from './controller.js';

export { NamespaceController, type NamespaceControllerOptions } from './controller.js';
export { NamespacedResourcesDeleter, ResourcesRemainingError } from './deleter.js';

export const initNamespace: ControllerInit = (ctx) => new NamespaceController(ctx);
