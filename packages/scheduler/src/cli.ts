#!/usr/bin/env node
// kube-scheduler: upstream's flags and KubeSchedulerConfiguration file, Lease leader election,
// and the secure port with /healthz, /livez, /readyz and /metrics.
import { hostname } from 'node:os';
import { Command } from 'commander';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { buildConfig } from '@kube-ts/client/kubeconfig';
import { RestClient } from '@kube-ts/client/rest';
import { runComponent } from '@kube-ts/client/componentmain';
import { ConfigError, defaultConfig, loadConfigFile, parseDuration } from './config/load.js';
import { Scheduler } from './scheduler.js';

const program = new Command('kube-scheduler')
  .description('The Kubernetes scheduler: places pods on nodes through the scheduling framework.')
  .option('--config <file>', 'The path to the KubeSchedulerConfiguration file.')
  .option('--kubeconfig <file>', 'Path to kubeconfig file with authorization and master location information (overrides clientConnection.kubeconfig).')
  .option('--master <url>', 'The address of the Kubernetes API server (overrides any value in kubeconfig).')
  .option('--leader-elect [bool]', 'Start a leader election client and gain leadership before executing the main loop.')
  .option('--leader-elect-lease-duration <d>', 'Lease duration (Go duration).')
  .option('--leader-elect-renew-deadline <d>', 'Renew deadline (Go duration).')
  .option('--leader-elect-retry-period <d>', 'Retry period (Go duration).')
  .option('--leader-elect-resource-name <name>', 'The name of the Lease used for locking.')
  .option('--leader-elect-resource-namespace <ns>', 'The namespace of the Lease used for locking.')
  .option('--kube-api-qps <n>', 'QPS to use while talking with kubernetes apiserver.')
  .option('--kube-api-burst <n>', 'Burst to use while talking with kubernetes apiserver.')
  .option('--secure-port <port>', 'The port on which to serve HTTPS (0 disables).', '10259')
  .option('--bind-address <ip>', 'The IP address on which to listen for the --secure-port port.', '0.0.0.0')
  .option('--tls-cert-file <file>', 'File containing the default x509 certificate for HTTPS.')
  .option('--tls-private-key-file <file>', 'File containing the default x509 private key matching --tls-cert-file.')
  .option('--authentication-kubeconfig <file>', 'Accepted for compatibility; the secure port does not delegate authentication yet.')
  .option('--authorization-kubeconfig <file>', 'Accepted for compatibility; the secure port does not delegate authorization yet.')
  .option('-v, --v <level>', 'Log verbosity (>= 4 is debug).', '0');

function boolFlag(v: unknown): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === true) return true;
  return String(v) !== 'false';
}

async function main(): Promise<void> {
  program.parse();
  const o = program.opts<Record<string, string | boolean | undefined>>();
  const logger = pino({ level: Number(o.v) >= 4 ? 'debug' : 'info', base: { component: 'kube-scheduler' } }, pino.destination(2));
  let cfg;
  try {
    cfg = o.config ? loadConfigFile(String(o.config)) : defaultConfig();
  } catch (e) {
    if (e instanceof ConfigError) { process.stderr.write(`E kube-scheduler: ${e.message}\n`); process.exit(1); }
    throw e;
  }
  const le = cfg.leaderElection;
  const leFlag = boolFlag(o.leaderElect);
  if (leFlag !== undefined) le.leaderElect = leFlag;
  if (o.leaderElectLeaseDuration) le.leaseDuration = String(o.leaderElectLeaseDuration);
  if (o.leaderElectRenewDeadline) le.renewDeadline = String(o.leaderElectRenewDeadline);
  if (o.leaderElectRetryPeriod) le.retryPeriod = String(o.leaderElectRetryPeriod);
  if (o.leaderElectResourceName) le.resourceName = String(o.leaderElectResourceName);
  if (o.leaderElectResourceNamespace) le.resourceNamespace = String(o.leaderElectResourceNamespace);
  if (o.kubeApiQps) cfg.clientConnection.qps = Number(o.kubeApiQps);
  if (o.kubeApiBurst) cfg.clientConnection.burst = Number(o.kubeApiBurst);
  const kubeconfig = (o.kubeconfig as string | undefined) ?? (cfg.clientConnection.kubeconfig || undefined);
  const clientCfg = buildConfig(kubeconfig, o.master as string | undefined);
  clientCfg.qps = cfg.clientConnection.qps;
  clientCfg.burst = cfg.clientConnection.burst;
  clientCfg.userAgent = 'kube-scheduler/v1.32.0 (linux/amd64) kube-ts';

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const rest = new RestClient(clientCfg, { registry });
  const scheduler = new Scheduler({ rest, config: cfg, logger, metricsRegistry: registry, host: hostname() });
  await runComponent({
    name: 'kube-scheduler', eventComponent: 'default-scheduler', rest, logger, registry,
    leaderElection: le.leaderElect
      ? {
        namespace: le.resourceNamespace, name: le.resourceName,
        leaseDurationMs: parseDuration(le.leaseDuration), renewDeadlineMs: parseDuration(le.renewDeadline), retryPeriodMs: parseDuration(le.retryPeriod),
      }
      : undefined,
    serving: { port: Number(o.securePort), bindAddress: String(o.bindAddress), certFile: o.tlsCertFile as string | undefined, keyFile: o.tlsPrivateKeyFile as string | undefined },
    startedLeadingMessage: 'became leader; starting scheduling',
    runFailedMessage: 'scheduler failed',
    run: (signal) => scheduler.run(signal),
  });
}

main().catch((e: unknown) => {
  process.stderr.write(`E kube-scheduler: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
