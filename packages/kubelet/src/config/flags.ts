// The kubelet's command line with pflag's grammar and messages: --name=value, --name value,
// bare boolean flags, -v/-h shorthands, map flags that replace then accumulate across repeats,
// "--" ends the flags. Config-backed flags become overrides laid over the --config file (upstream
// re-parses the command line over the loaded file: flags win).
import { parseDuration } from './duration.js';
import { parseTaints } from './labels.js';

type FlagKind = 'string' | 'bool' | 'int32' | 'int64' | 'float' | 'duration' | 'mapString' | 'mapLangle' | 'stringSlice' | 'mapBool' | 'taints';

/** Command-line-only settings (KubeletFlags upstream). */
export interface CliFlags {
  kubeconfig: string;
  bootstrapKubeconfig: string;
  config: string;
  hostnameOverride: string;
  nodeIP: string;
  rootDir: string;
  nodeLabels: Record<string, string>;
  certDir: string;
  help: boolean;
}

interface FlagDef {
  name: string;
  short?: string;
  kind: FlagKind;
  usage: string;
  /** Dotted KubeletConfiguration path, or a CliFlags key prefixed "cli:"; "ignore" accepts and drops the value. */
  target: string;
}

const cfg = (name: string, kind: FlagKind, target: string, usage: string): FlagDef => ({ name, kind, target, usage });
const cli = (name: string, kind: FlagKind, key: keyof CliFlags, usage: string, short?: string): FlagDef => ({ name, kind, target: `cli:${key}`, usage, short });
const ignored = (name: string, kind: FlagKind, usage: string): FlagDef => ({ name, kind, target: 'ignore', usage });

