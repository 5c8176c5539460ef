// Schemas: autoscaling/v1 and autoscaling/v2. Field numbers are upstream's generated.proto; markers follow upstream's types.go.
import { type GVK, type ObjectType, S, ref, listOf, f, topLevel, listType, struct, META } from '../dsl.js';

const P1 = 'io.k8s.api.autoscaling.v1.';
const P2 = 'io.k8s.api.autoscaling.v2.';
const gv1 = (kind: string): GVK => ({ group: 'autoscaling', version: 'v1', kind });
const gv2 = (kind: string): GVK => ({ group: 'autoscaling', version: 'v2', kind });

export const types: ObjectType[] = [
  // ---- autoscaling/v1 (HorizontalPodAutoscaler with CPU only; Scale, the /scale subresource of every scalable resource) ----
  struct(P1 + 'CrossVersionObjectReference', "CrossVersionObjectReference contains enough information to let you identify the referred resource.", {
    kind: f(S.string, 1, "kind is the kind of the referent;", {required: true}),
    name: f(S.string, 2, "name is the name of the referent;", {required: true}),
    apiVersion: f(S.string, 3, "apiVersion is the API version of the referent"),
  }),
  struct(P1 + 'HorizontalPodAutoscalerSpec', "specification of a horizontal pod autoscaler.", {
    scaleTargetRef: f(ref(P1 + 'CrossVersionObjectReference'), 1, "reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.", {required: true}),
    minReplicas: f(S.int32, 2, "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
    maxReplicas: f(S.int32, 3, "maxReplicas is the upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.", {required: true}),
    targetCPUUtilizationPercentage: f(S.int32, 4, "targetCPUUtilizationPercentage is the target average CPU utilization (represented as a percentage of requested CPU) over all the pods; if not specified the default autoscaling policy will be used."),
  }),
  struct(P1 + 'HorizontalPodAutoscalerStatus', "current status of a horizontal pod autoscaler", {
    observedGeneration: f(S.int64, 1, "observedGeneration is the most recent generation observed by this autoscaler."),
    lastScaleTime: f(S.time, 2, "lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods; used by the autoscaler to control how often the number of pods is changed."),
    currentReplicas: f(S.int32, 3, "currentReplicas is the current number of replicas of pods managed by this autoscaler.", {required: true}),
    desiredReplicas: f(S.int32, 4, "desiredReplicas is the desired number of replicas of pods managed by this autoscaler.", {required: true}),
    currentCPUUtilizationPercentage: f(S.int32, 5, "currentCPUUtilizationPercentage is the current average CPU utilization over all pods, represented as a percentage of requested CPU, e.g. 70 means that an average pod is using now 70% of its requested CPU."),
  }),
  topLevel(P1 + 'HorizontalPodAutoscaler', gv1('HorizontalPodAutoscaler'), "configuration of a horizontal pod autoscaler.", {
    spec: f(ref(P1 + 'HorizontalPodAutoscalerSpec'), 2, "spec defines the behaviour of autoscaler."),
    status: f(ref(P1 + 'HorizontalPodAutoscalerStatus'), 3, "status is the current information about the autoscaler."),
  }),
  listType(P1 + 'HorizontalPodAutoscaler', gv1('HorizontalPodAutoscaler'), "list of horizontal pod autoscaler objects."),
  topLevel(P1 + 'Scale', gv1('Scale'), "Scale represents a scaling request for a resource.", {
    spec: f(ref(P1 + 'ScaleSpec'), 2, "spec defines the behavior of the scale."),
    status: f(ref(P1 + 'ScaleStatus'), 3, "status is the current status of the scale."),
  }),
  struct(P1 + 'ScaleSpec', "ScaleSpec describes the attributes of a scale subresource.", {
    replicas: f(S.int32, 1, "replicas is the desired number of instances for the scaled object."),
  }),
  struct(P1 + 'ScaleStatus', "ScaleStatus represents the current status of a scale subresource.", {
    replicas: f(S.int32, 1, "replicas is the actual number of observed instances of the scaled object.", {required: true}),
    selector: f(S.string, 2, "selector is the label query over pods that should match the replicas count."),
  }),
  // ---- autoscaling/v2 (the storage version of HorizontalPodAutoscaler) ----
  topLevel(P2 + 'HorizontalPodAutoscaler', gv2('HorizontalPodAutoscaler'), "HorizontalPodAutoscaler is the configuration for a horizontal pod autoscaler, which automatically manages the replica count of any resource implementing the scale subresource based on the metrics specified.", {
    spec: f(ref(P2 + 'HorizontalPodAutoscalerSpec'), 2, "spec is the specification for the behaviour of the autoscaler."),
    status: f(ref(P2 + 'HorizontalPodAutoscalerStatus'), 3, "status is the current information about the autoscaler."),
  }),
  struct(P2 + 'HorizontalPodAutoscalerSpec', "HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler.", {
    scaleTargetRef: f(ref(P2 + 'CrossVersionObjectReference'), 1, "scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.", {required: true}),
    minReplicas: f(S.int32, 2, "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down."),
    maxReplicas: f(S.int32, 3, "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.", {required: true}),
    metrics: f(listOf(ref(P2 + 'MetricSpec')), 4, "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).", {listType: "atomic"}),
    behavior: f(ref(P2 + 'HorizontalPodAutoscalerBehavior'), 5, "behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively)."),
  }),
  struct(P2 + 'CrossVersionObjectReference', "CrossVersionObjectReference contains enough information to let you identify the referred resource.", {
    kind: f(S.string, 1, "kind is the kind of the referent;", {required: true}),
    name: f(S.string, 2, "name is the name of the referent;", {required: true}),
    apiVersion: f(S.string, 3, "apiVersion is the API version of the referent"),
  }),
  struct(P2 + 'MetricSpec', "MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once).", {
    type: f(S.string, 1, "type is the type of metric source.", {required: true}),
    object: f(ref(P2 + 'ObjectMetricSource'), 2, "object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object)."),
    pods: f(ref(P2 + 'PodsMetricSource'), 3, "pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second)."),
    resource: f(ref(P2 + 'ResourceMetricSource'), 4, "resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory)."),
    containerResource: f(ref(P2 + 'ContainerResourceMetricSource'), 7, "containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod of the current scale target (e.g. CPU or memory)."),
    external: f(ref(P2 + 'ExternalMetricSource'), 5, "external refers to a global metric that is not associated with any Kubernetes object."),
  }),
  struct(P2 + 'HorizontalPodAutoscalerBehavior', "HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively).", {
    scaleUp: f(ref(P2 + 'HPAScalingRules'), 1, "scaleUp is scaling policy for scaling Up."),
    scaleDown: f(ref(P2 + 'HPAScalingRules'), 2, "scaleDown is scaling policy for scaling Down."),
  }),
  struct(P2 + 'HPAScalingRules', "HPAScalingRules configures the scaling behavior for one direction.", {
    stabilizationWindowSeconds: f(S.int32, 3, "stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down."),
    selectPolicy: f(S.string, 1, "selectPolicy is used to specify which policy should be used."),
    policies: f(listOf(ref(P2 + 'HPAScalingPolicy')), 2, "policies is a list of potential scaling polices which can be used during scaling.", {listType: "atomic"}),
  }),
  struct(P2 + 'HPAScalingPolicy', "HPAScalingPolicy is a single policy which must hold true for a specified past interval.", {
    type: f(S.string, 1, "type is used to specify the scaling policy.", {required: true}),
    value: f(S.int32, 2, "value contains the amount of change which is permitted by the policy.", {required: true}),
    periodSeconds: f(S.int32, 3, "periodSeconds specifies the window of time for which the policy should hold true.", {required: true}),
  }),
  struct(P2 + 'ObjectMetricSource', "ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).", {
    describedObject: f(ref(P2 + 'CrossVersionObjectReference'), 1, "describedObject specifies the descriptions of a object,such as kind,name apiVersion", {required: true}),
    target: f(ref(P2 + 'MetricTarget'), 2, "target specifies the target value for the given metric", {required: true}),
    metric: f(ref(P2 + 'MetricIdentifier'), 3, "metric identifies the target metric by name and selector", {required: true}),
  }),
  struct(P2 + 'PodsMetricSource', "PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (for example, transactions-processed-per-second).", {
    metric: f(ref(P2 + 'MetricIdentifier'), 1, "metric identifies the target metric by name and selector", {required: true}),
    target: f(ref(P2 + 'MetricTarget'), 2, "target specifies the target value for the given metric", {required: true}),
  }),
  struct(P2 + 'ResourceMetricSource', "ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).", {
    name: f(S.string, 1, "name is the name of the resource in question.", {required: true}),
    target: f(ref(P2 + 'MetricTarget'), 2, "target specifies the target value for the given metric", {required: true}),
  }),
  struct(P2 + 'ContainerResourceMetricSource', "ContainerResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).", {
    name: f(S.string, 1, "name is the name of the resource in question.", {required: true}),
    target: f(ref(P2 + 'MetricTarget'), 2, "target specifies the target value for the given metric", {required: true}),
    container: f(S.string, 3, "container is the name of the container in the pods of the scaling target", {required: true}),
  }),
  struct(P2 + 'ExternalMetricSource', "ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).", {
    metric: f(ref(P2 + 'MetricIdentifier'), 1, "metric identifies the target metric by name and selector", {required: true}),
    target: f(ref(P2 + 'MetricTarget'), 2, "target specifies the target value for the given metric", {required: true}),
  }),
  struct(P2 + 'MetricIdentifier', "MetricIdentifier defines the name and optionally selector for a metric", {
    name: f(S.string, 1, "name is the name of the given metric", {required: true}),
    selector: f(ref(META.labelSelector), 2, "selector is the string-encoded form of a standard kubernetes label selector for the given metric When set, it is passed as an additional parameter to the metrics server for more specific metrics scoping."),
  }),
  struct(P2 + 'MetricTarget', "MetricTarget defines the target value, average value, or average utilization of a specific metric", {
    type: f(S.string, 1, "type represents whether the metric type is Utilization, Value, or AverageValue", {required: true}),
    value: f(S.quantity, 2, "value is the target value of the metric (as a quantity)."),
    averageValue: f(S.quantity, 3, "averageValue is the target value of the average of the metric across all relevant pods (as a quantity)"),
    averageUtilization: f(S.int32, 4, "averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods."),
  }),
  struct(P2 + 'HorizontalPodAutoscalerStatus', "HorizontalPodAutoscalerStatus describes the current status of a horizontal pod autoscaler.", {
    observedGeneration: f(S.int64, 1, "observedGeneration is the most recent generation observed by this autoscaler."),
    lastScaleTime: f(S.time, 2, "lastScaleTime is the last time the HorizontalPodAutoscaler scaled the number of pods, used by the autoscaler to control how often the number of pods is changed."),
    currentReplicas: f(S.int32, 3, "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler."),
    desiredReplicas: f(S.int32, 4, "desiredReplicas is the desired number of replicas of pods managed by this autoscaler, as last calculated by the autoscaler.", {required: true}),
    currentMetrics: f(listOf(ref(P2 + 'MetricStatus')), 5, "currentMetrics is the last read state of the metrics used by this autoscaler.", {listType: "atomic"}),
    conditions: f(listOf(ref(P2 + 'HorizontalPodAutoscalerCondition')), 6, "conditions is the set of conditions required for this autoscaler to scale its target, and indicates whether or not those conditions are met.", {patchStrategy: "merge", patchMergeKey: "type", listType: "map", listMapKeys: ["type"]}),
  }),
  struct(P2 + 'HorizontalPodAutoscalerCondition', "HorizontalPodAutoscalerCondition describes the state of a HorizontalPodAutoscaler at a certain point.", {
    type: f(S.string, 1, "type describes the current condition", {required: true}),
    status: f(S.string, 2, "status is the status of the condition (True, False, Unknown)", {required: true}),
    lastTransitionTime: f(S.time, 3, "lastTransitionTime is the last time the condition transitioned from one status to another"),
    reason: f(S.string, 4, "reason is the reason for the condition's last transition."),
    message: f(S.string, 5, "message is a human-readable explanation containing details about the transition"),
  }),
  struct(P2 + 'MetricStatus', "MetricStatus describes the last-read state of a single metric.", {
    type: f(S.string, 1, "type is the type of metric source.", {required: true}),
    object: f(ref(P2 + 'ObjectMetricStatus'), 2, "object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object)."),
    pods: f(ref(P2 + 'PodsMetricStatus'), 3, "pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second)."),
    resource: f(ref(P2 + 'ResourceMetricStatus'), 4, "resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory)."),
    containerResource: f(ref(P2 + 'ContainerResourceMetricStatus'), 7, "container resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod in the current scale target (e.g. CPU or memory)."),
    external: f(ref(P2 + 'ExternalMetricStatus'), 5, "external refers to a global metric that is not associated with any Kubernetes object."),
  }),
  struct(P2 + 'ObjectMetricStatus', "ObjectMetricStatus indicates the current value of a metric describing a kubernetes object (for example, hits-per-second on an Ingress object).", {
    metric: f(ref(P2 + 'MetricIdentifier'), 1, "metric identifies the target metric by name and selector", {required: true}),
    current: f(ref(P2 + 'MetricValueStatus'), 2, "current contains the current value for the given metric", {required: true}),
    describedObject: f(ref(P2 + 'CrossVersionObjectReference'), 3, "DescribedObject specifies the descriptions of a object,such as kind,name apiVersion", {required: true}),
  }),
  struct(P2 + 'PodsMetricStatus', "PodsMetricStatus indicates the current value of a metric describing each pod in the current scale target (for example, transactions-processed-per-second).", {
    metric: f(ref(P2 + 'MetricIdentifier'), 1, "metric identifies the target metric by name and selector", {required: true}),
    current: f(ref(P2 + 'MetricValueStatus'), 2, "current contains the current value for the given metric", {required: true}),
  }),
  struct(P2 + 'ResourceMetricStatus', "ResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).", {
    name: f(S.string, 1, "name is the name of the resource in question.", {required: true}),
    current: f(ref(P2 + 'MetricValueStatus'), 2, "current contains the current value for the given metric", {required: true}),
  }),
  struct(P2 + 'ContainerResourceMetricStatus', "ContainerResourceMetricStatus indicates the current value of a resource metric known to Kubernetes, as specified in requests and limits, describing a single container in each pod in the current scale target (e.g. CPU or memory).", {
    name: f(S.string, 1, "name is the name of the resource in question.", {required: true}),
    current: f(ref(P2 + 'MetricValueStatus'), 2, "current contains the current value for the given metric", {required: true}),
    container: f(S.string, 3, "container is the name of the container in the pods of the scaling target", {required: true}),
  }),
  struct(P2 + 'ExternalMetricStatus', "ExternalMetricStatus indicates the current value of a global metric not associated with any Kubernetes object.", {
    metric: f(ref(P2 + 'MetricIdentifier'), 1, "metric identifies the target metric by name and selector", {required: true}),
    current: f(ref(P2 + 'MetricValueStatus'), 2, "current contains the current value for the given metric", {required: true}),
  }),
  struct(P2 + 'MetricValueStatus', "MetricValueStatus holds the current value for a metric", {
    value: f(S.quantity, 1, "value is the current value of the metric (as a quantity)."),
    averageValue: f(S.quantity, 2, "averageValue is the current value of the average of the metric across all relevant pods (as a quantity)"),
    averageUtilization: f(S.int32, 3, "currentAverageUtilization is the current value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods."),
  }),
  listType(P2 + 'HorizontalPodAutoscaler', gv2('HorizontalPodAutoscaler'), "HorizontalPodAutoscalerList is a list of horizontal pod autoscaler objects."),
];
