// Schemas: meta/v1 (io.k8s.apimachinery.pkg.apis.meta.v1.*), the metadata every object carries and the
// kinds the server answers with (Status, discovery documents, WatchEvent), plus version.Info.
// Proto numbers are apimachinery's pkg/apis/meta/v1/generated.proto (v0.32).
import {
  S, TYPE_META, bool, f, i32, i64, list, map, obj, ref, str, struct, time,
  type Field, type GVK, type ObjectType,
} from '../dsl.js';

const M = 'io.k8s.apimachinery.pkg.apis.meta.v1.';

/**
 * Group versions whose DeleteOptions and WatchEvent are this one type (upstream lists each in
 * x-kubernetes-group-version-kind; protobuf bodies are decoded by it).
 */
const GROUP_VERSIONS = [
  'v1', 'admissionregistration.k8s.io/v1', 'apiextensions.k8s.io/v1', 'apiregistration.k8s.io/v1', 'apps/v1',
  'authentication.k8s.io/v1', 'authorization.k8s.io/v1', 'autoscaling/v1', 'autoscaling/v2', 'batch/v1',
  'certificates.k8s.io/v1', 'coordination.k8s.io/v1', 'discovery.k8s.io/v1', 'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1', 'networking.k8s.io/v1', 'node.k8s.io/v1', 'policy/v1',
  'rbac.authorization.k8s.io/v1', 'scheduling.k8s.io/v1', 'storage.k8s.io/v1',
];

function everyGroupVersion(kind: string): GVK[] {
  return GROUP_VERSIONS.map((gv) => {
    const slash = gv.indexOf('/');
    return slash < 0 ? { group: '', version: gv, kind } : { group: gv.slice(0, slash), version: gv.slice(slash + 1), kind };
  });
}

/** A meta kind: served as core v1 unless `gvks` says otherwise; TypeMeta fields unless the Go type has none. */
function kind(name: string, doc: string, fields: Record<string, Field>, gvks?: (kind: string) => GVK[], typeMeta = true): ObjectType {
  const k = name.slice(M.length);
  return struct(name, doc, typeMeta ? { ...TYPE_META, ...fields } : fields, { gvk: gvks ? gvks(k) : [{ group: '', version: 'v1', kind: k }] });
}

