// autoscaling/v2 HorizontalPodAutoscaler and autoscaling/v1 Scale, as the controller uses them.
import type { KubeObject } from '@kube-ts/client/types';

export interface MetricTarget { type: 'Utilization' | 'Value' | 'AverageValue'; averageUtilization?: number; averageValue?: string; value?: string }

export interface MetricSpec {
  type: 'Resource' | 'ContainerResource' | 'Pods' | 'Object' | 'External';
  resource?: { name: string; target: MetricTarget };
  containerResource?: { name: string; container: string; target: MetricTarget };
  pods?: { metric: { name: string }; target: MetricTarget };
  object?: { metric: { name: string }; target: MetricTarget; describedObject: { kind: string; name: string; apiVersion?: string } };
  external?: { metric: { name: string }; target: MetricTarget };
}

export interface MetricStatus {
  type: MetricSpec['type'];
  resource?: { name: string; current: { averageUtilization?: number; averageValue?: string } };
  containerResource?: { name: string; container: string; current: { averageUtilization?: number; averageValue?: string } };
}

export interface HPAScalingPolicy { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }
export interface HPAScalingRules { stabilizationWindowSeconds?: number; selectPolicy?: 'Max' | 'Min' | 'Disabled'; policies?: HPAScalingPolicy[] }

export interface HPACondition {
  type: 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

export interface HorizontalPodAutoscaler extends KubeObject {
  spec: {
    scaleTargetRef: { apiVersion?: string; kind: string; name: string };
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules };
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas?: number;
    currentMetrics?: MetricStatus[] | null;
    conditions?: HPACondition[];
  };
}

export interface Scale extends KubeObject {
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}
