// core/v1 pods, and the pod-spec defaulting and validation that workload resources (pod
// templates in replication controllers, deployments, jobs...) reuse. Defaults follow upstream's
// pkg/apis/core/v1/defaults.go, validation pkg/apis/core/validation (messages as field.Error
// prints them), QoS pkg/apis/core/helper/qos.
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, validateName, type ResourceDef } from './resource.js';
import { DNS1123_SUBDOMAIN, QUALIFIED_NAME_PART, fieldErr, portName } from './validation.js';

type Obj = Record<string, unknown>;
const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as unknown[]).filter(isObj) : []);
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

// ---- field errors, with upstream's message shapes ----

const { required, invalid, notSupported, duplicate, forbidden, notFound } = fieldErr;

function dnsLabel(value: string, field: string): StatusCause[] {
  return validateName('label', value).map((m) => invalid(field, value, m));
}

const INCLUSIVE_PORT = 'must be between 1 and 65535, inclusive';
const isPortNum = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= 65535;

function portNumOrName(port: unknown, field: string): StatusCause[] {
  if (typeof port === 'number') return isPortNum(port) ? [] : [invalid(field, port, INCLUSIVE_PORT)];
  if (typeof port === 'string') return portName(port).map((m) => invalid(field, port, m));
  return [required(field)];
}

// ---- quantities (resource.Quantity) ----

/** A parsed quantity: value = num / 10^scale, and the format its suffix implies. */
export interface Quantity { num: bigint; scale: number; format: 'DecimalSI' | 'BinarySI' | 'DecimalExponent' }

const QUANTITY_RE = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?[0-9]+)?$/;
export const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const DECIMAL_SUFFIX: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Parses "500m", "1.5Gi", "2e3", 3 ...; undefined when the text is no quantity. */
export function parseQuantity(v: unknown): Quantity | undefined {
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  if (typeof text !== 'string') return undefined;
  const m = QUANTITY_RE.exec(text.trim());
  if (!m) return undefined;
  const [whole = '', frac = ''] = m[1]!.replace(/^[+]/, '').split('.');
  const negative = whole.startsWith('-');
  let num = BigInt((whole.replace('-', '') || '0') + frac) * (negative ? -1n : 1n);
  let scale = frac.length;
  const suffix = m[2] ?? '';
  let format: Quantity['format'] = 'DecimalSI';
  let exp10 = 0;
  if (suffix in BINARY_SUFFIX) { format = 'BinarySI'; num *= 1n << BigInt(BINARY_SUFFIX[suffix]!); }
  else if (/^[eE]/.test(suffix)) { format = 'DecimalExponent'; exp10 = Number(suffix.slice(1)); }
  else exp10 = DECIMAL_SUFFIX[suffix]!;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10); else scale -= exp10;
  return { num, scale, format };
}

const isIntegral = (q: Quantity): boolean => q.scale <= 0 || q.num % 10n ** BigInt(q.scale) === 0n;
const at = (q: Quantity, scale: number): bigint => q.num * 10n ** BigInt(scale - q.scale);
/** -1, 0 or 1 as a is below, equal to or above b. */
export function compareQuantity(a: Quantity, b: Quantity): number {
  const s = Math.max(a.scale, b.scale);
  const x = at(a, s), y = at(b, s);
  return x < y ? -1 : x > y ? 1 : 0;
}
function addQuantity(a: Quantity, b: Quantity): Quantity {
  const s = Math.max(a.scale, b.scale);
  return { num: at(a, s) + at(b, s), scale: s, format: a.format };
}

/** Upstream's canonical String(): "1Gi" for 1024Mi, "500m" for 0.5, "1k" for 1000, "1536Mi" for 1.5Gi. */
export function formatQuantity(q: Quantity): string {
  let { num, scale } = q;
  let format = q.format;
  const integral = isIntegral(q);
  if (format === 'BinarySI') {
    const whole = integral ? (scale <= 0 ? num * 10n ** BigInt(-scale) : num / 10n ** BigInt(scale)) : 0n;
    if (!integral || (whole > -1024n && whole < 1024n)) format = 'DecimalSI';
    else {
      let v = whole, exp = 0;
      while (exp < 60 && v % 1024n === 0n) { v /= 1024n; exp += 10; }
      const suffix = Object.keys(BINARY_SUFFIX).find((k) => BINARY_SUFFIX[k] === exp) ?? '';
      return `${v}${suffix}`;
    }
  }
  // Round up to nano precision, as upstream does for sub-nano amounts.
  if (scale > 9) {
    const div = 10n ** BigInt(scale - 9);
    const q0 = num / div;
    num = num % div === 0n || num < 0n ? q0 : q0 + 1n;
    scale = 9;
  }
  if (num === 0n) return '0';
  let exp = -scale;
  while (num % 10n === 0n) { num /= 10n; exp += 1; }
  if (format === 'DecimalExponent') {
    while (exp % 3 !== 0) { num *= 10n; exp -= 1; }
    return exp === 0 ? `${num}` : `${num}e${exp}`;
  }
  while (((exp % 3) + 3) % 3 !== 0) { num *= 10n; exp -= 1; }
  while (exp > 18) { num *= 1000n; exp -= 3; }
  const suffix = Object.keys(DECIMAL_SUFFIX).find((k) => DECIMAL_SUFFIX[k] === exp) ?? '';
  return `${num}${suffix}`;
}

// ---- defaulting ----

