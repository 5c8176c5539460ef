// kube-proxy's command line with pflag's grammar and messages (--name=value, --name value, bare
// booleans, -v shorthand, "--" ends flags). Flags bound to the configuration are applied to a
// defaulted KubeProxyConfiguration as they are parsed, as pflag writes straight into the struct;
// the option-only ones (and which flags were given) come back for Complete's precedence rules.
import { isIP } from 'node:net';
import { parseDuration } from './duration.js';
import { splitHostPort } from './hostport.js';
import { ConfigError, type KubeProxyConfiguration } from './types.js';

type FlagKind = 'string' | 'bool' | 'int32' | 'float32' | 'duration' | 'stringSlice' | 'mapBool' | 'ip' | 'ipport';
type Value = string | boolean | number | string[] | Record<string, boolean>;

/** The options that are not configuration fields (upstream's Options struct). */
export interface CommandLine {
  configFile: string;
  writeConfigTo: string;
  cleanup: boolean;
  initOnly: boolean;
  master: string;
  hostnameOverride: string;
  healthzPort: number;
  metricsPort: number;
  iptablesSyncPeriod: string;
  iptablesMinSyncPeriod: string;
  ipvsSyncPeriod: string;
  ipvsMinSyncPeriod: string;
  clusterCIDRs: string;
  masqueradeAll: boolean;
  verbosity: number;
  help: boolean;
}

interface FlagDef {
  name: string;
  short?: string;
  kind: FlagKind;
  usage: string;
  set(cfg: KubeProxyConfiguration, cl: CommandLine, v: Value): void;
}

const f = (name: string, kind: FlagKind, usage: string, set: FlagDef['set'], short?: string): FlagDef => ({ name, kind, usage, set, short });
const dur = (v: Value): string => String(v);

