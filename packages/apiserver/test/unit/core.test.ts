// core/v1 declarations (registry/core.ts) and the meta/core schemas (schema/defs/meta.ts, core.ts).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { coreResources, formatEndpoints, quantityValue } from '../../src/registry/core.js';
import type { ResourceDef } from '../../src/registry/resource.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import type { TypeRef } from '../../src/schema/dsl.js';
import * as meta from '../../src/schema/defs/meta.js';
import * as core from '../../src/schema/defs/core.js';
import * as corePod from '../../src/schema/defs/core-pod.js';
import * as coreVolume from '../../src/schema/defs/core-volume.js';

const def = (plural: string): ResourceDef => {
  const d = coreResources.find((r) => r.plural === plural);
  if (!d) throw new Error(`no ${plural}`);
  return d;
};
const obj = (kind: string, body: Record<string, unknown>, metadata: KubeObject['metadata'] = { name: 'x', namespace: 'default' }): KubeObject => ({ apiVersion: 'v1', kind, metadata, ...body });
const admit = (plural: string, o: KubeObject): KubeObject => { def(plural).defaults?.(o); return o; };
const errors = (plural: string, o: KubeObject, old?: KubeObject): string[] => (def(plural).validate?.(o, old) ?? []).map((c) => `${c.field}: ${c.message}`);
const headers = (plural: string): string[] => def(plural).columns.filter((c) => !c.priority).map((c) => c.name.toUpperCase());
const wideHeaders = (plural: string): string[] => def(plural).columns.filter((c) => c.priority).map((c) => c.name.toUpperCase());
const cells = (plural: string, o: KubeObject): unknown[] => def(plural).columns.map((c) => c.value(o));

