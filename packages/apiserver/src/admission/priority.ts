// The Priority admission plugin (upstream's plugin/pkg/admission/priority): a new pod's
// spec.priority and spec.preemptionPolicy come from its PriorityClass (or the global default
// class, or 0 / PreemptLowerPriority when there is none); an update keeps what create set; and at
// most one PriorityClass may be the global default.
import { ApiError, Errors } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { priorityClassResource } from '../registry/scheduling.js';
import type { ResourceDef } from '../registry/resource.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../rest/context.js';
import type { ObjectStore } from '../storage/objects.js';

export const PLUGIN_NAME = 'Priority';
/** Upstream's scheduling.DefaultPriorityWhenNoDefaultClassExists. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;
const PREEMPT_LOWER_PRIORITY = 'PreemptLowerPriority';

/** Where the plugin reads PriorityClasses (upstream: the PriorityClass lister). */
export interface PriorityClassReader {
  /** The class, or undefined when there is none by that name. */
  get(name: string): Promise<KubeObject | undefined>;
  list(): Promise<KubeObject[]>;
}

/** PriorityClasses read from the store: consistent reads, so a class is usable right after it is created. */
export function storePriorityClasses(store: Pick<ObjectStore, 'get' | 'list'>, def: ResourceDef = priorityClassResource): PriorityClassReader {
  return {
    async get(name) {
      try {
        return await store.get(def, undefined, name);
      } catch (err) {
        if (err instanceof ApiError && err.code === 404) return undefined;
        throw err;
      }
    },
    async list() {
      return (await store.list(def, undefined)).items;
    },
  };
}

type Obj = Record<string, unknown>;

const isPods = (d: ResourceDef): boolean => d.group === '' && d.plural === 'pods';
const isPriorityClasses = (d: ResourceDef): boolean => d.group === priorityClassResource.group && d.plural === priorityClassResource.plural;
const valueOf = (pc: KubeObject): number => (typeof pc.value === 'number' ? pc.value : 0);
const policyOf = (pc: KubeObject): string | undefined => (typeof pc.preemptionPolicy === 'string' ? pc.preemptionPolicy : undefined);
const errText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Upstream's admission.NewForbidden: 403 on the request's resource, named by the request, else by
 * the object's name or generateName, else "Unknown".
 */
function forbidden(attrs: AdmissionAttributes, message: string): ApiError {
  const meta = attrs.object?.metadata;
  const name = attrs.name || meta?.name || meta?.generateName || 'Unknown';
  return Errors.forbidden({ group: attrs.def.group, resource: attrs.def.plural }, name, message);
}

/** The global default class; if a race left several, the one with the lowest value (as upstream). */
async function defaultClass(classes: PriorityClassReader): Promise<KubeObject | undefined> {
  let found: KubeObject | undefined;
  for (const pc of await classes.list()) {
    if (pc.globalDefault === true && (found === undefined || valueOf(found) > valueOf(pc))) found = pc;
  }
  return found;
}

async function admitPod(classes: PriorityClassReader, attrs: AdmissionAttributes): Promise<void> {
  const pod = attrs.object;
  if (!pod) return;
  const spec = (pod.spec ??= {}) as Obj;
  if (attrs.operation === 'UPDATE') {
    // Create set these; an update that leaves them out keeps them. Validation rejects any change.
    const old = (attrs.oldObject?.spec ?? {}) as Obj;
    if (spec.priority === undefined && old.priority !== undefined) spec.priority = old.priority;
    if (spec.preemptionPolicy === undefined && old.preemptionPolicy !== undefined) spec.preemptionPolicy = old.preemptionPolicy;
    return;
  }
  let priority: number;
  let policy: string | undefined;
  const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
  if (className === '') {
    let dpc: KubeObject | undefined;
    try {
      dpc = await defaultClass(classes);
    } catch (err) {
      throw Errors.internal(`failed to get default priority class: ${errText(err)}`);
    }
    if (dpc) {
      spec.priorityClassName = dpc.metadata.name;
      priority = valueOf(dpc);
      policy = policyOf(dpc);
    } else {
      priority = DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS;
      policy = PREEMPT_LOWER_PRIORITY;
    }
  } else {
    let pc: KubeObject | undefined;
    try {
      pc = await classes.get(className);
    } catch (err) {
      throw Errors.internal(`failed to get PriorityClass with name ${className}: ${errText(err)}`);
    }
    if (!pc) throw forbidden(attrs, `no PriorityClass with name ${className} was found`);
    priority = valueOf(pc);
    policy = policyOf(pc);
  }
  if (spec.priority !== undefined && spec.priority !== null && spec.priority !== priority) {
    throw forbidden(attrs, `the integer value of priority (${String(spec.priority)}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`);
  }
  spec.priority = priority;
  if (policy !== undefined) {
    if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && spec.preemptionPolicy !== policy) {
      throw forbidden(attrs, `the string value of PreemptionPolicy (${String(spec.preemptionPolicy)}) must not be provided in pod spec; priority admission controller computed ${policy} from the given PriorityClass name`);
    }
    spec.preemptionPolicy = policy;
  }
}

async function validatePriorityClass(classes: PriorityClassReader, attrs: AdmissionAttributes): Promise<void> {
  const pc = attrs.object;
  if (!pc || pc.globalDefault !== true) return;
  let dpc: KubeObject | undefined;
  try {
    dpc = await defaultClass(classes);
  } catch (err) {
    throw Errors.internal(`failed to get default priority class: ${errText(err)}`);
  }
  if (!dpc) return;
  // A second default being created, or another class becoming the default, while one exists.
  if (attrs.operation === 'CREATE' || (attrs.operation === 'UPDATE' && dpc.metadata.name !== pc.metadata.name)) {
    throw forbidden(attrs, `PriorityClass ${dpc.metadata.name ?? ''} is already marked as default. Only one default can exist`);
  }
}

/** The plugin: mutating for pods (CREATE and UPDATE), validating for PriorityClasses. Subresources are ignored. */
export function priorityAdmission(classes: PriorityClassReader): AdmissionPlugin {
  return {
    name: PLUGIN_NAME,
    async mutate(attrs) {
      if (attrs.subresource) return;
      if (isPods(attrs.def) && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE')) await admitPod(classes, attrs);
    },
    async validate(attrs) {
      if (attrs.subresource) return;
      if (isPriorityClasses(attrs.def) && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE')) await validatePriorityClass(classes, attrs);
    },
  };
}
