// What every controller gets from kube-controller-manager: one REST client, one shared informer
// factory (one LIST+WATCH per resource for the whole process), the injected clock, an event
// recorder, the command-line options and the metrics registry.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '@kube-ts/client/clock';
import type { EventRecorder } from '@kube-ts/client/events';
import type { SharedInformerFactory } from '@kube-ts/client/factory';
import type { RestClient } from '@kube-ts/client/rest';

export interface ControllerManagerOptions {
  /** --cluster-cidr, e.g. 10.200.0.0/16 (comma-separated for dual stack). */
  clusterCIDR?: string;
  /** --allocate-node-cidrs */
  allocateNodeCIDRs: boolean;
  /** --node-cidr-mask-size (default 24 for IPv4). */
  nodeCIDRMaskSize: number;
  /** --service-cluster-ip-range */
  serviceClusterIPRange?: string;
  /** --service-account-private-key-file */
  serviceAccountPrivateKeyFile?: string;
  /** --root-ca-file: published as kube-root-ca.crt in every namespace. */
  rootCAFile?: string;
  /** --cluster-signing-cert-file / --cluster-signing-key-file: the CSR signer's CA. */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** --cluster-signing-duration (default 1 year). */
  clusterSigningDurationMs: number;
  /** --node-monitor-grace-period (default 40s upstream 1.32: 40s). */
  nodeMonitorGracePeriodMs: number;
  /** --node-monitor-period (default 5s). */
  nodeMonitorPeriodMs: number;
  /** --node-startup-grace-period (default 1m). */
  nodeStartupGracePeriodMs: number;
  /** --terminated-pod-gc-threshold (default 12500). */
  terminatedPodGCThreshold: number;
  /** --horizontal-pod-autoscaler-sync-period (default 15s). */
  hpaSyncPeriodMs: number;
  /** --max-endpoints-per-slice (default 100). */
  maxEndpointsPerSlice?: number;
  /** --endpoint-updates-batch-period / --endpointslice-updates-batch-period (default 0: none). */
  endpointUpdatesBatchPeriodMs?: number;
  endpointSliceUpdatesBatchPeriodMs?: number;
  /** --concurrent-<name>-syncs, keyed by controller name (deployment, replicaset, ...). */
  concurrency: Record<string, number>;
}

export const DEFAULT_OPTIONS: ControllerManagerOptions = {
  allocateNodeCIDRs: false,
  nodeCIDRMaskSize: 24,
  clusterSigningDurationMs: 365 * 24 * 3600_000,
  nodeMonitorGracePeriodMs: 40_000,
  nodeMonitorPeriodMs: 5_000,
  nodeStartupGracePeriodMs: 60_000,
  terminatedPodGCThreshold: 12500,
  hpaSyncPeriodMs: 15_000,
  concurrency: {},
};

/** Upstream's --concurrent-*-syncs defaults (workers per controller). */
export const DEFAULT_WORKERS: Record<string, number> = {
  deployment: 5, replicaset: 5, replicationcontroller: 5, statefulset: 5, daemonset: 2, job: 5, cronjob: 5,
  endpoint: 5, endpointslice: 5, namespace: 10, garbagecollector: 20, serviceaccount: 5,
  'root-ca-cert-publisher': 5, resourcequota: 5, disruption: 1, 'ttl-after-finished': 5,
  horizontalpodautoscaler: 5, csrsigning: 1, csrapproving: 1, nodeipam: 1, nodelifecycle: 1, podgc: 1,
};

export interface ControllerContext {
  rest: RestClient;
  informers: SharedInformerFactory;
  clock: Clock;
  logger: Logger;
  /** An event recorder whose events name `component` as their source (e.g. "deployment-controller"). */
  recorder(component: string): EventRecorder;
  options: ControllerManagerOptions;
  metrics: Registry;
}

/** A running controller: `run` resolves after `signal` aborts and its workers have stopped. */
export interface Controller {
  readonly name: string;
  run(workers: number, signal: AbortSignal): Promise<void>;
}

/** Builds a controller, or returns a reason string when it cannot run with these options. */
export type ControllerInit = (ctx: ControllerContext) => Controller | string;