export const FLAGS: FlagDef[] = [
  f('config', 'string', 'The path to the configuration file.', (_c, o, v) => { o.configFile = String(v); }),
  f('write-config-to', 'string', 'If set, write the default configuration values to this file and exit.', (_c, o, v) => { o.writeConfigTo = String(v); }),
  f('cleanup', 'bool', 'If true cleanup iptables and ipvs rules and exit.', (_c, o, v) => { o.cleanup = v === true; }),
  f('init-only', 'bool', 'If true, perform any initialization steps that must be done with full root privileges, and then exit.', (_c, o, v) => { o.initOnly = v === true; }),
  f('feature-gates', 'mapBool', 'A set of key=value pairs that describe feature gates for alpha/experimental features. This parameter is ignored if a config file is specified by --config.', (c, _o, v) => { c.featureGates = { ...c.featureGates, ...(v as Record<string, boolean>) }; }),
  f('kubeconfig', 'string', 'Path to kubeconfig file with authorization information (the master location can be overridden by the master flag).', (c, _o, v) => { c.clientConnection.kubeconfig = String(v); }),
  f('master', 'string', 'The address of the Kubernetes API server (overrides any value in kubeconfig)', (_c, o, v) => { o.master = String(v); }),
  f('kube-api-content-type', 'string', 'Content type of requests sent to apiserver.', (c, _o, v) => { c.clientConnection.contentType = String(v); }),
  f('kube-api-burst', 'int32', 'Burst to use while talking with kubernetes apiserver', (c, _o, v) => { c.clientConnection.burst = Number(v); }),
  f('kube-api-qps', 'float32', 'QPS to use while talking with kubernetes apiserver', (c, _o, v) => { c.clientConnection.qps = Number(v); }),
  f('hostname-override', 'string', 'If non-empty, will be used as the name of the Node that kube-proxy is running on. If unset, the node name is assumed to be the same as the node\'s hostname.', (_c, o, v) => { o.hostnameOverride = String(v); }),
  f('bind-address', 'ip', 'Overrides kube-proxy\'s idea of what its node\'s primary IP is. This parameter is ignored if a config file is specified by --config.', (c, _o, v) => { c.bindAddress = String(v); }),
  f('healthz-bind-address', 'ipport', 'The IP address and port for the health check server to serve on, defaulting to "0.0.0.0:10256". This parameter is ignored if a config file is specified by --config.', (c, _o, v) => { c.healthzBindAddress = String(v); }),
  f('metrics-bind-address', 'ipport', 'The IP address and port for the metrics server to serve on, defaulting to "127.0.0.1:10249". Set empty to disable. This parameter is ignored if a config file is specified by --config.', (c, _o, v) => { c.metricsBindAddress = String(v); }),
  f('bind-address-hard-fail', 'bool', 'If true kube-proxy will treat failure to bind to a port as fatal and exit', (c, _o, v) => { c.bindAddressHardFail = v === true; }),
  f('profiling', 'bool', 'If true enables profiling via web interface on /debug/pprof handler (accepted; no profiling handlers are served).', (c, _o, v) => { c.enableProfiling = v === true; }),
  f('show-hidden-metrics-for-version', 'string', 'The previous version for which you want to show hidden metrics.', (c, _o, v) => { c.showHiddenMetricsForVersion = String(v); }),
  f('proxy-mode', 'string', "Which proxy mode to use: on Linux this can be 'iptables' (default), 'ipvs', or 'nftables'. This parameter is ignored if a config file is specified by --config.", (c, _o, v) => { c.mode = String(v); }),
  f('iptables-masquerade-bit', 'int32', 'If using the iptables or ipvs proxy mode, the bit of the fwmark space to mark packets requiring SNAT with.  Must be within the range [0, 31].', (c, _o, v) => { c.iptables.masqueradeBit = Number(v); }),
  f('masquerade-all', 'bool', 'SNAT all traffic sent via Service cluster IPs. This may be required with some CNI plugins. Only supported on Linux.', (_c, o, v) => { o.masqueradeAll = v === true; }),
  f('iptables-localhost-nodeports', 'bool', 'If false, kube-proxy will disable the legacy behavior of allowing NodePort services to be accessed via localhost.', (c, _o, v) => { c.iptables.localhostNodePorts = v === true; }),
  f('iptables-sync-period', 'duration', "An interval (e.g. '5s', '1m', '2h22m') indicating how frequently various re-synchronizing and cleanup operations are performed. Must be greater than 0.", (_c, o, v) => { o.iptablesSyncPeriod = dur(v); }),
  f('iptables-min-sync-period', 'duration', "The minimum period between iptables rule resyncs (e.g. '5s', '1m', '2h22m'). A value of 0 means every Service or EndpointSlice change will result in an immediate iptables resync.", (_c, o, v) => { o.iptablesMinSyncPeriod = dur(v); }),
  f('ipvs-sync-period', 'duration', 'Accepted; there is no ipvs mode here.', (_c, o, v) => { o.ipvsSyncPeriod = dur(v); }),
  f('ipvs-min-sync-period', 'duration', 'Accepted; there is no ipvs mode here.', (_c, o, v) => { o.ipvsMinSyncPeriod = dur(v); }),
  f('ipvs-scheduler', 'string', 'The ipvs scheduler type when proxy mode is ipvs', (c, _o, v) => { c.ipvs.scheduler = String(v); }),
  f('ipvs-exclude-cidrs', 'stringSlice', 'A comma-separated list of CIDRs which the ipvs proxier should not touch when cleaning up IPVS rules.', (c, _o, v) => { c.ipvs.excludeCIDRs = v as string[]; }),
  f('ipvs-strict-arp', 'bool', 'Enable strict ARP by setting arp_ignore to 1 and arp_announce to 2', (c, _o, v) => { c.ipvs.strictARP = v === true; }),
  f('ipvs-tcp-timeout', 'duration', 'The timeout for idle IPVS TCP connections, 0 to leave as-is.', (c, _o, v) => { c.ipvs.tcpTimeout = dur(v); }),
  f('ipvs-tcpfin-timeout', 'duration', 'The timeout for IPVS TCP connections after receiving a FIN packet, 0 to leave as-is.', (c, _o, v) => { c.ipvs.tcpFinTimeout = dur(v); }),
  f('ipvs-udp-timeout', 'duration', 'The timeout for IPVS UDP packets, 0 to leave as-is.', (c, _o, v) => { c.ipvs.udpTimeout = dur(v); }),
  f('detect-local-mode', 'string', 'Mode to use to detect local traffic. This parameter is ignored if a config file is specified by --config.', (c, _o, v) => { c.detectLocalMode = String(v); }),
  f('pod-bridge-interface', 'string', 'A bridge interface name. When --detect-local-mode is set to BridgeInterface, kube-proxy will consider traffic to be local if it originates from this bridge.', (c, _o, v) => { c.detectLocal.bridgeInterface = String(v); }),
  f('pod-interface-name-prefix', 'string', 'An interface name prefix. When --detect-local-mode is set to InterfaceNamePrefix, kube-proxy will consider traffic to be local if it originates from any interface whose name begins with this prefix.', (c, _o, v) => { c.detectLocal.interfaceNamePrefix = String(v); }),
  f('cluster-cidr', 'string', 'The CIDR range of the pods in the cluster. (For dual-stack clusters, this can be a comma-separated dual-stack pair of CIDR ranges.) This parameter is ignored if a config file is specified by --config.', (_c, o, v) => { o.clusterCIDRs = String(v); }),
  f('nodeport-addresses', 'stringSlice', "A list of CIDR ranges that contain valid node IPs, or alternatively, the single string 'primary'. If unset, NodePort connections will be accepted on all local IPs. This parameter is ignored if a config file is specified by --config.", (c, _o, v) => { c.nodePortAddresses = v as string[]; }),
  f('oom-score-adj', 'int32', 'The oom-score-adj value for kube-proxy process. Values must be within the range [-1000, 1000].', (c, _o, v) => { c.oomScoreAdj = Number(v); }),
  f('conntrack-max-per-core', 'int32', 'Maximum number of NAT connections to track per CPU core (0 to leave the limit as-is and ignore conntrack-min).', (c, _o, v) => { c.conntrack.maxPerCore = Number(v); }),
  f('conntrack-min', 'int32', 'Minimum number of conntrack entries to allocate, regardless of conntrack-max-per-core.', (c, _o, v) => { c.conntrack.min = Number(v); }),
  f('conntrack-tcp-timeout-established', 'duration', 'Idle timeout for established TCP connections (0 to leave as-is)', (c, _o, v) => { c.conntrack.tcpEstablishedTimeout = dur(v); }),
  f('conntrack-tcp-timeout-close-wait', 'duration', 'NAT timeout for TCP connections in the CLOSE_WAIT state', (c, _o, v) => { c.conntrack.tcpCloseWaitTimeout = dur(v); }),
  f('conntrack-tcp-be-liberal', 'bool', 'Enable liberal mode for tracking TCP packets by setting nf_conntrack_tcp_be_liberal to 1', (c, _o, v) => { c.conntrack.tcpBeLiberal = v === true; }),
  f('conntrack-udp-timeout', 'duration', 'Idle timeout for UNREPLIED UDP connections (0 to leave as-is)', (c, _o, v) => { c.conntrack.udpTimeout = dur(v); }),
  f('conntrack-udp-timeout-stream', 'duration', 'Idle timeout for ASSURED UDP connections (0 to leave as-is)', (c, _o, v) => { c.conntrack.udpStreamTimeout = dur(v); }),
  f('config-sync-period', 'duration', 'How often configuration from the apiserver is refreshed.  Must be greater than 0.', (c, _o, v) => { c.configSyncPeriod = dur(v); }),
  f('healthz-port', 'int32', 'The port to bind the health check server. Use 0 to disable. (DEPRECATED: use --healthz-bind-address)', (_c, o, v) => { o.healthzPort = Number(v); }),
  f('metrics-port', 'int32', 'The port to bind the metrics server. Use 0 to disable. (DEPRECATED: use --metrics-bind-address)', (_c, o, v) => { o.metricsPort = Number(v); }),
  f('v', 'int32', 'number for the log level verbosity', (c, o, v) => { o.verbosity = Number(v); c.logging.verbosity = Number(v); }, 'v'),
  f('help', 'bool', 'help for kube-proxy', (_c, o, v) => { o.help = v === true; }, 'h'),
];

