// Decoding a --config file (YAML or JSON) as upstream's scheme does: apiVersion/kind must name
// kubeproxy.config.k8s.io/v1alpha1 KubeProxyConfiguration; a value of the wrong JSON type or a
// bad duration fails ("failed to decode: ..."); unknown or duplicate fields fail strict decoding,
// after which upstream decodes leniently and only logs a warning, so they come back as warnings.
import { parse as parseYaml, parseDocument } from 'yaml';
import { parseDuration } from './duration.js';
import { emptyConfiguration, setDefaults } from './defaults.js';
import { API_VERSION, ConfigError, KIND, type KubeProxyConfiguration } from './types.js';

type Kind = 'string' | 'bool' | 'int32' | 'float32' | 'duration' | 'stringList' | 'boolMap' | 'any';
interface Field { kind: Kind | Schema; ptr?: boolean }
interface Schema { [json: string]: Field }

const S: Field = { kind: 'string' };
const B: Field = { kind: 'bool' };
const I: Field = { kind: 'int32' };
const D: Field = { kind: 'duration' };

const SCHEMA: Schema = {
  apiVersion: S, kind: S,
  featureGates: { kind: 'boolMap' },
  clientConnection: { kind: { kubeconfig: S, acceptContentTypes: S, contentType: S, qps: { kind: 'float32' }, burst: I } },
  logging: { kind: { format: S, flushFrequency: { kind: 'any' }, verbosity: I, vmodule: { kind: 'any' }, options: { kind: 'any' } } },
  hostnameOverride: S, bindAddress: S, healthzBindAddress: S, metricsBindAddress: S, bindAddressHardFail: B,
  enableProfiling: B, showHiddenMetricsForVersion: S, mode: S,
  iptables: { kind: { masqueradeBit: { kind: 'int32', ptr: true }, masqueradeAll: B, localhostNodePorts: { kind: 'bool', ptr: true }, syncPeriod: D, minSyncPeriod: D } },
  ipvs: { kind: { syncPeriod: D, minSyncPeriod: D, scheduler: S, excludeCIDRs: { kind: 'stringList', ptr: true }, strictARP: B, tcpTimeout: D, tcpFinTimeout: D, udpTimeout: D } },
  nftables: { kind: { masqueradeBit: { kind: 'int32', ptr: true }, masqueradeAll: B, syncPeriod: D, minSyncPeriod: D } },
  winkernel: { kind: { networkName: S, sourceVip: S, enableDSR: B, rootHnsEndpointName: S, forwardHealthCheckVip: B } },
  detectLocalMode: S,
  detectLocal: { kind: { bridgeInterface: S, interfaceNamePrefix: S } },
  clusterCIDR: S,
  nodePortAddresses: { kind: 'stringList', ptr: true },
  oomScoreAdj: { kind: 'int32', ptr: true },
  conntrack: { kind: { maxPerCore: { kind: 'int32', ptr: true }, min: { kind: 'int32', ptr: true }, tcpEstablishedTimeout: { kind: 'duration', ptr: true }, tcpCloseWaitTimeout: { kind: 'duration', ptr: true }, tcpBeLiberal: B, udpTimeout: D, udpStreamTimeout: D } },
  configSyncPeriod: D, portRange: S, windowsRunAsService: B,
};

const GO_TYPE: Record<Kind, string> = { string: 'string', bool: 'bool', int32: 'int32', float32: 'float32', duration: 'string', stringList: '[]string', boolMap: 'map[string]bool', any: 'interface {}' };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

export interface DecodeResult { config: KubeProxyConfiguration; warnings: string[] }

class Decoder {
  readonly unknown: string[] = [];

  private typeError(v: unknown, path: string, goType: string): ConfigError {
    return new ConfigError(`failed to decode: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal ${jsonType(v)} into Go struct field KubeProxyConfiguration.${path} of type ${goType}`);
  }

