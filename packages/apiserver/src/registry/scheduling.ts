// Resource declarations: scheduling. Filled in by its owner; see ./resource.ts.
import type { ResourceDef } from './resource.js';

export const resources: ResourceDef[] = [];
