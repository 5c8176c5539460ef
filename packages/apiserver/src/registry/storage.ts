// Resource declarations: storage.k8s.io/v1 storageclasses, csidrivers, csinodes, volumeattachments.
// Defaults as upstream's pkg/apis/storage/v1/defaults.go, validation as pkg/apis/storage/validation,
// columns as the printers.
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type ResourceDef, validateName } from './resource.js';
import { type Obj, arr, get, isObj, jsonEqual, str, strs } from './networking.js';
import { fieldErr, qualifiedName } from './validation.js';

const GROUP = 'storage.k8s.io';
const RECLAIM = ['Delete', 'Retain'];
const BINDING = ['Immediate', 'WaitForFirstConsumer'];
const FS_GROUP = ['File', 'None', 'ReadWriteOnceWithFSType'];
const LIFECYCLE = ['Ephemeral', 'Persistent'];

function storage(p: Pick<ResourceDef, 'kind' | 'plural' | 'singular' | 'columns'> & Partial<ResourceDef>): ResourceDef {
  return {
    group: GROUP, version: 'v1', shortNames: [], categories: [], namespaced: false, nameRule: 'subdomain',
    storagePath: p.plural, schema: `io.k8s.api.storage.v1.${p.kind}`, hasSpec: false, ...p,
  };
}

/** Upstream's validateCSIDriverName (CSI driver names in CSIDriver, CSINode and VolumeAttachment). */
function validateDriverName(field: string, name: string): StatusCause[] {
  if (!name) return [fieldErr.required(field)];
  const out: StatusCause[] = [];
  if (name.length > 63) out.push(fieldErr.tooLong(field, 63));
  for (const m of validateName('subdomain', name.toLowerCase())) out.push(fieldErr.invalid(field, name, m));
  return out;
}

// ---- StorageClass ----

