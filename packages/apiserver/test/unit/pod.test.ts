import { describe, expect, it } from 'vitest';
import type { KubeObject, StatusCause } from '../../src/api/types.js';
import type { TypeRef } from '../../src/schema/dsl.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import { types as podTypes } from '../../src/schema/defs/core-pod.js';
import { types as volumeTypes, persistentVolumeSourceFields, volumeSourceFields } from '../../src/schema/defs/core-volume.js';
import { computePodQOS, defaultPodSpec, formatQuantity, parseQuantity, podResource, validatePodSpec } from '../../src/registry/pod.js';

type Obj = Record<string, unknown>;
const V1 = 'io.k8s.api.core.v1.';
/** core/v1 types the pod family reaches that defs/core.ts declares (PVC spec, via ephemeral volumes). */
const DECLARED_IN_CORE = new Set([`${V1}PersistentVolumeClaimSpec`]);

function pod(spec: Obj, name = 'p'): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec };
}
function admit(p: KubeObject, old?: KubeObject): StatusCause[] {
  podResource.defaults?.(p);
  return podResource.validate?.(p, old) ?? [];
}
const byField = (causes: StatusCause[], field: string): StatusCause[] => causes.filter((c) => c.field === field);
const ctr = (extra: Obj = {}): Obj => ({ name: 'app', image: 'nginx:1.27', ...extra });

