// The --config file: YAML or JSON holding a kubelet.config.k8s.io/v1beta1 KubeletConfiguration.
// Decoding is typed per field (Go's json errors on a wrong type), unknown fields are accepted with
// a warning (upstream falls back to lenient decoding for v1beta1), Go-zero values of non-pointer
// fields are defaulted as SetDefaults does, and relative paths resolve against the file's folder.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Taint } from '@kube-ts/client';
import { applyDependentDefaults, defaultKubeletConfiguration } from './defaults.js';
import { parseDuration } from './duration.js';
import { KUBELET_CONFIG_API_VERSION, KUBELET_CONFIG_KIND, type KubeletConfiguration } from './types.js';

type Kind = 'string' | 'int' | 'float' | 'bool' | 'duration' | 'stringMap' | 'boolMap' | 'stringList' | 'taints' | 'object';
interface FieldSpec {
  kind: Kind;
  /** A pointer field upstream: an explicit zero value is kept (non-pointer zeros are defaulted). */
  ptr?: boolean;
  goType?: string;
  fields?: Record<string, FieldSpec>;
}

const S: FieldSpec = { kind: 'string' };
const I: FieldSpec = { kind: 'int', goType: 'int32' };
const IP: FieldSpec = { kind: 'int', goType: 'int32', ptr: true };
const B: FieldSpec = { kind: 'bool', ptr: true };
const D: FieldSpec = { kind: 'duration' };
const DP: FieldSpec = { kind: 'duration', ptr: true };
const SM: FieldSpec = { kind: 'stringMap', ptr: true };
const SL: FieldSpec = { kind: 'stringList', ptr: true };

const SPEC: Record<string, FieldSpec> = {
  enableServer: B, staticPodPath: S, podLogsDir: S, syncFrequency: D, fileCheckFrequency: D, httpCheckFrequency: D,
  staticPodURL: S, address: S, port: I, readOnlyPort: I, tlsCertFile: S, tlsPrivateKeyFile: S, tlsCipherSuites: SL,
  tlsMinVersion: S, rotateCertificates: { kind: 'bool' }, serverTLSBootstrap: { kind: 'bool' },
  authentication: {
    kind: 'object', fields: {
      x509: { kind: 'object', fields: { clientCAFile: S } },
      webhook: { kind: 'object', fields: { enabled: B, cacheTTL: D } },
      anonymous: { kind: 'object', fields: { enabled: B } },
    },
  },
  authorization: {
    kind: 'object', fields: {
      mode: S,
      webhook: { kind: 'object', fields: { cacheAuthorizedTTL: D, cacheUnauthorizedTTL: D } },
    },
  },
  registryPullQPS: IP, registryBurst: I, eventRecordQPS: IP, eventBurst: I, enableDebuggingHandlers: B,
  enableContentionProfiling: { kind: 'bool' }, healthzPort: IP, healthzBindAddress: S, oomScoreAdj: IP,
  clusterDomain: S, clusterDNS: SL, streamingConnectionIdleTimeout: D, nodeStatusUpdateFrequency: D,
  nodeStatusReportFrequency: D, nodeLeaseDurationSeconds: I, imageMinimumGCAge: D, imageMaximumGCAge: DP,
  imageGCHighThresholdPercent: IP, imageGCLowThresholdPercent: IP, volumeStatsAggPeriod: D, cgroupsPerQOS: B,
  cgroupRoot: { kind: 'string', ptr: true }, cgroupDriver: S, cpuManagerPolicy: S, cpuManagerReconcilePeriod: D,
  memoryManagerPolicy: S, topologyManagerPolicy: S, topologyManagerScope: S, runtimeRequestTimeout: D,
  hairpinMode: S, maxPods: I, podCIDR: { kind: 'string', ptr: true }, podPidsLimit: { kind: 'int', goType: 'int64', ptr: true },
  resolvConf: { kind: 'string', ptr: true }, cpuCFSQuota: B, cpuCFSQuotaPeriod: DP, nodeStatusMaxImages: IP,
  maxOpenFiles: { kind: 'int', goType: 'int64' }, contentType: S, kubeAPIQPS: IP, kubeAPIBurst: I,
  serializeImagePulls: B, maxParallelImagePulls: IP, evictionHard: SM, evictionSoft: SM, evictionSoftGracePeriod: SM,
  evictionPressureTransitionPeriod: D, evictionMaxPodGracePeriod: { kind: 'int', goType: 'int32', ptr: true },
  evictionMinimumReclaim: SM, podsPerCore: { kind: 'int', goType: 'int32', ptr: true }, enableControllerAttachDetach: B,
  makeIPTablesUtilChains: B, iptablesMasqueradeBit: IP, iptablesDropBit: IP, featureGates: { kind: 'boolMap', ptr: true },
  failSwapOn: B, containerLogMaxSize: S, containerLogMaxFiles: IP, containerLogMaxWorkers: IP,
  containerLogMonitorInterval: DP, configMapAndSecretChangeDetectionStrategy: S, systemReserved: SM, kubeReserved: SM,
  systemReservedCgroup: { kind: 'string', ptr: true }, kubeReservedCgroup: { kind: 'string', ptr: true },
  enforceNodeAllocatable: SL, providerID: { kind: 'string', ptr: true }, shutdownGracePeriod: DP,
  shutdownGracePeriodCriticalPods: DP, registerWithTaints: { kind: 'taints', ptr: true }, registerNode: B,
  localStorageCapacityIsolation: B, containerRuntimeEndpoint: S, imageServiceEndpoint: { kind: 'string', ptr: true },
  volumePluginDir: S,
  logging: { kind: 'object', fields: { format: S, flushFrequency: D, verbosity: { kind: 'int', goType: 'uint32', ptr: true }, options: { kind: 'object', ptr: true } } },
  enableSystemLogHandler: B, enableProfilingHandler: B, enableDebugFlagsHandler: B, seccompDefault: B,
  memoryThrottlingFactor: { kind: 'float', goType: 'float64', ptr: true }, failCgroupV1: B,
};