export const KUBELET_FLAGS: FlagDef[] = [
  cli('kubeconfig', 'string', 'kubeconfig', 'Path to a kubeconfig file, specifying how to connect to the API server.'),
  cli('bootstrap-kubeconfig', 'string', 'bootstrapKubeconfig', 'Path to a kubeconfig file that will be used to get client certificate for kubelet (accepted; --kubeconfig must already hold credentials).'),
  cli('config', 'string', 'config', 'The Kubelet will load its initial configuration from this file. Command-line flags override configuration from this file.'),
  cli('hostname-override', 'string', 'hostnameOverride', 'If non-empty, will use this string as identification instead of the actual hostname.'),
  cli('node-ip', 'string', 'nodeIP', 'IP address (or comma-separated dual-stack IP addresses) of the node.'),
  cli('root-dir', 'string', 'rootDir', 'Directory path for managing kubelet files (volume mounts, etc). (default "/var/lib/kubelet")'),
  cli('node-labels', 'mapString', 'nodeLabels', '<Warning: Alpha feature> Labels to add when registering the node in the cluster. Labels must be key=value pairs separated by \',\'.'),
  cli('cert-dir', 'string', 'certDir', 'The directory where the TLS certs are located. (default "/var/lib/kubelet/pki")'),
  { name: 'v', short: 'v', kind: 'int32', target: 'logging.verbosity', usage: 'number for the log level verbosity' },
  cli('help', 'bool', 'help', 'help for kubelet', 'h'),
  cfg('container-runtime-endpoint', 'string', 'containerRuntimeEndpoint', 'The endpoint of remote runtime service. (default "unix:///run/containerd/containerd.sock")'),
  cfg('image-service-endpoint', 'string', 'imageServiceEndpoint', 'The endpoint of remote image service. If not specified, it will be the same with --container-runtime-endpoint by default.'),
  cfg('pod-manifest-path', 'string', 'staticPodPath', 'Path to the directory containing static pod files to run, or the path to a single static pod file.'),
  cfg('register-node', 'bool', 'registerNode', 'Register the node with the apiserver. (default true)'),
  cfg('register-with-taints', 'taints', 'registerWithTaints', 'Register the node with the given list of taints (comma separated "<key>=<value>:<effect>"). No-op if register-node is false.'),
  cfg('address', 'string', 'address', 'The IP address for the Kubelet to serve on. (default 0.0.0.0)'),
  cfg('port', 'int32', 'port', 'The port for the Kubelet to serve on. (default 10250)'),
  cfg('read-only-port', 'int32', 'readOnlyPort', 'The read-only port for the Kubelet to serve on with no authentication/authorization (set to 0 to disable).'),
  cfg('tls-cert-file', 'string', 'tlsCertFile', 'File containing x509 Certificate used for serving HTTPS.'),
  cfg('tls-private-key-file', 'string', 'tlsPrivateKeyFile', 'File containing x509 private key matching --tls-cert-file.'),
  cfg('client-ca-file', 'string', 'authentication.x509.clientCAFile', 'If set, any request presenting a client certificate signed by one of the authorities in the client-ca-file is authenticated.'),
  cfg('anonymous-auth', 'bool', 'authentication.anonymous.enabled', 'Enables anonymous requests to the Kubelet server.'),
  cfg('authentication-token-webhook', 'bool', 'authentication.webhook.enabled', 'Use the TokenReview API to determine authentication for bearer tokens.'),
  cfg('authorization-mode', 'string', 'authorization.mode', 'Authorization mode for Kubelet server. Valid options are AlwaysAllow or Webhook.'),
  cfg('max-pods', 'int32', 'maxPods', 'Number of Pods that can run on this Kubelet. (default 110)'),
  cfg('pods-per-core', 'int32', 'podsPerCore', 'Number of Pods per core that can run on this Kubelet.'),
  cfg('pod-cidr', 'string', 'podCIDR', 'The CIDR to use for pod IP addresses, only used in standalone mode.'),
  cfg('cluster-dns', 'stringSlice', 'clusterDNS', 'Comma-separated list of DNS server IP address.'),
  cfg('cluster-domain', 'string', 'clusterDomain', 'Domain for this cluster.'),
  cfg('resolv-conf', 'string', 'resolvConf', 'Resolver configuration file used as the basis for the container DNS resolution configuration. (default "/etc/resolv.conf")'),
  cfg('cgroup-driver', 'string', 'cgroupDriver', 'Driver that the kubelet uses to manipulate cgroups on the host. Possible values: \'cgroupfs\', \'systemd\' (default "cgroupfs")'),
  cfg('cgroup-root', 'string', 'cgroupRoot', 'Optional root cgroup to use for pods.'),
  cfg('cgroups-per-qos', 'bool', 'cgroupsPerQOS', 'Enable creation of QoS cgroup hierarchy. (default true)'),
  cfg('eviction-hard', 'mapLangle', 'evictionHard', 'A set of eviction thresholds (e.g. memory.available<1Gi) that if met would trigger a pod eviction.'),
  cfg('eviction-soft', 'mapLangle', 'evictionSoft', 'A set of eviction thresholds (e.g. memory.available<1.5Gi) that if met over a corresponding grace period would trigger a pod eviction.'),
  cfg('eviction-soft-grace-period', 'mapString', 'evictionSoftGracePeriod', 'A set of eviction grace periods (e.g. memory.available=1m30s).'),
  cfg('eviction-pressure-transition-period', 'duration', 'evictionPressureTransitionPeriod', 'Duration for which the kubelet has to wait before transitioning out of an eviction pressure condition. (default 5m0s)'),
  cfg('eviction-minimum-reclaim', 'mapString', 'evictionMinimumReclaim', 'A set of minimum reclaims (e.g. imagefs.available=2Gi).'),
  cfg('eviction-max-pod-grace-period', 'int32', 'evictionMaxPodGracePeriod', 'Maximum allowed grace period (in seconds) to use when terminating pods in response to a soft eviction threshold being met.'),
  cfg('sync-frequency', 'duration', 'syncFrequency', 'Max period between synchronizing running containers and config. (default 1m0s)'),
  cfg('file-check-frequency', 'duration', 'fileCheckFrequency', 'Duration between checking config files for new data. (default 20s)'),
  cfg('http-check-frequency', 'duration', 'httpCheckFrequency', 'Duration between checking http for new data. (default 20s)'),
  cfg('node-status-update-frequency', 'duration', 'nodeStatusUpdateFrequency', 'Specifies how often kubelet posts node status to master. (default 10s)'),
  cfg('runtime-request-timeout', 'duration', 'runtimeRequestTimeout', 'Timeout of all runtime requests except long running request - pull, logs, exec and attach. (default 2m0s)'),
  cfg('streaming-connection-idle-timeout', 'duration', 'streamingConnectionIdleTimeout', 'Maximum time a streaming connection can be idle before the connection is automatically closed. (default 4h0m0s)'),
  cfg('minimum-image-ttl-duration', 'duration', 'imageMinimumGCAge', 'Minimum age for an unused image before it is garbage collected. (default 2m0s)'),
  cfg('image-gc-high-threshold', 'int32', 'imageGCHighThresholdPercent', 'The percent of disk usage after which image garbage collection is always run. (default 85)'),
  cfg('image-gc-low-threshold', 'int32', 'imageGCLowThresholdPercent', 'The percent of disk usage before which image garbage collection is never run. (default 80)'),
  cfg('fail-swap-on', 'bool', 'failSwapOn', 'Makes the Kubelet fail to start if swap is enabled on the node. (default true)'),
  cfg('system-reserved', 'mapString', 'systemReserved', 'A set of ResourceName=ResourceQuantity (e.g. cpu=200m,memory=500Mi,ephemeral-storage=1Gi,pid=1000) pairs that describe resources reserved for non-kubernetes components.'),
  cfg('kube-reserved', 'mapString', 'kubeReserved', 'A set of ResourceName=ResourceQuantity (e.g. cpu=200m,memory=500Mi,ephemeral-storage=1Gi,pid=1000) pairs that describe resources reserved for kubernetes system components.'),
  cfg('system-reserved-cgroup', 'string', 'systemReservedCgroup', 'Absolute name of the top level cgroup that is used to manage non-kubernetes components.'),
  cfg('kube-reserved-cgroup', 'string', 'kubeReservedCgroup', 'Absolute name of the top level cgroup that is used to manage kubernetes components.'),
  cfg('enforce-node-allocatable', 'stringSlice', 'enforceNodeAllocatable', 'A comma separated list of levels of node allocatable enforcement to be enforced by kubelet. (default [pods])'),
  cfg('serialize-image-pulls', 'bool', 'serializeImagePulls', 'Pull images one at a time. (default true)'),
  cfg('registry-qps', 'int32', 'registryPullQPS', 'If > 0, limit registry pull QPS to this value. (default 5)'),
  cfg('registry-burst', 'int32', 'registryBurst', 'Maximum size of a bursty pulls. (default 10)'),
  cfg('event-qps', 'int32', 'eventRecordQPS', 'QPS to limit event creations. (default 50)'),
  cfg('event-burst', 'int32', 'eventBurst', 'Maximum size of a bursty event records. (default 100)'),
  cfg('healthz-port', 'int32', 'healthzPort', 'The port of the localhost healthz endpoint (set to 0 to disable). (default 10248)'),
  cfg('healthz-bind-address', 'string', 'healthzBindAddress', 'The IP address for the healthz server to serve on. (default "127.0.0.1")'),
  cfg('kube-api-qps', 'int32', 'kubeAPIQPS', 'QPS to use while talking with kubernetes apiserver. (default 50)'),
  cfg('kube-api-burst', 'int32', 'kubeAPIBurst', 'Burst to use while talking with kubernetes apiserver. (default 100)'),
  cfg('provider-id', 'string', 'providerID', 'Unique identifier for identifying the node in a machine database, i.e cloudprovider.'),
  cfg('feature-gates', 'mapBool', 'featureGates', 'A set of key=value pairs that describe feature gates for alpha/experimental features.'),
  cfg('hairpin-mode', 'string', 'hairpinMode', 'How should the kubelet setup hairpin NAT. (default "promiscuous-bridge")'),
  cfg('max-open-files', 'int64', 'maxOpenFiles', 'Number of files that can be opened by Kubelet process. (default 1000000)'),
  cfg('pod-max-pids', 'int64', 'podPidsLimit', 'Set the maximum number of processes per pod. If -1, the kubelet defaults to the node allocatable pid capacity. (default -1)'),
  cfg('oom-score-adj', 'int32', 'oomScoreAdj', 'The oom-score-adj value for kubelet process. Values must be within the range [-1000, 1000] (default -999)'),
  cfg('container-log-max-size', 'string', 'containerLogMaxSize', 'Set the maximum size (e.g. 10Mi) of container log file before it is rotated. (default "10Mi")'),
  cfg('container-log-max-files', 'int32', 'containerLogMaxFiles', 'Set the maximum number of container log files that can be present for a container. (default 5)'),
  cfg('enable-server', 'bool', 'enableServer', 'Enable the Kubelet\'s server. (default true)'),
  cfg('enable-debugging-handlers', 'bool', 'enableDebuggingHandlers', 'Enables server endpoints for log collection and local running of containers and commands. (default true)'),
  cfg('rotate-certificates', 'bool', 'rotateCertificates', 'Auto rotate the kubelet client certificates.'),
  cfg('cpu-cfs-quota', 'bool', 'cpuCFSQuota', 'Enable CPU CFS quota enforcement for containers that specify CPU limits. (default true)'),
  cfg('cpu-manager-policy', 'string', 'cpuManagerPolicy', 'CPU Manager policy to use. (default "none")'),
  cfg('make-iptables-util-chains', 'bool', 'makeIPTablesUtilChains', 'If true, kubelet will ensure iptables utility rules are present on host. (default true)'),
  cfg('volume-plugin-dir', 'string', 'volumePluginDir', 'The full path of the directory in which to search for additional third party volume plugins.'),
  cfg('seccomp-default', 'bool', 'seccompDefault', 'Enable the use of RuntimeDefault as the default seccomp profile for all workloads.'),
  cfg('local-storage-capacity-isolation', 'bool', 'localStorageCapacityIsolation', 'If true, local ephemeral storage isolation is enabled. (default true)'),
  cfg('logging-format', 'string', 'logging.format', 'Sets the log format. Permitted formats: "text". (default "text")'),
  cfg('log-flush-frequency', 'duration', 'logging.flushFrequency', 'Maximum number of seconds between log flushes (default 5s)'),
  ignored('pod-infra-container-image', 'string', 'Specified image will not be pruned by the image garbage collector. (DEPRECATED: will be removed in 1.35)'),
  ignored('image-credential-provider-config', 'string', 'The path to the credential provider plugin config file.'),
  ignored('image-credential-provider-bin-dir', 'string', 'The path to the directory where credential provider plugin binaries are located.'),
  ignored('cloud-provider', 'string', 'The provider for cloud services. Set to empty string for running with no cloud provider.'),
  ignored('vmodule', 'string', 'comma-separated list of pattern=N settings for file-filtered logging'),
];