/** Upstream: IfNotPresent for a tagged image, Always for :latest or no tag. */
export function defaultPullPolicy(image: string): string {
  const afterSlash = image.slice(image.lastIndexOf('/') + 1);
  if (image.includes('@')) return 'IfNotPresent';
  const colon = afterSlash.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return afterSlash.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHandler(h: unknown): void {
  const http = get(h, 'httpGet');
  if (isObj(http)) { http.path ??= '/'; http.scheme ??= 'HTTP'; }
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  defaultHandler(p);
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
}

function defaultFieldRef(sel: unknown): void {
  if (isObj(sel)) sel.apiVersion ??= 'v1';
}

function defaultContainers(list: Obj[]): void {
  for (const c of list) {
    // An unparsable (e.g. empty) image has no "latest" tag, so upstream picks IfNotPresent.
    if (c.imagePullPolicy === undefined || c.imagePullPolicy === '') c.imagePullPolicy = typeof c.image === 'string' && c.image ? defaultPullPolicy(c.image) : 'IfNotPresent';
    c.terminationMessagePath ??= '/dev/termination-log';
    c.terminationMessagePolicy ??= 'File';
    c.resources ??= {};
    for (const port of arr(c.ports)) port.protocol ??= 'TCP';
    for (const e of arr(c.env)) defaultFieldRef(get(e, 'valueFrom', 'fieldRef'));
    defaultProbe(c.livenessProbe);
    defaultProbe(c.readinessProbe);
    defaultProbe(c.startupProbe);
    defaultHandler(get(c, 'lifecycle', 'postStart'));
    defaultHandler(get(c, 'lifecycle', 'preStop'));
  }
}

/** Every member of VolumeSource (upstream's order, used by the one-source check). */
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'flocker', 'persistentVolumeClaim', 'rbd', 'cinder', 'cephfs', 'quobyte', 'downwardAPI', 'fc', 'flexVolume', 'azureFile',
  'vsphereVolume', 'photonPersistentDisk', 'portworxVolume', 'azureDisk', 'storageos', 'projected', 'scaleIO', 'configMap',
  'csi', 'ephemeral', 'image',
] as const;
const DEFAULT_MODE = 0o644;

function defaultVolume(v: Obj): void {
  // A volume with no source is an emptyDir (SetDefaults_Volume).
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined && v[s] !== null)) v.emptyDir = {};
  const set = (src: unknown, defaults: Obj): void => {
    if (isObj(src)) for (const [k, val] of Object.entries(defaults)) src[k] ??= val;
  };
  set(v.hostPath, { type: '' });
  set(v.secret, { defaultMode: DEFAULT_MODE });
  set(v.configMap, { defaultMode: DEFAULT_MODE });
  set(v.downwardAPI, { defaultMode: DEFAULT_MODE });
  set(v.projected, { defaultMode: DEFAULT_MODE });
  set(v.iscsi, { iscsiInterface: 'default' });
  set(v.rbd, { pool: 'rbd', user: 'admin', keyring: '/etc/ceph/keyring' });
  set(v.azureDisk, { cachingMode: 'ReadWrite', fsType: 'ext4', readOnly: false, kind: 'Shared' });
  set(v.scaleIO, { storageMode: 'ThinProvisioned', fsType: 'xfs' });
  for (const item of arr(get(v, 'downwardAPI', 'items'))) defaultFieldRef(item.fieldRef);
  for (const src of arr(get(v, 'projected', 'sources'))) for (const item of arr(get(src, 'downwardAPI', 'items'))) defaultFieldRef(item.fieldRef);
}

/** Upstream's SetDefaults_PodSpec (and the nested defaults) for a pod or a pod template's spec. */
export function defaultPodSpec(spec: Obj): void {
  spec.restartPolicy ??= 'Always';
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  spec.securityContext ??= {};
  defaultContainers(arr(spec.containers));
  defaultContainers(arr(spec.initContainers));
  defaultContainers(arr(spec.ephemeralContainers));
  for (const v of arr(spec.volumes)) defaultVolume(v);
}

/** SetDefaults_Pod: what a Pod gets beyond its spec defaults (not pod templates). */
function defaultPod(spec: Obj): void {
  defaultPodSpec(spec);
  for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
    // Requests default to limits, on pods only (templates keep the user's shape).
    const limits = get(c, 'resources', 'limits');
    if (!isObj(limits) || !isObj(c.resources)) continue;
    const requests = isObj(c.resources.requests) ? c.resources.requests : (c.resources.requests = {});
    for (const [k, v] of Object.entries(limits)) requests[k] ??= v;
  }
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
      for (const p of arr(c.ports)) if (p.hostPort === undefined || p.hostPort === 0) p.hostPort = p.containerPort;
    }
  }
}

// ---- QoS ----

const QOS_RESOURCES = ['cpu', 'memory'];

