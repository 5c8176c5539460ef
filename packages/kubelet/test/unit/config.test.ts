// Kubelet flags and KubeletConfiguration: defaults, flag parsing, file decoding, flag precedence
// over the file, and upstream's error messages.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_EVICTION_HARD, UsageError, defaultKubeletConfiguration, formatDuration, loadKubeletSettings, parseDuration,
  type KubeletSettings,
} from '../../src/config/index.js';

const dir = mkdtempSync(join(tmpdir(), 'kubelet-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function file(text: string): string {
  const p = join(dir, `c${n++}.yaml`);
  writeFileSync(p, text);
  return p;
}
const load = (argv: string[]): Promise<KubeletSettings> => loadKubeletSettings(argv, { hostname: () => '  Node-A.Example  ' });
async function fails(argv: string[]): Promise<string> {
  const err = await load(argv).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UsageError);
  return (err as Error).message;
}
const HEADER = 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n';

describe('durations', () => {
  it.each([
    ['10s', 10_000], ['1m0s', 60_000], ['1m30s', 90_000], ['500ms', 500], ['4h0m0s', 14_400_000], ['0', 0], ['1.5s', 1500], ['-2s', -2000],
  ])('parses %s', (s, ms) => { expect(parseDuration(s)).toBe(ms); });
  it.each(['', 'abc', '10', '5x', 's'])('rejects %j', (s) => { expect(() => parseDuration(s)).toThrow(/time: (invalid|missing unit in|unknown unit "\w+" in) duration/); });
  it.each([[60_000, '1m0s'], [10_000, '10s'], [300_000, '5m0s'], [100, '100ms'], [14_400_000, '4h0m0s'], [0, '0s'], [90_500, '1m30.5s']])('formats %d as %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });
});

describe('loadKubeletSettings defaults', () => {
  it('uses upstream v1beta1 defaults and derives the node name from the OS hostname', async () => {
    const s = await load([]);
    expect(s.nodeName).toBe('node-a.example');
    expect(s.hostnameOverridden).toBe(false);
    expect(s.rootDir).toBe('/var/lib/kubelet');
    expect(s.certDir).toBe('/var/lib/kubelet/pki');
    expect(s.containerRuntimeEndpoint).toBe('unix:///run/containerd/containerd.sock');
    expect(s.imageServiceEndpoint).toBeUndefined();
    expect(s.nodeIPs).toEqual([]);
    const c = s.config;
    expect(c).toEqual(defaultKubeletConfiguration());
    expect([c.port, c.readOnlyPort, c.healthzPort, c.healthzBindAddress, c.address]).toEqual([10250, 0, 10248, '127.0.0.1', '0.0.0.0']);
    expect([c.maxPods, c.nodeLeaseDurationSeconds, c.nodeStatusMaxImages, c.kubeAPIQPS, c.kubeAPIBurst]).toEqual([110, 40, 50, 50, 100]);
    expect(c.evictionHard).toEqual({ 'memory.available': '100Mi', 'nodefs.available': '10%', 'nodefs.inodesFree': '5%', 'imagefs.available': '15%' });
    expect([c.cgroupDriver, c.cgroupsPerQOS, c.failSwapOn, c.registerNode, c.serializeImagePulls]).toEqual(['cgroupfs', true, true, true, true]);
    expect(c.authentication).toEqual({ x509: {}, webhook: { enabled: true, cacheTTL: '2m0s' }, anonymous: { enabled: false } });
    expect(c.authorization.mode).toBe('Webhook');
    expect({
      sync: s.syncFrequencyMs, file: s.fileCheckFrequencyMs, update: s.nodeStatusUpdateFrequencyMs, report: s.nodeStatusReportFrequencyMs,
      runtime: s.runtimeRequestTimeoutMs, transition: s.evictionPressureTransitionPeriodMs, shutdown: s.shutdownGracePeriodMs, lease: s.nodeLeaseRenewIntervalMs,
    }).toEqual({ sync: 60_000, file: 20_000, update: 10_000, report: 300_000, runtime: 120_000, transition: 300_000, shutdown: 0, lease: 10_000 });
  });
});

describe('flags', () => {
  it.each<[string[], (s: KubeletSettings) => unknown, unknown]>([
    [['--hostname-override', ' MyNode '], (s) => [s.nodeName, s.hostname, s.hostnameOverridden], ['mynode', 'mynode', true]],
    [['--kubeconfig=/etc/k/kubelet.conf'], (s) => s.kubeconfig, '/etc/k/kubelet.conf'],
    [['--root-dir', '/tmp/k', '--cert-dir=/tmp/pki'], (s) => [s.rootDir, s.certDir], ['/tmp/k', '/tmp/pki']],
    [['--node-ip', '10.0.0.5'], (s) => [s.nodeIP, s.nodeIPs], ['10.0.0.5', ['10.0.0.5']]],
    [['--node-ip=10.0.0.5,fd00::5'], (s) => s.nodeIPs, ['10.0.0.5', 'fd00::5']],
    [['--node-labels', 'a=b,node.kubernetes.io/role=x', '--node-labels=c=d'], (s) => s.nodeLabels, { a: 'b', 'node.kubernetes.io/role': 'x', c: 'd' }],
    [['--container-runtime-endpoint', 'unix:///tmp/c.sock'], (s) => [s.containerRuntimeEndpoint, s.config.containerRuntimeEndpoint], ['unix:///tmp/c.sock', 'unix:///tmp/c.sock']],
    [['--image-service-endpoint=unix:///tmp/i.sock'], (s) => s.imageServiceEndpoint, 'unix:///tmp/i.sock'],
    [['--pod-manifest-path', '/etc/kubernetes/manifests'], (s) => [s.staticPodPath, s.config.staticPodPath], ['/etc/kubernetes/manifests', '/etc/kubernetes/manifests']],
    [['--register-node=false'], (s) => s.config.registerNode, false],
    [['--register-node'], (s) => s.config.registerNode, true],
    [['--register-with-taints', 'a=b:NoSchedule,c:NoExecute'], (s) => s.config.registerWithTaints, [{ key: 'a', value: 'b', effect: 'NoSchedule' }, { key: 'c', effect: 'NoExecute' }]],
    [['--address', '127.0.0.1', '--port', '10260', '--read-only-port=10255'], (s) => [s.config.address, s.config.port, s.config.readOnlyPort], ['127.0.0.1', 10260, 10255]],
    [['--tls-cert-file=/a.crt', '--tls-private-key-file=/a.key', '--client-ca-file=/ca.crt'], (s) => [s.config.tlsCertFile, s.config.tlsPrivateKeyFile, s.config.authentication.x509.clientCAFile], ['/a.crt', '/a.key', '/ca.crt']],
    [['--max-pods=20', '--pod-cidr', '10.1.0.0/24'], (s) => [s.config.maxPods, s.config.podCIDR], [20, '10.1.0.0/24']],
    [['--cluster-dns=10.96.0.10,10.96.0.11', '--cluster-domain', 'cluster.local', '--resolv-conf=/run/r.conf'], (s) => [s.config.clusterDNS, s.config.clusterDomain, s.config.resolvConf], [['10.96.0.10', '10.96.0.11'], 'cluster.local', '/run/r.conf']],
    [['--cgroup-driver=systemd', '--cgroup-root=/k', '--cgroups-per-qos=false', '--enforce-node-allocatable='], (s) => [s.config.cgroupDriver, s.config.cgroupRoot, s.config.cgroupsPerQOS], ['systemd', '/k', false]],
    [['--eviction-hard', 'memory.available<200Mi'], (s) => s.config.evictionHard, { 'memory.available': '200Mi' }],
    [['--eviction-soft=memory.available<300Mi,nodefs.available<15%', '--eviction-soft-grace-period=memory.available=1m30s'], (s) => [s.config.evictionSoft, s.config.evictionSoftGracePeriod], [{ 'memory.available': '300Mi', 'nodefs.available': '15%' }, { 'memory.available': '1m30s' }]],
    [['--eviction-pressure-transition-period=30s', '--eviction-minimum-reclaim=memory.available=0Mi'], (s) => [s.evictionPressureTransitionPeriodMs, s.config.evictionMinimumReclaim], [30_000, { 'memory.available': '0Mi' }]],
    [['--sync-frequency=5s', '--file-check-frequency', '2s', '--node-status-update-frequency=4s', '--runtime-request-timeout=30s'], (s) => [s.syncFrequencyMs, s.fileCheckFrequencyMs, s.nodeStatusUpdateFrequencyMs, s.runtimeRequestTimeoutMs, s.nodeStatusReportFrequencyMs], [5000, 2000, 4000, 30_000, 300_000]],
    [['--fail-swap-on=false', '--serialize-image-pulls=false'], (s) => [s.config.failSwapOn, s.config.serializeImagePulls], [false, false]],
    [['--system-reserved=cpu=100m,memory=200Mi', '--kube-reserved', 'memory=100Mi'], (s) => [s.config.systemReserved, s.config.kubeReserved], [{ cpu: '100m', memory: '200Mi' }, { memory: '100Mi' }]],
    [['--healthz-port=0', '--healthz-bind-address', '0.0.0.0'], (s) => [s.config.healthzPort, s.config.healthzBindAddress], [0, '0.0.0.0']],
    [['--kube-api-qps=20', '--kube-api-burst=40', '--provider-id=kind://x'], (s) => [s.config.kubeAPIQPS, s.config.kubeAPIBurst, s.config.providerID], [20, 40, 'kind://x']],
    [['--feature-gates=GracefulNodeShutdown=false,Foo=true'], (s) => s.config.featureGates, { GracefulNodeShutdown: false, Foo: true }],
    [['--v=4'], (s) => [s.verbosity, s.config.logging.verbosity], [4, 4]],
    [['-v', '2'], (s) => s.verbosity, 2],
    [['--pod-infra-container-image=registry.k8s.io/pause:3.10'], (s) => s.warnings, ['flag --pod-infra-container-image is accepted and ignored']],
  ])('%j', async (argv, pick, want) => {
    expect(pick(await load(argv))).toEqual(want);
  });
});

describe('config file', () => {
  it('decodes YAML, defaults the rest, resolves relative paths, warns on unknown fields', async () => {
    const p = file(`${HEADER}port: 10251\nmaxPods: 30\nstaticPodPath: manifests\nnodeStatusUpdateFrequency: 4s\nnodeLeaseDurationSeconds: 8\nbogusField: 1\nauthentication:\n  x509:\n    clientCAFile: pki/ca.crt\n  anonymous:\n    enabled: true\n`);
    const s = await load(['--config', p]);
    expect(s.configFile).toBe(p);
    expect([s.config.port, s.config.maxPods]).toEqual([10251, 30]);
    expect(s.staticPodPath).toBe(join(dir, 'manifests'));
    expect(s.config.authentication.x509.clientCAFile).toBe(join(dir, 'pki/ca.crt'));
    expect(s.config.authentication.anonymous.enabled).toBe(true);
    expect(s.config.authentication.webhook).toEqual({ enabled: true, cacheTTL: '2m0s' });
    // An explicit nodeStatusUpdateFrequency also sets the report frequency (backward compatibility).
    expect([s.nodeStatusUpdateFrequencyMs, s.nodeStatusReportFrequencyMs]).toEqual([4000, 4000]);
    expect(s.nodeLeaseRenewIntervalMs).toBe(2000);
    expect(s.warnings.join('\n')).toContain('unknown field "bogusField"');
    expect(s.config.evictionHard).toEqual(DEFAULT_EVICTION_HARD);
  });

  it('reads JSON too, keeps explicit pointer zeros and defaults non-pointer zeros', async () => {
    const p = file(JSON.stringify({ apiVersion: 'kubelet.config.k8s.io/v1beta1', kind: 'KubeletConfiguration', port: 0, maxPods: 0, syncFrequency: '0s', healthzPort: 0, registerNode: false, evictionHard: {} }));
    const s = await load([`--config=${p}`]);
    expect([s.config.port, s.config.maxPods, s.config.syncFrequency, s.config.healthzPort, s.config.registerNode]).toEqual([10250, 110, '1m0s', 0, false]);
    expect(s.config.evictionHard).toEqual({});
  });

  it('lets flags win over the file, merging feature gates key by key', async () => {
    const p = file(`${HEADER}maxPods: 30\nfeatureGates: {A: true, B: true}\nevictionHard: {memory.available: 1Gi, nodefs.available: 5%}\nsystemReserved: {cpu: "1"}\n`);
    const s = await load(['--max-pods=40', `--config=${p}`, '--feature-gates=B=false', '--eviction-hard=memory.available<500Mi']);
    expect(s.config.maxPods).toBe(40);
    expect(s.config.featureGates).toEqual({ A: true, B: false });
    expect(s.config.evictionHard).toEqual({ 'memory.available': '500Mi' });
    expect(s.config.systemReserved).toEqual({ cpu: '1' });
  });
});

describe('errors', () => {
  it.each<[string[] | (() => string[]), string | RegExp]>([
    [['--bogus'], 'failed to parse kubelet flag: unknown flag: --bogus'],
    [['--kubeconfig'], 'failed to parse kubelet flag: flag needs an argument: --kubeconfig'],
    [['-x'], "failed to parse kubelet flag: unknown shorthand flag: 'x' in -x"],
    [['--max-pods=abc'], 'failed to parse kubelet flag: invalid argument "abc" for "--max-pods" flag: strconv.ParseInt: parsing "abc": invalid syntax'],
    [['--port=99999999999'], 'failed to parse kubelet flag: invalid argument "99999999999" for "--port" flag: strconv.ParseInt: parsing "99999999999": value out of range'],
    [['--sync-frequency=soon'], 'failed to parse kubelet flag: invalid argument "soon" for "--sync-frequency" flag: time: invalid duration "soon"'],
    [['--fail-swap-on=maybe'], 'failed to parse kubelet flag: invalid argument "maybe" for "--fail-swap-on" flag: strconv.ParseBool: parsing "maybe": invalid syntax'],
    [['--eviction-hard=memory.available=1Gi'], 'failed to parse kubelet flag: invalid argument "memory.available=1Gi" for "--eviction-hard" flag: malformed pair, expect string<string'],
    [['--system-reserved=cpu'], 'failed to parse kubelet flag: invalid argument "cpu" for "--system-reserved" flag: malformed pair, expect string=string'],
    [['--feature-gates=A=yes'], 'failed to parse kubelet flag: invalid argument "A=yes" for "--feature-gates" flag: invalid value of A=yes, err: strconv.ParseBool: parsing "yes": invalid syntax'],
    [['--register-with-taints=a=b:Sometimes'], 'failed to parse kubelet flag: invalid argument "a=b:Sometimes" for "--register-with-taints" flag: invalid taint effect: Sometimes, unsupported taint effect'],
    [['--register-with-taints=a=b'], /^failed to parse kubelet flag: invalid argument "a=b" for "--register-with-taints" flag: invalid taint spec: a=b, name part must consist of/],
    [['--register-with-taints=a:NoSchedule,a:NoSchedule'], /duplicated taints with the same key and effect/],
    [() => ['--config', file(`${HEADER}systemReserved: {cpu: 1}\n`)], /error failed to decode: json: cannot unmarshal number into Go struct field KubeletConfiguration.systemReserved of type string$/],
    [['run'], 'unknown command run'],
    [['--node-labels=kubernetes.io/role=master'], /^failed to validate kubelet flags: unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: \[kubernetes.io\/role\]\n--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix \(kubelet.kubernetes.io, node.kubernetes.io\)/],
    [['--node-labels=a b=c'], /^failed to validate kubelet flags: invalid node labels: 'a b' - name part must consist of alphanumeric characters/],
    [['--node-ip=10.0.0.300'], 'failed to parse --node-ip: could not parse "10.0.0.300"'],
    [['--hostname-override=  '], /^empty hostname is invalid$/],
    [['--port=70000'], 'failed to validate kubelet configuration, error: invalid configuration: port (--port) 70000 must be between 1 and 65535, inclusive'],
    [['--max-pods=-1', '--image-gc-high-threshold=10'], 'failed to validate kubelet configuration, error: [invalid configuration: imageGCLowThresholdPercent (--image-gc-low-threshold) 80 must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) 10, invalid configuration: maxPods (--max-pods) -1 must not be a negative number]'],
    [['--container-runtime-endpoint='], 'failed to validate kubelet configuration, error: invalid configuration: the containerRuntimeEndpoint was not specified or empty'],
    [['--system-reserved=gpu=1'], '--system-reserved value failed to parse: cannot reserve "gpu" resource'],
    [['--kube-reserved=memory=lots'], /^--kube-reserved value failed to parse: failed to parse quantity "lots" for "memory" resource: quantities must match/],
    [() => ['--config', join(dir, 'missing.yaml')], `failed to load kubelet config file, path: ${join(dir, 'missing.yaml')}, error: failed to load Kubelet config file ${join(dir, 'missing.yaml')}, error failed to read kubelet config file "${join(dir, 'missing.yaml')}", error: open ${join(dir, 'missing.yaml')}: no such file or directory`],
    [() => ['--config', file('')], /error kubelet config file ".*" was empty$/],
    [() => ['--config', file('apiVersion: v1\nkind: Pod\n')], /error failed to decode: no kind "Pod" is registered for version "v1" in scheme/],
    [() => ['--config', file(`${HEADER}maxPods: many\n`)], /error failed to decode: json: cannot unmarshal string into Go struct field KubeletConfiguration.maxPods of type int32$/],
    [() => ['--config', file(`${HEADER}syncFrequency: often\n`)], /error failed to decode: time: invalid duration "often"$/],
    [() => ['--config', file(`${HEADER}nodeLeaseDurationSeconds: -1\n`)], 'failed to validate kubelet configuration, error: invalid configuration: nodeLeaseDurationSeconds must be greater than 0'],
  ])('%j', async (argv, want) => {
    const msg = await fails(typeof argv === 'function' ? argv() : argv).catch(() => '');
    if (typeof want === 'string') expect(msg).toBe(want);
    else expect(msg).toMatch(want);
  });

  it('--help is a UsageError flagged help with the usage text', async () => {
    const err = await load(['--help']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).help).toBe(true);
    expect((err as Error).message).toContain('--container-runtime-endpoint');
  });
});