export const types: ObjectType[] = [
  struct(M + 'ObjectMeta', 'ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.', {
    name: str(1, 'Name must be unique within a namespace.'),
    generateName: str(2, 'GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided.'),
    namespace: str(3, 'Namespace defines the space within which each name must be unique.'),
    selfLink: str(4, 'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.', { readOnly: true }),
    uid: str(5, 'UID is the unique in time and space value for this object.', { readOnly: true }),
    resourceVersion: str(6, 'An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed.', { readOnly: true }),
    generation: i64(7, 'A sequence number representing a specific generation of the desired state.', { readOnly: true }),
    creationTimestamp: time(8, 'CreationTimestamp is a timestamp representing the server time when this object was created.', { readOnly: true }),
    deletionTimestamp: time(9, 'DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.', { readOnly: true }),
    deletionGracePeriodSeconds: i64(10, 'Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.', { readOnly: true }),
    labels: map(S.string, 11, 'Map of string keys and values that can be used to organize and categorize (scope and select) objects.'),
    annotations: map(S.string, 12, 'Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.'),
    ownerReferences: list(ref(M + 'OwnerReference'), 13, 'List of objects depended by this object.', { patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] }),
    finalizers: list(S.string, 14, 'Must be empty before the object is deleted from the registry.', { patchStrategy: 'merge', listType: 'set' }),
    managedFields: list(ref(M + 'ManagedFieldsEntry'), 17, 'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.', { listType: 'atomic' }),
  }),
  struct(M + 'ListMeta', 'ListMeta describes metadata that synthetic resources must have, including lists and various status objects.', {
    selfLink: str(1, 'Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.', { readOnly: true }),
    resourceVersion: str(2, 'String that identifies the server\'s internal version of this object that can be used by clients to determine when objects have changed.', { readOnly: true }),
    continue: str(3, 'Continue may be set if the user set a limit on the number of items returned, and indicates that the server has more data available.'),
    remainingItemCount: i64(4, 'RemainingItemCount is the number of subsequent items in the list which are not included in this list response.'),
  }),
  struct(M + 'LabelSelector', 'A label selector is a label query over a set of resources; an empty selector matches all objects, a null one matches none.', {
    matchLabels: map(S.string, 1, 'MatchLabels is a map of {key,value} pairs.'),
    matchExpressions: list(ref(M + 'LabelSelectorRequirement'), 2, 'MatchExpressions is a list of label selector requirements.', { listType: 'atomic' }),
  }, { mapType: 'atomic' }),
  struct(M + 'LabelSelectorRequirement', 'A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
    key: str(1, 'Key is the label key that the selector applies to.', { required: true }),
    operator: str(2, 'Operator represents a key\'s relationship to a set of values.', { required: true }),
    values: list(S.string, 3, 'Values is an array of string values.', { listType: 'atomic' }),
  }),
  struct(M + 'FieldSelectorRequirement', 'FieldSelectorRequirement is a selector that contains values, a key, and an operator that relates the key and values.', {
    key: str(1, 'Key is the field selector key that the requirement applies to.', { required: true }),
    operator: str(2, 'Operator represents a key\'s relationship to a set of values.', { required: true }),
    values: list(S.string, 3, 'Values is an array of string values.', { listType: 'atomic' }),
  }),
  struct(M + 'OwnerReference', 'OwnerReference contains enough information to let you identify an owning object.', {
    apiVersion: str(5, 'API version of the referent.', { required: true }),
    kind: str(1, 'Kind of the referent.', { required: true }),
    name: str(3, 'Name of the referent.', { required: true }),
    uid: str(4, 'UID of the referent.', { required: true }),
    controller: bool(6, 'If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool(7, 'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.'),
  }, { mapType: 'atomic' }),
  struct(M + 'ManagedFieldsEntry', 'ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to.', {
    manager: str(1, 'Manager is an identifier of the workflow managing these fields.'),
    operation: str(2, 'Operation is the type of operation which lead to this ManagedFieldsEntry being created.'),
    apiVersion: str(3, 'APIVersion defines the version of this resource that this field set applies to.'),
    time: time(4, 'Time is the timestamp of when the ManagedFields entry was added.'),
    fieldsType: str(6, 'FieldsType is the discriminator for the different fields format and version.'),
    fieldsV1: f(S.fieldsV1, 7, 'FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.'),
    subresource: str(8, 'Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource.'),
  }),
  struct(M + 'Condition', 'Condition contains details for one aspect of the current state of this API Resource.', {
    type: str(1, 'Type of condition in CamelCase or in foo.example.com/CamelCase.', { required: true }),
    status: str(2, 'Status of the condition, one of True, False, Unknown.', { required: true }),
    observedGeneration: i64(3, 'ObservedGeneration represents the .metadata.generation that the condition was set based upon.'),
    lastTransitionTime: time(4, 'LastTransitionTime is the last time the condition transitioned from one status to another.', { required: true }),
    reason: str(5, 'Reason contains a programmatic identifier indicating the reason for the condition\'s last transition.', { required: true }),
    message: str(6, 'Message is a human readable message indicating details about the transition.', { required: true }),
  }),
  kind(M + 'Status', 'Status is a return value for calls that don\'t return other objects.', {
    metadata: obj(M + 'ListMeta', 1, 'Standard list metadata.'),
    status: str(2, 'Status of the operation.'),
    message: str(3, 'A human-readable description of the status of this operation.'),
    reason: str(4, 'A machine-readable description of why this operation is in the "Failure" status.'),
    details: obj(M + 'StatusDetails', 5, 'Extended data associated with the reason.'),
    code: i32(6, 'Suggested HTTP return code for this status, 0 if not set.'),
  }),
  struct(M + 'StatusDetails', 'StatusDetails is a set of additional properties that MAY be set by the server to provide additional information about a response.', {
    name: str(1, 'The name attribute of the resource associated with the status StatusReason (when there is a single name which can be described).'),
    group: str(2, 'The group attribute of the resource associated with the status StatusReason.'),
    kind: str(3, 'The kind attribute of the resource associated with the status StatusReason.'),
    uid: str(6, 'UID of the resource.'),
    causes: list(ref(M + 'StatusCause'), 4, 'The Causes array includes more details associated with the StatusReason failure.', { listType: 'atomic' }),
    retryAfterSeconds: i32(5, 'If specified, the time in seconds before the operation should be retried.'),
  }),
  struct(M + 'StatusCause', 'StatusCause provides more information about an api.Status failure, including cases when multiple errors are encountered.', {
    reason: str(1, 'A machine-readable description of the cause of the error.'),
    message: str(2, 'A human-readable description of the cause of the error.'),
    field: str(3, 'The field of the resource that has caused this error, as named by its JSON serialization.'),
  }),
  kind(M + 'DeleteOptions', 'DeleteOptions may be provided when deleting an API object.', {
    gracePeriodSeconds: i64(1, 'The duration in seconds before the object should be deleted.'),
    preconditions: obj(M + 'Preconditions', 2, 'Must be fulfilled before a deletion is carried out.'),
    orphanDependents: bool(3, 'Deprecated: please use the PropagationPolicy, this field will be deprecated in 1.7.'),
    propagationPolicy: str(4, 'Whether and how garbage collection will be performed.'),
    dryRun: list(S.string, 5, 'When present, indicates that modifications should not be persisted.', { listType: 'atomic' }),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool(6, 'If set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.'),
  }, everyGroupVersion),
  struct(M + 'Preconditions', 'Preconditions must be fulfilled before an operation (update, delete, etc.) is carried out.', {
    uid: str(1, 'Specifies the target UID.'),
    resourceVersion: str(2, 'Specifies the target ResourceVersion.'),
  }),
  kind(M + 'WatchEvent', 'Event represents a single event to a watched resource.', {
    type: str(1, 'Type of the event: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR.', { required: true }),
    object: f(S.any, 2, 'The object: its new state (ADDED, MODIFIED), its state before deletion (DELETED), or a Status (ERROR).', { required: true }),
  }, everyGroupVersion, false),
  struct(M + 'APIResource', 'APIResource specifies the name of a resource and whether it is namespaced.', {
    name: str(1, 'Name is the plural name of the resource.', { required: true }),
    singularName: str(6, 'SingularName is the singular name of the resource.', { required: true }),
    namespaced: bool(2, 'Namespaced indicates if a resource is namespaced or not.', { required: true }),
    group: str(8, 'Group is the preferred group of the resource.'),
    version: str(9, 'Version is the preferred version of the resource.'),
    kind: str(3, 'Kind is the kind for the resource (e.g. \'Foo\' is the kind for a resource \'foo\').', { required: true }),
    verbs: list(S.string, 4, 'Verbs is a list of supported kube verbs (this includes get, list, watch, create, update, patch, delete, deletecollection, and proxy).', { required: true }),
    shortNames: list(S.string, 5, 'ShortNames is a list of suggested short names of the resource.', { listType: 'atomic' }),
    categories: list(S.string, 7, 'Categories is a list of the grouped resources this resource belongs to (e.g. \'all\').', { listType: 'atomic' }),
    storageVersionHash: str(10, 'The hash value of the storage version, the version this resource is converted to when written to the data store.'),
  }),
  kind(M + 'APIResourceList', 'APIResourceList is a list of APIResource, it is used to expose the name of the resources supported in a specific group and version, and if the resource is namespaced.', {
    groupVersion: str(1, 'GroupVersion is the group and version this APIResourceList is for.', { required: true }),
    resources: list(ref(M + 'APIResource'), 2, 'Resources contains the name of the resources and if they are namespaced.', { required: true, listType: 'atomic' }),
  }),
  kind(M + 'APIGroup', 'APIGroup contains the name, the supported versions, and the preferred version of a group.', {
    name: str(1, 'Name is the name of the group.', { required: true }),
    versions: list(ref(M + 'GroupVersionForDiscovery'), 2, 'Versions are the versions supported in this group.', { required: true, listType: 'atomic' }),
    preferredVersion: obj(M + 'GroupVersionForDiscovery', 3, 'PreferredVersion is the version preferred by the API server, which probably is the storage version.'),
    serverAddressByClientCIDRs: list(ref(M + 'ServerAddressByClientCIDR'), 4, 'A map of client CIDR to server address that is serving this group.', { listType: 'atomic' }),
  }),
  kind(M + 'APIGroupList', 'APIGroupList is a list of APIGroup, to allow clients to discover the API at /apis.', {
    groups: list(ref(M + 'APIGroup'), 1, 'Groups is a list of APIGroup.', { required: true, listType: 'atomic' }),
  }),
  kind(M + 'APIVersions', 'APIVersions lists the versions that are available, to allow clients to discover the API at /api, which is the root path of the legacy v1 API.', {
    versions: list(S.string, 1, 'Versions are the api versions that are available.', { required: true, listType: 'atomic' }),
    serverAddressByClientCIDRs: list(ref(M + 'ServerAddressByClientCIDR'), 2, 'A map of client CIDR to server address that is serving this group.', { required: true, listType: 'atomic' }),
  }),
  struct(M + 'GroupVersionForDiscovery', 'GroupVersion contains the "group/version" and "version" string of a version.', {
    groupVersion: str(1, 'GroupVersion specifies the API group and version in the form "group/version".', { required: true }),
    version: str(2, 'Version specifies the version in the form of "version".', { required: true }),
  }),
  struct(M + 'ServerAddressByClientCIDR', 'ServerAddressByClientCIDR helps the client to determine the server address that they should use, depending on the clientCIDR that they match.', {
    clientCIDR: str(1, 'The CIDR with which clients can match their IP to figure out the server address that they should use.', { required: true }),
    serverAddress: str(2, 'Address of this server, suitable for a client that matches the above CIDR. This can be a hostname, hostname:port, IP or IP:port.', { required: true }),
  }),
  struct(M + 'Patch', 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.', {}),
  struct('io.k8s.apimachinery.pkg.version.Info', 'Info contains versioning information.', {
    major: str(undefined, 'Major version of the server.', { required: true }),
    minor: str(undefined, 'Minor version of the server.', { required: true }),
    gitVersion: str(undefined, 'Semantic version the server was built from.', { required: true }),
    gitCommit: str(undefined, 'Commit the server was built from.', { required: true }),
    gitTreeState: str(undefined, 'Whether the source tree was clean or dirty at build time.', { required: true }),
    buildDate: str(undefined, 'When the server was built (RFC 3339).', { required: true }),
    goVersion: str(undefined, 'Version of the toolchain the server was built with.', { required: true }),
    compiler: str(undefined, 'Compiler the server was built with.', { required: true }),
    platform: str(undefined, 'OS/architecture the server runs on.', { required: true }),
  }),
];
