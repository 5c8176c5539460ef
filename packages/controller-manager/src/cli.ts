#!/usr/bin/env node
// kube-controller-manager: upstream's flags, Lease leader election (only the leader runs
// controllers; losing the lease exits so a restart re-lists from scratch), and the secure port
// with /healthz, /livez, /readyz and /metrics.
import { Command } from 'commander';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { buildConfig } from '@kube-ts/client/kubeconfig';
import { RestClient } from '@kube-ts/client/rest';
import { runComponent } from '@kube-ts/client/componentmain';
import { DEFAULT_OPTIONS, DEFAULT_WORKERS, type ControllerManagerOptions } from './context.js';
import { parseDuration } from './duration.js';
import { ControllersFlagError, selectControllers } from './registry.js';
import { DESCRIPTORS } from './controllers/index.js';
import { ControllerManager } from './manager.js';

/** --concurrent-*-syncs flag -> workers key (DEFAULT_WORKERS). */
const CONCURRENCY_FLAGS: Record<string, string> = {
  'concurrent-deployment-syncs': 'deployment',
  'concurrent-replicaset-syncs': 'replicaset',
  'concurrent-rc-syncs': 'replicationcontroller',
  'concurrent-statefulset-syncs': 'statefulset',
  'concurrent-daemonset-syncs': 'daemonset',
  'concurrent-job-syncs': 'job',
  'concurrent-cron-job-syncs': 'cronjob',
  'concurrent-endpoint-syncs': 'endpoint',
  'concurrent-service-endpoint-syncs': 'endpointslice',
  'concurrent-namespace-syncs': 'namespace',
  'concurrent-gc-syncs': 'garbagecollector',
  'concurrent-serviceaccount-token-syncs': 'serviceaccount',
  'concurrent-resource-quota-syncs': 'resourcequota',
  'concurrent-ttl-after-finished-syncs': 'ttl-after-finished',
  'concurrent-horizontal-pod-autoscaler-syncs': 'horizontalpodautoscaler',
};

const camel = (s: string): string => s.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
const collect = (v: string, prev: string[] = []): string[] => [...prev, ...v.split(',')];

const program = new Command('kube-controller-manager')
  .description('The Kubernetes controller manager: runs the core control loops (workloads, endpoints, namespaces, garbage collection, nodes, certificates).')
  .option('--kubeconfig <file>', 'Path to kubeconfig file with authorization and master location information.')
  .option('--master <url>', 'The address of the Kubernetes API server (overrides any value in kubeconfig).')
  .option('--controllers <list>', "A list of controllers to enable. '*' enables all on-by-default controllers, 'foo' enables the controller named 'foo', '-foo' disables the controller named 'foo'.", collect)
  .option('--leader-elect [bool]', 'Start a leader election client and gain leadership before executing the main loop.', 'true')
  .option('--leader-elect-lease-duration <d>', 'Lease duration.', '15s')
  .option('--leader-elect-renew-deadline <d>', 'Renew deadline.', '10s')
  .option('--leader-elect-retry-period <d>', 'Retry period.', '2s')
  .option('--leader-elect-resource-name <name>', 'The name of the Lease used for locking.', 'kube-controller-manager')
  .option('--leader-elect-resource-namespace <ns>', 'The namespace of the Lease used for locking.', 'kube-system')
  .option('--leader-elect-resource-lock <kind>', 'Accepted for compatibility; only "leases" is supported.', 'leases')
  .option('--cluster-name <name>', 'The instance prefix for the cluster.', 'kubernetes')
  .option('--cluster-cidr <cidr>', 'CIDR Range for Pods in cluster. Requires --allocate-node-cidrs to be true.')
  .option('--allocate-node-cidrs [bool]', 'Should CIDRs for Pods be allocated and set on the cloud provider.', 'false')
  .option('--node-cidr-mask-size <n>', 'Mask size for node cidr in cluster.', '24')
  .option('--service-cluster-ip-range <cidr>', 'CIDR Range for Services in cluster.')
  .option('--service-account-private-key-file <file>', 'Filename containing a PEM-encoded private RSA or ECDSA key used to sign service account tokens.')
  .option('--root-ca-file <file>', "If set, this root certificate authority will be included in service account's token secret and the kube-root-ca.crt ConfigMap.")
  .option('--cluster-signing-cert-file <file>', 'Filename containing a PEM-encoded X509 CA certificate used to issue cluster-scoped certificates.')
  .option('--cluster-signing-key-file <file>', 'Filename containing a PEM-encoded RSA or ECDSA private key used to sign cluster-scoped certificates.')
  .option('--cluster-signing-duration <d>', 'The max length of duration signed certificates will be given.', '8760h0m0s')
  .option('--node-monitor-grace-period <d>', 'Amount of time which we allow running Node to be unresponsive before marking it unhealthy.', '40s')
  .option('--node-monitor-period <d>', 'The period for syncing NodeStatus in cloud-node-lifecycle-controller.', '5s')
  .option('--node-startup-grace-period <d>', 'Amount of time which we allow starting Node to be unresponsive before marking it unhealthy.', '1m0s')
  .option('--terminated-pod-gc-threshold <n>', 'Number of terminated pods that can exist before the terminated pod garbage collector starts deleting terminated pods.', '12500')
  .option('--horizontal-pod-autoscaler-sync-period <d>', 'The period for syncing the number of pods in horizontal pod autoscaler.', '15s')
  .option('--max-endpoints-per-slice <n>', 'The maximum number of endpoints that will be added to an EndpointSlice.', '100')
  .option('--endpoint-updates-batch-period <d>', 'The length of endpoint updates batching period.', '0s')
  .option('--endpointslice-updates-batch-period <d>', 'The length of endpoint slice updates batching period.', '0s')
  .option('--use-service-account-credentials [bool]', 'Accepted for compatibility; every controller uses the --kubeconfig credentials.')
  .option('--kube-api-qps <n>', 'QPS to use while talking with kubernetes apiserver.', '20')
  .option('--kube-api-burst <n>', 'Burst to use while talking with kubernetes apiserver.', '30')
  .option('--secure-port <port>', 'The port on which to serve HTTPS with authentication and authorization (0 disables).', '10257')
  .option('--bind-address <ip>', 'The IP address on which to listen for the --secure-port port.', '0.0.0.0')
  .option('--tls-cert-file <file>', 'File containing the default x509 Certificate for HTTPS.')
  .option('--tls-private-key-file <file>', 'File containing the default x509 private key matching --tls-cert-file.')
  .option('--authentication-kubeconfig <file>', 'Accepted for compatibility; the secure port does not delegate authentication yet.')
  .option('--authorization-kubeconfig <file>', 'Accepted for compatibility; the secure port does not delegate authorization yet.')
  .option('-v, --v <level>', 'Log verbosity (>= 4 is debug).', '0');
