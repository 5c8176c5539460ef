// The controllers this kube-controller-manager runs, by upstream canonical name.
import type { ControllerDescriptor } from '../registry.js';

export const DESCRIPTORS: ControllerDescriptor[] = [];