const BY_NAME = new Map(KUBELET_FLAGS.map((f) => [f.name, f]));
const BY_SHORT = new Map(KUBELET_FLAGS.filter((f) => f.short).map((f) => [f.short!, f]));

export type FlagValue = string | number | boolean | string[] | Record<string, string> | Record<string, boolean> | ReturnType<typeof parseTaints>;

/** One config-backed flag as given (in command-line order; repeats already merged). */
export interface ConfigOverride { path: string; flag: string; value: FlagValue }

export interface ParsedFlags {
  cli: CliFlags;
  overrides: ConfigOverride[];
  /** Non-flag arguments (the kubelet rejects them). */
  args: string[];
  /** Names of the flags given. */
  changed: Set<string>;
  warnings: string[];
}

function parseBool(s: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
}

function parseInt(s: string, bits: 32 | 64): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  const max = bits === 32 ? 2 ** 31 - 1 : Number.MAX_SAFE_INTEGER;
  if (n > max || n < -max - 1) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

function parsePairs(value: string, sep: '=' | '<', into: Record<string, string>): void {
  for (const raw of value.split(',')) {
    const s = raw.trim();
    if (!s) continue;
    const i = s.indexOf(sep);
    if (i < 0) throw new Error(`malformed pair, expect string${sep}string`);
    into[s.slice(0, i).trim()] = s.slice(i + 1).trim();
  }
}

