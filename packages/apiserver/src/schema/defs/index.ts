// Every built-in type's schema, by OpenAPI definition name.
import type { ObjectType } from '../dsl.js';
import * as meta from './meta.js';
import * as corePod from './core-pod.js';
import * as coreVolume from './core-volume.js';
import * as core from './core.js';
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

export const builtinTypes: ObjectType[] = [
  meta, corePod, coreVolume, core, apps, batch, autoscaling, policy, scheduling, coordination,
  networking, rbac, certificates, storage, discovery, events, authentication, authorization,
].flatMap((m) => m.types);