  value(v: unknown, f: Field, path: string): unknown {
    if (v === null) return f.ptr ? null : undefined;
    if (typeof f.kind === 'object') {
      if (!isObj(v)) throw this.typeError(v, path, 'struct');
      return this.object(v, f.kind, `${path}.`);
    }
    switch (f.kind) {
      case 'string':
        if (typeof v !== 'string') throw this.typeError(v, path, 'string');
        return v;
      case 'bool':
        if (typeof v !== 'boolean') throw this.typeError(v, path, 'bool');
        return v;
      case 'int32':
        if (typeof v !== 'number') throw this.typeError(v, path, 'int32');
        if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new ConfigError(`failed to decode: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number ${v} into Go struct field KubeProxyConfiguration.${path} of type int32`);
        return v;
      case 'float32':
        if (typeof v !== 'number') throw this.typeError(v, path, 'float32');
        return v;
      case 'duration':
        if (typeof v !== 'string') throw this.typeError(v, path, 'string');
        try { parseDuration(v); } catch (e) { throw new ConfigError(`failed to decode: error unmarshaling JSON: while decoding JSON: ${(e as Error).message}`); }
        return v;
      case 'stringList':
        if (!Array.isArray(v)) throw this.typeError(v, path, '[]string');
        return v.map((x) => { if (typeof x !== 'string') throw this.typeError(x, path, 'string'); return x; });
      case 'boolMap': {
        if (!isObj(v)) throw this.typeError(v, path, GO_TYPE.boolMap);
        const out: Record<string, boolean> = {};
        for (const [k, x] of Object.entries(v)) { if (typeof x !== 'boolean') throw this.typeError(x, path, 'bool'); out[k] = x; }
        return out;
      }
      default:
        return v;
    }
  }

  object(v: Obj, schema: Schema, prefix: string): Obj {
    const out: Obj = {};
    for (const [k, x] of Object.entries(v)) {
      const f = schema[k];
      if (!f) { this.unknown.push(`${prefix}${k}`); continue; }
      const d = this.value(x, f, `${prefix}${k}`);
      if (d !== undefined) out[k] = d;
    }
    return out;
  }
}

/** Lays decoded values over Go zero values (nested objects merged field by field). */
function overlay(base: Obj, over: Obj): void {
  for (const [k, v] of Object.entries(over)) {
    const b = base[k];
    if (isObj(b) && isObj(v) && k !== 'featureGates' && k !== 'options') overlay(b, v);
    else base[k] = v;
  }
}

/** Decodes and defaults one KubeProxyConfiguration document (no validation). */
export function decodeConfiguration(text: string): DecodeResult {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length) throw new ConfigError(`failed to decode: error converting YAML to JSON: yaml: ${doc.errors[0]!.message.split('\n')[0]}`);
  const warnings: string[] = [];
  const strict = parseDocument(text);
  const dup = strict.errors.find((e) => e.code === 'DUPLICATE_KEY');
  let raw: unknown;
  try { raw = parseYaml(text, { uniqueKeys: false }); } catch (e) { throw new ConfigError(`failed to decode: ${(e as Error).message}`); }
  if (!isObj(raw)) throw new ConfigError(`failed to decode: couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonType(raw)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  const kind = typeof raw.kind === 'string' ? raw.kind : '';
  const apiVersion = typeof raw.apiVersion === 'string' ? raw.apiVersion : '';
  if (!kind) throw new ConfigError(`failed to decode: Object 'Kind' is missing in '${JSON.stringify(raw)}'`);
  if (apiVersion !== API_VERSION || kind !== KIND) {
    throw new ConfigError(`failed to decode: no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/proxy/apis/config/scheme/scheme.go:28"`);
  }
  const dec = new Decoder();
  const decoded = dec.object(raw, SCHEMA, '');
  const strictErrs: string[] = [];
  if (dup) {
    const line = dup.linePos?.[0].line ?? 0;
    const key = /^\s*["']?([^:"']*)/.exec(text.split('\n')[line - 1] ?? '')?.[1] ?? '';
    strictErrs.push(`yaml: unmarshal errors:\n  line ${line}: key ${JSON.stringify(key)} already set in map`);
  }
  for (const u of dec.unknown) strictErrs.push(`unknown field "${u}"`);
  if (strictErrs.length) warnings.push(`Using lenient decoding as strict decoding failed: strict decoding error: ${strictErrs.join(', ')}`);
  const cfg = emptyConfiguration();
  overlay(cfg as unknown as Obj, decoded);
  return { config: setDefaults(cfg), warnings };
}