function validateStorageClass(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const prov = str(o.provisioner);
  if (!prov) out.push(fieldErr.required('provisioner'));
  else for (const m of qualifiedName(prov.toLowerCase())) out.push(fieldErr.invalid('provisioner', prov, m));
  const params = isObj(o.parameters) ? o.parameters : {};
  if (Object.keys(params).length > 512) out.push(fieldErr.tooLong('parameters', 512));
  else {
    let size = 0;
    for (const [k, v] of Object.entries(params)) { if (!k) out.push(fieldErr.invalid('parameters', k, 'field can not be empty.')); size += k.length + String(v).length; }
    if (size > 256 * 1024) out.push(fieldErr.tooLong('parameters', 256 * 1024));
  }
  if (typeof o.reclaimPolicy === 'string' && !RECLAIM.includes(o.reclaimPolicy)) out.push(fieldErr.notSupported('reclaimPolicy', o.reclaimPolicy, RECLAIM));
  if (o.volumeBindingMode === undefined || o.volumeBindingMode === null) out.push(fieldErr.required('volumeBindingMode'));
  else if (!BINDING.includes(str(o.volumeBindingMode))) out.push(fieldErr.notSupported('volumeBindingMode', o.volumeBindingMode, BINDING));
  if (old) {
    if (!jsonEqual(old.parameters ?? {}, o.parameters ?? {})) out.push(fieldErr.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (prov !== str(old.provisioner)) out.push(fieldErr.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (str(o.reclaimPolicy) !== str(old.reclaimPolicy)) out.push(fieldErr.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (str(o.volumeBindingMode) !== str(old.volumeBindingMode)) out.push(fieldErr.immutable('volumeBindingMode', o.volumeBindingMode));
  }
  return out;
}

const IS_DEFAULT = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

const storageClasses = storage({
  kind: 'StorageClass', plural: 'storageclasses', singular: 'storageclass', shortNames: ['sc'],
  // Upstream's printer also suffixes the NAME cell with " (default)" for the default class
  // (annotation storageclass.kubernetes.io/is-default-class=true); the Table builder owns NAME.
  columns: [
    { name: 'Provisioner', type: 'string', description: 'provisioner indicates the type of the provisioner.', value: (o) => str(o.provisioner) },
    { name: 'ReclaimPolicy', type: 'string', description: 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.', value: (o) => str(o.reclaimPolicy) || 'Delete' },
    { name: 'VolumeBindingMode', type: 'string', description: 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.', value: (o) => str(o.volumeBindingMode) || 'Immediate' },
    { name: 'AllowVolumeExpansion', type: 'string', description: 'allowVolumeExpansion shows whether the storage class allow volume expand.', value: (o) => o.allowVolumeExpansion === true },
    AGE,
  ],
  defaults: (o) => {
    o.reclaimPolicy ??= 'Delete';
    o.volumeBindingMode ??= 'Immediate';
  },
  validate: validateStorageClass,
});

/** Whether a StorageClass is marked as the cluster default (upstream's IsDefaultAnnotation). */
export function isDefaultStorageClass(o: KubeObject): boolean {
  return IS_DEFAULT.some((a) => o.metadata.annotations?.[a] === 'true');
}

// ---- CSIDriver ----

function validateCSIDriver(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out = validateDriverName('metadata.name', o.metadata.name ?? '');
  const spec: Obj = isObj(o.spec) ? o.spec : {};
  if (spec.attachRequired === undefined || spec.attachRequired === null) out.push(fieldErr.required('spec.attachRequired'));
  if (spec.podInfoOnMount === undefined || spec.podInfoOnMount === null) out.push(fieldErr.required('spec.podInfoOnMount'));
  if (spec.storageCapacity === undefined || spec.storageCapacity === null) out.push(fieldErr.required('spec.storageCapacity'));
  if (spec.requiresRepublish === undefined || spec.requiresRepublish === null) out.push(fieldErr.required('spec.requiresRepublish'));
  if (spec.fsGroupPolicy !== undefined && !FS_GROUP.includes(str(spec.fsGroupPolicy))) out.push(fieldErr.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, FS_GROUP));
  strs(spec.volumeLifecycleModes).forEach((m, i) => { if (!LIFECYCLE.includes(m)) out.push(fieldErr.notSupported(`spec.volumeLifecycleModes[${i}]`, m, LIFECYCLE)); });
  const audiences = new Set<string>();
  arr(spec.tokenRequests).forEach((t, i) => {
    const path = `spec.tokenRequests[${i}]`;
    const aud = str(t.audience);
    if (audiences.has(aud)) out.push(fieldErr.duplicate(`${path}.audience`, aud));
    audiences.add(aud);
    const exp = t.expirationSeconds;
    if (typeof exp === 'number') {
      if (exp < 600) out.push(fieldErr.invalid(`${path}.expirationSeconds`, exp, 'may not specify a duration less than 10 minutes'));
      if (exp > 2 ** 32) out.push(fieldErr.invalid(`${path}.expirationSeconds`, exp, 'may not specify a duration larger than 2^32 seconds'));
    }
  });
  if (old) {
    for (const k of ['attachRequired', 'fsGroupPolicy', 'volumeLifecycleModes']) {
      if (!jsonEqual(get(o, 'spec', k), get(old, 'spec', k))) out.push(fieldErr.immutable(`spec.${k}`, get(o, 'spec', k)));
    }
  }
  return out;
}

const bool = (v: unknown, dflt: boolean): boolean => (typeof v === 'boolean' ? v : dflt);

const csiDrivers = storage({
  kind: 'CSIDriver', plural: 'csidrivers', singular: 'csidriver',
  columns: [
    { name: 'AttachRequired', type: 'boolean', description: 'attachRequired indicates this CSI volume driver requires an attach operation.', value: (o) => bool(get(o, 'spec', 'attachRequired'), true) },
    { name: 'PodInfoOnMount', type: 'boolean', description: 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.', value: (o) => bool(get(o, 'spec', 'podInfoOnMount'), false) },
    { name: 'StorageCapacity', type: 'boolean', description: 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.', value: (o) => bool(get(o, 'spec', 'storageCapacity'), false) },
    {
      name: 'TokenRequests', type: 'string', description: 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for.',
      value: (o) => { const t = get(o, 'spec', 'tokenRequests'); return Array.isArray(t) ? arr(t).map((x) => str(x.audience)).join(',') : '<unset>'; },
    },
    { name: 'RequiresRepublish', type: 'boolean', description: 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called.', value: (o) => bool(get(o, 'spec', 'requiresRepublish'), false) },
    { name: 'Modes', type: 'string', description: 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.', value: (o) => strs(get(o, 'spec', 'volumeLifecycleModes')).join(',') || '<none>' },
    AGE,
  ],
  defaults: (o) => {
    const spec = (o.spec ??= {}) as Obj;
    spec.attachRequired ??= true;
    spec.podInfoOnMount ??= false;
    spec.storageCapacity ??= false;
    spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
    if (strs(spec.volumeLifecycleModes).length === 0) spec.volumeLifecycleModes = ['Persistent'];
    spec.requiresRepublish ??= false;
    spec.seLinuxMount ??= false;
  },
  validate: validateCSIDriver,
});

// ---- CSINode ----

function validateCSINode(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const names = new Set<string>();
  arr(get(o, 'spec', 'drivers')).forEach((d, i) => {
    const path = `spec.drivers[${i}]`;
    const name = str(d.name);
    out.push(...validateDriverName(`${path}.name`, name));
    if (names.has(name)) out.push(fieldErr.duplicate(`${path}.name`, name));
    names.add(name);
    const id = str(d.nodeID);
    if (!id) out.push(fieldErr.required(`${path}.nodeID`));
    else if (id.length > 192) out.push(fieldErr.invalid(`${path}.nodeID`, id, 'must be 192 characters or less'));
    const keys = strs(d.topologyKeys);
    keys.forEach((k, j) => {
      if (!k) out.push(fieldErr.required(`${path}.topologyKeys`, k));
      if (keys.indexOf(k) !== j) out.push(fieldErr.duplicate(`${path}.topologyKeys`, k));
      for (const m of qualifiedName(k)) out.push(fieldErr.invalid(`${path}.topologyKeys`, k, m));
    });
    const count = get(d, 'allocatable', 'count');
    if (typeof count === 'number' && count < 0) out.push(fieldErr.invalid(`${path}.allocatable.count`, count, 'must be greater than or equal to 0'));
  });
  return out;
}

const csiNodes = storage({
  kind: 'CSINode', plural: 'csinodes', singular: 'csinode',
  columns: [
    { name: 'Drivers', type: 'integer', description: 'Drivers indicates the number of CSI drivers registered on the node', value: (o) => arr(get(o, 'spec', 'drivers')).length },
    AGE,
  ],
  defaults: (o) => {
    const spec = (o.spec ??= {}) as Obj;
    spec.drivers ??= [];
  },
  validate: validateCSINode,
});

// ---- VolumeAttachment ----

function validateVolumeAttachment(o: KubeObject, old?: KubeObject): StatusCause[] {
  const spec: Obj = isObj(o.spec) ? o.spec : {};
  const out = validateDriverName('spec.attacher', str(spec.attacher));
  const src: Obj = isObj(spec.source) ? spec.source : {};
  const hasPV = typeof src.persistentVolumeName === 'string';
  const hasInline = isObj(src.inlineVolumeSpec);
  if (hasPV === hasInline) out.push(fieldErr.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (hasPV && !str(src.persistentVolumeName)) out.push(fieldErr.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  const node = str(spec.nodeName);
  if (!node) out.push(fieldErr.required('spec.nodeName'));
  else for (const m of validateName('subdomain', node)) out.push(fieldErr.invalid('spec.nodeName', node, m));
  if (old && !jsonEqual(o.spec, old.spec)) out.push(fieldErr.invalid('spec', o.spec, 'field is immutable'));
  return out;
}

const volumeAttachments = storage({
  kind: 'VolumeAttachment', plural: 'volumeattachments', singular: 'volumeattachment', subresources: { status: true },
  columns: [
    { name: 'Attacher', type: 'string', format: 'name', description: 'attacher indicates the name of the volume driver that MUST handle this request.', value: (o) => str(get(o, 'spec', 'attacher')) },
    { name: 'PV', type: 'string', description: 'persistentVolumeName represents the name of the persistent volume to attach.', value: (o) => str(get(o, 'spec', 'source', 'persistentVolumeName')) },
    { name: 'Node', type: 'string', description: 'nodeName represents the node that the volume should be attached to.', value: (o) => str(get(o, 'spec', 'nodeName')) },
    { name: 'Attached', type: 'boolean', description: 'attached indicates the volume is successfully attached.', value: (o) => get(o, 'status', 'attached') === true },
    AGE,
  ],
  validate: validateVolumeAttachment,
});

export const resources: ResourceDef[] = [csiDrivers, csiNodes, storageClasses, volumeAttachments];