for (const flag of Object.keys(CONCURRENCY_FLAGS)) {
  program.option(`--${flag} <n>`, `The number of workers allowed to sync concurrently (default ${DEFAULT_WORKERS[CONCURRENCY_FLAGS[flag]!]}).`);
}

const boolFlag = (v: unknown): boolean => v === true || (v !== undefined && v !== false && String(v) !== 'false');

function fail(msg: string): never {
  process.stderr.write(`E kube-controller-manager: ${msg}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Record<string, string | boolean | string[] | undefined>>();
  const logger = pino({ level: Number(o.v) >= 4 ? 'debug' : 'info', base: { component: 'kube-controller-manager' } }, pino.destination(2));
  const str = (k: string): string | undefined => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const dur = (k: string): number => {
    try { return parseDuration(String(o[k])); } catch (e) { return fail(`invalid argument for --${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: ${(e as Error).message}`); }
  };

  let enabled: Set<string>;
  try {
    enabled = selectControllers(o.controllers as string[] | undefined);
  } catch (e) {
    if (e instanceof ControllersFlagError) fail(e.message);
    throw e;
  }
  const concurrency: Record<string, number> = {};
  for (const [flag, key] of Object.entries(CONCURRENCY_FLAGS)) {
    const v = str(camel(flag));
    if (v !== undefined) concurrency[key] = Number(v);
  }
  const options: ControllerManagerOptions = {
    ...DEFAULT_OPTIONS,
    clusterCIDR: str('clusterCidr'),
    allocateNodeCIDRs: boolFlag(o.allocateNodeCidrs),
    nodeCIDRMaskSize: Number(o.nodeCidrMaskSize),
    serviceClusterIPRange: str('serviceClusterIpRange'),
    serviceAccountPrivateKeyFile: str('serviceAccountPrivateKeyFile'),
    rootCAFile: str('rootCaFile'),
    clusterSigningCertFile: str('clusterSigningCertFile'),
    clusterSigningKeyFile: str('clusterSigningKeyFile'),
    clusterSigningDurationMs: dur('clusterSigningDuration'),
    nodeMonitorGracePeriodMs: dur('nodeMonitorGracePeriod'),
    nodeMonitorPeriodMs: dur('nodeMonitorPeriod'),
    nodeStartupGracePeriodMs: dur('nodeStartupGracePeriod'),
    terminatedPodGCThreshold: Number(o.terminatedPodGcThreshold),
    hpaSyncPeriodMs: dur('horizontalPodAutoscalerSyncPeriod'),
    maxEndpointsPerSlice: Number(o.maxEndpointsPerSlice),
    endpointUpdatesBatchPeriodMs: dur('endpointUpdatesBatchPeriod'),
    endpointSliceUpdatesBatchPeriodMs: dur('endpointsliceUpdatesBatchPeriod'),
    concurrency,
  };
  if (options.allocateNodeCIDRs && !options.clusterCIDR) fail('--cluster-cidr must be set when --allocate-node-cidrs is true');

  const clientCfg = buildConfig(str('kubeconfig'), str('master'));
  clientCfg.qps = Number(o.kubeApiQps);
  clientCfg.burst = Number(o.kubeApiBurst);
  clientCfg.userAgent = 'kube-controller-manager/v1.32.0 (linux/amd64) kube-ts';
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const rest = new RestClient(clientCfg, { registry });
  const manager = new ControllerManager({ rest, options, logger, metrics: registry, descriptors: DESCRIPTORS, enabled });

  await runComponent({
    name: 'kube-controller-manager', rest, logger, registry,
    leaderElection: boolFlag(o.leaderElect)
      ? {
        namespace: String(o.leaderElectResourceNamespace), name: String(o.leaderElectResourceName),
        leaseDurationMs: dur('leaderElectLeaseDuration'), renewDeadlineMs: dur('leaderElectRenewDeadline'), retryPeriodMs: dur('leaderElectRetryPeriod'),
      }
      : undefined,
    serving: { port: Number(o.securePort), bindAddress: String(o.bindAddress), certFile: str('tlsCertFile'), keyFile: str('tlsPrivateKeyFile') },
    startedLeadingMessage: 'became leader; starting controllers',
    runFailedMessage: 'controller manager failed',
    run: (signal) => manager.run(signal),
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`E kube-controller-manager: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