function parseGates(value: string, into: Record<string, boolean>): void {
  for (const s of value.split(',')) {
    if (!s) continue;
    const i = s.indexOf('=');
    const k = (i < 0 ? s : s.slice(0, i)).trim();
    if (i < 0) throw new Error(`missing bool value for ${k}`);
    const v = s.slice(i + 1).trim();
    try { into[k] = parseBool(v); } catch (e) { throw new Error(`invalid value of ${k}=${v}, err: ${(e as Error).message}`); }
  }
}

/** Sets one flag; `prev` is this flag's value so far (undefined on its first occurrence). */
function setValue(def: FlagDef, raw: string, prev: FlagValue | undefined): FlagValue {
  switch (def.kind) {
    case 'string': return raw;
    case 'bool': return parseBool(raw);
    case 'int32': return parseInt(raw, 32);
    case 'int64': return parseInt(raw, 64);
    case 'float': {
      const n = Number(raw);
      if (raw.trim() === '' || Number.isNaN(n)) throw new Error(`strconv.ParseFloat: parsing ${JSON.stringify(raw)}: invalid syntax`);
      return n;
    }
    case 'duration': parseDuration(raw); return raw;
    case 'mapString': case 'mapLangle': {
      const m = { ...((prev as Record<string, string> | undefined) ?? {}) };
      parsePairs(raw, def.kind === 'mapString' ? '=' : '<', m);
      return m;
    }
    case 'mapBool': {
      const m = { ...((prev as Record<string, boolean> | undefined) ?? {}) };
      parseGates(raw, m);
      return m;
    }
    case 'stringSlice': {
      const items = raw === '' ? [] : raw.split(',').map((s) => s.trim());
      return [...((prev as string[] | undefined) ?? []), ...items];
    }
    case 'taints': return raw === '' ? [] : parseTaints(raw.split(','));
  }
}

