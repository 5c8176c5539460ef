import { describe, expect, it } from 'vitest';
import {
  decodeConfiguration, defaultConfiguration, effectiveConfig, encodeConfiguration, formatDuration, loadProxySettings, parseDuration,
} from '../../src/config/index.js';

const files = (m: Record<string, string>) => ({ readFile: (p: string) => { if (!(p in m)) throw Object.assign(new Error('nope'), { code: 'ENOENT' }); return m[p]!; } });
const err = (argv: string[], o = {}): string => { try { loadProxySettings(argv, o); } catch (e) { return (e as Error).message; } throw new Error('no error'); };
const HEAD = 'apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\n';

describe('durations', () => {
  it('parses and prints Go durations', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(() => parseDuration('5')).toThrow('time: missing unit in duration "5"');
    expect(() => parseDuration('abc')).toThrow('time: invalid duration "abc"');
    expect(formatDuration(90_000)).toBe('1m30s');
    expect(formatDuration(86_400_000)).toBe('24h0m0s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('defaults', () => {
  it('are upstream v1alpha1 defaults plus the Linux platform defaults', () => {
    const { config: c } = loadProxySettings([]);
    expect(c.bindAddress).toBe('0.0.0.0');
    expect(c.healthzBindAddress).toBe('0.0.0.0:10256');
    expect(c.metricsBindAddress).toBe('127.0.0.1:10249');
    expect(c.mode).toBe('iptables');
    expect(c.detectLocalMode).toBe('ClusterCIDR');
    expect(c.iptables).toEqual({ masqueradeBit: 14, masqueradeAll: false, localhostNodePorts: true, syncPeriod: '30s', minSyncPeriod: '1s' });
    expect(c.nftables).toEqual({ masqueradeBit: 14, masqueradeAll: false, syncPeriod: '30s', minSyncPeriod: '1s' });
    expect(c.clientConnection).toMatchObject({ qps: 5, burst: 10, contentType: 'application/vnd.kubernetes.protobuf' });
    expect(c.conntrack).toMatchObject({ maxPerCore: 32768, min: 131072, tcpEstablishedTimeout: '24h0m0s', tcpCloseWaitTimeout: '1h0m0s' });
    expect(c.configSyncPeriod).toBe('15m0s');
    expect(c.oomScoreAdj).toBe(-999);
    expect(c.nodePortAddresses).toBeNull();
  });

  it('derives IPv6 server addresses from an IPv6 bind address and appends ports', () => {
    const { config } = decodeConfiguration(`${HEAD}bindAddress: "::"\nhealthzBindAddress: 127.0.0.2\n`);
    expect(config.metricsBindAddress).toBe('[::1]:10249');
    expect(config.healthzBindAddress).toBe('127.0.0.2:10256');
  });

  it('nftables mode accepts NodePorts on the primary IPs by default', () => {
    expect(loadProxySettings(['--proxy-mode', 'nftables']).config.nodePortAddresses).toEqual(['primary']);
    expect(loadProxySettings(['--proxy-mode', 'nftables', '--nodeport-addresses', '10.0.0.0/8']).config.nodePortAddresses).toEqual(['10.0.0.0/8']);
  });
});

describe('decoding --config', () => {
  it('reads YAML and JSON, keeping unset fields at their defaults', () => {
    // A zero duration in the file is "unset" to Go's defaulting: minSyncPeriod 0s becomes 1s.
    const y = decodeConfiguration(`${HEAD}mode: nftables\nnftables:\n  minSyncPeriod: 0s\n  syncPeriod: 1m\nclusterCIDR: 10.244.0.0/16\n`);
    expect(y.warnings).toEqual([]);
    expect(y.config.nftables).toEqual({ masqueradeBit: 14, masqueradeAll: false, syncPeriod: '1m', minSyncPeriod: '1s' });
    expect(effectiveConfig(y.config)).toMatchObject({ mode: 'nftables', syncPeriodMs: 60_000, minSyncPeriodMs: 1000, clusterCIDRs: ['10.244.0.0/16'] });
    const j = decodeConfiguration(JSON.stringify({ apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration', iptables: { masqueradeAll: true } }));
    expect(j.config.iptables.masqueradeAll).toBe(true);
    expect(j.config.iptables.syncPeriod).toBe('30s');
  });

  it('decodes unknown and duplicate fields leniently, with upstream\'s warning', () => {
    const r = decodeConfiguration(`${HEAD}bogus: 1\niptables:\n  nope: true\nmode: nftables\nmode: iptables\n`);
    expect(r.config.mode).toBe('iptables');
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/^Using lenient decoding as strict decoding failed: strict decoding error: /);
    expect(r.warnings[0]).toContain('unknown field "bogus"');
    expect(r.warnings[0]).toContain('unknown field "iptables.nope"');
    expect(r.warnings[0]).toContain('key "mode" already set in map');
  });

  it('fails on wrong types, bad durations and foreign kinds', () => {
    const o = files({
      '/t.yaml': `${HEAD}iptables:\n  masqueradeBit: "14"\n`,
      '/d.yaml': `${HEAD}iptables:\n  syncPeriod: soon\n`,
      '/k.yaml': 'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n',
      '/n.yaml': 'mode: iptables\n',
    });
    expect(err(['--config', '/t.yaml'], o)).toBe('failed complete: failed to decode: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field KubeProxyConfiguration.iptables.masqueradeBit of type int32');
    expect(err(['--config', '/d.yaml'], o)).toBe('failed complete: failed to decode: error unmarshaling JSON: while decoding JSON: time: invalid duration "soon"');
    expect(err(['--config', '/k.yaml'], o)).toMatch(/^failed complete: failed to decode: no kind "KubeletConfiguration" is registered for version "kubelet.config.k8s.io\/v1beta1"/);
    expect(err(['--config', '/n.yaml'], o)).toMatch(/^failed complete: failed to decode: Object 'Kind' is missing in/);
    expect(err(['--config', '/missing.yaml'], o)).toBe('failed complete: open /missing.yaml: no such file or directory');
  });
});

describe('flags and their precedence', () => {
  it('applies flags without --config (sync periods go to the mode\'s section)', () => {
    const a = loadProxySettings(['--proxy-mode=nftables', '--iptables-sync-period', '10s', '--iptables-min-sync-period=0s', '--masquerade-all', '--cluster-cidr', '10.1.0.0/16', '--kubeconfig', '/k']).config;
    expect(a.nftables).toMatchObject({ syncPeriod: '10s', minSyncPeriod: '0s', masqueradeAll: true });
    expect(a.iptables).toMatchObject({ syncPeriod: '30s', masqueradeAll: false });
    expect(a.clusterCIDR).toBe('10.1.0.0/16');
    expect(a.clientConnection.kubeconfig).toBe('/k');
    const b = loadProxySettings(['--iptables-sync-period', '10s', '--iptables-masquerade-bit', '3']).config;
    expect(effectiveConfig(b)).toMatchObject({ mode: 'iptables', syncPeriodMs: 10_000, masqueradeBit: 3 });
  });

  it('with --config the file wins over config flags; -v, --hostname-override and --master survive', () => {
    const o = files({ '/c.yaml': `${HEAD}mode: nftables\nhostnameOverride: from-file\nclientConnection:\n  kubeconfig: /from/file\n` });
    const s = loadProxySettings(['--config', '/c.yaml', '--proxy-mode', 'iptables', '--kubeconfig', '/flag', '--cluster-cidr', '10.0.0.0/8', '-v', '5', '--hostname-override', ' Node-A ', '--master', 'https://m:6443'], o);
    expect(s.config.mode).toBe('nftables');
    expect(s.config.clientConnection.kubeconfig).toBe('/from/file');
    expect(s.config.clusterCIDR).toBe('');
    expect(s.config.logging.verbosity).toBe(5);
    expect(s.config.hostnameOverride).toBe('node-a');
    expect(s.master).toBe('https://m:6443');
    expect(loadProxySettings(['--config', '/c.yaml'], o).config.hostnameOverride).toBe('from-file');
  });

  it('deprecated --healthz-port 0 disables the healthz server, only without --config', () => {
    expect(loadProxySettings(['--healthz-port', '0']).config.healthzBindAddress).toBe('');
  });

  it('reports pflag errors', () => {
    expect(err(['--bogus'])).toBe('unknown flag: --bogus');
    expect(err(['--config'])).toBe('flag needs an argument: --config');
    expect(err(['--iptables-sync-period', 'x'])).toBe('invalid argument "x" for "--iptables-sync-period" flag: time: invalid duration "x"');
    expect(err(['--bind-address', 'nope'])).toBe('invalid argument "nope" for "--bind-address" flag: "nope" is not a valid IP address');
    expect(err(['--masquerade-all=maybe'])).toBe('invalid argument "maybe" for "--masquerade-all" flag: strconv.ParseBool: parsing "maybe": invalid syntax');
    expect(err(['extra'])).toBe('"kube-proxy" does not take any arguments, got ["extra"]');
    expect(err(['--hostname-override', '  '])).toBe('failed complete: empty hostname-override is invalid');
  });
});

describe('validation', () => {
  it('rejects with upstream\'s field paths and messages', () => {
    expect(err(['--proxy-mode', 'ipvsx'])).toBe('failed validate: KubeProxyConfiguration.Mode.ProxyMode: Invalid value: "ipvsx": must be iptables, ipvs, nftables or blank (blank means the best-available proxy [currently iptables])');
    expect(err(['--iptables-masquerade-bit', '32'])).toBe('failed validate: KubeProxyConfiguration.KubeProxyIPTablesConfiguration.MasqueradeBit: Invalid value: 32: must be within the range [0, 31]');
    expect(err(['--iptables-sync-period', '1s', '--iptables-min-sync-period', '2s'])).toBe('failed validate: KubeProxyConfiguration.SyncPeriod: Invalid value: 2s: must be greater than or equal to KubeProxyConfiguration.MinSyncPeriod');
    expect(err(['--config-sync-period', '-1s'])).toBe('failed validate: KubeProxyConfiguration.ConfigSyncPeriod: Invalid value: -1s: must be greater than 0');
    expect(err(['--cluster-cidr', '10.0.0.0/33'])).toBe('failed validate: KubeProxyConfiguration.DetectLocalConfiguration.ClusterCIDRs[0]: Invalid value: "10.0.0.0/33": must be a valid CIDR block (e.g. 10.100.0.0/16 or fde4:8dba:82e1::/48)');
    expect(err(['--detect-local-mode', 'Magic'])).toBe('failed validate: KubeProxyConfiguration.DetectLocalMode: Unsupported value: "Magic": supported values: "ClusterCIDR", "NodeCIDR", "BridgeInterface", "InterfaceNamePrefix", ""');
    expect(err(['--healthz-bind-address', '1.2.3.4:0'])).toBe('failed validate: KubeProxyConfiguration.HealthzBindAddress: Invalid value: "0": must be a valid port');
  });

  it('aggregates several errors in brackets', () => {
    expect(err(['--nodeport-addresses', 'primary,bogus', '--oom-score-adj', '2000'])).toBe(
      'failed validate: [KubeProxyConfiguration.KubeProxyLinuxConfiguration.OOMScoreAdj: Invalid value: 2000: must be within the range [-1000, 1000], '
      + 'KubeProxyConfiguration.NodePortAddresses[0]: Invalid value: "primary": can\'t use both \'primary\' and CIDRs]');
  });
});

describe('--write-config-to', () => {
  it('writes a document that decodes back to the same configuration', () => {
    const s = loadProxySettings(['--proxy-mode', 'nftables', '--cluster-cidr', '10.9.0.0/16', '--write-config-to', '/out']);
    expect(s.writeConfigTo).toBe('/out');
    const text = encodeConfiguration(s.config);
    expect(text).toMatch(/^apiVersion: kubeproxy.config.k8s.io\/v1alpha1\nbindAddress: 0.0.0.0\n/);
    expect(text).toContain('nodePortAddresses:\n  - primary\n');
    const back = decodeConfiguration(text);
    expect(back.warnings).toEqual([]);
    expect(back.config).toEqual(s.config);
    expect(encodeConfiguration(defaultConfiguration())).not.toContain('featureGates');
  });
});
