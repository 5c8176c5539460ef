// Schemas: storage.k8s.io/v1 StorageClass, CSIDriver, CSINode, VolumeAttachment, as upstream's
// k8s.io/api/storage/v1 types.go and generated.proto (fields GA or beta by v1.32).
import { type GVK, type ObjectType, S, bool, i32, i64, list, listType, map, obj, ref, str, struct, time, topLevel } from '../dsl.js';

const N = 'io.k8s.api.storage.v1';
const gvk = (kind: string): GVK => ({ group: 'storage.k8s.io', version: 'v1', kind });

export const types: ObjectType[] = [
  // ---- StorageClass ----
  topLevel(`${N}.StorageClass`, gvk('StorageClass'), 'StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.', {
    provisioner: str(2, 'provisioner is the type of the provisioner; immutable.', { required: true }),
    parameters: map(S.string, 3, 'parameters are passed to the provisioner when it creates volumes of this class; immutable.'),
    reclaimPolicy: str(4, 'reclaimPolicy of dynamically provisioned PersistentVolumes: Delete (default) or Retain.', { enum: ['Delete', 'Recycle', 'Retain'], default: 'Delete' }),
    mountOptions: list(S.string, 5, 'mountOptions for dynamically provisioned PersistentVolumes, e.g. ["ro", "soft"]; not validated.', { listType: 'atomic' }),
    allowVolumeExpansion: bool(6, 'allowVolumeExpansion shows whether the storage class allows volume expansion.'),
    volumeBindingMode: str(7, 'volumeBindingMode says when PersistentVolumeClaims are provisioned and bound; defaults to Immediate.', { enum: ['Immediate', 'WaitForFirstConsumer'], default: 'Immediate' }),
    allowedTopologies: list(ref('io.k8s.api.core.v1.TopologySelectorTerm'), 8, 'allowedTopologies restricts the node topologies where volumes can be dynamically provisioned.', { listType: 'atomic' }),
  }),
  listType(`${N}.StorageClass`, gvk('StorageClass'), 'StorageClassList is a collection of storage classes.'),

  // ---- CSIDriver ----
  topLevel(`${N}.CSIDriver`, gvk('CSIDriver'), 'CSIDriver describes a Container Storage Interface volume driver deployed on the cluster.', {
    spec: obj(`${N}.CSIDriverSpec`, 2, 'spec represents the specification of the CSI driver.', { required: true }),
  }),
  listType(`${N}.CSIDriver`, gvk('CSIDriver'), 'CSIDriverList is a collection of CSIDriver objects.'),
  struct(`${N}.CSIDriverSpec`, 'CSIDriverSpec is the specification of a CSIDriver.', {
    attachRequired: bool(1, 'attachRequired says the driver needs an attach operation (ControllerPublishVolume); defaults to true; immutable.'),
    podInfoOnMount: bool(2, 'podInfoOnMount asks for pod information (name, namespace, uid...) in NodePublishVolume; defaults to false.'),
    volumeLifecycleModes: list(S.string, 3, 'volumeLifecycleModes lists the volume kinds the driver supports: Persistent (default), Ephemeral; immutable.', { listType: 'set' }),
    storageCapacity: bool(4, 'storageCapacity makes pod scheduling consider capacity reported in CSIStorageCapacity objects; defaults to false.'),
    fsGroupPolicy: str(5, 'fsGroupPolicy says whether the volume supports fsGroup ownership changes; defaults to ReadWriteOnceWithFSType; immutable.', { enum: ['File', 'None', 'ReadWriteOnceWithFSType'] }),
    tokenRequests: list(ref(`${N}.TokenRequest`), 6, 'tokenRequests asks kubelet to pass service account tokens for these audiences in NodePublishVolume.', { listType: 'atomic' }),
    requiresRepublish: bool(7, 'requiresRepublish asks for NodePublishVolume to be called periodically; defaults to false.'),
    seLinuxMount: bool(8, 'seLinuxMount says the driver supports the "-o context" mount option; defaults to false.'),
  }),
  struct(`${N}.TokenRequest`, 'TokenRequest contains parameters of a service account token.', {
    audience: str(1, 'audience is the intended audience of the token.', { required: true }),
    expirationSeconds: i64(2, 'expirationSeconds is the validity of the token.'),
  }),

  // ---- CSINode ----
  topLevel(`${N}.CSINode`, gvk('CSINode'), 'CSINode holds information about all CSI drivers installed on a node; its name is the node name.', {
    spec: obj(`${N}.CSINodeSpec`, 2, 'spec is the specification of CSINode.', { required: true }),
  }),
  listType(`${N}.CSINode`, gvk('CSINode'), 'CSINodeList is a collection of CSINode objects.'),
  struct(`${N}.CSINodeSpec`, 'CSINodeSpec holds the specification of all CSI drivers installed on a node.', {
    drivers: list(ref(`${N}.CSINodeDriver`), 1, 'drivers lists the CSI drivers on the node.', { required: true, patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] }),
  }),
  struct(`${N}.CSINodeDriver`, 'CSINodeDriver holds information about one CSI driver installed on a node.', {
    name: str(1, 'name is the name of the CSI driver.', { required: true }),
    nodeID: str(2, 'nodeID is the node as the driver knows it.', { required: true }),
    topologyKeys: list(S.string, 3, 'topologyKeys lists the topology keys the driver supports.', { listType: 'atomic' }),
    allocatable: obj(`${N}.VolumeNodeResources`, 4, 'allocatable is the volume resources of the node available for scheduling.'),
  }),
  struct(`${N}.VolumeNodeResources`, 'VolumeNodeResources is a set of resource limits for scheduling volumes.', {
    count: i32(1, 'count is the maximum number of unique volumes of this driver usable on the node.'),
  }),

  // ---- VolumeAttachment ----
  topLevel(`${N}.VolumeAttachment`, gvk('VolumeAttachment'), 'VolumeAttachment captures the intent to attach or detach a volume to or from a node.', {
    spec: obj(`${N}.VolumeAttachmentSpec`, 2, 'spec is the desired attach/detach volume behavior; immutable.', { required: true }),
    status: obj(`${N}.VolumeAttachmentStatus`, 3, 'status of the VolumeAttachment request, set by the attacher.', { readOnly: true }),
  }),
  listType(`${N}.VolumeAttachment`, gvk('VolumeAttachment'), 'VolumeAttachmentList is a collection of VolumeAttachment objects.'),
  struct(`${N}.VolumeAttachmentSpec`, 'VolumeAttachmentSpec is the specification of a VolumeAttachment request.', {
    attacher: str(1, 'attacher is the name of the volume driver that must handle this request.', { required: true }),
    source: obj(`${N}.VolumeAttachmentSource`, 2, 'source represents the volume that should be attached.', { required: true }),
    nodeName: str(3, 'nodeName is the node the volume should be attached to.', { required: true }),
  }),
  struct(`${N}.VolumeAttachmentSource`, 'VolumeAttachmentSource represents a volume that should be attached; exactly one member is set.', {
    persistentVolumeName: str(1, 'persistentVolumeName is the name of the persistent volume to attach.'),
    inlineVolumeSpec: obj('io.k8s.api.core.v1.PersistentVolumeSpec', 2, 'inlineVolumeSpec describes an inline pod volume migrated to CSI.'),
  }),
  struct(`${N}.VolumeAttachmentStatus`, 'VolumeAttachmentStatus is the status of a VolumeAttachment request.', {
    attached: bool(1, 'attached says the volume is attached.', { required: true }),
    attachmentMetadata: map(S.string, 2, 'attachmentMetadata is returned by a successful attach and passed to later mount calls.'),
    attachError: obj(`${N}.VolumeError`, 3, 'attachError is the last error of the attach operation, if any.'),
    detachError: obj(`${N}.VolumeError`, 4, 'detachError is the last error of the detach operation, if any.'),
  }),
  struct(`${N}.VolumeError`, 'VolumeError captures an error encountered during a volume operation.', {
    time: time(1, 'time is when the error was encountered.'),
    message: str(2, 'message is the error encountered during attach or detach.'),
  }),
];