/** Upstream's ComputePodQOS: Guaranteed, Burstable or BestEffort from container requests and limits. */
export function computePodQOS(spec: unknown): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const zero: Quantity = { num: 0n, scale: 0, format: 'DecimalSI' };
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let guaranteed = true;
  const accumulate = (into: Map<string, Quantity>, list: unknown, found?: Set<string>): void => {
    if (!isObj(list)) return;
    for (const [name, raw] of Object.entries(list)) {
      if (!QOS_RESOURCES.includes(name)) continue;
      const q = parseQuantity(raw);
      if (!q || compareQuantity(q, zero) <= 0) continue;
      found?.add(name);
      const prev = into.get(name);
      into.set(name, prev ? addQuantity(prev, q) : q);
    }
  };
  for (const c of [...arr(get(spec, 'containers')), ...arr(get(spec, 'initContainers'))]) {
    accumulate(requests, get(c, 'resources', 'requests'));
    const found = new Set<string>();
    accumulate(limits, get(c, 'resources', 'limits'), found);
    if (!QOS_RESOURCES.every((r) => found.has(r))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (!lim || compareQuantity(lim, req) !== 0) { guaranteed = false; break; }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

// ---- validation ----

const RESTART = ['Always', 'OnFailure', 'Never'];
const DNS = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL = ['Always', 'IfNotPresent', 'Never'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const TERMINATION_MESSAGE = ['File', 'FallbackToLogsOnError'];
const PROPAGATION = ['Bidirectional', 'HostToContainer', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

function validatePorts(ports: Obj[], field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const f = `${field}[${i}]`;
    const name = str(p.name);
    if (name) {
      const errs = portName(name);
      if (errs.length) out.push(...errs.map((m) => invalid(`${f}.name`, name, m)));
      else if (names.has(name)) out.push(duplicate(`${f}.name`, name));
      else names.add(name);
    }
    if (p.containerPort === undefined || p.containerPort === 0) out.push(required(`${f}.containerPort`));
    else if (!isPortNum(p.containerPort)) out.push(invalid(`${f}.containerPort`, p.containerPort, INCLUSIVE_PORT));
    if (p.hostPort !== undefined && p.hostPort !== 0 && !isPortNum(p.hostPort)) out.push(invalid(`${f}.hostPort`, p.hostPort, INCLUSIVE_PORT));
    const proto = str(p.protocol);
    if (!proto) out.push(required(`${f}.protocol`));
    else if (!PROTOCOLS.includes(proto)) out.push(notSupported(`${f}.protocol`, proto, PROTOCOLS));
  });
  return out;
}

/** Host ports are unique per hostIP/protocol across the containers of a pod. */
function hostPortConflicts(containers: Obj[], field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  containers.forEach((c, ci) => arr(c.ports).forEach((p, pi) => {
    if (typeof p.hostPort !== 'number' || p.hostPort === 0) return;
    const key = `${str(p.hostIP)}/${str(p.protocol)}/${p.hostPort}`;
    if (seen.has(key)) out.push(duplicate(`${field}[${ci}].ports[${pi}].hostPort`, key));
    else seen.add(key);
  }));
  return out;
}

// RelaxedEnvironmentVariableValidation is on by default in 1.32: any printable ASCII but '='.
const RELAXED_ENV_NAME = "a valid environment variable name must consist only of printable ASCII characters other than '='";
const envNameErrors = (name: string): string[] => {
  if (name === '') return ['environment variable name must be non-empty'];
  return /^[\x20-\x7e]*$/.test(name) && !name.includes('=') ? [] : [RELAXED_ENV_NAME];
};

function validateEnv(env: Obj[], field: string): StatusCause[] {
  const out: StatusCause[] = [];
  env.forEach((e, i) => {
    const f = `${field}[${i}]`;
    const name = str(e.name);
    if (!name) out.push(required(`${f}.name`));
    out.push(...envNameErrors(name).map((m) => invalid(`${f}.name`, name, m)));
    if (!isObj(e.valueFrom)) return;
    const from = e.valueFrom;
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => isObj(from[k]));
    const vf = `${f}.valueFrom`;
    if (str(e.value) !== '') out.push(invalid(vf, '', 'may not be specified when `value` is not empty'));
    if (sources.length === 0) out.push(invalid(vf, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (sources.length > 1) out.push(invalid(vf, '', 'may not have more than one field specified at a time'));
    if (isObj(from.fieldRef) && !str(from.fieldRef.fieldPath)) out.push(required(`${vf}.fieldRef.fieldPath`));
    if (isObj(from.resourceFieldRef) && !str(from.resourceFieldRef.resource)) out.push(required(`${vf}.resourceFieldRef.resource`));
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      const ref = from[k];
      if (!isObj(ref)) continue;
      if (!str(ref.name)) out.push(required(`${vf}.${k}.name`));
      if (!str(ref.key)) out.push(required(`${vf}.${k}.key`));
    }
  });
  return out;
}

function validateEnvFrom(envFrom: Obj[], field: string): StatusCause[] {
  const out: StatusCause[] = [];
  envFrom.forEach((e, i) => {
    const f = `${field}[${i}]`;
    const prefix = str(e.prefix);
    if (prefix) out.push(...envNameErrors(prefix).map((m) => invalid(`${f}.prefix`, prefix, m)));
    const sources = ['configMapRef', 'secretRef'].filter((k) => isObj(e[k]));
    if (sources.length === 0) out.push(invalid(f, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources.length > 1) out.push(invalid(f, '', 'may not have more than one field specified at a time'));
    for (const k of sources) if (!str(get(e, k, 'name'))) out.push(required(`${f}.${k}.name`));
  });
  return out;
}

/** validateLocalDescendingPath: relative, no "..". */
function descendingPath(p: string, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (p.startsWith('/')) out.push(invalid(field, p, 'must be a relative path'));
  if (p.split('/').includes('..')) out.push(invalid(field, p, "must not contain '..'"));
  return out;
}

function validateVolumeMounts(mounts: Obj[], volumes: Set<string>, privileged: boolean, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const paths = new Set<string>();
  mounts.forEach((m, i) => {
    const f = `${field}[${i}]`;
    const name = str(m.name);
    if (!name) out.push(required(`${f}.name`));
    if (!volumes.has(name)) out.push(notFound(`${f}.name`, name));
    const mountPath = str(m.mountPath);
    if (!mountPath) out.push(required(`${f}.mountPath`));
    if (paths.has(mountPath)) out.push(invalid(`${f}.mountPath`, mountPath, 'must be unique'));
    paths.add(mountPath);
    if (str(m.subPath)) out.push(...descendingPath(str(m.subPath), `${f}.subPath`));
    if (str(m.subPath) && str(m.subPathExpr)) out.push(invalid(`${f}.subPathExpr`, m.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    if (m.mountPropagation !== undefined) {
      const mp = str(m.mountPropagation);
      if (!PROPAGATION.includes(mp)) out.push(notSupported(`${f}.mountPropagation`, m.mountPropagation, PROPAGATION));
      else if (mp === 'Bidirectional' && !privileged) out.push(forbidden(`${f}.mountPropagation`, 'Bidirectional mount propagation is available only to privileged containers'));
    }
  });
  return out;
}

const STANDARD_CONTAINER_RESOURCES = ['cpu', 'memory', 'ephemeral-storage'];
const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
/** Native: no domain, or kubernetes.io / *.kubernetes.io. */
const isNative = (name: string): boolean => {
  const slash = name.indexOf('/');
  if (slash < 0) return true;
  const domain = name.slice(0, slash);
  return domain === 'kubernetes.io' || domain.endsWith('.kubernetes.io');
};
const isExtended = (name: string): boolean => {
  if (isNative(name) || name.startsWith('requests.')) return false;
  const [domain = '', local = ''] = name.split('/');
  return name.split('/').length === 2 && domain.length > 0 && local.length <= 63 && QUALIFIED_NAME_PART.test(local) && DNS1123_SUBDOMAIN.test(domain);
};
const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

function resourceNameErrors(name: string, field: string): StatusCause[] {
  if (!name.includes('/')) {
    return STANDARD_CONTAINER_RESOURCES.includes(name) || isHugePages(name) ? [] : [invalid(field, name, 'must be a standard resource for containers')];
  }
  if (!isNative(name) && !isExtended(name)) return [invalid(field, name, "doesn't follow extended resource name standard")];
  return [];
}

function quantityErrors(name: string, raw: unknown, field: string): { q?: Quantity; errs: StatusCause[] } {
  const q = parseQuantity(raw);
  if (!q) return { errs: [invalid(field, raw, QUANTITY_ERROR)] };
  const errs: StatusCause[] = [];
  if (q.num < 0n) errs.push(invalid(field, formatQuantity(q), 'must be greater than or equal to 0'));
  // Extended resources are counted in whole units.
  if (isExtended(name) && !isIntegral(q)) errs.push(invalid(field, formatQuantity(q), 'must be an integer'));
  return { q, errs };
}

/** ValidateResourceRequirements for a container: names, quantities, requests ≤ limits. */
export function validateResources(resources: unknown, field: string): StatusCause[] {
  const out: StatusCause[] = [];
  const limits = get(resources, 'limits');
  const requests = get(resources, 'requests');
  const limPath = `${field}.limits`;
  const reqPath = `${field}.requests`;
  const lim = new Map<string, Quantity>();
  if (isObj(limits)) {
    for (const [name, raw] of Object.entries(limits)) {
      const f = `${limPath}[${name}]`;
      out.push(...resourceNameErrors(name, f));
      const { q, errs } = quantityErrors(name, raw, f);
      out.push(...errs);
      if (q) lim.set(name, q);
    }
  }
  if (isObj(requests)) {
    for (const [name, raw] of Object.entries(requests)) {
      const f = `${reqPath}[${name}]`;
      out.push(...resourceNameErrors(name, f));
      const { q, errs } = quantityErrors(name, raw, f);
      out.push(...errs);
      if (!q) continue;
      const l = lim.get(name);
      if (l) {
        if (compareQuantity(q, l) !== 0 && !overcommitAllowed(name)) out.push(invalid(reqPath, formatQuantity(q), `must be equal to ${name} limit of ${formatQuantity(l)}`));
        else if (compareQuantity(q, l) > 0) out.push(invalid(reqPath, formatQuantity(q), `must be less than or equal to ${name} limit of ${formatQuantity(l)}`));
      } else if (!overcommitAllowed(name) && !(isObj(limits) && name in limits)) {
        out.push(required(limPath, 'Limit must be set for non overcommitable resources'));
      }
    }
  }
  return out;
}

function validateHandler(h: Obj, field: string, kinds: readonly string[]): StatusCause[] {
  const out: StatusCause[] = [];
  let n = 0;
  for (const k of kinds) {
    if (!isObj(h[k])) continue;
    if (n > 0) { out.push(forbidden(`${field}.${k}`, 'may not specify more than 1 handler type')); continue; }
    n++;
    const a = h[k] as Obj;
    const f = `${field}.${k}`;
    if (k === 'exec' && !(Array.isArray(a.command) && a.command.length > 0)) out.push(required(`${f}.command`));
    if (k === 'httpGet') {
      if (!str(a.path)) out.push(required(`${f}.path`));
      out.push(...portNumOrName(a.port, `${f}.port`));
      if (a.scheme !== undefined && !['HTTP', 'HTTPS'].includes(str(a.scheme))) out.push(notSupported(`${f}.scheme`, a.scheme, ['HTTP', 'HTTPS']));
    }
    if (k === 'tcpSocket') out.push(...portNumOrName(a.port, `${f}.port`));
    if (k === 'grpc' && !isPortNum(a.port)) out.push(invalid(`${f}.port`, a.port ?? 0, INCLUSIVE_PORT));
    if (k === 'sleep' && (typeof a.seconds !== 'number' || a.seconds < 0)) out.push(invalid(`${f}.seconds`, a.seconds ?? 0, 'must be non-negative'));
  }
  if (n === 0) out.push(required(field, 'must specify a handler type'));
  return out;
}

function validateProbe(probe: unknown, field: string, kind: 'liveness' | 'readiness' | 'startup'): StatusCause[] {
  if (!isObj(probe)) return [];
  const out = validateHandler(probe, field, ['exec', 'httpGet', 'tcpSocket', 'grpc']);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    const v = probe[k];
    if (typeof v === 'number' && v < 0) out.push(invalid(`${field}.${k}`, v, 'must be greater than or equal to 0'));
  }
  const tg = probe.terminationGracePeriodSeconds;
  if (typeof tg === 'number' && tg <= 0) out.push(invalid(`${field}.terminationGracePeriodSeconds`, tg, 'must be greater than 0'));
  if (kind !== 'readiness' && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1) {
    out.push(invalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  if (kind === 'readiness' && tg !== undefined) out.push(invalid(`${field}.terminationGracePeriodSeconds`, tg, 'must not be set for readinessProbes'));
  return out;
}

function validateLifecycle(lc: unknown, field: string): StatusCause[] {
  if (!isObj(lc)) return [];
  const out: StatusCause[] = [];
  for (const hook of ['postStart', 'preStop']) {
    if (isObj(lc[hook])) out.push(...validateHandler(lc[hook] as Obj, `${field}.${hook}`, ['exec', 'httpGet', 'tcpSocket', 'sleep']));
  }
  return out;
}

/** validateContainerCommon: what every container kind shares. */
function validateContainerCommon(c: Obj, f: string, volumes: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  const name = str(c.name);
  if (!name) out.push(required(`${f}.name`));
  else out.push(...dnsLabel(name, `${f}.name`));
  // Upstream keeps " " legal on create (pod templates use it as a placeholder): only empty is required.
  if (typeof c.image !== 'string' || c.image.length === 0) out.push(required(`${f}.image`));
  const tmp = c.terminationMessagePolicy;
  if (tmp === undefined || tmp === '') out.push(required(`${f}.terminationMessagePolicy`));
  else if (!TERMINATION_MESSAGE.includes(str(tmp))) out.push(notSupported(`${f}.terminationMessagePolicy`, tmp, TERMINATION_MESSAGE));
  out.push(...validatePorts(arr(c.ports), `${f}.ports`));
  out.push(...validateEnv(arr(c.env), `${f}.env`));
  out.push(...validateEnvFrom(arr(c.envFrom), `${f}.envFrom`));
  out.push(...validateVolumeMounts(arr(c.volumeMounts), volumes, get(c, 'securityContext', 'privileged') === true, `${f}.volumeMounts`));
  const pp = c.imagePullPolicy;
  if (pp === undefined || pp === '') out.push(required(`${f}.imagePullPolicy`));
  else if (!PULL.includes(str(pp))) out.push(notSupported(`${f}.imagePullPolicy`, pp, PULL));
  out.push(...validateResources(c.resources, `${f}.resources`));
  return out;
}

function validateContainers(list: Obj[], field: string, volumes: Set<string>): StatusCause[] {
  if (list.length === 0) return [required(field)];
  const out: StatusCause[] = [];
  const names = new Set<string>();
  list.forEach((c, i) => {
    const f = `${field}[${i}]`;
    out.push(...validateContainerCommon(c, f, volumes));
    const name = str(c.name);
    if (names.has(name)) out.push(duplicate(`${f}.name`, name));
    else names.add(name);
    out.push(...validateProbesAndLifecycle(c, f));
    if (c.restartPolicy !== undefined) out.push(forbidden(`${f}.restartPolicy`, 'may not be set for non-init containers'));
  });
  out.push(...hostPortConflicts(list, field));
  return out;
}

/** Lifecycle hooks and the three probes: regular containers and sidecars (restartable init containers). */
function validateProbesAndLifecycle(c: Obj, f: string): StatusCause[] {
  return [
    ...validateLifecycle(c.lifecycle, `${f}.lifecycle`),
    ...validateProbe(c.livenessProbe, `${f}.livenessProbe`, 'liveness'),
    ...validateProbe(c.readinessProbe, `${f}.readinessProbe`, 'readiness'),
    ...validateProbe(c.startupProbe, `${f}.startupProbe`, 'startup'),
  ];
}

function validateInitContainers(list: Obj[], regular: Obj[], field: string, volumes: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  // Names are unique across regular and init containers.
  const names = new Set(regular.map((c) => str(c.name)));
  list.forEach((c, i) => {
    const f = `${field}[${i}]`;
    out.push(...validateContainerCommon(c, f, volumes));
    let sidecar = false;
    if (c.restartPolicy !== undefined) {
      if (c.restartPolicy !== 'Always') out.push(notSupported(`${f}.restartPolicy`, c.restartPolicy, ['Always']));
      sidecar = c.restartPolicy === 'Always';
    }
    const name = str(c.name);
    if (names.has(name)) out.push(duplicate(`${f}.name`, name));
    else if (name) names.add(name);
    if (sidecar) {
      out.push(...validateProbesAndLifecycle(c, f));
    } else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (c[k] !== undefined) out.push(forbidden(`${f}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  out.push(...hostPortConflicts(list, field));
  return out;
}

function validateEphemeralContainers(list: Obj[], others: Obj[], field: string, volumes: Set<string>): StatusCause[] {
  const out: StatusCause[] = [];
  const names = new Set(others.map((c) => str(c.name)));
  list.forEach((c, i) => {
    const f = `${field}[${i}]`;
    out.push(...validateContainerCommon(c, f, volumes));
    const name = str(c.name);
    if (names.has(name)) out.push(duplicate(`${f}.name`, name));
    else names.add(name);
    for (const k of ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'restartPolicy']) {
      if (c[k] !== undefined) out.push(forbidden(`${f}.${k}`, 'cannot be set for an Ephemeral Container'));
    }
  });
  return out;
}

function validateKeyToPaths(items: Obj[], field: string): StatusCause[] {
  const out: StatusCause[] = [];
  items.forEach((it, i) => {
    const f = `${field}[${i}]`;
    if (!str(it.key)) out.push(required(`${f}.key`));
    if (!str(it.path)) out.push(required(`${f}.path`));
    else out.push(...descendingPath(str(it.path), `${f}.path`));
    if (it.mode !== undefined) out.push(...fileMode(it.mode, `${f}.mode`));
  });
  return out;
}

function fileMode(mode: unknown, field: string): StatusCause[] {
  return typeof mode === 'number' && Number.isInteger(mode) && mode >= 0 && mode <= 0o777 ? [] : [invalid(field, mode, 'must be a number between 0 and 0777 (octal), both inclusive')];
}

/** Per-source checks for the sources users touch most; the rest are only counted. */
function validateVolumeSource(v: Obj, f: string): StatusCause[] {
  const out: StatusCause[] = [];
  let n = 0;
  for (const s of VOLUME_SOURCES) {
    if (v[s] === undefined || v[s] === null) continue;
    if (n > 0) { out.push(forbidden(`${f}.${s}`, 'may not specify more than 1 volume type')); continue; }
    n++;
    const src = isObj(v[s]) ? (v[s] as Obj) : {};
    const sf = `${f}.${s}`;
    switch (s) {
      case 'hostPath':
        if (!str(src.path)) out.push(required(`${sf}.path`));
        break;
      case 'emptyDir':
        if (src.sizeLimit !== undefined) {
          const q = parseQuantity(src.sizeLimit);
          if (!q) out.push(invalid(`${sf}.sizeLimit`, src.sizeLimit, QUANTITY_ERROR));
          else if (q.num < 0n) out.push(invalid(`${sf}.sizeLimit`, formatQuantity(q), 'must be greater than or equal to 0'));
        }
        break;
      case 'secret':
        if (!str(src.secretName)) out.push(required(`${sf}.secretName`));
        if (src.defaultMode !== undefined) out.push(...fileMode(src.defaultMode, `${sf}.defaultMode`));
        out.push(...validateKeyToPaths(arr(src.items), `${sf}.items`));
        break;
      case 'configMap':
        if (!str(src.name)) out.push(required(`${sf}.name`));
        if (src.defaultMode !== undefined) out.push(...fileMode(src.defaultMode, `${sf}.defaultMode`));
        out.push(...validateKeyToPaths(arr(src.items), `${sf}.items`));
        break;
      case 'persistentVolumeClaim':
        if (!str(src.claimName)) out.push(required(`${sf}.claimName`));
        break;
      case 'nfs':
        if (!str(src.server)) out.push(required(`${sf}.server`));
        if (!str(src.path)) out.push(required(`${sf}.path`));
        else if (!str(src.path).startsWith('/')) out.push(invalid(`${sf}.path`, src.path, 'must be an absolute path'));
        break;
      case 'downwardAPI':
        if (src.defaultMode !== undefined) out.push(...fileMode(src.defaultMode, `${sf}.defaultMode`));
        arr(src.items).forEach((it, i) => {
          if (!str(it.path)) out.push(required(`${sf}.items[${i}].path`));
          else out.push(...descendingPath(str(it.path), `${sf}.items[${i}].path`));
        });
        break;
      case 'projected':
        if (src.defaultMode !== undefined) out.push(...fileMode(src.defaultMode, `${sf}.defaultMode`));
        break;
      case 'csi':
        if (!str(src.driver)) out.push(required(`${sf}.driver`));
        break;
      case 'ephemeral':
        if (!isObj(src.volumeClaimTemplate)) out.push(required(`${sf}.volumeClaimTemplate`));
        break;
      default:
        break;
    }
  }
  if (n === 0) out.push(required(f, 'must specify a volume type'));
  return out;
}

/** validateVolumes: names are unique DNS labels, each volume has exactly one source. */
function validateVolumes(volumes: Obj[], field: string): { names: Set<string>; errs: StatusCause[] } {
  const out: StatusCause[] = [];
  const names = new Set<string>();
  volumes.forEach((v, i) => {
    const f = `${field}[${i}]`;
    out.push(...validateVolumeSource(v, f));
    const name = str(v.name);
    if (!name) out.push(required(`${f}.name`));
    else out.push(...dnsLabel(name, `${f}.name`));
    if (names.has(name)) out.push(duplicate(`${f}.name`, name));
    else names.add(name);
  });
  return { names, errs: out };
}

function validateTolerations(tolerations: Obj[], field: string): StatusCause[] {
  const out: StatusCause[] = [];
  tolerations.forEach((t, i) => {
    const f = `${field}[${i}]`;
    const op = str(t.operator);
    if (!str(t.key) && op !== 'Exists') out.push(invalid(`${f}.operator`, op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') out.push(invalid(`${f}.effect`, str(t.effect), "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op === 'Exists') { if (str(t.value)) out.push(invalid(`${f}.operator`, t, "value must be empty when `operator` is 'Exists'")); }
    else if (op !== '' && op !== 'Equal') out.push(notSupported(`${f}.operator`, op, ['Equal', 'Exists']));
    if (str(t.effect) && !TAINT_EFFECTS.includes(str(t.effect))) out.push(notSupported(`${f}.effect`, t.effect, TAINT_EFFECTS));
  });
  return out;
}

/** Field errors in a pod spec; `path` is where it sits ("spec", "spec.template.spec"). */
export function validatePodSpec(spec: unknown, path: string): StatusCause[] {
  const { names: volumes, errs: out } = validateVolumes(arr(get(spec, 'volumes')), `${path}.volumes`);
  const containers = arr(get(spec, 'containers'));
  const init = arr(get(spec, 'initContainers'));
  out.push(...validateContainers(containers, `${path}.containers`, volumes));
  out.push(...validateInitContainers(init, containers, `${path}.initContainers`, volumes));
  out.push(...validateEphemeralContainers(arr(get(spec, 'ephemeralContainers')), [...containers, ...init], `${path}.ephemeralContainers`, volumes));
  const rp = get(spec, 'restartPolicy');
  if (rp === undefined || rp === '') out.push(required(`${path}.restartPolicy`));
  else if (!RESTART.includes(str(rp))) out.push(notSupported(`${path}.restartPolicy`, rp, RESTART));
  const dp = get(spec, 'dnsPolicy');
  if (dp === undefined || dp === '') out.push(required(`${path}.dnsPolicy`));
  else if (!DNS.includes(str(dp))) out.push(notSupported(`${path}.dnsPolicy`, dp, DNS));
  else if (dp === 'None' && !isObj(get(spec, 'dnsConfig'))) out.push(required(`${path}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  const sa = str(get(spec, 'serviceAccountName'));
  if (sa) out.push(...validateName('subdomain', sa).map((m) => invalid(`${path}.serviceAccountName`, sa, m)));
  for (const k of ['hostname', 'subdomain']) {
    const v = str(get(spec, k));
    if (v) out.push(...dnsLabel(v, `${path}.${k}`));
  }
  out.push(...validateTolerations(arr(get(spec, 'tolerations')), `${path}.tolerations`));
  const ad = get(spec, 'activeDeadlineSeconds');
  if (typeof ad === 'number' && (ad < 1 || ad > MAX_INT32)) out.push(invalid(`${path}.activeDeadlineSeconds`, ad, `must be between 1 and ${MAX_INT32}, inclusive`));
  const tg = get(spec, 'terminationGracePeriodSeconds');
  if (typeof tg === 'number' && tg < 0) out.push(invalid(`${path}.terminationGracePeriodSeconds`, tg, 'must be greater than or equal to 0'));
  return out;
}

// ---- update ----

const UPDATABLE = '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** JSON equality that ignores absent-vs-undefined keys (objects come from JSON). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => same(x, b[i]));
  }
  if (!isObj(a) || !isObj(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!same(a[k], b[k])) return false;
  return true;
}

/** ValidatePodUpdate's spec rules: only images, activeDeadlineSeconds, added tolerations... may change. */
export function validatePodSpecUpdate(spec: unknown, oldSpec: unknown, path = 'spec'): StatusCause[] {
  const out: StatusCause[] = [];
  for (const k of ['containers', 'initContainers']) {
    const now = arr(get(spec, k));
    const before = arr(get(oldSpec, k));
    if (now.length !== before.length) return [forbidden(`${path}.${k}`, 'pod updates may not add or remove containers')];
    now.forEach((c, i) => {
      const image = str(c.image);
      if (!image) out.push(required(`${path}.${k}[${i}].image`));
      else if (image.trim() !== image) out.push(invalid(`${path}.${k}[${i}].image`, image, 'must not have leading or trailing whitespace'));
    });
  }
  const ad = get(spec, 'activeDeadlineSeconds');
  const oldAd = get(oldSpec, 'activeDeadlineSeconds');
  if (typeof ad === 'number') {
    if (ad < 0 || ad > MAX_INT32) return [...out, invalid(`${path}.activeDeadlineSeconds`, ad, `must be between 0 and ${MAX_INT32}, inclusive`)];
    if (typeof oldAd === 'number' && oldAd < ad) return [...out, invalid(`${path}.activeDeadlineSeconds`, ad, 'must be less than or equal to previous value')];
  } else if (typeof oldAd === 'number') {
    out.push(invalid(`${path}.activeDeadlineSeconds`, null, 'must not update from a positive integer to nil value'));
  }
  // Existing tolerations stay (tolerationSeconds may change); new ones may be added.
  const newTol = arr(get(spec, 'tolerations'));
  for (const old of arr(get(oldSpec, 'tolerations'))) {
    if (!newTol.some((t) => same({ ...old, tolerationSeconds: t.tolerationSeconds }, t))) {
      out.push(forbidden(`${path}.tolerations`, 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  // Scheduling gates may only be removed.
  const oldGates = new Set(arr(get(oldSpec, 'schedulingGates')).map((g) => str(g.name)));
  for (const g of arr(get(spec, 'schedulingGates'))) {
    if (!oldGates.has(str(g.name))) { out.push(forbidden(`${path}.schedulingGates`, `only deletion is allowed, but found new scheduling gate '${str(g.name)}'`)); break; }
  }

  // Munge the updatable fields to their old values; anything else that differs is forbidden.
  const munged: Obj = { ...(isObj(spec) ? spec : {}) };
  for (const k of ['containers', 'initContainers']) {
    if (munged[k] === undefined) continue;
    const before = arr(get(oldSpec, k));
    munged[k] = arr(munged[k]).map((c, i) => ({ ...c, image: before[i]?.image }));
  }
  const old: Obj = isObj(oldSpec) ? oldSpec : {};
  for (const k of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations']) {
    if (old[k] === undefined) delete munged[k]; else munged[k] = old[k];
  }
  const oldTg = old.terminationGracePeriodSeconds;
  if (typeof oldTg === 'number' && oldTg < 0 && munged.terminationGracePeriodSeconds === 1) munged.terminationGracePeriodSeconds = oldTg;
  // A gated pod may gain nodeSelector entries (none removed or changed).
  if (oldGates.size > 0 && isObj(old.nodeSelector) && isObj(munged.nodeSelector)) {
    const before = old.nodeSelector;
    if (Object.entries(before).every(([k, v]) => (munged.nodeSelector as Obj)[k] === v)) munged.nodeSelector = before;
  } else if (oldGates.size > 0 && old.nodeSelector === undefined && isObj(munged.nodeSelector)) {
    delete munged.nodeSelector;
  }
  if (!same(munged, old)) {
    const changed = [...new Set([...Object.keys(munged), ...Object.keys(old)])].filter((k) => !same(munged[k], old[k])).sort();
    const diff = changed.map((k) => `  ${path}.${k}: ${JSON.stringify(old[k]) ?? 'null'} -> ${JSON.stringify(munged[k]) ?? 'null'}`).join('\n');
    out.push(forbidden(path, `pod updates may not change fields other than ${UPDATABLE}\n${diff}`));
  }
  return out;
}

// ---- the resource ----

function podReady(p: KubeObject): string {
  const statuses = arr(get(p, 'status', 'containerStatuses'));
  const total = arr(get(p, 'spec', 'containers')).length;
  return `${statuses.filter((s) => s.ready === true).length}/${total}`;
}

function podStatus(p: KubeObject): string {
  if (p.metadata.deletionTimestamp) return 'Terminating';
  const reason = get(p, 'status', 'reason');
  if (typeof reason === 'string' && reason) return reason;
  for (const s of arr(get(p, 'status', 'containerStatuses'))) {
    const waiting = get(s, 'state', 'waiting', 'reason');
    if (typeof waiting === 'string' && waiting) return waiting;
    const term = get(s, 'state', 'terminated', 'reason');
    if (typeof term === 'string' && term) return term;
  }
  const phase = get(p, 'status', 'phase');
  return typeof phase === 'string' ? phase : 'Pending';
}

function podRestarts(p: KubeObject): number {
  return arr(get(p, 'status', 'containerStatuses')).reduce((n, s) => n + (typeof s.restartCount === 'number' ? s.restartCount : 0), 0);
}

export const podResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Pod', plural: 'pods', singular: 'pod', shortNames: ['po'], categories: ['all'],
  namespaced: true, nameRule: 'subdomain', storagePath: 'pods', schema: 'io.k8s.api.core.v1.Pod', hasSpec: false,
  subresources: { status: true },
  fieldSelectors: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  // Upstream's CheckGracefulDelete: the requested period, else the pod's own; at once when the pod
  // never reached a node or has finished; negative periods become 1.
  deleteGracePeriod: (pod, requested) => {
    const spec = (pod.spec ?? {}) as Obj;
    let period = requested ?? (typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 0);
    const phase = get(pod, 'status', 'phase');
    if (!spec.nodeName || phase === 'Failed' || phase === 'Succeeded') period = 0;
    return period < 0 ? 1 : period;
  },
  columns: [
    { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.', value: podReady },
    { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.', value: podStatus },
    { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.', value: (o) => String(podRestarts(o)) },
    AGE,
    { name: 'IP', type: 'string', priority: 1, description: 'The IP address assigned to the pod', value: (o) => (get(o, 'status', 'podIP') as string) ?? '<none>' },
    { name: 'Node', type: 'string', priority: 1, description: 'The node that the pod is assigned to', value: (o) => (get(o, 'spec', 'nodeName') as string) ?? '<none>' },
    { name: 'Nominated Node', type: 'string', priority: 1, description: 'The node the pod is nominated to run on', value: (o) => (get(o, 'status', 'nominatedNodeName') as string) ?? '<none>' },
    { name: 'Readiness Gates', type: 'string', priority: 1, description: 'The readiness gates of the pod', value: (o) => (arr(get(o, 'spec', 'readinessGates')).length ? String(arr(get(o, 'spec', 'readinessGates')).length) : '<none>') },
  ],
  defaults: (o) => {
    const spec = (o.spec ??= {}) as Obj;
    defaultPod(spec);
    // spec.priority and spec.preemptionPolicy are not defaulted: the Priority admission plugin
    // (src/admission/priority.ts) sets them from the PriorityClass, as upstream.
    const st = (o.status ??= {}) as Obj;
    st.phase ??= 'Pending';
    // Resources cannot change after create, so recomputing on update gives the stored class.
    st.qosClass = computePodQOS(spec);
  },
  validate: (o, old) => {
    const out = validatePodSpec(get(o, 'spec'), 'spec');
    if (old) out.push(...validatePodSpecUpdate(get(o, 'spec'), get(old, 'spec')));
    return out;
  },
};