export function defaultCliFlags(): CliFlags {
  return { kubeconfig: '', bootstrapKubeconfig: '', config: '', hostnameOverride: '', nodeIP: '', rootDir: '/var/lib/kubelet', nodeLabels: {}, certDir: '/var/lib/kubelet/pki', help: false };
}

/** pflag-style parse of argv (without the program name); throws Error with pflag's message. */
export function parseKubeletFlags(argv: string[]): ParsedFlags {
  const cliFlags = defaultCliFlags();
  const values = new Map<FlagDef, FlagValue>();
  const order: FlagDef[] = [];
  const args: string[] = [];
  const warnings: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { args.push(...argv.slice(i + 1)); break; }
    if (!a.startsWith('-') || a === '-') { args.push(a); continue; }
    let def: FlagDef | undefined;
    let value: string | undefined;
    let shown: string;
    if (a.startsWith('--')) {
      const body = a.slice(2);
      if (body.startsWith('-') || body.startsWith('=')) throw new Error(`bad flag syntax: ${a}`);
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      if (eq >= 0) value = body.slice(eq + 1);
      def = BY_NAME.get(name);
      shown = `--${name}`;
      if (!def) throw new Error(`unknown flag: --${name}`);
    } else {
      const c = a[1]!;
      def = BY_SHORT.get(c);
      shown = `-${c}, --${def?.name ?? ''}`;
      if (!def) throw new Error(`unknown shorthand flag: '${c}' in ${a}`);
      const rest = a.slice(2);
      if (rest.startsWith('=')) value = rest.slice(1);
      else if (rest) value = rest;
    }
    if (value === undefined) {
      if (def.kind === 'bool') value = 'true';
      else if (i + 1 < argv.length) value = argv[++i]!;
      else throw new Error(`flag needs an argument: ${a.startsWith('--') ? shown : `'${a[1]}' in ${a}`}`);
    }
    try {
      values.set(def, setValue(def, value, values.get(def)));
    } catch (e) {
      throw new Error(`invalid argument ${JSON.stringify(value)} for "${shown}" flag: ${(e as Error).message}`);
    }
    if (!order.includes(def)) order.push(def);
  }
  const overrides: ConfigOverride[] = [];
  for (const def of order) {
    const v = values.get(def)!;
    if (def.target === 'ignore') { warnings.push(`flag --${def.name} is accepted and ignored`); continue; }
    if (def.target.startsWith('cli:')) {
      (cliFlags as unknown as Record<string, FlagValue>)[def.target.slice(4)] = v;
      continue;
    }
    overrides.push({ path: def.target, flag: def.name, value: v });
  }
  return { cli: cliFlags, overrides, args, changed: new Set(order.map((d) => d.name)), warnings };
}

/** The --help text. */
export function kubeletUsage(): string {
  const lines = KUBELET_FLAGS.map((f) => {
    const arg = f.kind === 'bool' ? '' : f.kind === 'duration' ? ' duration' : f.kind.startsWith('int') ? ' int' : f.kind === 'stringSlice' ? ' strings' : f.kind.startsWith('map') ? ' mapStringString' : ' string';
    const head = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${arg}`;
    return `      ${head.padEnd(48)} ${f.usage}`;
  });
  return ['The kubelet is the primary "node agent" that runs on each node: it registers the node with the apiserver, runs the pods bound to it on a CRI runtime and reports their status.', '', 'Usage:', '  kubelet [flags]', '', 'Flags:', ...lines, ''].join('\n');
}