/** Fields whose relative paths resolve against the config file's folder (KubeletConfigurationPathRefs). */
const PATH_FIELDS: string[][] = [['staticPodPath'], ['authentication', 'x509', 'clientCAFile'], ['tlsCertFile'], ['tlsPrivateKeyFile'], ['resolvConf'], ['volumePluginDir'], ['podLogsDir']];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class DecodeError extends Error {}

function goTypeOf(v: unknown): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return 'object';
}

function typeError(v: unknown, path: string, goType: string): DecodeError {
  return new DecodeError(`json: cannot unmarshal ${goTypeOf(v)} into Go struct field KubeletConfiguration.${path} of type ${goType}`);
}

function decodeValue(v: unknown, spec: FieldSpec, path: string, unknown: string[]): unknown {
  switch (spec.kind) {
    case 'string': if (typeof v !== 'string') throw typeError(v, path, 'string'); return v;
    case 'bool': if (typeof v !== 'boolean') throw typeError(v, path, 'bool'); return v;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(v, path, spec.goType ?? 'int32');
      return v;
    case 'float': if (typeof v !== 'number') throw typeError(v, path, spec.goType ?? 'float64'); return v;
    case 'duration':
      if (typeof v !== 'string') throw typeError(v, path, 'v1.Duration');
      try { parseDuration(v); } catch (e) { throw new DecodeError((e as Error).message); }
      return v;
    case 'stringMap': {
      if (!isObj(v)) throw typeError(v, path, 'map[string]string');
      const out: Record<string, string> = {};
      for (const [k, x] of Object.entries(v)) { if (typeof x !== 'string') throw typeError(x, path, 'string'); out[k] = x; }
      return out;
    }
    case 'boolMap': {
      if (!isObj(v)) throw typeError(v, path, 'map[string]bool');
      const out: Record<string, boolean> = {};
      for (const [k, x] of Object.entries(v)) { if (typeof x !== 'boolean') throw typeError(x, path, 'bool'); out[k] = x; }
      return out;
    }
    case 'stringList':
      if (!Array.isArray(v)) throw typeError(v, path, '[]string');
      return v.map((x) => { if (typeof x !== 'string') throw typeError(x, path, 'string'); return x; });
    case 'taints':
      if (!Array.isArray(v)) throw typeError(v, path, '[]v1.Taint');
      return v.map((t): Taint => {
        if (!isObj(t)) throw typeError(t, path, 'v1.Taint');
        const taint = { key: String(t.key ?? ''), effect: String(t.effect ?? '') } as Taint;
        if (t.value !== undefined) taint.value = String(t.value);
        if (t.timeAdded !== undefined && t.timeAdded !== null) taint.timeAdded = String(t.timeAdded);
        return taint;
      });
    case 'object': {
      if (!isObj(v)) throw typeError(v, path, 'struct');
      if (!spec.fields) return v;
      return decodeObject(v, spec.fields, path, unknown);
    }
  }
}

