// The controllers this kube-controller-manager runs, by upstream canonical name (aliases and the
// --concurrent-*-syncs key beside each).
import type { ControllerDescriptor } from '../registry.js';
import { UPSTREAM_CONTROLLERS } from '../registry.js';
import type { ControllerInit } from '../context.js';
import { initCSRApproving, initCSRSigning } from './certificates/index.js';
import { initCronJob } from './cronjob/index.js';
import { initDaemonSet } from './daemonset/index.js';
import { initDeployment } from './deployment/index.js';
import { initDisruption } from './disruption/index.js';
import { initEndpoints } from './endpoints/index.js';
import { initEndpointSlice } from './endpointslice/index.js';
import { initGarbageCollector } from './garbagecollector/index.js';
import { initHorizontalPodAutoscaler } from './hpa/index.js';
import { initJob } from './job/index.js';
import { initNamespace } from './namespace/index.js';
import { initNodeIpam } from './nodeipam/index.js';
import { initNodeLifecycle, initTaintEviction } from './nodelifecycle/index.js';
import { initPodGC } from './podgc/index.js';
import { initReplicaSet, initReplicationController } from './replicaset/index.js';
import { initResourceQuota } from './resourcequota/index.js';
import { initRootCACertPublisher } from './rootcacert/index.js';
import { initServiceAccount } from './serviceaccount/index.js';
import { initStatefulSet } from './statefulset/index.js';
import { initTTLAfterFinished } from './ttlafterfinished/index.js';

function d(name: string, init: ControllerInit, workersKey: string): ControllerDescriptor {
  return { name, aliases: UPSTREAM_CONTROLLERS[name] ?? [], init, workersKey };
}

export const DESCRIPTORS: ControllerDescriptor[] = [
  d('endpoints-controller', initEndpoints, 'endpoint'),
  d('endpointslice-controller', initEndpointSlice, 'endpointslice'),
  d('replicationcontroller-controller', initReplicationController, 'replicationcontroller'),
  d('pod-garbage-collector-controller', initPodGC, 'podgc'),
  d('resourcequota-controller', initResourceQuota, 'resourcequota'),
  d('namespace-controller', initNamespace, 'namespace'),
  d('serviceaccount-controller', initServiceAccount, 'serviceaccount'),
  d('garbage-collector-controller', initGarbageCollector, 'garbagecollector'),
  d('daemonset-controller', initDaemonSet, 'daemonset'),
  d('job-controller', initJob, 'job'),
  d('deployment-controller', initDeployment, 'deployment'),
  d('replicaset-controller', initReplicaSet, 'replicaset'),
  d('horizontal-pod-autoscaler-controller', initHorizontalPodAutoscaler, 'horizontalpodautoscaler'),
  d('disruption-controller', initDisruption, 'disruption'),
  d('statefulset-controller', initStatefulSet, 'statefulset'),
  d('cronjob-controller', initCronJob, 'cronjob'),
  d('certificatesigningrequest-signing-controller', initCSRSigning, 'csrsigning'),
  d('certificatesigningrequest-approving-controller', initCSRApproving, 'csrapproving'),
  d('node-ipam-controller', initNodeIpam, 'nodeipam'),
  d('node-lifecycle-controller', initNodeLifecycle, 'nodelifecycle'),
  d('taint-eviction-controller', initTaintEviction, 'nodelifecycle'),
  d('ttl-after-finished-controller', initTTLAfterFinished, 'ttl-after-finished'),
  d('root-ca-certificate-publisher-controller', initRootCACertPublisher, 'root-ca-cert-publisher'),
];
