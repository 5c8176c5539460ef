// core/v1 resources besides pods (./pod.ts): printer columns as upstream's printers
// (pkg/printers/internalversion), defaults as upstream's SetDefaults_* (pkg/apis/core/v1) and the
// REST strategies, validation with upstream's messages (pkg/apis/core/validation).
import { isIP } from 'node:net';
import type { JsonValue, KubeObject, StatusCause } from '../api/types.js';
import { AGE, age, type PrinterColumn, type ResourceDef } from './resource.js';
import { defaultPodSpec, podResource, validatePodSpec } from './pod.js';
import { DNS1123_LABEL, fieldErr, dns1123Label, dns1123Subdomain, labelValue, portName, qualifiedName } from './validation.js';

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
const rec = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const count = (v: unknown): number => Object.keys(rec(v)).length;
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const orNone = (s: string): string => s || '<none>';
const same = (a: unknown, b: unknown): boolean => JSON.stringify(canon(a)) === JSON.stringify(canon(b));

/** Key-sorted copy, so that comparisons ignore key order. */
function canon(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Obj)[k])]));
  return v;
}

// ---- upstream's field.Error message shapes ----

const { required, invalid, forbidden, duplicate, notSupported, tooLong } = fieldErr;

/** Go's %#v of a map[string]string, as field.Invalid prints label maps. */
function goStringMap(m: unknown): string {
  if (!m || typeof m !== 'object') return 'map[string]string(nil)';
  const entries = Object.keys(m).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(str((m as Obj)[k]))}`);
  return `map[string]string{${entries.join(', ')}}`;
}

// ---- apimachinery's name and label checks ----

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;

/** ValidateLabels: keys are qualified names, values label values. */
function validateLabels(m: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(rec(m))) {
    for (const msg of qualifiedName(k)) out.push(invalid(field, k, msg));
    for (const msg of labelValue(str(v))) out.push(invalid(field, str(v), msg));
  }
  return out;
}

function configMapKey(k: string): string[] {
  const out: string[] = [];
  if (k.length > 253) out.push('must be no more than 253 characters');
  if (!CONFIG_KEY.test(k)) out.push(`a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`);
  if (k === '.') out.push("must not be '.'");
  else if (k === '..') out.push("must not be '..'");
  else if (k.startsWith('..')) out.push("must not start with '..'");
  return out;
}

const PORT_RANGE = 'must be between 1 and 65535, inclusive';
const validPort = (p: unknown): boolean => typeof p === 'number' && Number.isInteger(p) && p >= 1 && p <= 65535;

const VALID_IP = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

// ---- resource.Quantity, as far as comparisons need it ----

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** A quantity's value as a number (NaN when it does not parse). */
export function quantityValue(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return NaN;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/.exec(v.trim());
  if (!m) return NaN;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  return base * SUFFIX[m[3] ?? '']!;
}

// ---- printers ----

const col = (name: string, description: string, value: PrinterColumn['value'], extra: Partial<PrinterColumn> = {}): PrinterColumn => ({ name, type: 'string', description, value, ...extra });
const wide = { priority: 1 };

/** layoutContainerCells: container names and images, comma-separated. */
function containerCells(containers: unknown): [string, string] {
  const cs = arr(containers);
  return [cs.map((c) => str(c.name)).join(','), cs.map((c) => str(c.image)).join(',')];
}

/** labels.FormatLabels: sorted k=v pairs, or <none>. */
function formatLabels(m: unknown): string {
  const keys = Object.keys(rec(m)).sort();
  return keys.length ? keys.map((k) => `${k}=${str(rec(m)[k])}`).join(',') : '<none>';
}

/** helper.GetAccessModesAsString. */
function accessModes(modes: unknown): string {
  const ms = strs(modes);
  const out: string[] = [];
  for (const [mode, short] of [['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP']] as const) {
    if (ms.includes(mode)) out.push(short);
  }
  return out.join(',');
}

/** The beta storage-class annotation wins over spec.storageClassName (helper.GetPersistentVolume(Claim)Class). */
function storageClass(o: KubeObject): string {
  const ann = o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  return ann ?? str(get(o, 'spec', 'storageClassName'));
}

const joinHostPort = (ip: string, port: unknown): string => (ip.includes(':') ? `[${ip}]:${str(port)}` : `${ip}:${str(port)}`);

/** formatEndpoints: up to three ip:port pairs, then "+ N more...". */
export function formatEndpoints(o: KubeObject): string {
  const subsets = arr(o.subsets);
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let total = 0;
  for (const ss of subsets) {
    const addrs = arr(ss.addresses);
    const ports = arr(ss.ports);
    if (ports.length === 0) {
      total += addrs.length;
      for (const a of addrs) { if (list.length === max) { more = true; break; } list.push(str(a.ip)); }
      continue;
    }
    for (const p of ports) {
      total += addrs.length;
      for (const a of addrs) { if (list.length === max) { more = true; break; } list.push(joinHostPort(str(a.ip), p.port)); }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${total - max} more...` : ret;
}

