// Resource declarations: discovery.k8s.io/v1 endpointslices. Defaults as upstream's
// pkg/apis/discovery/v1/defaults.go, validation as pkg/apis/discovery/validation, columns as the printers.
import { isIPv4, isIPv6 } from 'node:net';
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type ResourceDef, validateName } from './resource.js';
import { arr, get, isObj, str, strs } from './networking.js';
import { fieldErr, qualifiedName } from './validation.js';

const ADDRESS_TYPES = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const MAX_ENDPOINTS = 1000;
const MAX_ADDRESSES = 100;
const MAX_PORTS = 20000;
const MAX_ZONE_HINTS = 8;

/** Upstream's ValidateEndpointIP: special-purpose ranges are not endpoints. */
function endpointIPErrs(ip: string): string[] {
  const v4 = isIPv4(ip);
  const first = v4 ? Number(ip.split('.')[0]) : 0;
  const lower = ip.toLowerCase();
  if (v4 ? ip === '0.0.0.0' : /^[0:]+$/.test(lower)) return [`may not be unspecified (${v4 ? '0.0.0.0' : '::'})`];
  if (v4 ? first === 127 : lower === '::1') return ['may not be in the loopback range (127.0.0.0/8, ::1/128)'];
  if (v4 ? ip.startsWith('169.254.') : /^fe[89ab]/.test(lower)) return ['may not be in the link-local range (169.254.0.0/16, fe80::/10)'];
  if (v4 ? ip.startsWith('224.0.0.') : lower.startsWith('ff02:')) return ['may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'];
  return [];
}

/** Upstream's validation.IsFullyQualifiedDomainName. */
function fqdnErrs(name: string): string[] {
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  if (!n) return ['Required value'];
  const errs = validateName('subdomain', n);
  if (n.split('.').length < 2) errs.push('should be a domain with at least two segments separated by dots');
  return errs;
}

function validateEndpoints(o: KubeObject): StatusCause[] {
  const eps = arr(o.endpoints);
  if (eps.length > MAX_ENDPOINTS) return [fieldErr.tooMany('endpoints', eps.length, MAX_ENDPOINTS)];
  const out: StatusCause[] = [];
  eps.forEach((ep, i) => {
    const path = `endpoints[${i}]`;
    const addrs = strs(ep.addresses);
    if (addrs.length === 0) out.push(fieldErr.required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > MAX_ADDRESSES) out.push(fieldErr.tooMany(`${path}.addresses`, addrs.length, MAX_ADDRESSES));
    addrs.forEach((a, j) => {
      const f = `${path}.addresses[${j}]`;
      if (o.addressType === 'IPv4') {
        if (!isIPv4(a)) out.push(fieldErr.invalid(f, a, 'must be a valid IPv4 address'));
        else for (const m of endpointIPErrs(a)) out.push(fieldErr.invalid(f, a, m));
      } else if (o.addressType === 'IPv6') {
        if (!isIPv6(a)) out.push(fieldErr.invalid(f, a, 'must be a valid IPv6 address'));
        else for (const m of endpointIPErrs(a)) out.push(fieldErr.invalid(f, a, m));
      } else if (o.addressType === 'FQDN') {
        for (const m of fqdnErrs(a)) out.push(fieldErr.invalid(f, a, m));
      }
    });
    if (typeof ep.nodeName === 'string') for (const m of validateName('subdomain', ep.nodeName)) out.push(fieldErr.invalid(`${path}.nodeName`, ep.nodeName, m));
    if (typeof ep.hostname === 'string') for (const m of validateName('label', ep.hostname)) out.push(fieldErr.invalid(`${path}.hostname`, ep.hostname, m));
    const topo = isObj(ep.deprecatedTopology) ? Object.keys(ep.deprecatedTopology) : [];
    if (topo.length > 16) out.push(fieldErr.tooMany(`${path}.deprecatedTopology`, topo.length, 16));
    const zones = arr(get(ep, 'hints', 'forZones'));
    if (zones.length > MAX_ZONE_HINTS) out.push(fieldErr.tooMany(`${path}.hints.forZones`, zones.length, MAX_ZONE_HINTS));
    else {
      const seen = new Set<string>();
      zones.forEach((z, j) => {
        const n = str(z.name);
        if (seen.has(n)) out.push(fieldErr.duplicate(`${path}.hints.forZones[${j}].name`, n));
        seen.add(n);
      });
    }
  });
  return out;
}

function validatePorts(o: KubeObject): StatusCause[] {
  const ports = arr(o.ports);
  if (ports.length > MAX_PORTS) return [fieldErr.tooMany('ports', ports.length, MAX_PORTS)];
  const out: StatusCause[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    const name = str(p.name);
    if (name) for (const m of validateName('label', name)) out.push(fieldErr.invalid(`${path}.name`, name, m));
    if (names.has(name)) out.push(fieldErr.duplicate(`${path}.name`, name));
    names.add(name);
    if (p.protocol === undefined || p.protocol === null) out.push(fieldErr.required(`${path}.protocol`));
    else if (!PROTOCOLS.includes(str(p.protocol))) out.push(fieldErr.notSupported(`${path}.protocol`, p.protocol, PROTOCOLS));
    if (typeof p.appProtocol === 'string') for (const m of qualifiedName(p.appProtocol)) out.push(fieldErr.invalid(`${path}.appProtocol`, p.appProtocol, m));
  });
  return out;
}

function validateEndpointSlice(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const at = o.addressType;
  if (at === undefined || at === null || at === '') out.push(fieldErr.required('addressType'));
  else if (!ADDRESS_TYPES.includes(str(at))) out.push(fieldErr.notSupported('addressType', at, ADDRESS_TYPES));
  out.push(...validateEndpoints(o), ...validatePorts(o));
  if (old && str(old.addressType) !== str(at)) out.push(fieldErr.immutable('addressType', at));
  return out;
}

/** Upstream's listWithMoreString: the first three, then " + N more...", or "<unset>" when empty. */
function listWithMore(items: string[]): string {
  if (items.length > 3) return `${items.slice(0, 3).join(',')} + ${items.length - 3} more...`;
  return items.join(',') || '<unset>';
}

export const resources: ResourceDef[] = [{
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice',
  shortNames: [], categories: [], namespaced: true, nameRule: 'subdomain', storagePath: 'endpointslices',
  schema: 'io.k8s.api.discovery.v1.EndpointSlice', hasSpec: false,
  columns: [
    { name: 'AddressType', type: 'string', description: 'addressType specifies the type of address carried by this EndpointSlice.', value: (o) => str(o.addressType) },
    {
      name: 'Ports', type: 'string', description: 'ports specifies the list of network ports exposed by each endpoint in this slice.',
      value: (o) => listWithMore(arr(o.ports).map((p) => (typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*'))),
    },
    { name: 'Endpoints', type: 'string', description: 'endpoints is a list of unique endpoints in this slice.', value: (o) => listWithMore(arr(o.endpoints).flatMap((e) => strs(e.addresses))) },
    AGE,
  ],
  defaults: (o) => {
    o.endpoints ??= [];
    for (const p of arr(o.ports)) { p.name ??= ''; p.protocol ??= 'TCP'; }
  },
  validate: validateEndpointSlice,
}];

