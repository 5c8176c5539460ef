// Schemas: apps/v1. Field numbers are upstream's generated.proto; markers follow upstream's types.go.
import { type GVK, type ObjectType, S, ref, listOf, f, topLevel, listType, struct, META } from '../dsl.js';

const P = 'io.k8s.api.apps.v1.';
const CORE = 'io.k8s.api.core.v1.';
const gv = (kind: string): GVK => ({ group: 'apps', version: 'v1', kind });

export const types: ObjectType[] = [
  topLevel(P + 'StatefulSet', gv('StatefulSet'), "StatefulSet represents a set of pods with consistent identities.", {
    spec: f(ref(P + 'StatefulSetSpec'), 2, "Spec defines the desired identities of pods in this set."),
    status: f(ref(P + 'StatefulSetStatus'), 3, "Status is the current status of Pods in this StatefulSet."),
  }),
  struct(P + 'StatefulSetUpdateStrategy', "StatefulSetUpdateStrategy indicates the strategy that the StatefulSet controller will use to perform updates.", {
    type: f(S.string, 1, "Type indicates the type of the StatefulSetUpdateStrategy.", {enum: ["RollingUpdate", "OnDelete"]}),
    rollingUpdate: f(ref(P + 'RollingUpdateStatefulSetStrategy'), 2, "RollingUpdate is used to communicate parameters when Type is RollingUpdateStatefulSetStrategyType."),
  }),
  struct(P + 'RollingUpdateStatefulSetStrategy', "RollingUpdateStatefulSetStrategy is used to communicate parameter for RollingUpdateStatefulSetStrategyType.", {
    partition: f(S.int32, 1, "Partition indicates the ordinal at which the StatefulSet should be partitioned for updates."),
    maxUnavailable: f(S.intOrString, 2, "The maximum number of pods that can be unavailable during the update."),
  }),
  struct(P + 'StatefulSetPersistentVolumeClaimRetentionPolicy', "StatefulSetPersistentVolumeClaimRetentionPolicy describes the policy used for PVCs created from the StatefulSet VolumeClaimTemplates.", {
    whenDeleted: f(S.string, 1, "WhenDeleted specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is deleted."),
    whenScaled: f(S.string, 2, "WhenScaled specifies what happens to PVCs created from StatefulSet VolumeClaimTemplates when the StatefulSet is scaled down."),
  }),
  struct(P + 'StatefulSetOrdinals', "StatefulSetOrdinals describes the policy used for replica ordinal assignment in this StatefulSet.", {
    start: f(S.int32, 1, "start is the number representing the first replica's index."),
  }),
  struct(P + 'StatefulSetSpec', "A StatefulSetSpec is the specification of a StatefulSet.", {
    replicas: f(S.int32, 1, "replicas is the desired number of replicas of the given Template."),
    selector: f(ref(META.labelSelector), 2, "selector is a label query over pods that should match the replica count.", {required: true}),
    template: f(ref(CORE + 'PodTemplateSpec'), 3, "template is the object that describes the pod that will be created if insufficient replicas are detected.", {required: true}),
    volumeClaimTemplates: f(listOf(ref(CORE + 'PersistentVolumeClaim')), 4, "volumeClaimTemplates is a list of claims that pods are allowed to reference.", {listType: "atomic"}),
    serviceName: f(S.string, 5, "serviceName is the name of the service that governs this StatefulSet.", {required: true}),
    podManagementPolicy: f(S.string, 6, "podManagementPolicy controls how pods are created during initial scale up, when replacing pods on nodes, or when scaling down.", {enum: ["OrderedReady", "Parallel"]}),
    updateStrategy: f(ref(P + 'StatefulSetUpdateStrategy'), 7, "updateStrategy indicates the StatefulSetUpdateStrategy that will be employed to update Pods in the StatefulSet when a revision is made to Template."),
    revisionHistoryLimit: f(S.int32, 8, "revisionHistoryLimit is the maximum number of revisions that will be maintained in the StatefulSet's revision history."),
    minReadySeconds: f(S.int32, 9, "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing for it to be considered available."),
    persistentVolumeClaimRetentionPolicy: f(ref(P + 'StatefulSetPersistentVolumeClaimRetentionPolicy'), 10, "persistentVolumeClaimRetentionPolicy describes the lifecycle of persistent volume claims created from volumeClaimTemplates."),
    ordinals: f(ref(P + 'StatefulSetOrdinals'), 11, "ordinals controls the numbering of replica indices in a StatefulSet."),
  }),
  struct(P + 'StatefulSetStatus', "StatefulSetStatus represents the current state of a StatefulSet.", {
    observedGeneration: f(S.int64, 1, "observedGeneration is the most recent generation observed for this StatefulSet."),
    replicas: f(S.int32, 2, "replicas is the number of Pods created by the StatefulSet controller.", {required: true}),
    readyReplicas: f(S.int32, 3, "readyReplicas is the number of pods created for this StatefulSet with a Ready Condition."),
    currentReplicas: f(S.int32, 4, "currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision."),
    updatedReplicas: f(S.int32, 5, "updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision."),
    currentRevision: f(S.string, 6, "currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas)."),
    updateRevision: f(S.string, 7, "updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)"),
    collisionCount: f(S.int32, 9, "collisionCount is the count of hash collisions for the StatefulSet."),
    conditions: f(listOf(ref(P + 'StatefulSetCondition')), 10, "Represents the latest available observations of a statefulset's current state.", {patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"]}),
    availableReplicas: f(S.int32, 11, "Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset."),
  }),
  struct(P + 'StatefulSetCondition', "StatefulSetCondition describes the state of a statefulset at a certain point.", {
    type: f(S.string, 1, "Type of statefulset condition.", {required: true}),
    status: f(S.string, 2, "Status of the condition, one of True, False, Unknown.", {required: true}),
    lastTransitionTime: f(S.time, 3, "Last time the condition transitioned from one status to another."),
    reason: f(S.string, 4, "The reason for the condition's last transition."),
    message: f(S.string, 5, "A human readable message indicating details about the transition."),
  }),
  listType(P + 'StatefulSet', gv('StatefulSet'), "StatefulSetList is a collection of StatefulSets."),
  topLevel(P + 'Deployment', gv('Deployment'), "Deployment enables declarative updates for Pods and ReplicaSets.", {
    spec: f(ref(P + 'DeploymentSpec'), 2, "Specification of the desired behavior of the Deployment."),
    status: f(ref(P + 'DeploymentStatus'), 3, "Most recently observed status of the Deployment."),
  }),
  struct(P + 'DeploymentSpec', "DeploymentSpec is the specification of the desired behavior of the Deployment.", {
    replicas: f(S.int32, 1, "Number of desired pods."),
    selector: f(ref(META.labelSelector), 2, "Label selector for pods.", {required: true}),
    template: f(ref(CORE + 'PodTemplateSpec'), 3, "Template describes the pods that will be created.", {required: true}),
    strategy: f(ref(P + 'DeploymentStrategy'), 4, "The deployment strategy to use to replace existing pods with new ones.", {patchStrategy: "retainKeys"}),
    minReadySeconds: f(S.int32, 5, "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available."),
    revisionHistoryLimit: f(S.int32, 6, "The number of old ReplicaSets to retain to allow rollback."),
    paused: f(S.boolean, 7, "Indicates that the deployment is paused."),
    progressDeadlineSeconds: f(S.int32, 9, "The maximum time in seconds for a deployment to make progress before it is considered to be failed."),
  }),
  struct(P + 'DeploymentStrategy', "DeploymentStrategy describes how to replace existing pods with new ones.", {
    type: f(S.string, 1, "Type of deployment.", {enum: ["Recreate", "RollingUpdate"]}),
    rollingUpdate: f(ref(P + 'RollingUpdateDeployment'), 2, "Rolling update config params."),
  }),
  struct(P + 'RollingUpdateDeployment', "Spec to control the desired behavior of rolling update.", {
    maxUnavailable: f(S.intOrString, 1, "The maximum number of pods that can be unavailable during the update."),
    maxSurge: f(S.intOrString, 2, "The maximum number of pods that can be scheduled above the desired number of pods."),
  }),
  struct(P + 'DeploymentStatus', "DeploymentStatus is the most recently observed status of the Deployment.", {
    observedGeneration: f(S.int64, 1, "The generation observed by the deployment controller."),
    replicas: f(S.int32, 2, "Total number of non-terminated pods targeted by this deployment (their labels match the selector)."),
    updatedReplicas: f(S.int32, 3, "Total number of non-terminated pods targeted by this deployment that have the desired template spec."),
    readyReplicas: f(S.int32, 7, "readyReplicas is the number of pods targeted by this Deployment with a Ready Condition."),
    availableReplicas: f(S.int32, 4, "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment."),
    unavailableReplicas: f(S.int32, 5, "Total number of unavailable pods targeted by this deployment."),
    conditions: f(listOf(ref(P + 'DeploymentCondition')), 6, "Represents the latest available observations of a deployment's current state.", {patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"]}),
    collisionCount: f(S.int32, 8, "Count of hash collisions for the Deployment."),
  }),
  struct(P + 'DeploymentCondition', "DeploymentCondition describes the state of a deployment at a certain point.", {
    type: f(S.string, 1, "Type of deployment condition.", {required: true}),
    status: f(S.string, 2, "Status of the condition, one of True, False, Unknown.", {required: true}),
    lastUpdateTime: f(S.time, 6, "The last time this condition was updated."),
    lastTransitionTime: f(S.time, 7, "Last time the condition transitioned from one status to another."),
    reason: f(S.string, 4, "The reason for the condition's last transition."),
    message: f(S.string, 5, "A human readable message indicating details about the transition."),
  }),
  listType(P + 'Deployment', gv('Deployment'), "DeploymentList is a list of Deployments."),
  struct(P + 'DaemonSetUpdateStrategy', "DaemonSetUpdateStrategy is a struct used to control the update strategy for a DaemonSet.", {
    type: f(S.string, 1, "Type of daemon set update.", {enum: ["RollingUpdate", "OnDelete"]}),
    rollingUpdate: f(ref(P + 'RollingUpdateDaemonSet'), 2, "Rolling update config params."),
  }),
  struct(P + 'RollingUpdateDaemonSet', "Spec to control the desired behavior of daemon set rolling update.", {
    maxUnavailable: f(S.intOrString, 1, "The maximum number of DaemonSet pods that can be unavailable during the update."),
    maxSurge: f(S.intOrString, 2, "The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during during an update."),
  }),
  struct(P + 'DaemonSetSpec', "DaemonSetSpec is the specification of a daemon set.", {
    selector: f(ref(META.labelSelector), 1, "A label query over pods that are managed by the daemon set.", {required: true}),
    template: f(ref(CORE + 'PodTemplateSpec'), 2, "An object that describes the pod that will be created.", {required: true}),
    updateStrategy: f(ref(P + 'DaemonSetUpdateStrategy'), 3, "An update strategy to replace existing DaemonSet pods with new pods."),
    minReadySeconds: f(S.int32, 4, "The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its container crashing, for it to be considered available."),
    revisionHistoryLimit: f(S.int32, 6, "The number of old history to retain to allow rollback."),
  }),
  struct(P + 'DaemonSetStatus', "DaemonSetStatus represents the current status of a daemon set.", {
    currentNumberScheduled: f(S.int32, 1, "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.", {required: true}),
    numberMisscheduled: f(S.int32, 2, "The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.", {required: true}),
    desiredNumberScheduled: f(S.int32, 3, "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).", {required: true}),
    numberReady: f(S.int32, 4, "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.", {required: true}),
    observedGeneration: f(S.int64, 5, "The most recent generation observed by the daemon set controller."),
    updatedNumberScheduled: f(S.int32, 6, "The total number of nodes that are running updated daemon pod"),
    numberAvailable: f(S.int32, 7, "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
    numberUnavailable: f(S.int32, 8, "The number of nodes that should be running the daemon pod and have none of the daemon pod running and available (ready for at least spec.minReadySeconds)"),
    collisionCount: f(S.int32, 9, "Count of hash collisions for the DaemonSet."),
    conditions: f(listOf(ref(P + 'DaemonSetCondition')), 10, "Represents the latest available observations of a DaemonSet's current state.", {patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"]}),
  }),
  struct(P + 'DaemonSetCondition', "DaemonSetCondition describes the state of a DaemonSet at a certain point.", {
    type: f(S.string, 1, "Type of DaemonSet condition.", {required: true}),
    status: f(S.string, 2, "Status of the condition, one of True, False, Unknown.", {required: true}),
    lastTransitionTime: f(S.time, 3, "Last time the condition transitioned from one status to another."),
    reason: f(S.string, 4, "The reason for the condition's last transition."),
    message: f(S.string, 5, "A human readable message indicating details about the transition."),
  }),
  topLevel(P + 'DaemonSet', gv('DaemonSet'), "DaemonSet represents the configuration of a daemon set.", {
    spec: f(ref(P + 'DaemonSetSpec'), 2, "The desired behavior of this daemon set."),
    status: f(ref(P + 'DaemonSetStatus'), 3, "The current status of this daemon set."),
  }),
  listType(P + 'DaemonSet', gv('DaemonSet'), "DaemonSetList is a collection of daemon sets."),
  topLevel(P + 'ReplicaSet', gv('ReplicaSet'), "ReplicaSet ensures that a specified number of pod replicas are running at any given time.", {
    spec: f(ref(P + 'ReplicaSetSpec'), 2, "Spec defines the specification of the desired behavior of the ReplicaSet."),
    status: f(ref(P + 'ReplicaSetStatus'), 3, "Status is the most recently observed status of the ReplicaSet."),
  }),
  listType(P + 'ReplicaSet', gv('ReplicaSet'), "ReplicaSetList is a collection of ReplicaSets."),
  struct(P + 'ReplicaSetSpec', "ReplicaSetSpec is the specification of a ReplicaSet.", {
    replicas: f(S.int32, 1, "Replicas is the number of desired replicas."),
    minReadySeconds: f(S.int32, 4, "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available."),
    selector: f(ref(META.labelSelector), 2, "Selector is a label query over pods that should match the replica count.", {required: true}),
    template: f(ref(CORE + 'PodTemplateSpec'), 3, "Template is the object that describes the pod that will be created if insufficient replicas are detected."),
  }),
  struct(P + 'ReplicaSetStatus', "ReplicaSetStatus represents the current status of a ReplicaSet.", {
    replicas: f(S.int32, 1, "Replicas is the most recently observed number of replicas.", {required: true}),
    fullyLabeledReplicas: f(S.int32, 2, "The number of pods that have labels matching the labels of the pod template of the replicaset."),
    readyReplicas: f(S.int32, 4, "readyReplicas is the number of pods targeted by this ReplicaSet with a Ready Condition."),
    availableReplicas: f(S.int32, 5, "The number of available replicas (ready for at least minReadySeconds) for this replica set."),
    observedGeneration: f(S.int64, 3, "ObservedGeneration reflects the generation of the most recently observed ReplicaSet."),
    conditions: f(listOf(ref(P + 'ReplicaSetCondition')), 6, "Represents the latest available observations of a replica set's current state.", {patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"]}),
  }),
  struct(P + 'ReplicaSetCondition', "ReplicaSetCondition describes the state of a replica set at a certain point.", {
    type: f(S.string, 1, "Type of replica set condition.", {required: true}),
    status: f(S.string, 2, "Status of the condition, one of True, False, Unknown.", {required: true}),
    lastTransitionTime: f(S.time, 3, "The last time the condition transitioned from one status to another."),
    reason: f(S.string, 4, "The reason for the condition's last transition."),
    message: f(S.string, 5, "A human readable message indicating details about the transition."),
  }),
  topLevel(P + 'ControllerRevision', gv('ControllerRevision'), "ControllerRevision implements an immutable snapshot of state data.", {
    data: f(S.any, 2, "Data is the serialized representation of the state."),
    revision: f(S.int64, 3, "Revision indicates the revision of the state represented by Data.", {required: true}),
  }),
  listType(P + 'ControllerRevision', gv('ControllerRevision'), "ControllerRevisionList is a resource containing a list of ControllerRevision objects."),
];