/** getServiceExternalIP (the non-wide form clips load-balancer addresses to 16 characters). */
function serviceExternalIP(o: KubeObject, isWide: boolean): string {
  const external = strs(get(o, 'spec', 'externalIPs'));
  switch (get(o, 'spec', 'type') ?? 'ClusterIP') {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      let lb = arr(get(o, 'status', 'loadBalancer', 'ingress')).map((i) => str(i.ip) || str(i.hostname)).filter(Boolean).join(',');
      if (!isWide && lb.length > 16) lb = `${lb.slice(0, 13)}...`;
      const all = [...(lb ? lb.split(',') : []), ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return str(get(o, 'spec', 'externalName'));
    default:
      return '<unknown>';
  }
}

function nodeStatus(o: KubeObject): string {
  const ready = arr(get(o, 'status', 'conditions')).find((c) => c.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (get(o, 'spec', 'unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) { const r = k.slice('node-role.kubernetes.io/'.length); if (r) roles.add(r); }
    else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort().join(',') || '<none>';
}

const nodeAddress = (o: KubeObject, type: string): string => str(arr(get(o, 'status', 'addresses')).find((a) => a.type === type)?.address) || '<none>';
const orUnknown = (s: string): string => s || '<unknown>';

/** printEvent's first/last seen: first/lastTimestamp, falling back to eventTime and the series. */
function eventTimes(o: KubeObject): { first: string; last: string; count: number } {
  const first = o.firstTimestamp ? age(str(o.firstTimestamp)) : age(str(o.eventTime) || undefined);
  let last = o.lastTimestamp ? age(str(o.lastTimestamp)) : first;
  let n = typeof o.count === 'number' ? o.count : 0;
  const series = rec(o.series);
  if (o.series) { last = age(str(series.lastObservedTime) || undefined); n = typeof series.count === 'number' ? series.count : 0; }
  else if (n === 0) n = 1;
  return { first, last, count: n };
}

function eventSource(o: KubeObject): string {
  const component = str(get(o, 'source', 'component')) || str(o.reportingComponent);
  const instance = str(get(o, 'source', 'host')) || str(o.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

/** printResourceQuota: "resource: used/hard" pairs, limits.* in the second column. */
function quotaColumns(o: KubeObject): [string, string] {
  const hard = rec(get(o, 'status', 'hard'));
  const used = rec(get(o, 'status', 'used'));
  const req: string[] = [];
  const lim: string[] = [];
  for (const r of Object.keys(hard).sort()) {
    const cell = `${r}: ${str(used[r]) || '0'}/${str(hard[r])}`;
    (r.split('.')[0] === 'limits' && r.includes('.') ? lim : req).push(cell);
  }
  return [req.join(', '), lim.join(', ')];
}

const CREATED_AT: PrinterColumn = {
  name: 'Created At', type: 'date', description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  value: (o) => o.metadata.creationTimestamp ?? null,
};

// ---- defaulting ----

/** SetDefaults_ReplicationController (+ the template's pod defaults). */
function defaultReplicationController(o: KubeObject): void {
  const spec = (o.spec ??= {}) as Obj;
  const template = spec.template as Obj | undefined;
  const labels = get(template, 'metadata', 'labels') as Record<string, string> | undefined;
  if (labels && typeof labels === 'object') {
    if (count(spec.selector) === 0) spec.selector = { ...labels };
    if (count(o.metadata.labels) === 0) o.metadata.labels = { ...labels };
  }
  spec.replicas ??= 1;
  if (template && typeof template === 'object') defaultPodSpec((template.spec ??= {}) as Obj);
  const st = (o.status ??= {}) as Obj;
  st.replicas ??= 0;
}

/** SetDefaults_Service, plus the REST layer's clusterIPs and IP family fields (allocation itself is elsewhere). */
function defaultService(o: KubeObject): void {
  const spec = (o.spec ??= {}) as Obj;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof get(spec, 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds') !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  for (const p of arr(spec.ports)) {
    p.protocol ??= 'TCP';
    if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port as JsonValue;
  }
  const type = spec.type;
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && strs(spec.externalIPs).length > 0);
  if (externallyAccessible) spec.externalTrafficPolicy ??= 'Cluster';
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') spec.internalTrafficPolicy ??= 'Cluster';
  if (type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  if (type === 'ExternalName') return;
  // normalizeClusterIPs: clusterIPs[0] mirrors clusterIP.
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && !Array.isArray(spec.clusterIPs)) spec.clusterIPs = [spec.clusterIP];
  const headlessNoSelector = spec.clusterIP === 'None' && count(spec.selector) === 0;
  spec.ipFamilyPolicy ??= headlessNoSelector ? 'RequireDualStack' : 'SingleStack';
  if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) {
    const ips = strs(spec.clusterIPs).filter((ip) => ip !== 'None');
    spec.ipFamilies = ips.length ? ips.map((ip) => (isIP(ip) === 6 ? 'IPv6' : 'IPv4')) : ['IPv4'];
  }
}

/** SetDefaults_LimitRangeItem: container defaults fall back to max, requests to default then min. */
function defaultLimitRange(o: KubeObject): void {
  for (const item of arr(get(o, 'spec', 'limits'))) {
    if (item.type !== 'Container') continue;
    const def = { ...rec(item.default) };
    const req = { ...rec(item.defaultRequest) };
    for (const [k, v] of Object.entries(rec(item.max))) if (!(k in def)) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (!(k in req)) req[k] = v;
    for (const [k, v] of Object.entries(rec(item.min))) if (!(k in req)) req[k] = v;
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(req).length) item.defaultRequest = req;
  }
}

/** SetDefaults_PersistentVolume (and the hostPath source's type). */
function defaultPersistentVolume(o: KubeObject): void {
  const spec = (o.spec ??= {}) as Obj;
  spec.persistentVolumeReclaimPolicy ??= 'Retain';
  spec.volumeMode ??= 'Filesystem';
  const hostPath = spec.hostPath;
  if (hostPath && typeof hostPath === 'object') (hostPath as Obj).type ??= '';
  const st = (o.status ??= {}) as Obj;
  st.phase ??= 'Pending';
}

function defaultPersistentVolumeClaim(o: KubeObject): void {
  const spec = (o.spec ??= {}) as Obj;
  spec.volumeMode ??= 'Filesystem';
  const st = (o.status ??= {}) as Obj;
  st.phase ??= 'Pending';
}

// ---- validation ----

const SERVICE_TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const IMMUTABLE_SET = 'field is immutable when `immutable` is set';

/** ValidateService (with the spec.clusterIPs shape checks; allocation is the server's). */
export function validateService(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const name = o.metadata.name ?? '';
  // Service names are DNS-1035 labels; the generic check already covers the DNS-1123 label rules.
  if (DNS1123_LABEL.test(name) && !DNS1035_LABEL.test(name)) {
    out.push(invalid('metadata.name', name, `a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`));
  }
  const spec = rec(o.spec);
  const type = str(spec.type);
  const headless = spec.clusterIP === 'None';
  const ports = arr(spec.ports);
  if (!SERVICE_TYPES.includes(type)) out.push(notSupported('spec.type', type, SERVICE_TYPES));
  if (ports.length === 0 && !headless && type !== 'ExternalName') out.push(required('spec.ports'));
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `spec.ports[${i}]`;
    const pn = str(p.name);
    if (ports.length > 1 && !pn) out.push(required(`${f}.name`));
    else if (pn) {
      for (const m of dns1123Label(pn)) out.push(invalid(`${f}.name`, pn, m));
      if (names.has(pn)) out.push(duplicate(`${f}.name`, pn));
      else names.add(pn);
    }
    if (!validPort(p.port)) out.push(invalid(`${f}.port`, p.port ?? 0, PORT_RANGE));
    if (!p.protocol) out.push(required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(str(p.protocol))) out.push(notSupported(`${f}.protocol`, p.protocol, PROTOCOLS));
    const tp = p.targetPort;
    if (typeof tp === 'number' && !validPort(tp)) out.push(invalid(`${f}.targetPort`, tp, PORT_RANGE));
    else if (typeof tp === 'string') for (const m of portName(tp)) out.push(invalid(`${f}.targetPort`, tp, m));
    if (type === 'ClusterIP' && typeof p.nodePort === 'number' && p.nodePort !== 0) out.push(forbidden(`${f}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    else if (p.nodePort !== undefined && p.nodePort !== 0 && !validPort(p.nodePort)) out.push(invalid(`${f}.nodePort`, p.nodePort, PORT_RANGE));
  });
  out.push(...validateLabels(spec.selector, 'spec.selector'));
  const affinity = spec.sessionAffinity;
  if (affinity !== undefined && affinity !== 'None' && affinity !== 'ClientIP') out.push(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  if (type === 'ExternalName') {
    if (spec.clusterIP) out.push(forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) for (const m of dns1123Subdomain(cname)) out.push(invalid('spec.externalName', cname, m));
    else out.push(required('spec.externalName'));
  } else {
    const clusterIP = str(spec.clusterIP);
    const clusterIPs = strs(spec.clusterIPs);
    if (clusterIPs.length > 0 && clusterIP === '') out.push(required('spec.clusterIP', 'must be set if spec.clusterIPs is set'));
    if (clusterIPs.length > 0 && clusterIP !== '' && clusterIPs[0] !== clusterIP) out.push(invalid('spec.clusterIPs', clusterIPs, 'first value must match `clusterIP`'));
    const ips = clusterIPs.length ? clusterIPs : clusterIP ? [clusterIP] : [];
    ips.forEach((ip, i) => {
      if (ip === 'None') { if (i !== 0) out.push(invalid(`spec.clusterIPs[${i}]`, ip, "'None' must be the first and only value")); return; }
      if (isIP(ip) === 0) out.push(invalid(`spec.clusterIPs[${i}]`, ip, VALID_IP));
    });
  }
  strs(spec.externalIPs).forEach((ip, i) => { if (isIP(ip) === 0) out.push(invalid(`spec.externalIPs[${i}]`, ip, VALID_IP)); });
  const policy = spec.ipFamilyPolicy;
  if (policy !== undefined && !['PreferDualStack', 'RequireDualStack', 'SingleStack'].includes(str(policy))) out.push(notSupported('spec.ipFamilyPolicy', policy, ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
  if (old) {
    // clusterIP is immutable once set (except to or from an ExternalName type).
    const oldIP = str(get(old, 'spec', 'clusterIP'));
    if (oldIP && get(old, 'spec', 'type') !== 'ExternalName' && type !== 'ExternalName' && spec.clusterIP !== undefined && spec.clusterIP !== oldIP) {
      out.push(invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set'));
    }
  }
  return out;
}

function validateDataKeys(data: unknown, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  for (const k of Object.keys(rec(data))) for (const m of configMapKey(k)) out.push(invalid(`${path}[${k}]`, k, m));
  return out;
}

const MAX_SIZE = 1024 * 1024;
const base64Size = (v: unknown): number => { const s = str(v); return Math.floor((s.length * 3) / 4) - (s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0); };

/** ValidateConfigMap and, with `old`, ValidateConfigMapUpdate. */
export function validateConfigMap(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const data = rec(o.data);
  const binary = rec(o.binaryData);
  out.push(...validateDataKeys(data, 'data'));
  for (const k of Object.keys(data)) if (k in binary) out.push(invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
  out.push(...validateDataKeys(binary, 'binaryData'));
  for (const k of Object.keys(binary)) if (k in data) out.push(invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
  const size = Object.values(data).reduce<number>((n, v) => n + Buffer.byteLength(str(v)), 0) + Object.values(binary).reduce<number>((n, v) => n + base64Size(v), 0);
  if (size > MAX_SIZE) out.push(tooLong('', MAX_SIZE));
  if (old && old.immutable === true) {
    if (o.immutable !== true) out.push(forbidden('immutable', IMMUTABLE_SET));
    if (!same(o.data ?? {}, old.data ?? {})) out.push(forbidden('data', IMMUTABLE_SET));
    if (!same(o.binaryData ?? {}, old.binaryData ?? {})) out.push(forbidden('binaryData', IMMUTABLE_SET));
  }
  return out;
}

/** ValidateSecret (per-type required keys) and, with `old`, ValidateSecretUpdate. */
export function validateSecret(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const data = rec(o.data);
  out.push(...validateDataKeys(data, 'data'));
  const size = Object.values(data).reduce<number>((n, v) => n + base64Size(v), 0);
  if (size > MAX_SIZE) out.push(tooLong('data', MAX_SIZE));
  const has = (k: string): boolean => k in data;
  switch (o.type) {
    case 'kubernetes.io/service-account-token':
      if (!o.metadata.annotations?.['kubernetes.io/service-account.name']) out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = o.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) { out.push(required(`data[${key}]`)); break; }
      try { JSON.parse(Buffer.from(str(data[key]), 'base64').toString()); } catch (e) { out.push(invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message)); }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) out.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!str(data['ssh-privatekey'])) out.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) out.push(required('data[tls.crt]'));
      if (!has('tls.key')) out.push(required('data[tls.key]'));
      break;
    default:
  }
  if (old) {
    if ((o.type ?? '') !== (old.type ?? '')) out.push(invalid('type', o.type ?? '', 'field is immutable'));
    if (old.immutable === true) {
      if (o.immutable !== true) out.push(forbidden('immutable', IMMUTABLE_SET));
      if (!same(o.data ?? {}, old.data ?? {})) out.push(forbidden('data', IMMUTABLE_SET));
    }
  }
  return out;
}

function validateNamespace(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  strs(get(o, 'spec', 'finalizers')).forEach((f, i) => {
    if (f.includes('/')) for (const m of qualifiedName(f)) out.push(invalid(`spec.finalizers[${i}]`, f, m));
    else if (f !== 'kubernetes') out.push(invalid(`spec.finalizers[${i}]`, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return out;
}

const nonNegative = (field: string, v: unknown): StatusCause[] => (typeof v === 'number' && v < 0 ? [invalid(field, v, 'must be greater than or equal to 0')] : []);

/** ValidateReplicationControllerSpec: non-empty selector that matches the template's labels, an Always-restart template. */
export function validateReplicationController(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = rec(o.spec);
  out.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  const selector = rec(spec.selector);
  if (count(selector) === 0) out.push(required('spec.selector'));
  out.push(...validateLabels(selector, 'spec.selector'));
  out.push(...nonNegative('spec.replicas', spec.replicas));
  const template = spec.template;
  if (!template || typeof template !== 'object') { out.push(required('spec.template')); return out; }
  const labels = get(template, 'metadata', 'labels');
  if (count(selector) > 0 && !Object.entries(selector).every(([k, v]) => rec(labels)[k] === v)) {
    out.push({ reason: 'FieldValueInvalid', message: `Invalid value: ${goStringMap(labels)}: \`selector\` does not match template \`labels\``, field: 'spec.template.metadata.labels' });
  }
  out.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  out.push(...validatePodSpec(get(template, 'spec'), 'spec.template.spec'));
  const rp = get(template, 'spec', 'restartPolicy');
  if (rp !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', rp ?? '', ['Always']));
  if (get(template, 'spec', 'activeDeadlineSeconds') !== undefined) out.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  return out;
}

function validateEndpoints(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  arr(o.subsets).forEach((ss, i) => {
    const f = `subsets[${i}]`;
    for (const [key, list] of [['addresses', arr(ss.addresses)], ['notReadyAddresses', arr(ss.notReadyAddresses)]] as const) {
      list.forEach((a, j) => {
        const ip = str(a.ip);
        if (isIP(ip) === 0) out.push(invalid(`${f}.${key}[${j}].ip`, ip, VALID_IP));
        else if (/^127\./.test(ip) || ip === '::1') out.push(invalid(`${f}.${key}[${j}].ip`, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
        if (a.hostname !== undefined && a.hostname !== '') for (const m of dns1123Label(str(a.hostname))) out.push(invalid(`${f}.${key}[${j}].hostname`, a.hostname, m));
      });
    }
    const ports = arr(ss.ports);
    ports.forEach((p, j) => {
      const pf = `${f}.ports[${j}]`;
      if (ports.length > 1 && !p.name) out.push(required(`${pf}.name`));
      else if (p.name) for (const m of dns1123Label(str(p.name))) out.push(invalid(`${pf}.name`, p.name, m));
      if (!validPort(p.port)) out.push(invalid(`${pf}.port`, p.port ?? 0, PORT_RANGE));
      if (!p.protocol) out.push(required(`${pf}.protocol`));
      else if (!PROTOCOLS.includes(str(p.protocol))) out.push(notSupported(`${pf}.protocol`, p.protocol, PROTOCOLS));
    });
  });
  return out;
}

/** legacyValidateEvent: the involved object's namespace agrees with the event's; new-style events name their reporter. */
function validateEvent(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const ns = o.metadata.namespace ?? '';
  const involvedNs = str(get(o, 'involvedObject', 'namespace'));
  const mismatch = (): StatusCause => invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!o.eventTime) {
    if (involvedNs === '' ? ns !== '' && ns !== 'default' : ns !== involvedNs) out.push(mismatch());
  } else {
    if (involvedNs === '' && ns !== 'default' && ns !== 'kube-system') out.push(mismatch());
    const controller = str(o.reportingComponent);
    if (!controller) out.push(required('reportingComponent'));
    for (const m of qualifiedName(controller)) if (controller) out.push(invalid('reportingComponent', controller, m));
    if (!o.reportingInstance) out.push(required('reportingInstance'));
    if (!o.action) out.push(required('action'));
    if (!o.reason) out.push(required('reason'));
  }
  return out;
}

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

function validateNode(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  arr(get(o, 'spec', 'taints')).forEach((t, i) => {
    const f = `spec.taints[${i}]`;
    for (const m of qualifiedName(str(t.key))) out.push(invalid(`${f}.key`, str(t.key), m));
    if (t.value !== undefined && t.value !== '') for (const m of labelValue(str(t.value))) out.push(invalid(`${f}.value`, t.value, m));
    if (!t.effect) out.push(required(`${f}.effect`));
    else if (!TAINT_EFFECTS.includes(str(t.effect))) out.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
  });
  return out;
}

/** ValidateResourceQuantityValue for a map of quantities at `path` (keys rendered as path[key]). */
function validateQuantities(m: unknown, path: string, positive = false): StatusCause[] {
  const out: StatusCause[] = [];
  for (const [k, v] of Object.entries(rec(m))) {
    const n = quantityValue(v);
    if (Number.isNaN(n)) out.push(invalid(`${path}[${k}]`, str(v), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if (positive ? n <= 0 : n < 0) out.push(invalid(`${path}[${k}]`, str(v), positive ? 'must be greater than zero' : 'must be greater than or equal to 0'));
  }
  return out;
}

const QUOTA_SCOPES = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating'];

function validateResourceQuota(o: KubeObject): StatusCause[] {
  const out = [...validateQuantities(get(o, 'spec', 'hard'), 'spec.hard'), ...validateQuantities(get(o, 'status', 'hard'), 'status.hard'), ...validateQuantities(get(o, 'status', 'used'), 'status.used')];
  strs(get(o, 'spec', 'scopes')).forEach((s) => { if (!QUOTA_SCOPES.includes(s)) out.push(invalid('spec.scopes', s, 'unsupported scope')); });
  arr(get(o, 'spec', 'scopeSelector', 'matchExpressions')).forEach((e, i) => {
    if (!QUOTA_SCOPES.includes(str(e.scopeName))) out.push(invalid(`spec.scopeSelector.matchExpressions[${i}].scopeName`, str(e.scopeName), 'unsupported scope'));
  });
  return out;
}

/** ValidateLimitRange: non-negative quantities, min <= defaultRequest <= default <= max, no defaults for Pod limits. */
function validateLimitRange(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  arr(get(o, 'spec', 'limits')).forEach((item, i) => {
    const f = `spec.limits[${i}]`;
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) out.push(...validateQuantities(item[k], `${f}.${k}`));
    if (item.type === 'Pod') {
      if (count(item.default)) out.push(forbidden(`${f}.default`, "may not be specified when `type` is 'Pod'"));
      if (count(item.defaultRequest)) out.push(forbidden(`${f}.defaultRequest`, "may not be specified when `type` is 'Pod'"));
    }
    const min = rec(item.min); const max = rec(item.max); const def = rec(item.default); const req = rec(item.defaultRequest);
    const keys = new Set([...Object.keys(min), ...Object.keys(max), ...Object.keys(def), ...Object.keys(req)]);
    const gt = (a: unknown, b: unknown): boolean => a !== undefined && b !== undefined && quantityValue(a) > quantityValue(b);
    for (const k of keys) {
      if (gt(min[k], max[k])) out.push(invalid(`${f}.min[${k}]`, str(min[k]), `min value ${str(min[k])} is greater than max value ${str(max[k])}`));
      if (gt(min[k], req[k])) out.push(invalid(`${f}.defaultRequest[${k}]`, str(req[k]), `min value ${str(min[k])} is greater than default request value ${str(req[k])}`));
      if (gt(req[k], max[k])) out.push(invalid(`${f}.defaultRequest[${k}]`, str(req[k]), `default request value ${str(req[k])} is greater than max value ${str(max[k])}`));
      if (gt(req[k], def[k])) out.push(invalid(`${f}.defaultRequest[${k}]`, str(req[k]), `default request value ${str(req[k])} is greater than default limit value ${str(def[k])}`));
      if (gt(min[k], def[k])) out.push(invalid(`${f}.default[${k}]`, str(def[k]), `min value ${str(min[k])} is greater than default value ${str(def[k])}`));
      if (gt(def[k], max[k])) out.push(invalid(`${f}.default[${k}]`, str(def[k]), `default value ${str(def[k])} is greater than max value ${str(max[k])}`));
    }
  });
  return out;
}

/** The members of PersistentVolumeSource, each a volume plugin (exactly one is set). */
const PV_SOURCES = ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume',
  'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi'];

function validateAccessModes(modes: unknown, field: string, detail: string): StatusCause[] {
  const ms = strs(modes);
  const out: StatusCause[] = ms.length === 0 ? [required(field, detail)] : [];
  for (const m of ms) if (!ACCESS_MODES.includes(m)) out.push(notSupported(field, m, ACCESS_MODES));
  if (ms.includes('ReadWriteOncePod') && ms.length > 1) out.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return out;
}

function validateStorageClassName(v: unknown, field: string): StatusCause[] {
  return typeof v === 'string' && v !== '' ? dns1123Subdomain(v).map((m) => invalid(field, v, m)) : [];
}

/** ValidatePersistentVolume(Update): one volume source, capacity and access modes; the source and volumeMode are immutable. */
export function validatePersistentVolume(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = rec(o.spec);
  out.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', 'must specify at least 1 access mode'));
  const capacity = rec(spec.capacity);
  if (count(capacity) === 0) out.push(required('spec.capacity'));
  else if (!('storage' in capacity) || count(capacity) > 1) out.push(notSupported('spec.capacity', Object.keys(capacity).sort().join(','), ['storage']));
  else out.push(...validateQuantities(capacity, 'spec.capacity', true));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (policy !== undefined && !['Delete', 'Recycle', 'Retain'].includes(str(policy))) out.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
  out.push(...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'));
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(str(spec.volumeMode))) out.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  const sources = PV_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) out.push(required('spec', 'must specify a volume type'));
  for (const s of sources.slice(1)) out.push(forbidden(`spec.${s}`, 'may not specify more than 1 volume type'));
  if (old) {
    const source = (x: unknown): Obj => Object.fromEntries(PV_SOURCES.filter((s) => rec(x)[s] !== undefined).map((s) => [s, rec(x)[s]]));
    if (!same(source(spec), source(old.spec))) out.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
    const oldMode = get(old, 'spec', 'volumeMode');
    if (oldMode !== undefined && spec.volumeMode !== oldMode) out.push(invalid('volumeMode', spec.volumeMode ?? '', 'field is immutable'));
  }
  return out;
}

/** ValidatePersistentVolumeClaim(Update): access modes, a positive storage request; only a bound claim's requests may change. */
export function validatePersistentVolumeClaim(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = rec(o.spec);
  out.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required'));
  const requests = rec(get(spec, 'resources', 'requests'));
  if (!('storage' in requests)) out.push(required('spec.resources[storage]'));
  else out.push(...validateQuantities({ storage: requests.storage }, 'spec.resources', true));
  out.push(...validateStorageClassName(spec.storageClassName, 'spec.storageClassName'));
  if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(str(spec.volumeMode))) out.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  if (old) {
    const oldSpec = rec(old.spec);
    const strip = (s: Obj): Obj => {
      const { resources, volumeAttributesClassName: _vac, ...rest } = s;
      const { requests: _r, ...res } = rec(resources);
      return { ...rest, resources: res };
    };
    // volumeName may be set once, when the claim binds.
    const next = strip(spec);
    const prev = strip(oldSpec);
    if (!oldSpec.volumeName) { delete next.volumeName; delete prev.volumeName; }
    const bound = get(old, 'status', 'phase') === 'Bound';
    const requestsChanged = !same(get(spec, 'resources', 'requests'), get(oldSpec, 'resources', 'requests'));
    if (!same(next, prev) || (requestsChanged && !bound)) {
      out.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    } else if (requestsChanged && quantityValue(requests.storage) < quantityValue(get(oldSpec, 'resources', 'requests', 'storage'))) {
      out.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
    }
  }
  return out;
}

// ---- declarations ----

function core(p: Partial<ResourceDef> & Pick<ResourceDef, 'kind' | 'plural' | 'singular'>): ResourceDef {
  return {
    group: '', version: 'v1', shortNames: [], categories: [], namespaced: true, nameRule: 'subdomain',
    storagePath: p.plural, columns: [AGE], hasSpec: false, schema: `io.k8s.api.core.v1.${p.kind}`, ...p,
  };
}

const templateContainers = (o: KubeObject): [string, string] => containerCells(get(o, 'spec', 'template', 'spec', 'containers'));

export const coreResources: ResourceDef[] = [
  core({
    kind: 'Namespace', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false, nameRule: 'label',
    subresources: { status: true }, fieldSelectors: ['status.phase'],
    columns: [col('Status', 'The status of the namespace', (o) => str(get(o, 'status', 'phase'))), AGE],
    defaults: (o) => {
      const spec = (o.spec ??= {}) as Obj;
      if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
      const st = (o.status ??= {}) as Obj;
      if (!st.phase) st.phase = 'Active';
      const labels = (o.metadata.labels ??= {});
      labels['kubernetes.io/metadata.name'] = o.metadata.name ?? '';
    },
    validate: (o) => validateNamespace(o),
  }),
  core({
    kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'],
    columns: [col('Data', 'Data contains the configuration data.', (o) => count(o.data) + count(o.binaryData), { type: 'integer' }), AGE],
    validate: validateConfigMap,
  }),
  core({
    kind: 'Secret', plural: 'secrets', singular: 'secret', fieldSelectors: ['type'],
    columns: [
      col('Type', 'Used to facilitate programmatic handling of secret data.', (o) => str(o.type)),
      col('Data', 'Data contains the secret data.', (o) => count(o.data), { type: 'integer' }),
      AGE,
    ],
    defaults: (o) => {
      if (!o.type) o.type = 'Opaque';
      // stringData is write-only: folded into data as base64 (upstream's conversion).
      const sd = o.stringData;
      if (sd && typeof sd === 'object') {
        const data = (o.data ??= {}) as Record<string, string>;
        for (const [k, v] of Object.entries(sd)) data[k] = Buffer.from(String(v)).toString('base64');
        delete o.stringData;
      }
    },
    validate: validateSecret,
  }),
  core({
    kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', shortNames: ['sa'],
    columns: [col('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', (o) => arr(o.secrets).length, { type: 'integer' }), AGE],
  }),
  podResource,
  core({
    kind: 'Service', plural: 'services', singular: 'service', shortNames: ['svc'], categories: ['all'], storagePath: 'services/specs', nameRule: 'label',
    subresources: { status: true },
    columns: [
      col('Type', 'Type determines how the Service is exposed.', (o) => str(get(o, 'spec', 'type'))),
      col('Cluster-IP', 'ClusterIP is the IP address of the service.', (o) => strs(get(o, 'spec', 'clusterIPs'))[0] ?? (str(get(o, 'spec', 'clusterIP')) || '<none>')),
      col('External-IP', 'ExternalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', (o) => serviceExternalIP(o, false)),
      col('Port(s)', 'The list of ports that are exposed by this service.', (o) => orNone(arr(get(o, 'spec', 'ports')).map((p) => (typeof p.nodePort === 'number' && p.nodePort > 0 ? `${str(p.port)}:${p.nodePort}/${str(p.protocol)}` : `${str(p.port)}/${str(p.protocol)}`)).join(','))),
      AGE,
      col('Selector', 'Route service traffic to pods with label keys and values matching this selector.', (o) => formatLabels(get(o, 'spec', 'selector')), wide),
    ],
    defaults: defaultService,
    validate: validateService,
  }),
  core({
    kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints', shortNames: ['ep'], storagePath: 'services/endpoints',
    columns: [col('Endpoints', 'The set of all endpoints is the union of all subsets.', formatEndpoints), AGE],
    defaults: (o) => { for (const ss of arr(o.subsets)) for (const p of arr(ss.ports)) p.protocol ??= 'TCP'; },
    validate: (o) => validateEndpoints(o),
  }),
  core({
    kind: 'Node', plural: 'nodes', singular: 'node', shortNames: ['no'], namespaced: false, storagePath: 'minions',
    subresources: { status: true }, fieldSelectors: ['spec.unschedulable'], keepStatusOnCreate: true,
    columns: [
      col('Status', 'The status of the node', nodeStatus),
      col('Roles', 'The roles of the node', nodeRoles),
      AGE,
      col('Version', 'Kubelet Version reported by the node.', (o) => str(get(o, 'status', 'nodeInfo', 'kubeletVersion'))),
      col('Internal-IP', 'List of addresses reachable to the node.', (o) => nodeAddress(o, 'InternalIP'), wide),
      col('External-IP', 'List of addresses reachable to the node.', (o) => nodeAddress(o, 'ExternalIP'), wide),
      col('OS-Image', 'OS Image reported by the node from /etc/os-release.', (o) => orUnknown(str(get(o, 'status', 'nodeInfo', 'osImage'))), wide),
      col('Kernel-Version', "Kernel Version reported by the node from 'uname -r'.", (o) => orUnknown(str(get(o, 'status', 'nodeInfo', 'kernelVersion'))), wide),
      col('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API.', (o) => orUnknown(str(get(o, 'status', 'nodeInfo', 'containerRuntimeVersion'))), wide),
    ],
    defaults: (o) => {
      // SetDefaults_NodeStatus: allocatable defaults to capacity.
      const st = o.status as Obj | undefined;
      if (st && typeof st === 'object' && st.capacity && st.allocatable === undefined) st.allocatable = { ...rec(st.capacity) };
    },
    validate: (o) => validateNode(o),
  }),
  core({
    kind: 'Event', plural: 'events', singular: 'event', shortNames: ['ev'],
    fieldSelectors: ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion',
      'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
    columns: [
      col('Last Seen', 'The time at which the most recent occurrence of this event was recorded.', (o) => eventTimes(o).last),
      col('Type', 'Type of this event (Normal, Warning), new types could be added in the future.', (o) => str(o.type)),
      col('Reason', "A short, machine understandable string that gives the reason for the transition into the object's current status.", (o) => str(o.reason)),
      col('Object', 'The object that this event is about.', (o) => {
        const kind = str(get(o, 'involvedObject', 'kind')).toLowerCase();
        const name = str(get(o, 'involvedObject', 'name'));
        return name ? `${kind}/${name}` : kind;
      }),
      col('Subobject', 'The field of the involved object the event is about.', (o) => str(get(o, 'involvedObject', 'fieldPath')), wide),
      col('Source', 'The component reporting this event.', eventSource, wide),
      col('Message', 'A human-readable description of the status of this operation.', (o) => str(o.message).trim()),
      col('First Seen', 'The time at which the event was first recorded.', (o) => eventTimes(o).first, wide),
      col('Count', 'The number of times this event has occurred.', (o) => eventTimes(o).count, wide),
    ],
    validate: (o) => validateEvent(o),
  }),
  core({
    kind: 'LimitRange', plural: 'limitranges', singular: 'limitrange', shortNames: ['limits'],
    columns: [CREATED_AT],
    defaults: defaultLimitRange,
    validate: (o) => validateLimitRange(o),
  }),
  core({
    kind: 'ResourceQuota', plural: 'resourcequotas', singular: 'resourcequota', shortNames: ['quota'],
    subresources: { status: true },
    columns: [
      AGE,
      col('Request', 'Request represents a minimum amount of cpu/memory that a container may consume.', (o) => quotaColumns(o)[0]),
      col('Limit', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', (o) => quotaColumns(o)[1]),
    ],
    validate: (o) => validateResourceQuota(o),
  }),
  core({
    kind: 'PersistentVolume', plural: 'persistentvolumes', singular: 'persistentvolume', shortNames: ['pv'], namespaced: false,
    subresources: { status: true },
    columns: [
      col('Capacity', "Capacity is the description of the persistent volume's resources and capacity.", (o) => str(get(o, 'spec', 'capacity', 'storage'))),
      col('Access Modes', 'AccessModes contains all ways the volume can be mounted.', (o) => accessModes(get(o, 'spec', 'accessModes'))),
      col('Reclaim Policy', 'PersistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.', (o) => str(get(o, 'spec', 'persistentVolumeReclaimPolicy'))),
      col('Status', 'Phase indicates if a volume is available, bound to a claim, or released by a claim.', (o) => (o.metadata.deletionTimestamp ? 'Terminating' : str(get(o, 'status', 'phase')))),
      col('Claim', 'ClaimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.', (o) => (get(o, 'spec', 'claimRef') ? `${str(get(o, 'spec', 'claimRef', 'namespace'))}/${str(get(o, 'spec', 'claimRef', 'name'))}` : '')),
      col('StorageClass', 'StorageClass of the pv', storageClass),
      col('VolumeAttributesClass', 'VolumeAttributesClass of the pv', (o) => str(get(o, 'spec', 'volumeAttributesClassName')) || '<unset>'),
      col('Reason', 'Reason is a brief CamelCase string that describes any failure.', (o) => str(get(o, 'status', 'reason'))),
      AGE,
      col('VolumeMode', 'VolumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', (o) => str(get(o, 'spec', 'volumeMode')) || '<unset>', wide),
    ],
    defaults: defaultPersistentVolume,
    validate: validatePersistentVolume,
  }),
  core({
    kind: 'PersistentVolumeClaim', plural: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', shortNames: ['pvc'],
    subresources: { status: true },
    columns: [
      col('Status', 'Phase represents the current phase of PersistentVolumeClaim.', (o) => (o.metadata.deletionTimestamp ? 'Terminating' : str(get(o, 'status', 'phase')))),
      col('Volume', 'VolumeName is the binding reference to the PersistentVolume backing this claim.', (o) => str(get(o, 'spec', 'volumeName'))),
      col('Capacity', 'Capacity represents the actual resources of the underlying volume.', (o) => (get(o, 'spec', 'volumeName') ? str(get(o, 'status', 'capacity', 'storage')) : '')),
      col('Access Modes', 'AccessModes contains the actual access modes the volume backing the PVC has.', (o) => (get(o, 'spec', 'volumeName') ? accessModes(get(o, 'status', 'accessModes')) : '')),
      col('StorageClass', 'StorageClass of the pvc', storageClass),
      col('VolumeAttributesClass', 'VolumeAttributesClass of the pvc', (o) => str(get(o, 'spec', 'volumeAttributesClassName')) || '<unset>'),
      AGE,
      col('VolumeMode', 'VolumeMode defines what type of volume is required by the claim.', (o) => str(get(o, 'spec', 'volumeMode')) || '<unset>', wide),
    ],
    defaults: defaultPersistentVolumeClaim,
    validate: validatePersistentVolumeClaim,
  }),
  core({
    kind: 'PodTemplate', plural: 'podtemplates', singular: 'podtemplate',
    columns: [
      col('Containers', 'Names of each container in the template.', (o) => containerCells(get(o, 'template', 'spec', 'containers'))[0]),
      col('Images', 'Images referenced by each container in the template.', (o) => containerCells(get(o, 'template', 'spec', 'containers'))[1]),
      col('Pod Labels', 'The labels for the pod template.', (o) => formatLabels(get(o, 'template', 'metadata', 'labels'))),
    ],
    defaults: (o) => {
      const template = (o.template ??= {}) as Obj;
      defaultPodSpec((template.spec ??= {}) as Obj);
    },
    validate: (o) => [...validateLabels(get(o, 'template', 'metadata', 'labels'), 'template.metadata.labels'), ...validatePodSpec(get(o, 'template', 'spec'), 'template.spec')],
  }),
  core({
    kind: 'ReplicationController', plural: 'replicationcontrollers', singular: 'replicationcontroller', shortNames: ['rc'], categories: ['all'],
    storagePath: 'controllers', hasSpec: true,
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' } },
    fieldSelectors: ['status.replicas'],
    columns: [
      col('Desired', 'Replicas is the number of desired replicas.', (o) => (typeof get(o, 'spec', 'replicas') === 'number' ? (get(o, 'spec', 'replicas') as number) : 0), { type: 'integer' }),
      col('Current', 'Replicas is the most recently observed number of replicas.', (o) => (typeof get(o, 'status', 'replicas') === 'number' ? (get(o, 'status', 'replicas') as number) : 0), { type: 'integer' }),
      col('Ready', 'The number of ready replicas for this replication controller.', (o) => (typeof get(o, 'status', 'readyReplicas') === 'number' ? (get(o, 'status', 'readyReplicas') as number) : 0), { type: 'integer' }),
      AGE,
      col('Containers', 'Names of each container in the template.', (o) => templateContainers(o)[0], wide),
      col('Images', 'Images referenced by each container in the template.', (o) => templateContainers(o)[1], wide),
      col('Selector', 'Selector is a label query over pods that should match the Replicas count.', (o) => formatLabels(get(o, 'spec', 'selector')), wide),
    ],
    defaults: defaultReplicationController,
    validate: (o) => validateReplicationController(o),
  }),
  core({
    kind: 'ComponentStatus', plural: 'componentstatuses', singular: 'componentstatus', shortNames: ['cs'], namespaced: false,
    verbs: ['get', 'list'],
    columns: [
      col('Status', 'Status of the component conditions', (o) => componentCondition(o).status),
      col('Message', 'Message of the component conditions', (o) => componentCondition(o).message),
      col('Error', 'Error of the component conditions', (o) => componentCondition(o).error),
    ],
  }),
];

function componentCondition(o: KubeObject): { status: string; message: string; error: string } {
  const c = arr(o.conditions).find((x) => x.type === 'Healthy');
  if (!c) return { status: 'Unknown', message: '', error: '' };
  return { status: c.status === 'True' ? 'Healthy' : 'Unhealthy', message: str(c.message), error: str(c.error) };
}
