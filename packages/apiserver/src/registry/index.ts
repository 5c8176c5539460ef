// Every built-in resource declaration, in discovery order.
import type { ResourceDef } from './resource.js';
import { coreResources } from './core.js';
import * as apps from './apps.js';
import * as batch from './batch.js';
import * as autoscaling from './autoscaling.js';
import * as policy from './policy.js';
import * as scheduling from './scheduling.js';
import * as coordination from './coordination.js';
import * as networking from './networking.js';
import * as rbac from './rbac.js';
import * as certificates from './certificates.js';
import * as storage from './storage.js';
import * as discovery from './discovery.js';
import * as events from './events.js';
import * as authentication from './authentication.js';
import * as authorization from './authorization.js';

export const builtinResources: ResourceDef[] = [
  ...coreResources,
  ...[apps, events, authentication, authorization, autoscaling, batch, certificates, networking, policy,
    rbac, storage, coordination, discovery, scheduling].flatMap((m) => m.resources),
];
