// Resource declarations: networking.k8s.io/v1 networkpolicies, ingresses, ingressclasses.
// Defaults as upstream's pkg/apis/networking/v1/defaults.go, validation as
// pkg/apis/networking/validation, columns as pkg/printers/internalversion.
//
// This module also exports the field-error helpers (upstream's field.Required/Invalid/... message
// shapes) and string checks used by the other API group modules of this slice.
import { isIP, isIPv4 } from 'node:net';
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type ResourceDef, validateName } from './resource.js';
import { fieldErr, pathSegmentName, portName } from './validation.js';
import { formatLabelSelector } from './selector.js';

export type Obj = Record<string, unknown>;
export const get = (o: unknown, ...path: string[]): unknown => path.reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Obj)[k] : undefined), o);
export const arr = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);
export const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Deep equality of JSON values (upstream's apiequality.Semantic.DeepEqual for our purposes). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** Upstream's validation.IsValidPortNum. */
export function isValidPortNum(n: number): string[] {
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

const WILDCARD_SUBDOMAIN = /^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Upstream's validation.IsWildcardDNS1123Subdomain. */
function isWildcardSubdomain(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 253) errs.push('must be no more than 253 characters');
  if (!WILDCARD_SUBDOMAIN.test(s)) errs.push(`a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  return errs;
}

/** A host that may carry a leading wildcard, as ingress rules and TLS hosts allow. */
function hostErrs(host: string): string[] {
  return host.includes('*') ? isWildcardSubdomain(host) : validateName('subdomain', host);
}

/** Parses "a.b.c.d/n" or "v6/n" into a bigint network, its bit width and prefix length. */
export function parseCIDR(s: string): { ip: bigint; bits: number; prefix: number } | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const pre = s.slice(slash + 1);
  const family = isIP(addr);
  if (!family || !/^\d+$/.test(pre)) return undefined;
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(pre);
  if (prefix > bits) return undefined;
  return { ip: ipToBigInt(addr), bits, prefix };
}

function ipToBigInt(addr: string): bigint {
  if (isIPv4(addr)) return addr.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n);
  // Expand "::" and an embedded IPv4 tail into eight 16-bit groups.
  let a = addr;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4) { const n = ipToBigInt(v4[1] as string); a = `${a.slice(0, -(v4[1] as string).length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`; }
  const [head, tail] = a.includes('::') ? a.split('::') as [string, string] : [a, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g || '0', 16)), 0n);
}

function cidrContains(outer: { ip: bigint; bits: number; prefix: number }, ip: bigint): boolean {
  const shift = BigInt(outer.bits - outer.prefix);
  return (outer.ip >> shift) === (ip >> shift);
}

/** Upstream's metav1.FormatLabelSelector: "<none>" for an empty selector, else the selector string. */
// ---- NetworkPolicy ----

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

function validateNetworkPolicyPort(p: Obj, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (p.protocol !== undefined && !PROTOCOLS.includes(str(p.protocol))) out.push(fieldErr.notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
  if (typeof p.port === 'number') for (const m of isValidPortNum(p.port)) out.push(fieldErr.invalid(`${path}.port`, p.port, m));
  else if (typeof p.port === 'string') for (const m of portName(p.port)) out.push(fieldErr.invalid(`${path}.port`, p.port, m));
  if (p.endPort !== undefined && p.endPort !== null) {
    if (typeof p.port !== 'number') out.push(fieldErr.required(`${path}.port`, 'must specify port when specifying endPort'));
    else if (typeof p.endPort === 'number') {
      if (p.endPort < p.port) out.push(fieldErr.invalid(`${path}.endPort`, p.endPort, 'must be greater than or equal to `port`'));
      for (const m of isValidPortNum(p.endPort)) out.push(fieldErr.invalid(`${path}.endPort`, p.endPort, m));
    }
  }
  return out;
}

function validateIPBlock(b: Obj, path: string): StatusCause[] {
  const cidr = str(b.cidr);
  if (!cidr) return [fieldErr.required(`${path}.cidr`)];
  const outer = parseCIDR(cidr);
  if (!outer) return [fieldErr.invalid(`${path}.cidr`, cidr, 'not a valid CIDR')];
  const out: StatusCause[] = [];
  strs(b.except).forEach((ex, i) => {
    const inner = parseCIDR(ex);
    if (!inner) { out.push(fieldErr.invalid(`${path}.except[${i}]`, ex, 'not a valid CIDR')); return; }
    if (inner.bits !== outer.bits || !cidrContains(outer, inner.ip) || outer.prefix >= inner.prefix) out.push(fieldErr.invalid(`${path}.except[${i}]`, ex, 'must be a strict subset of `cidr`'));
  });
  return out;
}

function validateNetworkPolicyPeer(p: Obj, path: string): StatusCause[] {
  const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => p[k] !== undefined && p[k] !== null).length;
  const out: StatusCause[] = [];
  if (isObj(p.ipBlock)) out.push(...validateIPBlock(p.ipBlock, `${path}.ipBlock`));
  if (n === 0) out.push(fieldErr.required(path, 'must specify a peer'));
  else if (n > 1 && p.ipBlock) out.push(fieldErr.forbidden(path, 'may not specify both ipBlock and another peer'));
  return out;
}

function validateNetworkPolicy(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  for (const dir of ['ingress', 'egress'] as const) {
    const peers = dir === 'ingress' ? 'from' : 'to';
    arr(get(o, 'spec', dir)).forEach((rule, i) => {
      const path = `spec.${dir}[${i}]`;
      arr(rule.ports).forEach((p, j) => out.push(...validateNetworkPolicyPort(p, `${path}.ports[${j}]`)));
      arr(rule[peers]).forEach((p, j) => out.push(...validateNetworkPolicyPeer(p, `${path}.${peers}[${j}]`)));
    });
  }
  const types = strs(get(o, 'spec', 'policyTypes'));
  if (types.length > 2) out.push(fieldErr.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  else types.forEach((t, i) => { if (t !== 'Ingress' && t !== 'Egress') out.push(fieldErr.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress'])); });
  return out;
}

const networkPolicies: ResourceDef = {
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', singular: 'networkpolicy',
  shortNames: ['netpol'], categories: [], namespaced: true, nameRule: 'subdomain', storagePath: 'networkpolicies',
  schema: 'io.k8s.api.networking.v1.NetworkPolicy', hasSpec: true,
  columns: [
    { name: 'Pod-Selector', type: 'string', description: 'podSelector selects the pods to which this NetworkPolicy object applies.', value: (o) => formatLabelSelector(get(o, 'spec', 'podSelector') ?? {}) },
    AGE,
  ],
  defaults: (o) => {
    const spec = (o.spec ??= {}) as Obj;
    spec.podSelector ??= {};
    for (const dir of ['ingress', 'egress']) for (const rule of arr(spec[dir])) for (const p of arr(rule.ports)) p.protocol ??= 'TCP';
    // A policy without policyTypes implies Ingress, plus Egress when it has egress rules.
    if (strs(spec.policyTypes).length === 0) spec.policyTypes = arr(spec.egress).length ? ['Ingress', 'Egress'] : ['Ingress'];
  },
  validate: validateNetworkPolicy,
};

// ---- Ingress ----

const INVALID_PATH_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES = ['/..', '/.'];
const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];

function validateTypedLocalObjectReference(r: Obj, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  if (typeof r.apiGroup === 'string') for (const m of validateName('subdomain', r.apiGroup)) out.push(fieldErr.invalid(`${path}.apiGroup`, r.apiGroup, m));
  for (const k of ['kind', 'name'] as const) {
    const v = str(r[k]);
    if (!v) out.push(fieldErr.required(`${path}.${k}`, `${k} is required`));
    else for (const m of pathSegmentName(v)) out.push(fieldErr.invalid(`${path}.${k}`, v, m));
  }
  return out;
}

function validateIngressBackend(b: Obj, path: string): StatusCause[] {
  const hasResource = isObj(b.resource);
  const svc = b.service;
  if (hasResource && isObj(svc)) return [fieldErr.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedLocalObjectReference(b.resource as Obj, `${path}.resource`);
  if (!isObj(svc)) return [fieldErr.invalid(path, '', 'resource or service backend is required')];
  const out: StatusCause[] = [];
  const name = str(svc.name);
  if (!name) out.push(fieldErr.required(`${path}.service.name`));
  else for (const m of validateName('label', name)) out.push(fieldErr.invalid(`${path}.service.name`, name, m));
  const pname = str(get(svc, 'port', 'name'));
  const portNum = get(svc, 'port', 'number');
  const hasNum = typeof portNum === 'number' && portNum !== 0;
  if (pname && hasNum) out.push(fieldErr.invalid(path, '', 'cannot set both port name & port number'));
  else if (pname) for (const m of portName(pname)) out.push(fieldErr.invalid(`${path}.service.port.name`, pname, m));
  else if (hasNum) for (const m of isValidPortNum(portNum)) out.push(fieldErr.invalid(`${path}.service.port.number`, portNum, m));
  else out.push(fieldErr.required(path, 'port name or number is required'));
  return out;
}

function validateHTTPIngressPath(p: Obj, path: string): StatusCause[] {
  const out: StatusCause[] = [];
  const pt = p.pathType;
  const pth = str(p.path);
  if (pt === undefined || pt === null) return [fieldErr.required(`${path}.pathType`, 'pathType must be specified')];
  if (pt === 'Exact' || pt === 'Prefix') {
    if (!pth.startsWith('/')) out.push(fieldErr.invalid(`${path}.path`, pth, 'must be an absolute path'));
    for (const seq of INVALID_PATH_SEQUENCES) if (pth.includes(seq)) out.push(fieldErr.invalid(`${path}.path`, pth, `must not contain '${seq}'`));
    for (const suf of INVALID_PATH_SUFFIXES) if (pth.endsWith(suf)) out.push(fieldErr.invalid(`${path}.path`, pth, `cannot end with '${suf}'`));
  } else if (pt === 'ImplementationSpecific') {
    if (pth && !pth.startsWith('/')) out.push(fieldErr.invalid(`${path}.path`, pth, 'must be an absolute path'));
  } else {
    out.push(fieldErr.notSupported(`${path}.pathType`, pt, PATH_TYPES));
  }
  out.push(...validateIngressBackend(isObj(p.backend) ? p.backend : {}, `${path}.backend`));
  return out;
}

function validateIngress(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec = (isObj(o.spec) ? o.spec : {});
  const rules = arr(spec.rules);
  if (rules.length === 0 && !isObj(spec.defaultBackend)) out.push(fieldErr.invalid('spec', [], 'either `defaultBackend` or `rules` must be specified', '[]networking.IngressRule(nil)'));
  if (isObj(spec.defaultBackend)) out.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const host = str(r.host);
    if (host) {
      if (isIP(host)) out.push(fieldErr.invalid(`spec.rules[${i}].host`, host, 'must be a DNS name, not an IP address'));
      for (const m of hostErrs(host)) out.push(fieldErr.invalid(`spec.rules[${i}].host`, host, m));
    }
    if (isObj(r.http)) {
      const paths = arr(r.http.paths);
      if (paths.length === 0) out.push(fieldErr.required(`spec.rules[${i}].http.paths`));
      paths.forEach((p, j) => out.push(...validateHTTPIngressPath(p, `spec.rules[${i}].http.paths[${j}]`)));
    }
  });
  arr(spec.tls).forEach((t, i) => strs(t.hosts).forEach((h) => { for (const m of hostErrs(h)) out.push(fieldErr.invalid(`spec.tls[${i}].hosts`, h, m)); }));
  if (typeof spec.ingressClassName === 'string') for (const m of validateName('subdomain', spec.ingressClassName)) out.push(fieldErr.invalid('spec.ingressClassName', spec.ingressClassName, m));
  // On create only: the legacy class annotation and the class field may not both be set.
  const annotation = o.metadata.annotations?.['kubernetes.io/ingress.class'];
  if (!old && annotation !== undefined && spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    out.push(fieldErr.invalid('annotations.kubernetes.io/ingress.class', annotation, 'can not be set when the class field is also set'));
  }
  return out;
}

/** Upstream's ingressLoadBalancerStatusStringer: sorted unique IPs or hostnames, clipped to 16 bytes. */
function ingressAddress(o: KubeObject): string {
  const seen = new Set<string>();
  for (const i of arr(get(o, 'status', 'loadBalancer', 'ingress'))) {
    if (str(i.ip)) seen.add(str(i.ip));
    else if (str(i.hostname)) seen.add(str(i.hostname));
  }
  const r = [...seen].sort().join(',');
  return r.length > 16 ? `${r.slice(0, 13)}...` : r;
}

function ingressHosts(o: KubeObject): string {
  const rules = arr(get(o, 'spec', 'rules'));
  const list: string[] = [];
  let more = false;
  for (const r of rules) {
    if (list.length === 3) more = true;
    if (!more && str(r.host)) list.push(str(r.host));
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${rules.length - 3} more...` : list.join(',');
}

const ingresses: ResourceDef = {
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress',
  shortNames: ['ing'], categories: [], namespaced: true, nameRule: 'subdomain', storagePath: 'ingress',
  schema: 'io.k8s.api.networking.v1.Ingress', hasSpec: true, subresources: { status: true },
  columns: [
    { name: 'Class', type: 'string', description: 'The name of the IngressClass resource that should be used for additional configuration', value: (o) => (get(o, 'spec', 'ingressClassName') as string | undefined) ?? '<none>' },
    { name: 'Hosts', type: 'string', description: 'Hosts that incoming requests are matched against before the ingress rule', value: ingressHosts },
    { name: 'Address', type: 'string', description: 'Address is a list containing ingress points for the load-balancer', value: ingressAddress },
    { name: 'Ports', type: 'string', description: 'Ports of TLS configurations that open', value: (o) => (arr(get(o, 'spec', 'tls')).length ? '80, 443' : '80') },
    AGE,
  ],
  validate: validateIngress,
};

// ---- IngressClass ----

const DOMAIN_PATH_CHARS = /^[A-Za-z0-9/\-._~%!$&'()*+,;=:]+$/;

/** Upstream's validation.IsDomainPrefixedPath, e.g. "example.com/ingress-controller". */
function validateDomainPrefixedPath(field: string, v: string): StatusCause[] {
  if (!v) return [fieldErr.required(field)];
  const slash = v.indexOf('/');
  if (slash < 0) return [fieldErr.invalid(field, v, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  const host = v.slice(0, slash);
  const path = v.slice(slash + 1);
  const out = validateName('subdomain', host).map((m) => fieldErr.invalid(field, host, m));
  if (!DOMAIN_PATH_CHARS.test(path)) out.push(fieldErr.invalid(field, path, 'Invalid path'));
  return out;
}

function validateIngressClass(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const controller = str(get(o, 'spec', 'controller'));
  if (old && controller !== str(get(old, 'spec', 'controller'))) out.push(fieldErr.immutable('spec.controller', controller));
  if (controller.length > 250) out.push(fieldErr.tooLong('spec.controller', 250));
  out.push(...validateDomainPrefixedPath('spec.controller', controller));
  const params = get(o, 'spec', 'parameters');
  if (isObj(params)) {
    const path = 'spec.parameters';
    out.push(...validateTypedLocalObjectReference(params, path));
    const scope = params.scope;
    if (scope === undefined || scope === null) out.push(fieldErr.required(`${path}.scope`));
    else if (scope !== 'Cluster' && scope !== 'Namespace') out.push(fieldErr.notSupported(`${path}.scope`, scope, ['Cluster', 'Namespace']));
    else if (scope === 'Namespace') {
      if (typeof params.namespace !== 'string') out.push(fieldErr.required(`${path}.namespace`, '`parameters.scope` is set to \'Namespace\''));
      else for (const m of validateName('label', params.namespace)) out.push(fieldErr.invalid(`${path}.namespace`, params.namespace, m));
    } else if (params.namespace !== undefined && params.namespace !== null) {
      out.push(fieldErr.forbidden(`${path}.namespace`, '`parameters.scope` is set to \'Cluster\''));
    }
  }
  return out;
}

const ingressClasses: ResourceDef = {
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', plural: 'ingressclasses', singular: 'ingressclass',
  shortNames: [], categories: [], namespaced: false, nameRule: 'subdomain', storagePath: 'ingressclasses',
  schema: 'io.k8s.api.networking.v1.IngressClass', hasSpec: true,
  columns: [
    { name: 'Controller', type: 'string', description: 'Controller that is responsible for handling this class', value: (o) => str(get(o, 'spec', 'controller')) },
    {
      name: 'Parameters', type: 'string', description: 'A reference to a resource with additional parameters',
      value: (o) => {
        const p = get(o, 'spec', 'parameters');
        if (!isObj(p)) return '<none>';
        return `${str(p.kind)}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${str(p.name)}`;
      },
    },
    AGE,
  ],
  defaults: (o) => {
    const p = get(o, 'spec', 'parameters');
    if (isObj(p)) p.scope ??= 'Cluster';
  },
  validate: validateIngressClass,
};

export const resources: ResourceDef[] = [ingressClasses, ingresses, networkPolicies];
