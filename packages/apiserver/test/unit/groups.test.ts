// networking, rbac, certificates, storage, discovery, events.k8s.io, authentication and
// authorization: schemas (src/schema/defs) and declarations (src/registry).
import { generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import type { JsonObject, KubeObject } from '../../src/api/types.js';
import type { RequestContext, ResourceDef } from '../../src/registry/resource.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import type { ObjectType } from '../../src/schema/dsl.js';
import { builtinTypes } from '../../src/schema/defs/index.js';
import { decodeProtobuf, encodeProtobuf } from '../../src/schema/protobuf.js';
import * as networkingDefs from '../../src/schema/defs/networking.js';
import * as rbacDefs from '../../src/schema/defs/rbac.js';
import * as certificatesDefs from '../../src/schema/defs/certificates.js';
import * as storageDefs from '../../src/schema/defs/storage.js';
import * as discoveryDefs from '../../src/schema/defs/discovery.js';
import * as eventsDefs from '../../src/schema/defs/events.js';
import * as authenticationDefs from '../../src/schema/defs/authentication.js';
import * as authorizationDefs from '../../src/schema/defs/authorization.js';
import * as networking from '../../src/registry/networking.js';
import * as rbac from '../../src/registry/rbac.js';
import * as certificates from '../../src/registry/certificates.js';
import * as storage from '../../src/registry/storage.js';
import * as discovery from '../../src/registry/discovery.js';
import * as events from '../../src/registry/events.js';
import * as authentication from '../../src/registry/authentication.js';
import * as authorization from '../../src/registry/authorization.js';

const TYPES: ObjectType[] = [networkingDefs, rbacDefs, certificatesDefs, storageDefs, discoveryDefs, eventsDefs, authenticationDefs, authorizationDefs].flatMap((m) => m.types);
const RESOURCES: ResourceDef[] = [networking, rbac, certificates, storage, discovery, events, authentication, authorization].flatMap((m) => m.resources);

const def = (group: string, plural: string): ResourceDef => {
  const d = RESOURCES.find((r) => r.group === group && r.plural === plural);
  if (!d) throw new Error(`no ${plural}.${group}`);
  return d;
};
type Body = Record<string, unknown>;
const obj = (d: ResourceDef, body: Body, metadata: KubeObject['metadata'] = { name: 'x', ...(d.namespaced ? { namespace: 'default' } : {}) }): KubeObject =>
  ({ apiVersion: `${d.group}/${d.version}`, kind: d.kind, metadata, ...structuredClone(body) });
const admit = (d: ResourceDef, o: KubeObject): KubeObject => { d.defaults?.(o); return o; };
const errors = (d: ResourceDef, o: KubeObject, old?: KubeObject): string[] => (d.validate?.(o, old) ?? []).map((c) => `${c.field}: ${c.message}`);
const headers = (d: ResourceDef, wide = false): string[] => ['NAME', ...d.columns.filter((c) => wide || !c.priority).map((c) => c.name.toUpperCase())];
const cells = (d: ResourceDef, o: KubeObject): unknown[] => d.columns.filter((c) => !c.priority).map((c) => c.value(o));
const wideCells = (d: ResourceDef, o: KubeObject): unknown[] => d.columns.map((c) => c.value(o));
const ago = (seconds: number): string => new Date(Date.now() - seconds * 1000).toISOString();

describe('schemas', () => {
  it('declares each definition name once', () => {
    const names = TYPES.map((t) => t.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('resolves every reference within these groups (core and meta types are declared elsewhere)', () => {
    const external = (r: string): boolean => /-> io\.k8s\.(api\.core\.v1|apimachinery\.pkg\.apis\.meta\.v1)\./.test(r);
    expect(new SchemaRegistry(TYPES).danglingRefs().filter((r) => !external(r))).toEqual([]);
  });

  it('uses each protobuf field number once per message', () => {
    for (const t of TYPES) {
      const nums = Object.values(t.fields).flatMap((f) => (f.proto === undefined ? [] : [f.proto]));
      expect(nums.filter((n, i) => nums.indexOf(n) !== i), t.name).toEqual([]);
    }
  });

  it('gives every declared resource its kind and list kind, by group/version/kind', () => {
    const reg = new SchemaRegistry(TYPES);
    for (const d of RESOURCES) {
      const t = reg.get(d.schema);
      expect(t?.gvk, d.schema).toContainEqual({ group: d.group, version: d.version, kind: d.kind });
      // Review types (create-only) have no List upstream.
      if (!d.verbs) expect(reg.forGVK({ group: d.group, version: d.version, kind: `${d.kind}List` })?.name).toBe(`${d.schema}List`);
    }
  });

  it('keeps upstream protobuf numbers and json names where they differ from declaration order', () => {
    const reg = new SchemaRegistry(TYPES);
    const field = (type: string, name: string): number | undefined => reg.get(type)?.fields[name]?.proto;
    expect(field('io.k8s.api.certificates.v1.CertificateSigningRequestSpec', 'signerName')).toBe(7);
    expect(field('io.k8s.api.certificates.v1.CertificateSigningRequestCondition', 'status')).toBe(6);
    expect(field('io.k8s.api.networking.v1.IngressBackend', 'service')).toBe(4);
    expect(field('io.k8s.api.networking.v1.IngressClassParametersReference', 'apiGroup')).toBe(1);
    expect(field('io.k8s.api.discovery.v1.EndpointSlice', 'addressType')).toBe(4);
    expect(field('io.k8s.api.authentication.v1.TokenRequestSpec', 'expirationSeconds')).toBe(4);
    expect(field('io.k8s.api.authorization.v1.SubjectAccessReviewStatus', 'denied')).toBe(4);
    expect(reg.get('io.k8s.api.authentication.v1.ExtraValue')?.protoList).toEqual({ scalar: 'string' });
    expect(reg.get('io.k8s.api.authentication.v1.UserInfo')?.fields.extra?.type).toEqual({ map: { ref: 'io.k8s.api.authentication.v1.ExtraValue' } });
    expect(reg.get('io.k8s.api.storage.v1.CSINodeSpec')?.fields.drivers).toMatchObject({ patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
  });
});

describe('protobuf bodies', () => {
  const reg = new SchemaRegistry(builtinTypes);
  const roundTrip = (o: JsonObject): JsonObject => decodeProtobuf(reg, encodeProtobuf(reg, o)).object;

  it('round trips review types, with ExtraValue maps', () => {
    const sar: JsonObject = {
      apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
      spec: { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' }, user: 'alice', groups: ['devs'], extra: { scopes: ['a', 'b'] }, uid: 'u1' },
      status: { allowed: true, reason: 'ok' },
    };
    expect(roundTrip(sar)).toMatchObject(sar);
    const ssr: JsonObject = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', status: { userInfo: { username: 'alice', groups: ['g'], extra: { k: ['v'] } } } };
    expect(roundTrip(ssr)).toMatchObject(ssr);
  });

  it('writes upstream field numbers (spec=2, resourceAttributes=1, verb=2)', () => {
    const raw = encodeProtobuf(reg, { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { verb: 'get' } } });
    expect(raw.includes(Buffer.from('12070a0512036765 74'.replace(/ /g, ''), 'hex'))).toBe(true);
  });

  it('round trips ingress rules (embedded IngressRuleValue), CSR bytes and events', () => {
    const ing: JsonObject = {
      apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'i', namespace: 'default' },
      spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    };
    expect(roundTrip(ing)).toMatchObject(ing);
    const csr: JsonObject = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c' }, spec: { request: Buffer.from('pem').toString('base64'), signerName: 'example.com/s', usages: ['any'], expirationSeconds: 3600 } };
    expect(roundTrip(csr)).toMatchObject(csr);
    const ev: JsonObject = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e', namespace: 'default' }, eventTime: '2024-05-01T10:20:30.123456Z', regarding: { kind: 'Pod', name: 'p' }, note: 'n', type: 'Normal', series: { count: 2, lastObservedTime: '2024-05-01T10:21:00.000000Z' } };
    expect(roundTrip(ev)).toMatchObject(ev);
  });
});

describe('declarations', () => {
  it('names, scopes and storage paths as upstream', () => {
    const summary = RESOURCES.map((d) => `${d.plural}.${d.group} ${d.namespaced ? 'ns' : 'cluster'} ${d.storagePath} [${d.shortNames.join(',')}]`);
    expect(summary).toEqual(expect.arrayContaining([
      'networkpolicies.networking.k8s.io ns networkpolicies [netpol]',
      'ingresses.networking.k8s.io ns ingress [ing]',
      'ingressclasses.networking.k8s.io cluster ingressclasses []',
      'roles.rbac.authorization.k8s.io ns roles []',
      'clusterrolebindings.rbac.authorization.k8s.io cluster clusterrolebindings []',
      'certificatesigningrequests.certificates.k8s.io cluster certificatesigningrequests [csr]',
      'storageclasses.storage.k8s.io cluster storageclasses [sc]',
      'csinodes.storage.k8s.io cluster csinodes []',
      'endpointslices.discovery.k8s.io ns endpointslices []',
      'events.events.k8s.io ns events [ev]',
      'localsubjectaccessreviews.authorization.k8s.io ns localsubjectaccessreviews []',
      'tokenreviews.authentication.k8s.io cluster tokenreviews []',
    ]));
    expect(RESOURCES).toHaveLength(20);
    for (const d of RESOURCES.filter((r) => r.group.startsWith('authentication') || r.group.startsWith('authorization'))) {
      expect(d.verbs, d.plural).toEqual(['create']);
      expect(d.compute, d.plural).toBeTypeOf('function');
    }
    expect(def('networking.k8s.io', 'ingresses').subresources).toEqual({ status: true });
    expect(def('certificates.k8s.io', 'certificatesigningrequests').fieldSelectors).toEqual(['spec.signerName']);
  });
});

describe('networking.k8s.io', () => {
  const np = def('networking.k8s.io', 'networkpolicies');
  const ing = def('networking.k8s.io', 'ingresses');
  const ic = def('networking.k8s.io', 'ingressclasses');

  it('defaults policyTypes and port protocols', () => {
    const o = admit(np, obj(np, { spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } }));
    expect(o.spec).toMatchObject({ policyTypes: ['Ingress'], ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }] });
    const e = admit(np, obj(np, { spec: { egress: [{}] } }));
    expect(e.spec).toMatchObject({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
  });

  it('validates peers, ports, CIDRs and policy types', () => {
    const o = obj(np, {
      spec: {
        podSelector: {},
        ingress: [{ from: [{}, { ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16', '11.0.0.0/24'] }, podSelector: {} }], ports: [{ protocol: 'ICMP', port: 70000 }] }],
        policyTypes: ['Ingress', 'Sideways'],
      },
    });
    expect(errors(np, o)).toEqual([
      'spec.ingress[0].ports[0].protocol: Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"',
      'spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.ingress[0].from[1].ipBlock.except[1]: Invalid value: "11.0.0.0/24": must be a strict subset of `cidr`',
      'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
      'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]);
    expect(errors(np, obj(np, { spec: { egress: [{ to: [{ ipBlock: { cidr: 'fd00::/8', except: ['fd00:1::/32'] } }] }] } }))).toEqual([]);
  });

  it('prints the pod selector like upstream', () => {
    expect(headers(np)).toEqual(['NAME', 'POD-SELECTOR', 'AGE']);
    expect(cells(np, obj(np, { spec: { podSelector: {} } }))[0]).toBe('<none>');
    const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'canary', operator: 'DoesNotExist' }] };
    expect(cells(np, obj(np, { spec: { podSelector: sel } }))[0]).toBe('app=web,!canary,tier in (a,b)');
  });

  it('validates ingress backends, paths and hosts', () => {
    expect(errors(ing, obj(ing, { spec: {} }))).toEqual(['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
    const o = obj(ing, {
      spec: {
        rules: [
          { host: '1.2.3.4', http: { paths: [{ path: 'foo', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
          { host: '*.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'web' } } }, { path: '/a', pathType: 'Exact', backend: { service: { name: 'web', port: { name: 'http', number: 80 } } } }] } },
        ],
      },
    });
    expect(errors(ing, o)).toEqual([
      'spec.rules[0].host: Invalid value: "1.2.3.4": must be a DNS name, not an IP address',
      'spec.rules[0].http.paths[0].path: Invalid value: "foo": must be an absolute path',
      'spec.rules[1].http.paths[0].pathType: Required value: pathType must be specified',
      'spec.rules[1].http.paths[1].backend: Invalid value: "": cannot set both port name & port number',
    ]);
    const ok = obj(ing, { spec: { ingressClassName: 'nginx', defaultBackend: { service: { name: 'web', port: { name: 'http' } } } } }, { name: 'x', namespace: 'default', annotations: { 'kubernetes.io/ingress.class': 'nginx' } });
    expect(errors(ing, ok)).toEqual(['annotations.kubernetes.io/ingress.class: Invalid value: "nginx": can not be set when the class field is also set']);
    expect(errors(ing, ok, ok)).toEqual([]);
  });

  it('prints ingresses like upstream', () => {
    expect(headers(ing)).toEqual(['NAME', 'CLASS', 'HOSTS', 'ADDRESS', 'PORTS', 'AGE']);
    const o = obj(ing, {
      spec: { rules: ['a', 'b', 'c', 'd', 'e'].map((h) => ({ host: `${h}.example.com` })), tls: [{ hosts: ['a.example.com'] }] },
      status: { loadBalancer: { ingress: [{ ip: '10.0.0.2' }, { hostname: 'lb.example.com' }, { ip: '10.0.0.1' }] } },
    });
    o.metadata.creationTimestamp = ago(30);
    expect(cells(ing, o)).toEqual(['<none>', 'a.example.com,b.example.com,c.example.com + 2 more...', '10.0.0.1,10.0...', '80, 443', '30s']);
    expect(cells(ing, obj(ing, { spec: { ingressClassName: 'nginx', rules: [{}] } })).slice(0, 4)).toEqual(['nginx', '*', '', '80']);
  });

  it('defaults and validates ingress classes', () => {
    expect(headers(ic)).toEqual(['NAME', 'CONTROLLER', 'PARAMETERS', 'AGE']);
    const o = admit(ic, obj(ic, { spec: { controller: 'example.com/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }));
    expect(o.spec).toMatchObject({ parameters: { scope: 'Cluster' } });
    expect(errors(ic, o)).toEqual([]);
    expect(cells(ic, o).slice(0, 2)).toEqual(['example.com/ingress', 'IngressParameters.k8s.example.com/p']);
    const moved = obj(ic, { spec: { controller: 'example.com/other' } });
    expect(errors(ic, moved, o)).toEqual(['spec.controller: Invalid value: "example.com/other": field is immutable']);
    const bad = admit(ic, obj(ic, { spec: { controller: 'nginx', parameters: { kind: 'K', name: 'n', scope: 'Namespace' } } }));
    expect(errors(ic, bad)).toEqual([
      'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")',
      'spec.parameters.namespace: Required value: `parameters.scope` is set to \'Namespace\'',
    ]);
  });
});

describe('rbac.authorization.k8s.io', () => {
  const role = def('rbac.authorization.k8s.io', 'roles');
  const crole = def('rbac.authorization.k8s.io', 'clusterroles');
  const rb = def('rbac.authorization.k8s.io', 'rolebindings');
  const crb = def('rbac.authorization.k8s.io', 'clusterrolebindings');

  it('defaults roleRef and subject API groups', () => {
    const o = admit(rb, obj(rb, { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'default' }] }));
    expect(o.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' });
    expect(o.subjects).toEqual([{ kind: 'User', name: 'alice', apiGroup: 'rbac.authorization.k8s.io' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'default', apiGroup: '' }]);
    expect(errors(rb, o)).toEqual([]);
  });

  it('validates rules', () => {
    expect(errors(role, obj(role, { rules: [{ verbs: [], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], nonResourceURLs: ['/healthz'] }, { verbs: ['get'] }] }))).toEqual([
      'rules[0].verbs: Required value: verbs must contain at least one value',
      'rules[1].nonResourceURLs: Invalid value: ["/healthz"]: namespaced rules cannot apply to non-resource URLs',
      'rules[2].apiGroups: Required value: resource rules must supply at least one api group',
      'rules[2].resources: Required value: resource rules must supply at least one resource',
    ]);
    expect(errors(crole, obj(crole, { rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'] }] }))).toEqual([]);
    expect(errors(crole, obj(crole, { aggregationRule: {} }))).toEqual(['aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil']);
  });

  it('validates bindings and keeps roleRef immutable', () => {
    const old = admit(crb, obj(crb, { roleRef: { kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'Group', name: 'devs' }] }));
    expect(errors(crb, old)).toEqual([]);
    const changed = admit(crb, obj(crb, { roleRef: { kind: 'ClusterRole', name: 'edit' } }));
    expect(errors(crb, changed, old)).toEqual(['roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"edit"}: cannot change roleRef']);
    const bad = admit(crb, obj(crb, { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }, { kind: 'Robot', name: 'r2' }] }));
    expect(errors(crb, bad)).toEqual([
      'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
      'subjects[0].namespace: Required value',
      'subjects[1].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", "Group"',
    ]);
  });

  it('prints roles and bindings like upstream', () => {
    expect(headers(role)).toEqual(['NAME', 'CREATED AT']);
    const r = obj(role, {}, { name: 'r', namespace: 'default', creationTimestamp: '2024-05-01T10:20:30Z' });
    expect(cells(role, r)).toEqual(['2024-05-01T10:20:30Z']);
    expect(headers(rb)).toEqual(['NAME', 'ROLE', 'AGE']);
    expect(headers(rb, true)).toEqual(['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
    const b = admit(rb, obj(rb, { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'a' }, { kind: 'User', name: 'b' }, { kind: 'Group', name: 'g' }, { kind: 'ServiceAccount', name: 's', namespace: 'ns1' }] }));
    b.metadata.creationTimestamp = ago(300);
    expect(wideCells(rb, b)).toEqual(['Role/r', '5m', 'a, b', 'g', 'ns1/s']);
  });
});

describe('certificates.k8s.io', () => {
  const csr = def('certificates.k8s.io', 'certificatesigningrequests');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  const req = forge.pki.createCertificationRequest();
  req.publicKey = forge.pki.publicKeyFromPem(publicKey);
  req.setSubject([{ name: 'commonName', value: 'alice' }]);
  req.sign(forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  const pem = forge.pki.certificationRequestToPem(req);
  const b64 = (s: string): string => Buffer.from(s).toString('base64');

  it('accepts a signed CSR and rejects other PEM blocks or tampered requests', () => {
    const ok = obj(csr, { spec: { request: b64(pem), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 } });
    expect(errors(csr, ok)).toEqual([]);
    expect(certificates.csrError(pem.replace(/CERTIFICATE REQUEST/g, 'CERTIFICATE'))).toBe('PEM block type must be CERTIFICATE REQUEST');
    const cert = errors(csr, obj(csr, { spec: { request: b64('-----BEGIN X-----\nAA==\n-----END X-----\n'), signerName: 'example.com/s', usages: ['any'] } }));
    expect(cert).toHaveLength(1);
    expect(cert[0]).toMatch(/^spec\.request: Invalid value: \[\]byte\{0x2d, 0x2d, .*\}: PEM block type must be CERTIFICATE REQUEST$/);
    const body = pem.split('\n').slice(1, -2).join('');
    const der = Buffer.from(body, 'base64');
    der[der.length - 5] = der.at(-5) === 0 ? 1 : 0; // flip a signature byte
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    expect(certificates.csrError(tampered)).toBeDefined();
  });

  it('validates usages, signer names and durations', () => {
    const o = obj(csr, { spec: { request: b64(pem), signerName: 'signer', usages: ['client auth', 'flying', 'client auth'], expirationSeconds: 60 } });
    expect(errors(csr, o)).toEqual([
      expect.stringMatching(/^spec\.usages\[1\]: Unsupported value: "flying": supported values: "any", "cert sign", /),
      'spec.usages[2]: Duplicate value: "client auth"',
      "spec.signerName: Invalid value: \"signer\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
      'spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds (10 minutes)',
    ]);
    expect(errors(csr, obj(csr, { spec: { request: b64(pem), usages: ['any'] } }))).toEqual(['spec.signerName: Required value']);
    expect(errors(csr, obj(csr, { spec: { request: b64(pem), signerName: 'kubernetes.io/legacy-unknown', usages: ['any'] } }))).toEqual(['spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version']);
  });

  it('prints CSRs like upstream', () => {
    expect(headers(csr)).toEqual(['NAME', 'AGE', 'SIGNERNAME', 'REQUESTOR', 'REQUESTEDDURATION', 'CONDITION']);
    const o = obj(csr, { spec: { signerName: 'example.com/s', username: 'alice', expirationSeconds: 86400 } });
    expect(cells(csr, o).slice(1)).toEqual(['example.com/s', 'alice', '24h', 'Pending']);
    o.status = { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }], certificate: 'Zm9v' };
    expect(cells(csr, o)[4]).toBe('Approved,Failed,Issued');
    expect(cells(csr, obj(csr, { spec: {} })).slice(1, 4)).toEqual(['<none>', '', '<none>']);
    expect(certificates.humanDuration(3600 * 24 * 3 + 3600 * 5)).toBe('3d5h');
  });
});

describe('storage.k8s.io', () => {
  const sc = def('storage.k8s.io', 'storageclasses');
  const drv = def('storage.k8s.io', 'csidrivers');
  const node = def('storage.k8s.io', 'csinodes');
  const va = def('storage.k8s.io', 'volumeattachments');

  it('defaults and validates storage classes; parameters are immutable', () => {
    const o = admit(sc, obj(sc, { provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3' } }));
    expect(o).toMatchObject({ reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' });
    expect(errors(sc, o)).toEqual([]);
    expect(errors(sc, admit(sc, obj(sc, { reclaimPolicy: 'Recycle' })))).toEqual([
      'provisioner: Required value',
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
    ]);
    const changed = admit(sc, obj(sc, { provisioner: 'ebs.csi.aws.com', parameters: { type: 'io2' } }));
    expect(errors(sc, changed, o)).toEqual(['parameters: Forbidden: updates to parameters are forbidden.']);
    expect(errors(sc, admit(sc, obj(sc, { provisioner: 'ebs.csi.aws.com', parameters: { type: 'gp3' }, allowVolumeExpansion: true })), o)).toEqual([]);
  });

  it('prints storage classes like upstream', () => {
    expect(headers(sc)).toEqual(['NAME', 'PROVISIONER', 'RECLAIMPOLICY', 'VOLUMEBINDINGMODE', 'ALLOWVOLUMEEXPANSION', 'AGE']);
    const o = admit(sc, obj(sc, { provisioner: 'p.example.com', volumeBindingMode: 'WaitForFirstConsumer' }));
    expect(cells(sc, o).slice(0, 4)).toEqual(['p.example.com', 'Delete', 'WaitForFirstConsumer', false]);
  });

  it('defaults, validates and prints CSI drivers', () => {
    const o = admit(drv, obj(drv, { spec: {} }, { name: 'ebs.csi.aws.com' }));
    expect(o.spec).toEqual({ attachRequired: true, podInfoOnMount: false, storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', volumeLifecycleModes: ['Persistent'], requiresRepublish: false, seLinuxMount: false });
    expect(errors(drv, o)).toEqual([]);
    expect(headers(drv)).toEqual(['NAME', 'ATTACHREQUIRED', 'PODINFOONMOUNT', 'STORAGECAPACITY', 'TOKENREQUESTS', 'REQUIRESREPUBLISH', 'MODES', 'AGE']);
    expect(cells(drv, o).slice(0, 6)).toEqual([true, false, false, '<unset>', false, 'Persistent']);
    const flipped = admit(drv, obj(drv, { spec: { attachRequired: false, podInfoOnMount: true } }, { name: 'ebs.csi.aws.com' }));
    expect(errors(drv, flipped, o)).toEqual(['spec.attachRequired: Invalid value: false: field is immutable']);
  });

  it('validates CSI nodes and volume attachments', () => {
    expect(errors(node, obj(node, { spec: { drivers: [{ name: 'd.example.com', nodeID: 'n1' }, { name: 'd.example.com' }] } }))).toEqual([
      'spec.drivers[1].name: Duplicate value: "d.example.com"',
      'spec.drivers[1].nodeID: Required value',
    ]);
    expect(cells(node, obj(node, { spec: { drivers: [{}, {}] } }))[0]).toBe(2);
    const a = obj(va, { spec: { attacher: 'd.example.com', nodeName: 'n1', source: { persistentVolumeName: 'pv1' } } });
    expect(errors(va, a)).toEqual([]);
    expect(headers(va)).toEqual(['NAME', 'ATTACHER', 'PV', 'NODE', 'ATTACHED', 'AGE']);
    expect(cells(va, a).slice(0, 4)).toEqual(['d.example.com', 'pv1', 'n1', false]);
    expect(errors(va, obj(va, { spec: { attacher: 'd.example.com', nodeName: 'n1', source: {} } }))).toEqual(['spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName']);
    const moved = obj(va, { spec: { attacher: 'd.example.com', nodeName: 'n2', source: { persistentVolumeName: 'pv1' } } });
    expect(errors(va, moved, a)).toEqual([expect.stringMatching(/^spec: Invalid value: .*: field is immutable$/)]);
  });
});

describe('discovery.k8s.io', () => {
  const eps = def('discovery.k8s.io', 'endpointslices');

  it('defaults ports and validates addresses', () => {
    const o = admit(eps, obj(eps, { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['127.0.0.1', 'fe80::1'] }], ports: [{ port: 80 }, { name: 'http', port: 8080, protocol: 'UDP' }] }));
    expect(o.ports).toEqual([{ port: 80, name: '', protocol: 'TCP' }, { name: 'http', port: 8080, protocol: 'UDP' }]);
    expect(errors(eps, o)).toEqual([
      'endpoints[1].addresses[0]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'endpoints[1].addresses[1]: Invalid value: "fe80::1": must be a valid IPv4 address',
    ]);
  });

  it('requires addressType, keeps it immutable and caps endpoints at 1000', () => {
    expect(errors(eps, admit(eps, obj(eps, {})))).toEqual(['addressType: Required value']);
    const old = admit(eps, obj(eps, { addressType: 'IPv4', endpoints: [] }));
    expect(errors(eps, admit(eps, obj(eps, { addressType: 'IPv6', endpoints: [] })), old)).toEqual(['addressType: Invalid value: "IPv6": field is immutable']);
    const many = admit(eps, obj(eps, { addressType: 'FQDN', endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['a.example.com'] })) }));
    expect(errors(eps, many)).toEqual(['endpoints: Too many: 1001: must have at most 1000 items']);
  });

  it('prints slices like upstream', () => {
    expect(headers(eps)).toEqual(['NAME', 'ADDRESSTYPE', 'PORTS', 'ENDPOINTS', 'AGE']);
    const o = admit(eps, obj(eps, { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3', '10.0.0.4', '10.0.0.5'] }], ports: [{ port: 80 }, { name: 'dns' }] }));
    expect(cells(eps, o).slice(0, 3)).toEqual(['IPv4', '80,dns', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...']);
    expect(cells(eps, obj(eps, { addressType: 'IPv6' })).slice(1, 3)).toEqual(['<unset>', '<unset>']);
  });
});

describe('events.k8s.io', () => {
  const ev = def('events.k8s.io', 'events');
  const conv = ev.conversion;
  const full = {
    eventTime: '2024-05-01T10:20:30.123456Z',
    series: { count: 3, lastObservedTime: '2024-05-01T10:25:00.000000Z' },
    reportingController: 'example.com/ctrl',
    reportingInstance: 'ctrl-1',
    action: 'Scale',
    reason: 'Scaled',
    regarding: { kind: 'Deployment', namespace: 'default', name: 'web', apiVersion: 'apps/v1' },
    related: { kind: 'ReplicaSet', namespace: 'default', name: 'web-1' },
    note: 'scaled up',
    type: 'Normal',
    deprecatedSource: { component: 'legacy' },
    deprecatedFirstTimestamp: '2024-05-01T10:20:30Z',
    deprecatedLastTimestamp: '2024-05-01T10:25:00Z',
    deprecatedCount: 3,
  };

  it('stores in the core/v1 shape with upstream field mapping', () => {
    expect(conv?.storageVersion).toBe('v1');
    const stored = conv!.toStorage(obj(ev, full));
    expect(stored).toEqual({
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'x', namespace: 'default' },
      eventTime: full.eventTime, series: full.series, reportingComponent: 'example.com/ctrl', reportingInstance: 'ctrl-1',
      action: 'Scale', reason: 'Scaled', involvedObject: full.regarding, related: full.related, message: 'scaled up', type: 'Normal',
      source: { component: 'legacy' }, firstTimestamp: full.deprecatedFirstTimestamp, lastTimestamp: full.deprecatedLastTimestamp, count: 3,
    });
  });

  it('round trips both ways', () => {
    const e = obj(ev, full);
    expect(conv!.fromStorage(conv!.toStorage(e))).toEqual(e);
    const core: KubeObject = {
      apiVersion: 'v1', kind: 'Event', metadata: { name: 'pod.1', namespace: 'default' },
      involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, reason: 'Pulled', message: 'pulled image', source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2024-05-01T10:20:30Z', lastTimestamp: '2024-05-01T10:20:35Z', count: 2, type: 'Normal', reportingComponent: 'kubelet', reportingInstance: 'n1',
    };
    const served = conv!.fromStorage(core);
    expect(served).toMatchObject({ apiVersion: 'events.k8s.io/v1', regarding: core.involvedObject, note: 'pulled image', deprecatedCount: 2, reportingController: 'kubelet' });
    expect(served).not.toHaveProperty('message');
    expect(conv!.toStorage(served)).toEqual(core);
  });

  it('validates events created through events.k8s.io/v1', () => {
    const ok = obj(ev, { eventTime: full.eventTime, reportingController: 'example.com/ctrl', reportingInstance: 'i', action: 'A', reason: 'R', type: 'Normal', regarding: { namespace: 'default' } });
    expect(errors(ev, ok)).toEqual([]);
    expect(errors(ev, obj(ev, { regarding: { namespace: 'other' }, type: 'Info', deprecatedCount: 2, series: { count: 1 } }))).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
      'series.count: Invalid value: "": should be at least 2',
      'series.lastObservedTime: Required value',
      'eventTime: Required value',
      'type: Invalid value: "": has invalid value: Info',
      'count: Invalid value: "": needs to be unset',
    ]);
    const renote = { ...ok, note: 'changed' } as KubeObject;
    expect(errors(ev, renote, ok)).toEqual(['note: Invalid value: "changed": field is immutable']);
    // The stored (core/v1) shape is read the same way.
    expect(errors(ev, conv!.toStorage(renote), conv!.toStorage(ok))).toEqual(['note: Invalid value: "changed": field is immutable']);
  });

  it('prints like the core event printer, from either shape', () => {
    expect(headers(ev)).toEqual(['NAME', 'LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const e = obj(ev, { ...full, series: undefined, deprecatedLastTimestamp: ago(65), deprecatedFirstTimestamp: ago(600), note: ' scaled up \n' });
    expect(cells(ev, e)).toEqual(['65s', 'Normal', 'Scaled', 'deployment/web', 'scaled up']);
    expect(wideCells(ev, conv!.toStorage(e))).toEqual(['65s', 'Normal', 'Scaled', 'deployment/web', '', 'legacy, ctrl-1', 'scaled up', '10m', 3]);
    const single = obj(ev, { eventTime: ago(5), reportingController: 'c', reportingInstance: 'i', regarding: { kind: 'Node' } });
    expect(wideCells(ev, single)).toEqual(['5s', '', '', 'node', '', 'c, i', '', '5s', 1]);
  });
});

describe('authentication.k8s.io', () => {
  const ctx: RequestContext = { user: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a', 'b'] } } };
  const ssr = def('authentication.k8s.io', 'selfsubjectreviews');
  const tr = def('authentication.k8s.io', 'tokenreviews');

  it('answers SelfSubjectReview with the requesting user', async () => {
    const out = await ssr.compute!(obj(ssr, {}, {}), ctx);
    expect(out.status).toEqual({ userInfo: { username: 'alice', uid: 'u-1', groups: ['devs', 'system:authenticated'], extra: { scopes: ['a', 'b'] } } });
    expect((await ssr.compute!(obj(ssr, {}, {}), { user: { username: 'bob', groups: [] } })).status).toEqual({ userInfo: { username: 'bob' } });
  });

  it('answers TokenReview as unauthenticated until a token authenticator exists', async () => {
    const out = await tr.compute!(obj(tr, { spec: { token: 'abc' } }, {}), ctx);
    expect(out).toMatchObject({ spec: { token: 'abc' }, status: { authenticated: false, error: 'no token authenticator is configured' } });
    expect(() => tr.compute!(obj(tr, { spec: {} }, {}), ctx)).toThrow(ApiError);
  });
});

describe('authorization.k8s.io', () => {
  const ctx: RequestContext = { user: { username: 'alice', groups: [] } };
  const ssar = def('authorization.k8s.io', 'selfsubjectaccessreviews');
  const sar = def('authorization.k8s.io', 'subjectaccessreviews');
  const lsar = def('authorization.k8s.io', 'localsubjectaccessreviews');
  const ssrr = def('authorization.k8s.io', 'selfsubjectrulesreviews');

  it('validates attributes as upstream', () => {
    const res = { resourceAttributes: { namespace: 'default', verb: 'get', resource: 'pods' } };
    expect(errors(ssar, obj(ssar, { spec: res }, {}))).toEqual([]);
    expect(errors(ssar, obj(ssar, { spec: {} }, {}))).toEqual(['spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified']);
    expect(errors(ssar, obj(ssar, { spec: { ...res, nonResourceAttributes: { path: '/', verb: 'get' } } }, {}))).toEqual(['spec.nonResourceAttributes: Invalid value: {"path":"/","verb":"get"}: cannot be specified in combination with resourceAttributes']);
    expect(errors(sar, obj(sar, { spec: res }, {}))).toEqual(['spec.user: Invalid value: "": at least one of user or group must be specified']);
    expect(errors(sar, obj(sar, { spec: { ...res, groups: ['devs'] } }, {}))).toEqual([]);
    expect(errors(lsar, obj(lsar, { spec: { ...res, user: 'bob' } }, { namespace: 'other' }))).toEqual(['spec.resourceAttributes.namespace: Invalid value: "default": must match metadata.namespace']);
    expect(errors(lsar, obj(lsar, { spec: { ...res, user: 'bob' } }, { namespace: 'default' }))).toEqual([]);
    expect(errors(ssar, obj(ssar, { spec: res }, { name: 'x', creationTimestamp: null } as unknown as KubeObject['metadata']))).toEqual(['metadata: Invalid value: {"name":"x","creationTimestamp":null}: must be empty']);
    expect(errors(sar, obj(sar, { spec: { ...res, user: 'bob' } }, { namespace: 'default' }))).toEqual(['metadata: Invalid value: {"namespace":"default"}: must be empty']);
  });

  it('allows everything for now', async () => {
    for (const d of [ssar, sar, lsar]) {
      const out = await d.compute!(obj(d, { spec: { resourceAttributes: { verb: 'delete', resource: 'nodes' }, user: 'bob' } }, {}), ctx);
      expect(out.status, d.plural).toMatchObject({ allowed: true });
      expect((out.status as { reason: string }).reason).toBeTruthy();
    }
    const rules = await ssrr.compute!(obj(ssrr, { spec: { namespace: 'default' } }, {}), ctx);
    expect(rules.status).toEqual({
      resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
      nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
      incomplete: false,
    });
    expect(() => ssrr.compute!(obj(ssrr, { spec: {} }, {}), ctx)).toThrow('no namespace on request');
  });
});
