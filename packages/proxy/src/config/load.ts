// kube-proxy's startup order (cmd/kube-proxy/app/options.go, v1.32): parse the flags over a
// defaulted configuration; with --config the file replaces that configuration entirely except
// for -v, --hostname-override and --master (flags marked "ignored if a config file is
// specified"); without it the option-only flags are folded in; then the Linux platform defaults,
// the hostname override, and validation. Errors carry upstream's "failed complete:" /
// "failed validate:" prefixes.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { decodeConfiguration } from './decode.js';
import { appendPortIfNeeded, defaultConfiguration, platformApplyDefaults } from './defaults.js';
import { parseFlags, usage } from './flags.js';
import { ConfigError, type KubeProxyConfiguration } from './types.js';
import { aggregate, validateConfiguration } from './validate.js';

export interface ProxySettings {
  /** The complete, validated configuration. */
  config: KubeProxyConfiguration;
  /** --master: overrides the kubeconfig's server. */
  master: string;
  configFile: string;
  cleanup: boolean;
  /** --init-only: nothing to do here but exit. */
  initOnly: boolean;
  writeConfigTo: string;
  /** Lenient-decoding notes to log (upstream logs them and goes on). */
  warnings: string[];
  /** Set when --help was given: print it and exit 0. */
  help?: string;
}

export interface LoadOptions { readFile?: (path: string) => string }

/** addressFromDeprecatedFlags: port 0 disables the server, else the port is appended when missing. */
function addressFromDeprecatedFlags(addr: string, port: number): string {
  return port === 0 ? '' : appendPortIfNeeded(addr, port);
}

export function loadProxySettings(argv: string[], opts: LoadOptions = {}): ProxySettings {
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let config = defaultConfiguration();
  const { cl, changed, args } = parseFlags(argv, config);
  if (cl.help) return { config, master: cl.master, configFile: '', cleanup: false, initOnly: false, writeConfigTo: '', warnings: [], help: usage() };
  const extra = args.filter((a) => a !== '');
  if (extra.length) throw new ConfigError(`"kube-proxy" does not take any arguments, got [${args.map((a) => JSON.stringify(a)).join(' ')}]`);

  const warnings: string[] = [];
  const complete = (msg: string): ConfigError => new ConfigError(`failed complete: ${msg}`);
  if (!cl.configFile && !cl.writeConfigTo) {
    config.healthzBindAddress = addressFromDeprecatedFlags(config.healthzBindAddress, cl.healthzPort);
    config.metricsBindAddress = addressFromDeprecatedFlags(config.metricsBindAddress, cl.metricsPort);
  }
  if (cl.configFile) {
    let text: string;
    try { text = read(cl.configFile); } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw complete(err.code === 'ENOENT' ? `open ${cl.configFile}: no such file or directory` : `open ${cl.configFile}: ${err.message}`);
    }
    let decoded;
    try { decoded = decodeConfiguration(text); } catch (e) { throw complete((e as Error).message); }
    warnings.push(...decoded.warnings);
    // Logging flags win over the file (copyLogsFromFlags).
    if (changed.has('v')) decoded.config.logging.verbosity = cl.verbosity;
    config = decoded.config;
  } else {
    // processV1Alpha1Flags: the sync-period flags feed the mode's own section (as the internal
    // config's single SyncPeriod converts back); --masquerade-all likewise.
    const section = config.mode === 'nftables' ? config.nftables : config.iptables;
    if (changed.has('iptables-sync-period') && config.mode !== 'ipvs') section.syncPeriod = cl.iptablesSyncPeriod;
    if (changed.has('iptables-min-sync-period') && config.mode !== 'ipvs') section.minSyncPeriod = cl.iptablesMinSyncPeriod;
    if (changed.has('ipvs-sync-period') && config.mode === 'ipvs') config.ipvs.syncPeriod = cl.ipvsSyncPeriod;
    if (changed.has('ipvs-min-sync-period') && config.mode === 'ipvs') config.ipvs.minSyncPeriod = cl.ipvsMinSyncPeriod;
    if (changed.has('cluster-cidr')) config.clusterCIDR = cl.clusterCIDRs;
    if (changed.has('masquerade-all')) section.masqueradeAll = cl.masqueradeAll;
  }
  platformApplyDefaults(config);
  if (cl.hostnameOverride.length > 0) {
    const h = cl.hostnameOverride.trim();
    if (!h) throw complete('empty hostname-override is invalid');
    config.hostnameOverride = h.toLowerCase();
  }
  const errs = validateConfiguration(config);
  if (errs.length) throw new ConfigError(`failed validate: ${aggregate(errs)}`);
  return { config, master: cl.master, configFile: cl.configFile, cleanup: cl.cleanup, initOnly: cl.initOnly, writeConfigTo: cl.writeConfigTo, warnings };
}

/** The configuration as --write-config-to writes it: YAML with keys sorted, as Go's encoder does. */
export function encodeConfiguration(c: KubeProxyConfiguration): string {
  const out: Record<string, unknown> = { ...c };
  // omitempty fields
  if (Object.keys(c.featureGates).length === 0) delete out.featureGates;
  if (!c.windowsRunAsService) delete out.windowsRunAsService;
  return stringify(out, { sortMapEntries: true, nullStr: 'null' });
}
