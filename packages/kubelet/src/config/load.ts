// loadKubeletSettings: upstream's startup order (cmd/kubelet/app/server.go) -- parse the flags,
// validate the command-line-only ones, load and default the --config file, lay the config-backed
// flags over it (flags win), validate the result, then derive the node name and parsed durations.
import { isIP } from 'node:net';
import { hostname as osHostname } from 'node:os';
import { milliValue } from '@kube-ts/client';
import { defaultKubeletConfiguration } from './defaults.js';
import { parseDuration } from './duration.js';
import { loadConfigFile } from './file.js';
import { kubeletUsage, parseKubeletFlags, type ConfigOverride } from './flags.js';
import { validateNodeLabels } from './labels.js';
import { UsageError, type KubeletConfiguration, type KubeletSettings } from './types.js';
import { aggregate, validateKubeletConfiguration } from './validate.js';

export interface LoadOptions {
  /** os.hostname() (tests inject one). */
  hostname?: () => string;
}

function applyOverride(cfg: KubeletConfiguration, o: ConfigOverride): void {
  const path = o.path.split('.');
  let obj = cfg as unknown as Record<string, unknown>;
  for (const p of path.slice(0, -1)) obj = obj[p] as Record<string, unknown>;
  const last = path[path.length - 1]!;
  // Feature gates from the command line are merged over the file's, key by key.
  if (o.path === 'featureGates') obj[last] = { ...cfg.featureGates, ...(o.value as Record<string, boolean>) };
  else obj[last] = o.value;
}

/** server.go parseResourceList for --system-reserved / --kube-reserved. */
function checkReserved(flag: string, m: Record<string, string>): void {
  for (const [k, v] of Object.entries(m)) {
    if (!['cpu', 'memory', 'ephemeral-storage', 'pid'].includes(k)) throw new UsageError(`--${flag} value failed to parse: cannot reserve "${k}" resource`);
    let q: number;
    try { q = milliValue(v); } catch (e) {
      throw new UsageError(`--${flag} value failed to parse: failed to parse quantity "${v}" for "${k}" resource: ${(e as Error).message}`);
    }
    if (q < 0) throw new UsageError(`--${flag} value failed to parse: resource quantity for "${k}" cannot be negative: ${v}`);
  }
}

/** nodeutil.GetHostname: the override or the OS hostname, trimmed and lowercased. */
export function getHostname(override: string, osName: () => string = osHostname): string {
  const name = (override || osName()).trim();
  if (!name) throw new UsageError('empty hostname is invalid');
  return name.toLowerCase();
}

function parseNodeIPs(arg: string): string[] {
  if (!arg) return [];
  const ips = arg.split(',').map((s) => s.trim());
  for (const ip of ips) if (!isIP(ip)) throw new UsageError(`failed to parse --node-ip: could not parse ${JSON.stringify(ip)}`);
  if (ips.length > 2 || (ips.length === 2 && isIP(ips[0]!) === isIP(ips[1]!))) {
    throw new UsageError(`failed to parse --node-ip: dual-stack node IP ${JSON.stringify(arg)} must include one IPv4 address and one IPv6 address`);
  }
  return ips;
}

export async function loadKubeletSettings(argv: string[], opts: LoadOptions = {}): Promise<KubeletSettings> {
  let parsed;
  try { parsed = parseKubeletFlags(argv); } catch (e) { throw new UsageError(`failed to parse kubelet flag: ${(e as Error).message}`); }
  if (parsed.args.length > 0) throw new UsageError(`unknown command ${parsed.args[0]}`);
  const { cli } = parsed;
  if (cli.help) throw new UsageError(kubeletUsage(), true);
  try { validateNodeLabels(cli.nodeLabels); } catch (e) { throw new UsageError(`failed to validate kubelet flags: ${(e as Error).message}`); }

  const warnings = [...parsed.warnings];
  let config = defaultKubeletConfiguration();
  if (cli.config) {
    try {
      const loaded = loadConfigFile(cli.config);
      config = loaded.config;
      warnings.push(...loaded.warnings);
    } catch (e) {
      throw new UsageError(`failed to load kubelet config file, path: ${cli.config}, error: ${(e as Error).message}`);
    }
  }
  for (const o of parsed.overrides) applyOverride(config, o);

  const errs = validateKubeletConfiguration(config);
  if (errs.length) throw new UsageError(`failed to validate kubelet configuration, error: ${aggregate(errs)}`);
  checkReserved('system-reserved', config.systemReserved);
  checkReserved('kube-reserved', config.kubeReserved);

  const nodeName = getHostname(cli.hostnameOverride, opts.hostname);
  const nodeIPs = parseNodeIPs(cli.nodeIP);
  const d = parseDuration;
  return {
    nodeName,
    hostname: nodeName,
    hostnameOverridden: cli.hostnameOverride.trim() !== '',
    kubeconfig: cli.kubeconfig,
    configFile: cli.config || undefined,
    rootDir: cli.rootDir,
    nodeIP: nodeIPs[0],
    nodeIPs,
    nodeLabels: cli.nodeLabels,
    containerRuntimeEndpoint: config.containerRuntimeEndpoint,
    imageServiceEndpoint: config.imageServiceEndpoint || undefined,
    staticPodPath: config.staticPodPath || undefined,
    certDir: cli.certDir,
    verbosity: config.logging.verbosity,
    config,
    warnings,
    syncFrequencyMs: d(config.syncFrequency),
    fileCheckFrequencyMs: d(config.fileCheckFrequency),
    httpCheckFrequencyMs: d(config.httpCheckFrequency),
    nodeStatusUpdateFrequencyMs: d(config.nodeStatusUpdateFrequency),
    nodeStatusReportFrequencyMs: d(config.nodeStatusReportFrequency),
    runtimeRequestTimeoutMs: d(config.runtimeRequestTimeout),
    evictionPressureTransitionPeriodMs: d(config.evictionPressureTransitionPeriod),
    shutdownGracePeriodMs: d(config.shutdownGracePeriod),
    shutdownGracePeriodCriticalPodsMs: d(config.shutdownGracePeriodCriticalPods),
    streamingConnectionIdleTimeoutMs: d(config.streamingConnectionIdleTimeout),
    imageMinimumGCAgeMs: d(config.imageMinimumGCAge),
    imageMaximumGCAgeMs: d(config.imageMaximumGCAge),
    volumeStatsAggPeriodMs: d(config.volumeStatsAggPeriod),
    cpuManagerReconcilePeriodMs: d(config.cpuManagerReconcilePeriod),
    cpuCFSQuotaPeriodMs: d(config.cpuCFSQuotaPeriod),
    containerLogMonitorIntervalMs: d(config.containerLogMonitorInterval),
    nodeLeaseRenewIntervalMs: config.nodeLeaseDurationSeconds * 1000 * 0.25,
  };
}