describe('schemas', () => {
  const refs = (t: TypeRef, out: string[]): string[] => {
    if ('ref' in t) out.push(t.ref);
    else if ('list' in t) refs(t.list, out);
    else if ('map' in t) refs(t.map, out);
    return out;
  };
  const allRefs = (types: typeof meta.types): string[] => types.flatMap((t) => Object.values(t.fields).flatMap((f) => refs(f.type, [])));

  it('declares each name once', () => {
    const names = [...meta.types, ...core.types].map((t) => t.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('resolves meta refs within meta.ts', () => {
    const metaNames = new Set(meta.types.map((t) => t.name));
    const metaRefs = allRefs([...meta.types, ...core.types]).filter((r) => r.startsWith('io.k8s.apimachinery.pkg.apis.meta.v1.'));
    expect(metaRefs.filter((r) => !metaNames.has(r))).toEqual([]);
  });

  it('resolves core refs within the core/v1 files', () => {
    const reg = new SchemaRegistry([...meta.types, ...corePod.types, ...coreVolume.types, ...core.types]);
    const coreRefs = allRefs(core.types).filter((r) => r.startsWith('io.k8s.api.core.v1.'));
    expect(coreRefs.filter((r) => !reg.get(r))).toEqual([]);
  });

  it('serves every core kind and list by GVK, with upstream proto numbers', () => {
    const reg = new SchemaRegistry([...meta.types, ...core.types]);
    for (const kind of ['Namespace', 'Service', 'Endpoints', 'Node', 'ConfigMap', 'Secret', 'ServiceAccount', 'Event', 'LimitRange', 'ResourceQuota', 'PersistentVolume', 'PersistentVolumeClaim', 'ComponentStatus']) {
      expect(reg.forGVK({ group: '', version: 'v1', kind })?.name).toBe(`io.k8s.api.core.v1.${kind}`);
      expect(reg.forGVK({ group: '', version: 'v1', kind: `${kind}List` })?.fields.items?.proto).toBe(2);
    }
    const port = reg.get('io.k8s.api.core.v1.ServicePort')!;
    expect([port.fields.name?.proto, port.fields.protocol?.proto, port.fields.port?.proto, port.fields.targetPort?.proto, port.fields.nodePort?.proto, port.fields.appProtocol?.proto]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(reg.get('io.k8s.api.core.v1.ServiceSpec')!.fields.ports).toMatchObject({ patchStrategy: 'merge', patchMergeKey: 'port', listType: 'map', listMapKeys: ['port', 'protocol'] });
    expect(reg.get('io.k8s.api.core.v1.Secret')!.fields.data?.type).toEqual({ map: { scalar: 'bytes' } });
    expect(reg.forGVK({ group: 'apps', version: 'v1', kind: 'DeleteOptions' })?.name).toBe('io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions');
    expect(reg.forGVK({ group: '', version: 'v1', kind: 'Status' })?.fields.details?.proto).toBe(5);
  });

  it('marks ObjectMeta as upstream does', () => {
    const om = meta.types.find((t) => t.name === 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta')!;
    expect(om.fields.ownerReferences).toMatchObject({ proto: 13, patchStrategy: 'merge', patchMergeKey: 'uid', listType: 'map', listMapKeys: ['uid'] });
    expect(om.fields.finalizers).toMatchObject({ proto: 14, patchStrategy: 'merge', listType: 'set' });
    expect(om.fields.managedFields?.proto).toBe(17);
    expect(om.fields.uid?.readOnly).toBe(true);
    expect(meta.types.find((t) => t.name.endsWith('.LabelSelector'))?.mapType).toBe('atomic');
  });
});

describe('services', () => {
  it('defaults as SetDefaults_Service and the REST layer', () => {
    const s = admit('services', obj('Service', { spec: { ports: [{ port: 80 }], selector: { app: 'a' } } }));
    expect(s.spec).toMatchObject({ type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] });
    expect(s.spec).not.toHaveProperty('externalTrafficPolicy');
    const lb = admit('services', obj('Service', { spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }], sessionAffinity: 'ClientIP' } }));
    expect(lb.spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true, sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } }, ports: [{ targetPort: 'https' }] });
    const headless = admit('services', obj('Service', { spec: { clusterIP: 'None', ports: [{ port: 80 }] } }));
    expect(headless.spec).toMatchObject({ clusterIPs: ['None'], ipFamilyPolicy: 'RequireDualStack' });
    const ext = admit('services', obj('Service', { spec: { type: 'ExternalName', externalName: 'example.com' } }));
    expect(ext.spec).not.toHaveProperty('ipFamilyPolicy');
  });

  it('validates with upstream messages', () => {
    const bad = admit('services', obj('Service', { spec: { type: 'Weird', ports: [{ port: 0, name: 'a' }, { port: 80, name: 'a' }, { port: 81 }], selector: { 'bad key!': 'v' }, clusterIP: '10.0.0.300' } }));
    expect(errors('services', bad)).toEqual(expect.arrayContaining([
      'spec.type: Unsupported value: "Weird": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].name: Duplicate value: "a"',
      'spec.ports[2].name: Required value',
      'spec.clusterIPs[0]: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]));
    expect(errors('services', bad).some((e) => e.startsWith('spec.selector: Invalid value: "bad key!": name part must consist of'))).toBe(true);
    expect(errors('services', admit('services', obj('Service', { spec: {} })))).toEqual(['spec.ports: Required value']);
    expect(errors('services', admit('services', obj('Service', { spec: { clusterIP: 'None' } })))).toEqual([]);
    expect(errors('services', admit('services', obj('Service', { spec: { type: 'ExternalName' } })))).toEqual(['spec.externalName: Required value']);
    expect(errors('services', admit('services', obj('Service', { spec: { ports: [{ port: 80, nodePort: 30000 }] } })))).toEqual(["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]);
    expect(errors('services', admit('services', obj('Service', { spec: { ports: [{ port: 80 }] } }, { name: '1abc' })))[0]).toMatch(/^metadata.name: Invalid value: "1abc": a DNS-1035 label/);
  });

  it('prints as kubectl get svc', () => {
    expect(headers('services')).toEqual(['TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
    const s = obj('Service', { spec: { type: 'NodePort', clusterIPs: ['10.0.0.10'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }], selector: { b: '2', a: '1' } } });
    const [type, ip, ext, ports, , sel] = cells('services', s);
    expect([type, ip, ext, ports, sel]).toEqual(['NodePort', '10.0.0.10', '<none>', '80:30080/TCP,53/UDP', 'a=1,b=2']);
    expect(cells('services', obj('Service', { spec: { type: 'LoadBalancer', ports: [] } }))[2]).toBe('<pending>');
  });
});

describe('configmaps and secrets', () => {
  it('checks data keys and immutability', () => {
    expect(errors('configmaps', obj('ConfigMap', { data: { 'ok.key': 'v', 'bad/key': 'v' } }))).toEqual([
      `data[bad/key]: Invalid value: "bad/key": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
    ]);
    const old = obj('ConfigMap', { data: { a: '1' }, immutable: true });
    expect(errors('configmaps', obj('ConfigMap', { data: { a: '2' }, immutable: true }), old)).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
    expect(errors('configmaps', obj('ConfigMap', { data: { a: '1' } }), old)).toEqual(['immutable: Forbidden: field is immutable when `immutable` is set']);
    expect(errors('configmaps', obj('ConfigMap', { data: { a: '1' }, immutable: true }), old)).toEqual([]);
  });

  it('defaults the secret type, folds stringData, checks per-type keys', () => {
    const s = admit('secrets', obj('Secret', { stringData: { user: 'me' } }));
    expect(s).toMatchObject({ type: 'Opaque', data: { user: Buffer.from('me').toString('base64') } });
    expect(s).not.toHaveProperty('stringData');
    expect(errors('secrets', obj('Secret', { type: 'kubernetes.io/tls', data: { 'tls.crt': '' } }))).toEqual(['data[tls.key]: Required value']);
    expect(errors('secrets', obj('Secret', { type: 'kubernetes.io/tls', data: {} }), obj('Secret', { type: 'Opaque' }))).toContain('type: Invalid value: "kubernetes.io/tls": field is immutable');
    expect(errors('secrets', obj('Secret', { type: 'Opaque', data: { a: 'Yg==' }, immutable: true }), obj('Secret', { type: 'Opaque', data: { a: 'YQ==' }, immutable: true }))).toEqual(['data: Forbidden: field is immutable when `immutable` is set']);
  });
});

describe('replication controllers and pod templates', () => {
  const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } };

  it('defaults replicas, selector and labels from the template', () => {
    const rc = admit('replicationcontrollers', obj('ReplicationController', { spec: { template: structuredClone(template) } }));
    expect(rc.spec).toMatchObject({ replicas: 1, selector: { app: 'web' }, template: { spec: { restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } } });
    expect(rc.metadata.labels).toEqual({ app: 'web' });
    expect(errors('replicationcontrollers', rc)).toEqual([]);
  });

  it('requires the selector to match the template labels', () => {
    const rc = admit('replicationcontrollers', obj('ReplicationController', { spec: { selector: { app: 'db' }, template: structuredClone(template) } }));
    expect(errors('replicationcontrollers', rc)).toEqual(['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']);
    const never = admit('replicationcontrollers', obj('ReplicationController', { spec: { template: { ...structuredClone(template), spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } } }));
    expect(errors('replicationcontrollers', never)).toContain('spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"');
  });

  it('declares scale and prints as upstream', () => {
    expect(def('replicationcontrollers').subresources?.scale).toEqual({ specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' });
    expect(headers('replicationcontrollers')).toEqual(['DESIRED', 'CURRENT', 'READY', 'AGE']);
    expect(wideHeaders('replicationcontrollers')).toEqual(['CONTAINERS', 'IMAGES', 'SELECTOR']);
    const rc = admit('replicationcontrollers', obj('ReplicationController', { spec: { replicas: 3, template: structuredClone(template) }, status: { replicas: 2, readyReplicas: 1 } }));
    expect(cells('replicationcontrollers', rc).filter((_, i) => i !== 3)).toEqual([3, 2, 1, 'c', 'nginx:1.25', 'app=web']);
    expect(def('replicationcontrollers').shortNames).toEqual(['rc']);
    expect(def('replicationcontrollers').categories).toEqual(['all']);
  });

  it('defaults and validates pod templates', () => {
    const pt = admit('podtemplates', obj('PodTemplate', { template: structuredClone(template) }));
    expect(pt.template).toMatchObject({ spec: { restartPolicy: 'Always' } });
    expect(headers('podtemplates')).toEqual(['CONTAINERS', 'IMAGES', 'POD LABELS']);
    expect(errors('podtemplates', obj('PodTemplate', { template: { spec: { containers: [] } } }))).toContain('template.spec.containers: Required value');
  });
});

describe('persistent volumes and claims', () => {
  it('defaults volumeMode, reclaim policy and phase', () => {
    const pv = admit('persistentvolumes', obj('PersistentVolume', { spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp' } } }, { name: 'pv1' }));
    expect(pv).toMatchObject({ spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { type: '' } }, status: { phase: 'Pending' } });
    expect(errors('persistentvolumes', pv)).toEqual([]);
    const pvc = admit('persistentvolumeclaims', obj('PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }));
    expect(pvc).toMatchObject({ spec: { volumeMode: 'Filesystem' }, status: { phase: 'Pending' } });
    expect(errors('persistentvolumeclaims', pvc)).toEqual([]);
  });

  it('validates with upstream messages', () => {
    expect(errors('persistentvolumeclaims', obj('PersistentVolumeClaim', { spec: { accessModes: ['Sometimes'], resources: {} } }))).toEqual([
      'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.resources[storage]: Required value',
    ]);
    expect(errors('persistentvolumeclaims', obj('PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0' } } } }))).toEqual(['spec.resources[storage]: Invalid value: "0": must be greater than zero']);
    expect(errors('persistentvolumes', obj('PersistentVolume', { spec: { capacity: { storage: '1Gi' } } }))).toEqual(['spec.accessModes: Required value: must specify at least 1 access mode', 'spec: Required value: must specify a volume type']);
    const old = obj('PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'a' } });
    const changed = obj('PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: 'b' } });
    expect(errors('persistentvolumeclaims', changed, old)).toEqual(['spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims']);
  });

  it('prints as kubectl get pv/pvc', () => {
    expect(headers('persistentvolumeclaims')).toEqual(['STATUS', 'VOLUME', 'CAPACITY', 'ACCESS MODES', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'AGE']);
    expect(wideHeaders('persistentvolumeclaims')).toEqual(['VOLUMEMODE']);
    expect(headers('persistentvolumes')).toEqual(['CAPACITY', 'ACCESS MODES', 'RECLAIM POLICY', 'STATUS', 'CLAIM', 'STORAGECLASS', 'VOLUMEATTRIBUTESCLASS', 'REASON', 'AGE']);
    const pvc = obj('PersistentVolumeClaim', { spec: { volumeName: 'pv1', storageClassName: 'fast', volumeMode: 'Filesystem' }, status: { phase: 'Bound', capacity: { storage: '1Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'] } });
    expect(cells('persistentvolumeclaims', pvc).filter((_, i) => i !== 6)).toEqual(['Bound', 'pv1', '1Gi', 'RWO,RWX', 'fast', '<unset>', 'Filesystem']);
    expect(['pv', 'pvc'].map((s) => coreResources.find((r) => r.shortNames.includes(s))?.plural)).toEqual(['persistentvolumes', 'persistentvolumeclaims']);
  });
});

describe('other core resources', () => {
  it('formats endpoints as upstream', () => {
    expect(headers('endpoints')).toEqual(['ENDPOINTS', 'AGE']);
    expect(formatEndpoints(obj('Endpoints', {}))).toBe('<none>');
    const ep = obj('Endpoints', { subsets: [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: 'fd00::1' }, { ip: '10.0.0.4' }], ports: [{ port: 80 }] }] });
    expect(formatEndpoints(ep)).toBe('10.0.0.1:80,10.0.0.2:80,[fd00::1]:80 + 1 more...');
    expect(admit('endpoints', ep).subsets).toMatchObject([{ ports: [{ protocol: 'TCP' }] }]);
    expect(errors('endpoints', obj('Endpoints', { subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 70000, protocol: 'TCP' }] }] }))).toEqual([
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]);
  });

  it('declares field selectors and subresources as upstream', () => {
    expect(def('namespaces')).toMatchObject({ fieldSelectors: ['status.phase'], subresources: { status: true } });
    expect(def('secrets').fieldSelectors).toEqual(['type']);
    expect(def('nodes')).toMatchObject({ fieldSelectors: ['spec.unschedulable'], subresources: { status: true } });
    expect(def('services').subresources).toEqual({ status: true });
    expect(def('events').fieldSelectors).toEqual(expect.arrayContaining(['involvedObject.kind', 'involvedObject.name', 'reason', 'reportingComponent', 'source', 'type']));
    expect(def('endpoints').storagePath).toBe('services/endpoints');
    expect(def('replicationcontrollers').storagePath).toBe('controllers');
    expect(['ep', 'limits', 'quota'].map((s) => coreResources.find((r) => r.shortNames.includes(s))?.plural)).toEqual(['endpoints', 'limitranges', 'resourcequotas']);
  });

  it('defaults limit ranges and checks their ordering', () => {
    const lr = admit('limitranges', obj('LimitRange', { spec: { limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' } }] } }));
    expect(lr.spec).toEqual({ limits: [{ type: 'Container', max: { cpu: '2' }, min: { memory: '64Mi' }, default: { cpu: '2' }, defaultRequest: { cpu: '2', memory: '64Mi' } }] });
    expect(errors('limitranges', obj('LimitRange', { spec: { limits: [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '500m' } }] } }))).toEqual(['spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 500m']);
    expect(headers('limitranges')).toEqual(['CREATED AT']);
  });

  it('prints resource quotas, nodes and events as upstream', () => {
    const rq = obj('ResourceQuota', { status: { hard: { 'limits.cpu': '2', pods: '10', 'requests.cpu': '1' }, used: { pods: '3' } } });
    expect(headers('resourcequotas')).toEqual(['AGE', 'REQUEST', 'LIMIT']);
    expect(cells('resourcequotas', rq).slice(1)).toEqual(['pods: 3/10, requests.cpu: 0/1', 'limits.cpu: 0/2']);
    const node = obj('Node', { spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kubeletVersion: 'v1.32.0' }, addresses: [{ type: 'InternalIP', address: '10.1.1.1' }] } }, { name: 'n1', labels: { 'node-role.kubernetes.io/control-plane': '' } });
    const nc = cells('nodes', node);
    expect([nc[0], nc[1], nc[3], nc[4], nc[5], nc[6]]).toEqual(['Ready,SchedulingDisabled', 'control-plane', 'v1.32.0', '10.1.1.1', '<none>', '<unknown>']);
    expect(headers('events')).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
    const ev = obj('Event', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' }, type: 'Normal', reason: 'Started', message: ' hi ', source: { component: 'kubelet', host: 'n1' } });
    const ec = cells('events', ev);
    expect([ec[1], ec[2], ec[3], ec[5], ec[6], ec[8]]).toEqual(['Normal', 'Started', 'pod/p', 'kubelet, n1', 'hi', 1]);
    expect(errors('events', obj('Event', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }))).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  });

  it('checks namespace finalizers', () => {
    const ns = admit('namespaces', obj('Namespace', {}, { name: 'team-a' }));
    expect(ns).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' }, metadata: { labels: { 'kubernetes.io/metadata.name': 'team-a' } } });
    expect(errors('namespaces', obj('Namespace', { spec: { finalizers: ['foo'] } }))).toEqual(['spec.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified']);
  });

  it('parses quantities', () => {
    expect([quantityValue('500m'), quantityValue('1Gi'), quantityValue('2k'), quantityValue('1e3'), quantityValue(3)]).toEqual([0.5, 2 ** 30, 2000, 1000, 3]);
    expect(quantityValue('abc')).toBeNaN();
  });
});
