// Schemas: core/v1 Volume and every volume source, including the PersistentVolume-only sources that
// core.ts's PersistentVolumeSpec uses. Names, json names, protobuf numbers, patch tags, list markers,
// enums and required fields follow upstream's core/v1 types at v1.32.
import { META, S, bool, f, i32, i64, list, map, obj, ref, str, struct, type Field, type ObjectType } from '../dsl.js';

/** Definition name of a core/v1 type. */
export const v1 = (name: string): string => `io.k8s.api.core.v1.${name}`;

/**
 * Fields of a Go struct embedded with `json:",inline"` (VolumeSource in Volume, ProbeHandler in Probe,
 * LocalObjectReference in key selectors...). JSON and OpenAPI flatten them into the parent; protobuf
 * nests them in the parent's message field `_proto`, which the DSL cannot say yet, so the flattened
 * fields carry no protobuf number. The numbers written inside are the embedded message's own.
 */
export function inlined(_proto: number, fields: Record<string, Field>): Record<string, Field> {
  const out: Record<string, Field> = {};
  for (const [name, field] of Object.entries(fields)) {
    const { proto: _ignored, ...rest } = field;
    out[name] = rest;
  }
  return out;
}

/** The VolumeSource union (one member set), inlined into Volume; numbers are VolumeSource's own. */
export const volumeSourceFields: Record<string, Field> = {
  hostPath: obj(v1('HostPathVolumeSource'), 1, 'hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container.'),
  emptyDir: obj(v1('EmptyDirVolumeSource'), 2, 'emptyDir represents a temporary directory that shares a pod\'s lifetime.'),
  gcePersistentDisk: obj(v1('GCEPersistentDiskVolumeSource'), 3, 'gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  awsElasticBlockStore: obj(v1('AWSElasticBlockStoreVolumeSource'), 4, 'awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  gitRepo: obj(v1('GitRepoVolumeSource'), 5, 'gitRepo represents a git repository at a particular revision.'),
  secret: obj(v1('SecretVolumeSource'), 6, 'secret represents a secret that should populate this volume.'),
  nfs: obj(v1('NFSVolumeSource'), 7, 'nfs represents an NFS mount on the host that shares a pod\'s lifetime'),
  iscsi: obj(v1('ISCSIVolumeSource'), 8, 'iscsi represents an ISCSI Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  glusterfs: obj(v1('GlusterfsVolumeSource'), 9, 'glusterfs represents a Glusterfs mount on the host that shares a pod\'s lifetime.'),
  persistentVolumeClaim: obj(v1('PersistentVolumeClaimVolumeSource'), 10, 'persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace.'),
  rbd: obj(v1('RBDVolumeSource'), 11, 'rbd represents a Rados Block Device mount on the host that shares a pod\'s lifetime.'),
  flexVolume: obj(v1('FlexVolumeSource'), 12, 'flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.'),
  cinder: obj(v1('CinderVolumeSource'), 13, 'cinder represents a cinder volume attached and mounted on kubelets host machine.'),
  cephfs: obj(v1('CephFSVolumeSource'), 14, 'cephFS represents a Ceph FS mount on the host that shares a pod\'s lifetime.'),
  flocker: obj(v1('FlockerVolumeSource'), 15, 'flocker represents a Flocker volume attached to a kubelet\'s host machine.'),
  downwardAPI: obj(v1('DownwardAPIVolumeSource'), 16, 'downwardAPI represents downward API about the pod that should populate this volume'),
  fc: obj(v1('FCVolumeSource'), 17, 'fc represents a Fibre Channel resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  azureFile: obj(v1('AzureFileVolumeSource'), 18, 'azureFile represents an Azure File Service mount on the host and bind mount to the pod.'),
  configMap: obj(v1('ConfigMapVolumeSource'), 19, 'configMap represents a configMap that should populate this volume'),
  vsphereVolume: obj(v1('VsphereVirtualDiskVolumeSource'), 20, 'vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine.'),
  quobyte: obj(v1('QuobyteVolumeSource'), 21, 'quobyte represents a Quobyte mount on the host that shares a pod\'s lifetime.'),
  azureDisk: obj(v1('AzureDiskVolumeSource'), 22, 'azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.'),
  photonPersistentDisk: obj(v1('PhotonPersistentDiskVolumeSource'), 23, 'photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine.'),
  projected: obj(v1('ProjectedVolumeSource'), 26, 'projected items for all in one resources secrets, configmaps, and downward API'),
  portworxVolume: obj(v1('PortworxVolumeSource'), 24, 'portworxVolume represents a portworx volume attached and mounted on kubelets host machine.'),
  scaleIO: obj(v1('ScaleIOVolumeSource'), 25, 'scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes.'),
  storageos: obj(v1('StorageOSVolumeSource'), 27, 'storageOS represents a StorageOS volume attached and mounted on Kubernetes nodes.'),
  csi: obj(v1('CSIVolumeSource'), 28, 'csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers.'),
  ephemeral: obj(v1('EphemeralVolumeSource'), 29, 'ephemeral represents a volume that is handled by a cluster storage driver.'),
  image: obj(v1('ImageVolumeSource'), 30, 'image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet\'s host machine.'),
};

/**
 * The PersistentVolumeSource union, inlined into PersistentVolumeSpec (protobuf field 2 there):
 * spread `...inlined(2, persistentVolumeSourceFields)` into that type's fields.
 */
export const persistentVolumeSourceFields: Record<string, Field> = {
  gcePersistentDisk: obj(v1('GCEPersistentDiskVolumeSource'), 1, 'gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  awsElasticBlockStore: obj(v1('AWSElasticBlockStoreVolumeSource'), 2, 'awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  hostPath: obj(v1('HostPathVolumeSource'), 3, 'hostPath represents a directory on the host.'),
  glusterfs: obj(v1('GlusterfsPersistentVolumeSource'), 4, 'glusterfs represents a Glusterfs volume that is attached to a host and exposed to the pod.'),
  nfs: obj(v1('NFSVolumeSource'), 5, 'nfs represents an NFS mount on the host.'),
  rbd: obj(v1('RBDPersistentVolumeSource'), 6, 'rbd represents a Rados Block Device mount on the host that shares a pod\'s lifetime.'),
  iscsi: obj(v1('ISCSIPersistentVolumeSource'), 7, 'iscsi represents an ISCSI Disk resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  cinder: obj(v1('CinderPersistentVolumeSource'), 8, 'cinder represents a cinder volume attached and mounted on kubelets host machine.'),
  cephfs: obj(v1('CephFSPersistentVolumeSource'), 9, 'cephFS represents a Ceph FS mount on the host that shares a pod\'s lifetime.'),
  fc: obj(v1('FCVolumeSource'), 10, 'fc represents a Fibre Channel resource that is attached to a kubelet\'s host machine and then exposed to the pod.'),
  flocker: obj(v1('FlockerVolumeSource'), 11, 'flocker represents a Flocker volume attached to a kubelet\'s host machine and exposed to the pod for its usage.'),
  flexVolume: obj(v1('FlexPersistentVolumeSource'), 12, 'flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.'),
  azureFile: obj(v1('AzureFilePersistentVolumeSource'), 13, 'azureFile represents an Azure File Service mount on the host and bind mount to the pod.'),
  vsphereVolume: obj(v1('VsphereVirtualDiskVolumeSource'), 14, 'vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine.'),
  quobyte: obj(v1('QuobyteVolumeSource'), 15, 'quobyte represents a Quobyte mount on the host that shares a pod\'s lifetime.'),
  azureDisk: obj(v1('AzureDiskVolumeSource'), 16, 'azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.'),
  photonPersistentDisk: obj(v1('PhotonPersistentDiskVolumeSource'), 17, 'photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine.'),
  portworxVolume: obj(v1('PortworxVolumeSource'), 18, 'portworxVolume represents a portworx volume attached and mounted on kubelets host machine.'),
  scaleIO: obj(v1('ScaleIOPersistentVolumeSource'), 19, 'scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes.'),
  local: obj(v1('LocalVolumeSource'), 20, 'local represents directly-attached storage with node affinity'),
  storageos: obj(v1('StorageOSPersistentVolumeSource'), 21, 'storageOS represents a StorageOS volume that is attached to the kubelet\'s host machine and mounted into the pod.'),
  csi: obj(v1('CSIPersistentVolumeSource'), 22, 'csi represents storage that is handled by an external CSI driver.'),
};

export const types: ObjectType[] = [
  struct(v1('Volume'), 'Volume represents a named volume in a pod that may be accessed by any container in the pod.', {
    name: str(1, 'name of the volume.', { required: true }),
    ...inlined(2, volumeSourceFields),
  }),
  struct(v1('GCEPersistentDiskVolumeSource'), 'Represents a Persistent Disk resource in Google Compute Engine.', {
    pdName: str(1, 'pdName is unique name of the PD resource in GCE.', { required: true }),
    fsType: str(2, 'fsType is filesystem type of the volume that you want to mount.'),
    partition: i32(3, 'partition is the partition in the volume that you want to mount.'),
    readOnly: bool(4, 'readOnly here will force the ReadOnly setting in VolumeMounts.'),
  }),
  struct(v1('AWSElasticBlockStoreVolumeSource'), 'Represents a Persistent Disk resource in AWS.', {
    volumeID: str(1, 'volumeID is unique ID of the persistent disk resource in AWS (Amazon EBS volume).', { required: true }),
    fsType: str(2, 'fsType is the filesystem type of the volume that you want to mount.'),
    partition: i32(3, 'partition is the partition in the volume that you want to mount.'),
    readOnly: bool(4, 'readOnly value true will force the readOnly setting in VolumeMounts.'),
  }),
  struct(v1('HostPathVolumeSource'), 'Represents a host path mapped into a pod.', {
    path: str(1, 'path of the directory on the host.', { required: true }),
    type: str(2, 'type for HostPath Volume; defaults to "" (no checks before mounting).', { enum: ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'] }),
  }),
  struct(v1('GlusterfsPersistentVolumeSource'), 'Represents a Glusterfs mount that lasts the lifetime of a pod.', {
    endpoints: str(1, 'endpoints is the endpoint name that details Glusterfs topology.', { required: true }),
    path: str(2, 'path is the Glusterfs volume path.', { required: true }),
    readOnly: bool(3, 'readOnly here will force the Glusterfs volume to be mounted with read-only permissions.'),
    endpointsNamespace: str(4, 'endpointsNamespace is the namespace that contains Glusterfs endpoint.'),
  }),
  struct(v1('NFSVolumeSource'), 'Represents an NFS mount that lasts the lifetime of a pod.', {
    server: str(1, 'server is the hostname or IP address of the NFS server.', { required: true }),
    path: str(2, 'path that is exported by the NFS server.', { required: true }),
    readOnly: bool(3, 'readOnly here will force the NFS export to be mounted with read-only permissions.'),
  }),
  struct(v1('RBDPersistentVolumeSource'), 'Represents a Rados Block Device mount that lasts the lifetime of a pod.', {
    monitors: list(S.string, 1, 'monitors is a collection of Ceph monitors.', { required: true, listType: 'atomic' }),
    image: str(2, 'image is the rados image name.', { required: true }),
    fsType: str(3, 'fsType is the filesystem type of the volume that you want to mount.'),
    pool: str(4, 'pool is the rados pool name.', { default: 'rbd' }),
    user: str(5, 'user is the rados user name.', { default: 'admin' }),
    keyring: str(6, 'keyring is the path to key ring for RBDUser.', { default: '/etc/ceph/keyring' }),
    secretRef: obj(v1('SecretReference'), 7, 'secretRef is name of the authentication secret for RBDUser.'),
    readOnly: bool(8, 'readOnly here will force the ReadOnly setting in VolumeMounts.'),
  }),
  struct(v1('ISCSIPersistentVolumeSource'), 'ISCSIPersistentVolumeSource represents an ISCSI disk.', {
    targetPortal: str(1, 'targetPortal is iSCSI Target Portal.', { required: true }),
    iqn: str(2, 'iqn is Target iSCSI Qualified Name.', { required: true }),
    lun: i32(3, 'lun is iSCSI Target Lun number.', { required: true }),
    iscsiInterface: str(4, 'iscsiInterface is the interface Name that uses an iSCSI transport.', { default: 'default' }),
    fsType: str(5, 'fsType is the filesystem type of the volume that you want to mount.'),
    readOnly: bool(6, 'readOnly here will force the ReadOnly setting in VolumeMounts.'),
    portals: list(S.string, 7, 'portals is the iSCSI Target Portal List.', { listType: 'atomic' }),
    chapAuthDiscovery: bool(8, 'chapAuthDiscovery defines whether support iSCSI Discovery CHAP authentication'),
    chapAuthSession: bool(11, 'chapAuthSession defines whether support iSCSI Session CHAP authentication'),
    secretRef: obj(v1('SecretReference'), 10, 'secretRef is the CHAP Secret for iSCSI target and initiator authentication'),
    initiatorName: str(12, 'initiatorName is the custom iSCSI Initiator Name.'),
  }),
  struct(v1('CinderPersistentVolumeSource'), 'Represents a cinder volume resource in Openstack.', {
    volumeID: str(1, 'volumeID used to identify the volume in cinder.', { required: true }),
    fsType: str(2, 'fsType Filesystem type to mount.'),
    readOnly: bool(3, 'readOnly is Optional: Defaults to false (read/write).'),
    secretRef: obj(v1('SecretReference'), 4, 'secretRef is Optional: points to a secret object containing parameters used to connect to OpenStack.'),
  }),
  struct(v1('CephFSPersistentVolumeSource'), 'Represents a Ceph Filesystem mount that lasts the lifetime of a pod Cephfs volumes do not support ownership management or SELinux relabeling.', {
    monitors: list(S.string, 1, 'monitors is the list of Ceph monitors to use.', { required: true, listType: 'atomic' }),
    path: str(2, 'path is Optional: Used as the mounted root, rather than the full Ceph tree, default is /'),
    user: str(3, 'user is Optional: User is the rados user name, default is admin'),
    secretFile: str(4, 'secretFile is Optional: SecretFile is the path to key ring for User, default is /etc/ceph/user.secret'),
    secretRef: obj(v1('SecretReference'), 5, 'secretRef is Optional: SecretRef is reference to the authentication secret for User, default is empty.'),
    readOnly: bool(6, 'readOnly is Optional: Defaults to false (read/write).'),
  }),
  struct(v1('FCVolumeSource'), 'Represents a Fibre Channel volume.', {
    targetWWNs: list(S.string, 1, 'targetWWNs is Optional: FC target worldwide names (WWNs)', { listType: 'atomic' }),
    lun: i32(2, 'lun is Optional: FC target lun number'),
    fsType: str(3, 'fsType is the filesystem type to mount.'),
    readOnly: bool(4, 'readOnly is Optional: Defaults to false (read/write).'),
    wwids: list(S.string, 5, 'wwids Optional: FC volume world wide identifiers (wwids) Either wwids or combination of targetWWNs and lun must be set, but not both simultaneously.', { listType: 'atomic' }),
  }),
  struct(v1('FlockerVolumeSource'), 'Represents a Flocker volume mounted by the Flocker agent.', {
    datasetName: str(1, 'datasetName is Name of the dataset stored as metadata -> name on the dataset for Flocker should be considered as deprecated'),
    datasetUUID: str(2, 'datasetUUID is the UUID of the dataset.'),
  }),
  struct(v1('FlexPersistentVolumeSource'), 'FlexPersistentVolumeSource represents a generic persistent volume resource that is provisioned/attached using an exec based plugin.', {
    driver: str(1, 'driver is the name of the driver to use for this volume.', { required: true }),
    fsType: str(2, 'fsType is the Filesystem type to mount.'),
    secretRef: obj(v1('SecretReference'), 3, 'secretRef is Optional: SecretRef is reference to the secret object containing sensitive information to pass to the plugin scripts.'),
    readOnly: bool(4, 'readOnly is Optional: defaults to false (read/write).'),
    options: map(S.string, 5, 'options is Optional: this field holds extra command options if any.'),
  }),
  struct(v1('AzureFilePersistentVolumeSource'), 'AzureFile represents an Azure File Service mount on the host and bind mount to the pod.', {
    secretName: str(1, 'secretName is the name of secret that contains Azure Storage Account Name and Key', { required: true }),
    shareName: str(2, 'shareName is the azure Share Name', { required: true }),
    readOnly: bool(3, 'readOnly defaults to false (read/write).'),
    secretNamespace: str(4, 'secretNamespace is the namespace of the secret that contains Azure Storage Account Name and Key default is the same as the Pod'),
  }),
  struct(v1('VsphereVirtualDiskVolumeSource'), 'Represents a vSphere volume resource.', {
    volumePath: str(1, 'volumePath is the path that identifies vSphere volume vmdk', { required: true }),
    fsType: str(2, 'fsType is filesystem type to mount.'),
    storagePolicyName: str(3, 'storagePolicyName is the storage Policy Based Management (SPBM) profile name.'),
    storagePolicyID: str(4, 'storagePolicyID is the storage Policy Based Management (SPBM) profile ID associated with the StoragePolicyName.'),
  }),
  struct(v1('QuobyteVolumeSource'), 'Represents a Quobyte mount that lasts the lifetime of a pod.', {
    registry: str(1, 'registry represents a single or multiple Quobyte Registry services specified as a string as host:port pair (multiple entries are separated with commas) which acts as the central registry for volumes', { required: true }),
    volume: str(2, 'volume is a string that references an already created Quobyte volume by name.', { required: true }),
    readOnly: bool(3, 'readOnly here will force the Quobyte volume to be mounted with read-only permissions.'),
    user: str(4, 'user to map volume access to Defaults to serivceaccount user'),
    group: str(5, 'group to map volume access to Default is no group'),
    tenant: str(6, 'tenant owning the given Quobyte volume in the Backend Used with dynamically provisioned Quobyte volumes, value is set by the plugin'),
  }),
  struct(v1('AzureDiskVolumeSource'), 'AzureDisk represents an Azure Data Disk mount on the host and bind mount to the pod.', {
    diskName: str(1, 'diskName is the Name of the data disk in the blob storage', { required: true }),
    diskURI: str(2, 'diskURI is the URI of data disk in the blob storage', { required: true }),
    cachingMode: str(3, 'cachingMode is the Host Caching mode: None, Read Only, Read Write.', { enum: ['None', 'ReadOnly', 'ReadWrite'] }),
    fsType: str(4, 'fsType is Filesystem type to mount.', { default: 'ext4' }),
    readOnly: bool(5, 'readOnly Defaults to false (read/write).', { default: false }),
    kind: str(6, 'kind expected values are Shared: multiple blob disks per storage account Dedicated: single blob disk per storage account Managed: azure managed data disk (only in managed availability set).', { enum: ['Shared', 'Dedicated', 'Managed'] }),
  }),
  struct(v1('PhotonPersistentDiskVolumeSource'), 'Represents a Photon Controller persistent disk resource.', {
    pdID: str(1, 'pdID is the ID that identifies Photon Controller persistent disk', { required: true }),
    fsType: str(2, 'fsType is the filesystem type to mount.'),
  }),
  struct(v1('PortworxVolumeSource'), 'PortworxVolumeSource represents a Portworx volume resource.', {
    volumeID: str(1, 'volumeID uniquely identifies a Portworx volume', { required: true }),
    fsType: str(2, 'fSType represents the filesystem type to mount Must be a filesystem type supported by the host operating system.'),
    readOnly: bool(3, 'readOnly defaults to false (read/write).'),
  }),
  struct(v1('ScaleIOPersistentVolumeSource'), 'ScaleIOPersistentVolumeSource represents a persistent ScaleIO volume', {
    gateway: str(1, 'gateway is the host address of the ScaleIO API Gateway.', { required: true }),
    system: str(2, 'system is the name of the storage system as configured in ScaleIO.', { required: true }),
    secretRef: obj(v1('SecretReference'), 3, 'secretRef references to the secret for ScaleIO user and other sensitive information.', { required: true }),
    sslEnabled: bool(4, 'sslEnabled is the flag to enable/disable SSL communication with Gateway, default false'),
    protectionDomain: str(5, 'protectionDomain is the name of the ScaleIO Protection Domain for the configured storage.'),
    storagePool: str(6, 'storagePool is the ScaleIO Storage Pool associated with the protection domain.'),
    storageMode: str(7, 'storageMode indicates whether the storage for a volume should be ThickProvisioned or ThinProvisioned.', { default: 'ThinProvisioned' }),
    volumeName: str(8, 'volumeName is the name of a volume already created in the ScaleIO system that is associated with this volume source.'),
    fsType: str(9, 'fsType is the filesystem type to mount.', { default: 'xfs' }),
    readOnly: bool(10, 'readOnly defaults to false (read/write).'),
  }),
  struct(v1('LocalVolumeSource'), 'Local represents directly-attached storage with node affinity', {
    path: str(1, 'path of the full path to the volume on the node.', { required: true }),
    fsType: str(2, 'fsType is the filesystem type to mount.'),
  }),
  struct(v1('StorageOSPersistentVolumeSource'), 'Represents a StorageOS persistent volume resource.', {
    volumeName: str(1, 'volumeName is the human-readable name of the StorageOS volume.'),
    volumeNamespace: str(2, 'volumeNamespace specifies the scope of the volume within StorageOS.'),
    fsType: str(3, 'fsType is the filesystem type to mount.'),
    readOnly: bool(4, 'readOnly defaults to false (read/write).'),
    secretRef: obj(v1('ObjectReference'), 5, 'secretRef specifies the secret to use for obtaining the StorageOS API credentials.'),
  }),
  struct(v1('CSIPersistentVolumeSource'), 'Represents storage that is managed by an external CSI volume driver', {
    driver: str(1, 'driver is the name of the driver to use for this volume.', { required: true }),
    volumeHandle: str(2, 'volumeHandle is the unique volume name returned by the CSI volume plugin’s CreateVolume to refer to the volume on all subsequent calls.', { required: true }),
    readOnly: bool(3, 'readOnly value to pass to ControllerPublishVolumeRequest.'),
    fsType: str(4, 'fsType to mount.'),
    volumeAttributes: map(S.string, 5, 'volumeAttributes of the volume to publish.'),
    controllerPublishSecretRef: obj(v1('SecretReference'), 6, 'controllerPublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerPublishVolume and ControllerUnpublishVolume calls.'),
    nodeStageSecretRef: obj(v1('SecretReference'), 7, 'nodeStageSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeStageVolume and NodeStageVolume and NodeUnstageVolume calls.'),
    nodePublishSecretRef: obj(v1('SecretReference'), 8, 'nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls.'),
    controllerExpandSecretRef: obj(v1('SecretReference'), 9, 'controllerExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerExpandVolume call.'),
    nodeExpandSecretRef: obj(v1('SecretReference'), 10, 'nodeExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeExpandVolume call.'),
  }),
  struct(v1('EmptyDirVolumeSource'), 'Represents an empty directory for a pod.', {
    medium: str(1, 'medium represents what type of storage medium should back this directory.'),
    sizeLimit: f(S.quantity, 2, 'sizeLimit is the total amount of local storage required for this EmptyDir volume.'),
  }),
  struct(v1('GitRepoVolumeSource'), 'Represents a volume that is populated with the contents of a git repository.', {
    repository: str(1, 'repository is the URL', { required: true }),
    revision: str(2, 'revision is the commit hash for the specified revision.'),
    directory: str(3, 'directory is the target directory name.'),
  }),
  struct(v1('SecretVolumeSource'), 'Adapts a Secret into a volume.', {
    secretName: str(1, 'secretName is the name of the secret in the pod\'s namespace to use.'),
    items: list(ref(v1('KeyToPath')), 2, 'items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.', { listType: 'atomic' }),
    defaultMode: i32(3, 'defaultMode is Optional: mode bits used to set permissions on created files by default.'),
    optional: bool(4, 'optional field specify whether the Secret or its keys must be defined'),
  }),
  struct(v1('ISCSIVolumeSource'), 'Represents an ISCSI disk.', {
    targetPortal: str(1, 'targetPortal is iSCSI Target Portal.', { required: true }),
    iqn: str(2, 'iqn is the target iSCSI Qualified Name.', { required: true }),
    lun: i32(3, 'lun represents iSCSI Target Lun number.', { required: true }),
    iscsiInterface: str(4, 'iscsiInterface is the interface Name that uses an iSCSI transport.', { default: 'default' }),
    fsType: str(5, 'fsType is the filesystem type of the volume that you want to mount.'),
    readOnly: bool(6, 'readOnly here will force the ReadOnly setting in VolumeMounts.'),
    portals: list(S.string, 7, 'portals is the iSCSI Target Portal List.', { listType: 'atomic' }),
    chapAuthDiscovery: bool(8, 'chapAuthDiscovery defines whether support iSCSI Discovery CHAP authentication'),
    chapAuthSession: bool(11, 'chapAuthSession defines whether support iSCSI Session CHAP authentication'),
    secretRef: obj(v1('LocalObjectReference'), 10, 'secretRef is the CHAP Secret for iSCSI target and initiator authentication'),
    initiatorName: str(12, 'initiatorName is the custom iSCSI Initiator Name.'),
  }),
  struct(v1('GlusterfsVolumeSource'), 'Represents a Glusterfs mount that lasts the lifetime of a pod.', {
    endpoints: str(1, 'endpoints is the endpoint name that details Glusterfs topology.', { required: true }),
    path: str(2, 'path is the Glusterfs volume path.', { required: true }),
    readOnly: bool(3, 'readOnly here will force the Glusterfs volume to be mounted with read-only permissions.'),
  }),
  struct(v1('PersistentVolumeClaimVolumeSource'), 'PersistentVolumeClaimVolumeSource references the user\'s PVC in the same namespace.', {
    claimName: str(1, 'claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.', { required: true }),
    readOnly: bool(2, 'readOnly Will force the ReadOnly setting in VolumeMounts.'),
  }),
  struct(v1('RBDVolumeSource'), 'Represents a Rados Block Device mount that lasts the lifetime of a pod.', {
    monitors: list(S.string, 1, 'monitors is a collection of Ceph monitors.', { required: true, listType: 'atomic' }),
    image: str(2, 'image is the rados image name.', { required: true }),
    fsType: str(3, 'fsType is the filesystem type of the volume that you want to mount.'),
    pool: str(4, 'pool is the rados pool name.', { default: 'rbd' }),
    user: str(5, 'user is the rados user name.', { default: 'admin' }),
    keyring: str(6, 'keyring is the path to key ring for RBDUser.', { default: '/etc/ceph/keyring' }),
    secretRef: obj(v1('LocalObjectReference'), 7, 'secretRef is name of the authentication secret for RBDUser.'),
    readOnly: bool(8, 'readOnly here will force the ReadOnly setting in VolumeMounts.'),
  }),
  struct(v1('FlexVolumeSource'), 'FlexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin.', {
    driver: str(1, 'driver is the name of the driver to use for this volume.', { required: true }),
    fsType: str(2, 'fsType is the filesystem type to mount.'),
    secretRef: obj(v1('LocalObjectReference'), 3, 'secretRef is Optional: secretRef is reference to the secret object containing sensitive information to pass to the plugin scripts.'),
    readOnly: bool(4, 'readOnly is Optional: defaults to false (read/write).'),
    options: map(S.string, 5, 'options is Optional: this field holds extra command options if any.'),
  }),
  struct(v1('CinderVolumeSource'), 'Represents a cinder volume resource in Openstack.', {
    volumeID: str(1, 'volumeID used to identify the volume in cinder.', { required: true }),
    fsType: str(2, 'fsType is the filesystem type to mount.'),
    readOnly: bool(3, 'readOnly defaults to false (read/write).'),
    secretRef: obj(v1('LocalObjectReference'), 4, 'secretRef is optional: points to a secret object containing parameters used to connect to OpenStack.'),
  }),
  struct(v1('CephFSVolumeSource'), 'Represents a Ceph Filesystem mount that lasts the lifetime of a pod Cephfs volumes do not support ownership management or SELinux relabeling.', {
    monitors: list(S.string, 1, 'monitors is the list of Ceph monitors to use.', { required: true, listType: 'atomic' }),
    path: str(2, 'path is Optional: Used as the mounted root, rather than the full Ceph tree, default is /'),
    user: str(3, 'user is optional: User is the rados user name, default is admin'),
    secretFile: str(4, 'secretFile is Optional: SecretFile is the path to key ring for User, default is /etc/ceph/user.secret'),
    secretRef: obj(v1('LocalObjectReference'), 5, 'secretRef is Optional: SecretRef is reference to the authentication secret for User, default is empty.'),
    readOnly: bool(6, 'readOnly is Optional: Defaults to false (read/write).'),
  }),
  struct(v1('DownwardAPIVolumeSource'), 'DownwardAPIVolumeSource represents a volume containing downward API info.', {
    items: list(ref(v1('DownwardAPIVolumeFile')), 1, 'Items is a list of downward API volume file', { listType: 'atomic' }),
    defaultMode: i32(2, 'mode bits to use on created files by default.'),
  }),
  struct(v1('AzureFileVolumeSource'), 'AzureFile represents an Azure File Service mount on the host and bind mount to the pod.', {
    secretName: str(1, 'secretName is the name of secret that contains Azure Storage Account Name and Key', { required: true }),
    shareName: str(2, 'shareName is the azure share Name', { required: true }),
    readOnly: bool(3, 'readOnly defaults to false (read/write).'),
  }),
  struct(v1('ConfigMapVolumeSource'), 'Adapts a ConfigMap into a volume.', {
    ...inlined(1, {
      name: str(1, 'Name of the referent.', { default: '' }),
    }),
    items: list(ref(v1('KeyToPath')), 2, 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.', { listType: 'atomic' }),
    defaultMode: i32(3, 'defaultMode is optional: mode bits used to set permissions on created files by default.'),
    optional: bool(4, 'optional specify whether the ConfigMap or its keys must be defined'),
  }),
  struct(v1('ProjectedVolumeSource'), 'Represents a projected volume source', {
    sources: list(ref(v1('VolumeProjection')), 1, 'sources is the list of volume projections.', { listType: 'atomic' }),
    defaultMode: i32(2, 'defaultMode are the mode bits used to set permissions on created files by default.'),
  }),
  struct(v1('ScaleIOVolumeSource'), 'ScaleIOVolumeSource represents a persistent ScaleIO volume', {
    gateway: str(1, 'gateway is the host address of the ScaleIO API Gateway.', { required: true }),
    system: str(2, 'system is the name of the storage system as configured in ScaleIO.', { required: true }),
    secretRef: obj(v1('LocalObjectReference'), 3, 'secretRef references to the secret for ScaleIO user and other sensitive information.', { required: true }),
    sslEnabled: bool(4, 'sslEnabled Flag enable/disable SSL communication with Gateway, default false'),
    protectionDomain: str(5, 'protectionDomain is the name of the ScaleIO Protection Domain for the configured storage.'),
    storagePool: str(6, 'storagePool is the ScaleIO Storage Pool associated with the protection domain.'),
    storageMode: str(7, 'storageMode indicates whether the storage for a volume should be ThickProvisioned or ThinProvisioned.', { default: 'ThinProvisioned' }),
    volumeName: str(8, 'volumeName is the name of a volume already created in the ScaleIO system that is associated with this volume source.'),
    fsType: str(9, 'fsType is the filesystem type to mount.', { default: 'xfs' }),
    readOnly: bool(10, 'readOnly Defaults to false (read/write).'),
  }),
  struct(v1('StorageOSVolumeSource'), 'Represents a StorageOS persistent volume resource.', {
    volumeName: str(1, 'volumeName is the human-readable name of the StorageOS volume.'),
    volumeNamespace: str(2, 'volumeNamespace specifies the scope of the volume within StorageOS.'),
    fsType: str(3, 'fsType is the filesystem type to mount.'),
    readOnly: bool(4, 'readOnly defaults to false (read/write).'),
    secretRef: obj(v1('LocalObjectReference'), 5, 'secretRef specifies the secret to use for obtaining the StorageOS API credentials.'),
  }),
  struct(v1('CSIVolumeSource'), 'Represents a source location of a volume to mount, managed by an external CSI driver', {
    driver: str(1, 'driver is the name of the CSI driver that handles this volume.', { required: true }),
    readOnly: bool(2, 'readOnly specifies a read-only configuration for the volume.'),
    fsType: str(3, 'fsType to mount.'),
    volumeAttributes: map(S.string, 4, 'volumeAttributes stores driver-specific properties that are passed to the CSI driver.'),
    nodePublishSecretRef: obj(v1('LocalObjectReference'), 5, 'nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls.'),
  }),
  struct(v1('EphemeralVolumeSource'), 'Represents an ephemeral volume that is handled by a normal storage driver.', {
    volumeClaimTemplate: obj(v1('PersistentVolumeClaimTemplate'), 1, 'Will be used to create a stand-alone PVC to provision the volume.'),
  }),
  struct(v1('ImageVolumeSource'), 'ImageVolumeSource represents a image volume resource.', {
    reference: str(1, 'Image or artifact reference to mount.'),
    pullPolicy: str(2, 'Policy for pulling OCI objects.', { enum: ['Always', 'Never', 'IfNotPresent'] }),
  }),
  struct(v1('SecretReference'), 'SecretReference represents a Secret Reference.', {
    name: str(1, 'name is unique within a namespace to reference a secret resource.'),
    namespace: str(2, 'namespace defines the space within which the secret name must be unique.'),
  }, { mapType: 'atomic' }),
  struct(v1('KeyToPath'), 'Maps a string key to a path within a volume.', {
    key: str(1, 'key is the key to project.', { required: true }),
    path: str(2, 'path is the relative path of the file to map the key to.', { required: true }),
    mode: i32(3, 'mode is Optional: mode bits used to set permissions on this file.'),
  }),
  struct(v1('DownwardAPIVolumeFile'), 'DownwardAPIVolumeFile represents information to create the file containing the pod field', {
    path: str(1, 'Relative path of the file to create.', { required: true }),
    fieldRef: obj(v1('ObjectFieldSelector'), 2, 'Selects a pod field: annotations, labels, name, namespace or uid.'),
    resourceFieldRef: obj(v1('ResourceFieldSelector'), 3, 'Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are currently supported.'),
    mode: i32(4, 'mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.'),
  }),
  struct(v1('VolumeProjection'), 'Projection that may be projected along with other supported volume types.', {
    secret: obj(v1('SecretProjection'), 1, 'secret information about the secret data to project'),
    downwardAPI: obj(v1('DownwardAPIProjection'), 2, 'downwardAPI information about the downwardAPI data to project'),
    configMap: obj(v1('ConfigMapProjection'), 3, 'configMap information about the configMap data to project'),
    serviceAccountToken: obj(v1('ServiceAccountTokenProjection'), 4, 'serviceAccountToken is information about the serviceAccountToken data to project'),
    clusterTrustBundle: obj(v1('ClusterTrustBundleProjection'), 5, 'ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects in an auto-updating file.'),
  }),
  struct(v1('PersistentVolumeClaimTemplate'), 'PersistentVolumeClaimTemplate is used to produce PersistentVolumeClaim objects as part of an EphemeralVolumeSource.', {
    metadata: obj(META.objectMeta, 1, 'May contain labels and annotations that will be copied into the PVC when creating it.', { default: {} }),
    spec: obj(v1('PersistentVolumeClaimSpec'), 2, 'The specification for the PersistentVolumeClaim.', { required: true, default: {} }),
  }),
  struct(v1('SecretProjection'), 'Adapts a secret into a projected volume.', {
    ...inlined(1, {
      name: str(1, 'Name of the referent.', { default: '' }),
    }),
    items: list(ref(v1('KeyToPath')), 2, 'items if unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.', { listType: 'atomic' }),
    optional: bool(4, 'optional field specify whether the Secret or its key must be defined'),
  }),
  struct(v1('DownwardAPIProjection'), 'Represents downward API info for projecting into a projected volume.', {
    items: list(ref(v1('DownwardAPIVolumeFile')), 1, 'Items is a list of DownwardAPIVolume file', { listType: 'atomic' }),
  }),
  struct(v1('ConfigMapProjection'), 'Adapts a ConfigMap into a projected volume.', {
    ...inlined(1, {
      name: str(1, 'Name of the referent.', { default: '' }),
    }),
    items: list(ref(v1('KeyToPath')), 2, 'items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.', { listType: 'atomic' }),
    optional: bool(4, 'optional specify whether the ConfigMap or its keys must be defined'),
  }),
  struct(v1('ServiceAccountTokenProjection'), 'ServiceAccountTokenProjection represents a projected service account token volume.', {
    audience: str(1, 'audience is the intended audience of the token.'),
    expirationSeconds: i64(2, 'expirationSeconds is the requested duration of validity of the service account token.'),
    path: str(3, 'path is the path relative to the mount point of the file to project the token into.', { required: true }),
  }),
  struct(v1('ClusterTrustBundleProjection'), 'ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle objects and project their contents into the pod filesystem.', {
    name: str(1, 'Select a single ClusterTrustBundle by object name.'),
    signerName: str(2, 'Select all ClusterTrustBundles that match this signer name.'),
    labelSelector: obj(META.labelSelector, 3, 'Select all ClusterTrustBundles that match this label selector.'),
    optional: bool(5, 'If true, don\'t block pod startup if the referenced ClusterTrustBundle(s) aren\'t available.'),
    path: str(4, 'Relative path from the volume root to write the bundle.', { required: true }),
  }),
];