describe('core/v1 pod and volume schemas', () => {
  const all = [...podTypes, ...volumeTypes];
  const registry = new SchemaRegistry(all);

  it('declares no name twice', () => {
    const names = all.map((t) => t.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('resolves every core/v1 ref within the two files', () => {
    const dangling: string[] = [];
    const visit = (t: TypeRef, where: string): void => {
      if ('ref' in t) { if (t.ref.startsWith(V1) && !registry.get(t.ref) && !DECLARED_IN_CORE.has(t.ref)) dangling.push(`${where} -> ${t.ref}`); }
      else if ('list' in t) visit(t.list, where);
      else if ('map' in t) visit(t.map, where);
    };
    for (const t of all) for (const [n, f] of Object.entries(t.fields)) visit(f.type, `${t.name}.${n}`);
    for (const [n, f] of Object.entries(persistentVolumeSourceFields)) visit(f.type, `PersistentVolumeSource.${n}`);
    expect(dangling).toEqual([]);
  });

  it('carries upstream names, gvks, protobuf numbers, patch and list markers', () => {
    const podT = registry.forGVK({ group: '', version: 'v1', kind: 'Pod' });
    expect(podT?.name).toBe(`${V1}Pod`);
    for (const kind of ['PodList', 'PodTemplate', 'PodTemplateList', 'ReplicationController', 'ReplicationControllerList', 'Binding']) {
      expect(registry.forGVK({ group: '', version: 'v1', kind })?.name).toBe(`${V1}${kind}`);
    }
    const spec = registry.get(`${V1}PodSpec`)!;
    expect(spec.fields.containers).toMatchObject({ proto: 2, required: true, patchStrategy: 'merge', patchMergeKey: 'name', listType: 'map', listMapKeys: ['name'] });
    expect(spec.fields.volumes).toMatchObject({ proto: 1, patchStrategy: 'merge,retainKeys', listMapKeys: ['name'] });
    expect(spec.fields.restartPolicy?.enum).toEqual(['Always', 'OnFailure', 'Never']);
    const c = registry.get(`${V1}Container`)!;
    expect(c.fields.ports).toMatchObject({ proto: 6, patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] });
    expect(c.fields.name?.required).toBe(true);
    expect(registry.get(`${V1}ContainerPort`)!.fields.protocol).toMatchObject({ default: 'TCP', enum: ['TCP', 'UDP', 'SCTP'] });
    expect(registry.get(`${V1}LocalObjectReference`)!.mapType).toBe('atomic');
    // Inlined structs are flattened for JSON; their members carry no protobuf number of the parent.
    const vol = registry.get(`${V1}Volume`)!;
    expect(Object.keys(vol.fields)).toEqual(['name', ...Object.keys(volumeSourceFields)]);
    expect(vol.fields.hostPath?.proto).toBeUndefined();
    expect(volumeSourceFields.hostPath?.proto).toBe(1);
    expect(registry.get(`${V1}Probe`)!.fields.httpGet).toBeDefined();
    for (const n of ['CSIPersistentVolumeSource', 'ISCSIPersistentVolumeSource', 'CephFSPersistentVolumeSource', 'LocalVolumeSource', 'SecretReference', 'KeyToPath', 'ProjectedVolumeSource', 'ServiceAccountTokenProjection']) {
      expect(registry.get(`${V1}${n}`), n).toBeDefined();
    }
  });
});

describe('pod defaulting', () => {
  it('defaults the spec, containers, probes and volumes as upstream', () => {
    const p = pod({
      containers: [ctr({ image: 'nginx', ports: [{ containerPort: 80 }], livenessProbe: { httpGet: { port: 80 } } })],
      volumes: [{ name: 'a' }, { name: 's', secret: { secretName: 'x' } }],
    });
    expect(admit(p)).toEqual([]);
    const spec = p.spec as Obj;
    expect(spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler', enableServiceLinks: true });
    const c = (spec.containers as Obj[])[0]!;
    expect(c).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    expect(c.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
    expect(c.livenessProbe).toEqual({ httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(spec.volumes).toEqual([{ name: 'a', emptyDir: {} }, { name: 's', secret: { secretName: 'x', defaultMode: 420 } }]);
  });

  it('copies limits into missing requests on pods but not on templates', () => {
    const p = pod({ containers: [ctr({ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m' } } })] });
    admit(p);
    expect(((p.spec as Obj).containers as Obj[])[0]!.resources).toEqual({ limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } });
    const template: Obj = { containers: [ctr({ resources: { limits: { cpu: '1' } } })] };
    defaultPodSpec(template);
    expect((template.containers as Obj[])[0]!.resources).toEqual({ limits: { cpu: '1' } });
  });
});

describe('pod QoS class', () => {
  it('is BestEffort without requests or limits', () => {
    const p = pod({ containers: [ctr()] });
    admit(p);
    expect((p.status as Obj).qosClass).toBe('BestEffort');
  });
  it('is Guaranteed when every container limits cpu and memory (requests default to limits)', () => {
    const p = pod({ containers: [ctr({ resources: { limits: { cpu: '1', memory: '128Mi' } } }), ctr({ name: 'b', resources: { limits: { cpu: '100m', memory: '1Gi' }, requests: { cpu: '0.1', memory: '1024Mi' } } })] });
    admit(p);
    expect((p.status as Obj).qosClass).toBe('Guaranteed');
  });
  it('is Burstable otherwise', () => {
    expect(computePodQOS({ containers: [ctr({ resources: { requests: { cpu: '100m' } } })] })).toBe('Burstable');
    expect(computePodQOS({ containers: [ctr({ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }), ctr({ name: 'b' })] })).toBe('Burstable');
    expect(computePodQOS({ containers: [ctr({ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '500m', memory: '1Gi' } } })] })).toBe('Burstable');
    // Only cpu and memory count.
    expect(computePodQOS({ containers: [ctr({ resources: { requests: { 'ephemeral-storage': '1Gi' } } })] })).toBe('BestEffort');
  });
});

describe('quantities', () => {
  it('prints canonical forms', () => {
    const canon = (s: string): string => formatQuantity(parseQuantity(s)!);
    expect(canon('0.5')).toBe('500m');
    expect(canon('1000')).toBe('1k');
    expect(canon('1500')).toBe('1500');
    expect(canon('1024Mi')).toBe('1Gi');
    expect(canon('1.5Gi')).toBe('1536Mi');
    expect(canon('512')).toBe('512');
    expect(canon('100m')).toBe('100m');
    expect(canon('1e3')).toBe('1e3');
    expect(parseQuantity('1.2.3')).toBeUndefined();
    expect(parseQuantity('abc')).toBeUndefined();
  });
});

describe('pod validation', () => {
  it('accepts a minimal pod', () => {
    expect(admit(pod({ containers: [ctr()] }))).toEqual([]);
  });

  it('checks container names: DNS labels, unique across init and regular containers', () => {
    const causes = admit(pod({ containers: [ctr({ name: 'Bad_Name' }), ctr({ name: 'a' }), ctr({ name: 'a' })], initContainers: [ctr({ name: 'a' }), ctr({ name: '' })] }));
    expect(byField(causes, 'spec.containers[0].name')[0]?.message).toMatch(/^Invalid value: "Bad_Name": a lowercase RFC 1123 label/);
    expect(byField(causes, 'spec.containers[2].name')).toEqual([{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.containers[2].name' }]);
    expect(byField(causes, 'spec.initContainers[0].name')).toEqual([{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "a"', field: 'spec.initContainers[0].name' }]);
    expect(byField(causes, 'spec.initContainers[1].name')).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.initContainers[1].name' }]);
  });

  it('requires containers and images', () => {
    const causes = validatePodSpec({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', containers: [] }, 'spec.template.spec');
    expect(causes).toEqual([{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.template.spec.containers' }]);
    // As kubectl's e2e test expects: exactly these two causes, in this order.
    expect(admit(pod({ containers: [{ name: 'c' }], restartPolicy: 'Sometimes' }))).toEqual([
      { reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers[0].image' },
      { reason: 'FieldValueNotSupported', message: 'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"', field: 'spec.restartPolicy' },
    ]);
  });

  it('checks ports', () => {
    const causes = admit(pod({ containers: [ctr({ ports: [
      { containerPort: 0 }, { containerPort: 70000 }, { containerPort: 80, protocol: 'HTTP' },
      { containerPort: 81, name: 'a-very-long-port-name' }, { containerPort: 82, name: 'web' }, { containerPort: 83, name: 'web' },
    ] })] }));
    expect(byField(causes, 'spec.containers[0].ports[0].containerPort')[0]?.message).toBe('Required value');
    expect(byField(causes, 'spec.containers[0].ports[1].containerPort')[0]?.message).toBe('Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(byField(causes, 'spec.containers[0].ports[2].protocol')[0]).toEqual({ reason: 'FieldValueNotSupported', message: 'Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"', field: 'spec.containers[0].ports[2].protocol' });
    expect(byField(causes, 'spec.containers[0].ports[3].name')[0]?.message).toBe('Invalid value: "a-very-long-port-name": must be no more than 15 characters');
    expect(byField(causes, 'spec.containers[0].ports[5].name')[0]?.message).toBe('Duplicate value: "web"');
    expect(byField(causes, 'spec.containers[0].ports[4].name')).toEqual([]);
  });

  it('checks imagePullPolicy and env var names', () => {
    const causes = admit(pod({ containers: [ctr({ imagePullPolicy: 'Sometimes', env: [{ name: 'A=B', value: 'x' }, { name: 'my.var-1', value: 'ok' }, { name: 'X', value: 'v', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] })] }));
    expect(byField(causes, 'spec.containers[0].imagePullPolicy')[0]?.message).toBe('Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"');
    expect(byField(causes, 'spec.containers[0].env[0].name')[0]?.message).toBe(`Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than '='`);
    expect(byField(causes, 'spec.containers[0].env[1].name')).toEqual([]);
    expect(byField(causes, 'spec.containers[0].env[2].valueFrom')[0]?.message).toBe('Invalid value: "": may not be specified when `value` is not empty');
  });

  it('checks volumes and volume mounts', () => {
    const causes = admit(pod({
      volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', emptyDir: {} }, { name: 'two', emptyDir: {}, hostPath: { path: '/tmp' } }, { name: 'Bad', configMap: {} }],
      containers: [ctr({ volumeMounts: [{ name: 'data', mountPath: '/d' }, { name: 'missing', mountPath: '/m' }, { name: 'data', mountPath: '/d' }] })],
    }));
    expect(byField(causes, 'spec.volumes[1].name')).toEqual([{ reason: 'FieldValueDuplicate', message: 'Duplicate value: "data"', field: 'spec.volumes[1].name' }]);
    expect(byField(causes, 'spec.volumes[2].emptyDir')).toEqual([{ reason: 'FieldValueForbidden', message: 'Forbidden: may not specify more than 1 volume type', field: 'spec.volumes[2].emptyDir' }]);
    expect(byField(causes, 'spec.volumes[3].name')[0]?.message).toMatch(/^Invalid value: "Bad": a lowercase RFC 1123 label/);
    expect(byField(causes, 'spec.volumes[3].configMap.name')[0]?.message).toBe('Required value');
    expect(byField(causes, 'spec.containers[0].volumeMounts[1].name')).toEqual([{ reason: 'FieldValueNotFound', message: 'Not found: "missing"', field: 'spec.containers[0].volumeMounts[1].name' }]);
    expect(byField(causes, 'spec.containers[0].volumeMounts[2].mountPath')[0]?.message).toBe('Invalid value: "/d": must be unique');
  });

  it('checks resources: names, quantities, requests within limits', () => {
    const causes = admit(pod({ containers: [ctr({ resources: {
      limits: { cpu: '500m', memory: '1Gi', gpu: '1' },
      requests: { cpu: '1', memory: 'lots', 'example.com/dongle': '1' },
    } })] }));
    expect(byField(causes, 'spec.containers[0].resources.requests')).toContainEqual({ reason: 'FieldValueInvalid', message: 'Invalid value: "1": must be less than or equal to cpu limit of 500m', field: 'spec.containers[0].resources.requests' });
    expect(byField(causes, 'spec.containers[0].resources.limits[gpu]')[0]?.message).toBe('Invalid value: "gpu": must be a standard resource for containers');
    expect(byField(causes, 'spec.containers[0].resources.requests[memory]')[0]?.message).toMatch(/^Invalid value: "lots": quantities must match/);
    expect(byField(causes, 'spec.containers[0].resources.limits')).toContainEqual({ reason: 'FieldValueRequired', message: 'Required value: Limit must be set for non overcommitable resources', field: 'spec.containers[0].resources.limits' });
    expect(admit(pod({ containers: [ctr({ resources: { limits: { cpu: '2' }, requests: { cpu: '2000m' } } })] }))).toEqual([]);
  });

  it('checks probes', () => {
    const causes = admit(pod({ containers: [ctr({
      livenessProbe: { exec: { command: ['true'] }, successThreshold: 2, periodSeconds: -1 },
      readinessProbe: { initialDelaySeconds: 1 },
      startupProbe: { tcpSocket: { port: 'http' }, httpGet: { port: 80 } },
    })], initContainers: [ctr({ name: 'init', readinessProbe: { exec: { command: ['true'] } } })] }));
    expect(byField(causes, 'spec.containers[0].livenessProbe.successThreshold')[0]?.message).toBe('Invalid value: 2: must be 1');
    expect(byField(causes, 'spec.containers[0].livenessProbe.periodSeconds')[0]?.message).toBe('Invalid value: -1: must be greater than or equal to 0');
    expect(byField(causes, 'spec.containers[0].readinessProbe')[0]?.message).toBe('Required value: must specify a handler type');
    expect(byField(causes, 'spec.containers[0].startupProbe.tcpSocket')[0]?.message).toBe('Forbidden: may not specify more than 1 handler type');
    expect(byField(causes, 'spec.initContainers[0].readinessProbe')[0]?.message).toBe('Forbidden: may not be set for init containers without restartPolicy=Always');
  });

  it('checks restartPolicy and dnsPolicy enums', () => {
    const causes = admit(pod({ restartPolicy: 'Sometimes', dnsPolicy: 'None', containers: [ctr()] }));
    expect(byField(causes, 'spec.restartPolicy')[0]?.message).toBe('Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
    expect(byField(causes, 'spec.dnsConfig')[0]?.message).toBe('Required value: must provide `dnsConfig` when `dnsPolicy` is None');
  });
});

describe('pod update', () => {
  const created = (): KubeObject => {
    const p = pod({ containers: [ctr()], tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }], activeDeadlineSeconds: 100 });
    expect(admit(p)).toEqual([]);
    return p;
  };
  const next = (p: KubeObject, change: (spec: Obj) => void): KubeObject => {
    const copy = structuredClone(p);
    change(copy.spec as Obj);
    return copy;
  };

  it('allows image, activeDeadlineSeconds decreases and added tolerations', () => {
    const old = created();
    const updated = next(old, (s) => {
      (s.containers as Obj[])[0]!.image = 'nginx:1.28';
      s.activeDeadlineSeconds = 50;
      (s.tolerations as Obj[]).push({ key: 'other', operator: 'Equal', value: 'v', effect: 'NoExecute', tolerationSeconds: 10 });
    });
    expect(admit(updated, old)).toEqual([]);
  });

  it('forbids other changes with upstream message on field spec', () => {
    const old = created();
    const causes = admit(next(old, (s) => { s.restartPolicy = 'Never'; }), old);
    expect(causes).toHaveLength(1);
    expect(causes[0]).toMatchObject({ reason: 'FieldValueForbidden', field: 'spec' });
    expect(causes[0]!.message).toMatch(/^Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,`spec\.tolerations` \(only additions to existing tolerations\),`spec\.terminationGracePeriodSeconds` \(allow it to be set to 1 if it was previously negative\)\n/);
    expect(causes[0]!.message).toContain('spec.restartPolicy');
  });

  it('rejects removed tolerations, longer deadlines and added containers', () => {
    const old = created();
    expect(admit(next(old, (s) => { s.tolerations = []; }), old)).toContainEqual({ reason: 'FieldValueForbidden', message: 'Forbidden: existing toleration can not be modified except its tolerationSeconds', field: 'spec.tolerations' });
    expect(admit(next(old, (s) => { s.activeDeadlineSeconds = 200; }), old)).toContainEqual({ reason: 'FieldValueInvalid', message: 'Invalid value: 200: must be less than or equal to previous value', field: 'spec.activeDeadlineSeconds' });
    expect(admit(next(old, (s) => { (s.containers as Obj[]).push(ctr({ name: 'b' })); }), old)).toEqual([{ reason: 'FieldValueForbidden', message: 'Forbidden: pod updates may not add or remove containers', field: 'spec.containers' }]);
  });
});