function decodeObject(doc: Obj, fields: Record<string, FieldSpec>, prefix: string, unknown: string[]): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(doc)) {
    const spec = fields[k];
    const path = prefix ? `${prefix}.${k}` : k;
    if (!spec) { unknown.push(path); continue; }
    if (v === null) continue;
    out[k] = decodeValue(v, spec, path, unknown);
  }
  return out;
}

function isZero(v: unknown, spec: FieldSpec): boolean {
  if (spec.kind === 'duration') return parseDuration(v as string) === 0;
  return v === 0 || v === '' || v === false;
}

/** Lays decoded values over the defaults; non-pointer Go-zero values keep the default. */
function overlay(target: Obj, decoded: Obj, fields: Record<string, FieldSpec>, explicit: Set<string>, prefix: string): void {
  for (const [k, v] of Object.entries(decoded)) {
    const spec = fields[k]!;
    const path = prefix ? `${prefix}.${k}` : k;
    if (spec.kind === 'object' && spec.fields) {
      if (!isObj(target[k])) target[k] = {};
      overlay(target[k] as Obj, v as Obj, spec.fields, explicit, path);
      continue;
    }
    if (!spec.ptr && isZero(v, spec)) continue;
    target[k] = v;
    explicit.add(path);
  }
}

export interface LoadedConfigFile {
  config: KubeletConfiguration;
  /** Dotted paths the file set (for flag precedence and dependent defaults). */
  explicit: Set<string>;
  warnings: string[];
}

/** Decodes a KubeletConfiguration document; throws Error with upstream's decoder messages. */
export function decodeKubeletConfiguration(text: string, baseDir?: string): LoadedConfigFile {
  let doc: unknown;
  try { doc = parseYaml(text); } catch (e) {
    throw new Error(`failed to decode: couldn't get version/kind; json parse error: ${(e as Error).message.split('\n')[0]}`);
  }
  if (!isObj(doc)) throw new Error(`failed to decode: couldn't get version/kind; json parse error: json: cannot unmarshal ${goTypeOf(doc)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  const kind = typeof doc.kind === 'string' ? doc.kind : '';
  const apiVersion = typeof doc.apiVersion === 'string' ? doc.apiVersion : '';
  if (!kind) throw new Error(`failed to decode: Object 'Kind' is missing in '${JSON.stringify(doc)}'`);
  if (apiVersion !== KUBELET_CONFIG_API_VERSION || kind !== KUBELET_CONFIG_KIND) {
    throw new Error(`failed to decode: no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/kubelet/apis/config/scheme/scheme.go:34"`);
  }
  const { apiVersion: _a, kind: _k, ...rest } = doc;
  const unknown: string[] = [];
  let decoded: Obj;
  try { decoded = decodeObject(rest, SPEC, '', unknown); } catch (e) {
    throw new Error(`failed to decode: ${(e as Error).message}`);
  }
  const config = defaultKubeletConfiguration();
  const explicit = new Set<string>();
  overlay(config as unknown as Obj, decoded, SPEC, explicit, '');
  applyDependentDefaults(config, explicit);
  if (baseDir) resolveRelativePaths(config, baseDir);
  const warnings = unknown.length
    ? [`Using lenient decoding as strict decoding failed: strict decoding error: ${unknown.map((u) => `unknown field "${u}"`).join(', ')}`]
    : [];
  return { config, explicit, warnings };
}

function resolveRelativePaths(cfg: KubeletConfiguration, base: string): void {
  for (const path of PATH_FIELDS) {
    let o = cfg as unknown as Obj;
    for (const p of path.slice(0, -1)) o = (o[p] ?? {}) as Obj;
    const last = path[path.length - 1]!;
    const v = o[last];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) o[last] = resolve(base, v);
  }
}

/** loadConfigFile: read, decode and default the file at `file`; errors wrapped as upstream wraps them. */
export function loadConfigFile(file: string): LoadedConfigFile {
  const abs = resolve(file);
  const wrap = (msg: string): Error => new Error(`failed to load Kubelet config file ${file}, error ${msg}`);
  let text: string;
  try { text = readFileSync(abs, 'utf8'); } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file or directory' : err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.message;
    throw wrap(`failed to read kubelet config file "${abs}", error: open ${abs}: ${why}`);
  }
  if (text.length === 0) throw wrap(`kubelet config file "${abs}" was empty`);
  try { return decodeKubeletConfiguration(text, dirname(abs)); } catch (e) { throw wrap((e as Error).message); }
}
