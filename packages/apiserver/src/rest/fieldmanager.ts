// managedFields bookkeeping and server-side apply, through the apply library (src/apply).
import { Errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { apiVersionOf, type ResourceDef } from '../registry/resource.js';
import { serverSideApply, updateManagedFields } from '../apply/index.js';
import { header, type Api, type Request } from './context.js';

/** The manager named by ?fieldManager, else the user agent's product ("kubectl"), as upstream. */
export function managerOf(req: Request): string {
  const m = req.query.fieldManager;
  if (m !== undefined && m !== '') {
    if (m.length > 128) throw Errors.badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
    return m;
  }
  const ua = header(req, 'user-agent') ?? '';
  return (ua.split('/')[0] ?? '').slice(0, 128) || 'unknown';
}

/** Top-level fields a manager of this request does not own (the other side of /status). */
export function ignoredTopLevel(def: ResourceDef, subresource: string | undefined): string[] {
  if (!def.subresources?.status) return [];
  return subresource === 'status' ? ['spec'] : ['status'];
}

export interface FieldManager {
  /** Records an Update operation by `manager` (create: old undefined). */
  update(api: Api, def: ResourceDef, old: KubeObject | undefined, next: KubeObject, manager: string, subresource?: string): void;
  /** Server-side apply of `applied` onto `live` (undefined: the object does not exist yet). */
  apply(api: Api, def: ResourceDef, live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean, subresource?: string): KubeObject;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

export const fieldManager: FieldManager = {
  update: (api, def, old, next, manager, subresource) => {
    updateManagedFields(api.schemas, def.schema, old, next, {
      manager, apiVersion: apiVersionOf(def), time: now(), ignoredTopLevel: ignoredTopLevel(def, subresource),
      ...(subresource ? { subresource } : {}),
    });
  },
  apply: (api, def, live, applied, manager, force, subresource) => serverSideApply(api.schemas, def.schema, live, applied, {
    manager, apiVersion: apiVersionOf(def), force, time: now(), ignoredTopLevel: ignoredTopLevel(def, subresource),
    ...(subresource ? { subresource } : {}),
  }),
};