function parseValue(def: FlagDef, raw: string): Value {
  const bad = (why: string): ConfigError => new ConfigError(`invalid argument ${JSON.stringify(raw)} for "${def.short ? `-${def.short}, ` : ''}--${def.name}" flag: ${why}`);
  switch (def.kind) {
    case 'bool':
      if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
      if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
      throw bad(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
    case 'int32': {
      if (!/^[+-]?\d+$/.test(raw)) throw bad(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
      const n = Number(raw);
      if (n < -(2 ** 31) || n >= 2 ** 31) throw bad(`strconv.ParseInt: parsing ${JSON.stringify(raw)}: value out of range`);
      return n;
    }
    case 'float32':
      if (raw.trim() === '' || Number.isNaN(Number(raw))) throw bad(`strconv.ParseFloat: parsing ${JSON.stringify(raw)}: invalid syntax`);
      return Number(raw);
    case 'duration':
      try { parseDuration(raw); } catch (e) { throw bad((e as Error).message); }
      return raw;
    case 'stringSlice':
      return raw === '' ? [] : raw.split(',').map((s) => s.trim());
    case 'mapBool': {
      const out: Record<string, boolean> = {};
      for (const kv of raw.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
        const [k, v] = kv.split('=', 2);
        if (v === undefined) throw bad(`missing bool value for ${k}`);
        const b = v.trim().toLowerCase();
        if (b !== 'true' && b !== 'false') throw bad(`invalid value of ${k}=${v}, err: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
        out[k!.trim()] = b === 'true';
      }
      return out;
    }
    case 'ip':
      if (isIP(raw.trim()) === 0) throw bad(`${JSON.stringify(raw)} is not a valid IP address`);
      return raw.trim();
    case 'ipport': {
      // utilflag.IPPortVar: an IP, or IP:port; empty is allowed.
      if (raw === '' || isIP(raw) !== 0) return raw;
      const hp = splitHostPort(raw);
      if (hp instanceof Error || isIP(hp[0]) === 0 || !/^\d+$/.test(hp[1])) throw bad(`${JSON.stringify(raw)} is not in a valid format (ip or ip:port): ${hp instanceof Error ? hp.message : 'bad ip or port'}`);
      return raw;
    }
    default:
      return raw;
  }
}

export interface ParsedFlags { cl: CommandLine; changed: Set<string>; args: string[] }

/** Parses argv, writing config-bound flags into `cfg`. */
export function parseFlags(argv: string[], cfg: KubeProxyConfiguration): ParsedFlags {
  const cl: CommandLine = {
    configFile: '', writeConfigTo: '', cleanup: false, initOnly: false, master: '', hostnameOverride: '',
    healthzPort: 10256, metricsPort: 10249, iptablesSyncPeriod: '', iptablesMinSyncPeriod: '', ipvsSyncPeriod: '',
    ipvsMinSyncPeriod: '', clusterCIDRs: '', masqueradeAll: false, verbosity: 0, help: false,
  };
  const changed = new Set<string>();
  const args: string[] = [];
  const byName = new Map(FLAGS.map((d) => [d.name, d]));
  const byShort = new Map(FLAGS.filter((d) => d.short).map((d) => [d.short!, d]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { args.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { args.push(a); continue; }
    const long = a.startsWith('--');
    const body = a.slice(long ? 2 : 1);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const def = long ? byName.get(name) : byShort.get(name);
    if (!def) throw new ConfigError(long ? `unknown flag: --${name}` : `unknown shorthand flag: '${name[0]}' in ${a}`);
    let raw: string;
    if (eq >= 0) raw = body.slice(eq + 1);
    else if (def.kind === 'bool') raw = 'true';
    else {
      if (i + 1 >= argv.length) throw new ConfigError(long ? `flag needs an argument: --${name}` : `flag needs an argument: '${name}' in -${name}`);
      raw = argv[++i]!;
    }
    def.set(cfg, cl, parseValue(def, raw));
    changed.add(def.name);
  }
  return { cl, changed, args };
}

export function usage(): string {
  const lines = FLAGS.map((d) => {
    const head = `${d.short ? `-${d.short}, ` : '    '}--${d.name}${d.kind === 'bool' ? '' : ` ${d.kind === 'ipport' || d.kind === 'ip' ? 'string' : d.kind}`}`;
    return `      ${head.padEnd(48)} ${d.usage}`;
  });
  return [
    'The Kubernetes network proxy runs on each node. This reflects services as defined in the Kubernetes API on each',
    'node and can do simple TCP, UDP, and SCTP stream forwarding or round robin TCP, UDP, and SCTP forwarding across a set of backends.',
    '', 'Usage:', '  kube-proxy [flags]', '', 'Flags:', ...lines,
  ].join('\n');
}
