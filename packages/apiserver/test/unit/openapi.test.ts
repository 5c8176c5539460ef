// OpenAPI v2/v3 documents and their HTTP endpoints, on a small fixture of our own (not the
// real declarations): refs resolve, GVK and patch extensions, the PATCH fieldValidation
// parameter kubectl looks for, the reachable-schema closure, hashes and caching headers.
import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../../src/api/types.js';
import { AGE, type ResourceDef } from '../../src/registry/resource.js';
import {
  META, S, bool, f, i32, list, listType, map, obj, ref, str, struct, time, topLevel, type ObjectType,
} from '../../src/schema/dsl.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import {
  DEFS, documentHash, openApiV2, openApiV3GroupVersion, openApiV3Index, openApiV3Keys, renderField,
} from '../../src/schema/openapi.js';
import { registerOpenApi } from '../../src/http/openapi.js';

const v1 = (kind: string) => ({ group: '', version: 'v1', kind });
const apps = (kind: string) => ({ group: 'apps', version: 'v1', kind });

function fixtureTypes(): ObjectType[] {
  return [
    struct(META.objectMeta, 'Standard object metadata.', {
      name: str(1, 'Name of the object.'),
      namespace: str(3, 'Namespace of the object.'),
      labels: map(S.string, 11, 'Labels of the object.'),
      creationTimestamp: time(8, 'When the object was created.'),
      managedFields: list(ref('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry'), 17, 'Field ownership.', { listType: 'atomic' }),
    }),
    struct('io.k8s.apimachinery.pkg.apis.meta.v1.ManagedFieldsEntry', 'Field ownership of one manager.', {
      manager: str(1, 'The manager.'),
      fieldsV1: f(S.fieldsV1, 7, 'The fields owned.'),
    }),
    struct(META.listMeta, 'Standard list metadata.', { resourceVersion: str(2, 'Version of the list.'), continue: str(3, 'Continue token.') }),
    { ...struct(META.status, 'Status is the return value for calls that do not return other objects.', { message: str(3, 'Message.'), code: i32(6, 'HTTP code.') }), gvk: [v1('Status')] },
    { ...struct(META.deleteOptions, 'DeleteOptions may be provided when deleting an API object.', { propagationPolicy: str(4, 'Propagation.') }), gvk: [v1('DeleteOptions')] },
    struct(META.watchEvent, 'Event represents a single event to a watched resource.', {
      type: str(1, 'Event type.', { required: true }),
      object: f(S.any, 2, 'The object.', { required: true }),
    }),
    struct('io.k8s.api.core.v1.ContainerPort', 'A network port.', {
      containerPort: i32(3, 'Port number.', { required: true }),
      protocol: str(4, 'Protocol.', { default: 'TCP', enum: ['SCTP', 'TCP', 'UDP'] }),
    }),
    struct('io.k8s.api.core.v1.Container', 'A container.', {
      name: str(1, 'Name.', { required: true }),
      ports: list(ref('io.k8s.api.core.v1.ContainerPort'), 6, 'Ports.', { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] }),
      resources: map(S.quantity, 8, 'Resource limits.'),
      port: f(S.intOrString, 9, 'A port by number or name.'),
    }),
    struct('io.k8s.api.core.v1.PodSpec', 'Pod spec.', {
      containers: list(ref('io.k8s.api.core.v1.Container'), 2, 'Containers.', { required: true, patchStrategy: 'merge', patchMergeKey: 'name' }),
      nodeSelector: map(S.string, 7, 'Node selector.', { mapType: 'atomic' }),
      activeDeadlineSeconds: f(S.int64, 5, 'Deadline.'),
      hostNetwork: bool(11, 'Host network.'),
    }),
    topLevel('io.k8s.api.core.v1.Pod', v1('Pod'), 'Pod is a collection of containers.', { spec: obj('io.k8s.api.core.v1.PodSpec', 2, 'Spec of the pod.', { default: {} }) }),
    listType('io.k8s.api.core.v1.Pod', v1('Pod')),
    topLevel('io.k8s.api.core.v1.ConfigMap', v1('ConfigMap'), 'ConfigMap holds configuration data.', {
      data: map(S.string, 2, 'Data.'),
      binaryData: map(S.bytes, 3, 'Binary data.'),
    }),
    listType('io.k8s.api.core.v1.ConfigMap', v1('ConfigMap')),
    struct('io.k8s.api.apps.v1.DeploymentSpec', 'Deployment spec.', {
      replicas: i32(1, 'Replicas.', { default: 1 }),
      template: obj('io.k8s.api.core.v1.PodTemplateSpec', 3, 'Template.', { default: {} }),
      strategy: obj('io.k8s.api.apps.v1.DeploymentStrategy', 4, 'Strategy.', { patchStrategy: 'retainKeys' }),
    }),
    struct('io.k8s.api.apps.v1.DeploymentStrategy', 'Strategy.', { type: str(1, 'Type.', { enum: ['Recreate', 'RollingUpdate'] }) }),
    struct('io.k8s.api.core.v1.PodTemplateSpec', 'Pod template.', {
      metadata: obj(META.objectMeta, 1, 'Metadata.', { default: {} }),
      spec: obj('io.k8s.api.core.v1.PodSpec', 2, 'Spec.', { default: {} }),
    }),
    struct('io.k8s.api.apps.v1.DeploymentStatus', 'Deployment status.', { replicas: i32(2, 'Replicas.'), observedAt: f(S.microTime, 9, 'When.') }),
    topLevel('io.k8s.api.apps.v1.Deployment', apps('Deployment'), 'Deployment manages replica sets.', {
      spec: obj('io.k8s.api.apps.v1.DeploymentSpec', 2, 'Spec.', { default: {} }),
      status: obj('io.k8s.api.apps.v1.DeploymentStatus', 3, 'Status.', { default: {} }),
    }),
    listType('io.k8s.api.apps.v1.Deployment', apps('Deployment')),
    topLevel(DEFS.scale, { group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'Scale of a resource.', {
      spec: obj('io.k8s.api.autoscaling.v1.ScaleSpec', 2, 'Spec.', { default: {} }),
    }),
    struct('io.k8s.api.autoscaling.v1.ScaleSpec', 'Scale spec.', { replicas: i32(1, 'Replicas.') }),
    // Not reachable from apps/v1: must stay out of that document.
    struct('io.k8s.api.core.v1.Unused', 'Nothing uses this.', { x: str(1, 'x') }),
  ];
}

function res(p: Partial<ResourceDef> & Pick<ResourceDef, 'kind' | 'plural' | 'schema'>): ResourceDef {
  return {
    group: '', version: 'v1', singular: p.kind.toLowerCase(), shortNames: [], categories: [], namespaced: true,
    nameRule: 'subdomain', storagePath: p.plural, columns: [AGE], hasSpec: false, ...p,
  };
}

function fixture(): { resources: ResourceDef[]; reg: SchemaRegistry } {
  return {
    reg: new SchemaRegistry(fixtureTypes()),
    resources: [
      res({ kind: 'Pod', plural: 'pods', schema: 'io.k8s.api.core.v1.Pod', subresources: { status: true } }),
      res({ kind: 'ConfigMap', plural: 'configmaps', schema: 'io.k8s.api.core.v1.ConfigMap' }),
      res({ group: 'apps', kind: 'Deployment', plural: 'deployments', schema: 'io.k8s.api.apps.v1.Deployment', hasSpec: true,
        subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } } }),
    ],
  };
}

type Obj = Record<string, JsonValue>;
const asObj = (v: JsonValue | undefined): Obj => v as Obj;

/** Every $ref in `doc`. */
function refs(doc: JsonValue, out: string[] = []): string[] {
  if (Array.isArray(doc)) for (const x of doc) refs(x, out);
  else if (doc && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

/** kubectl's QueryParamVerifierV3: a PATCH for this GVK with a fieldValidation parameter. */
function kubectlSeesFieldValidation(doc: JsonObject, gvk: { group: string; version: string; kind: string }): boolean {
  for (const item of Object.values(asObj(doc.paths))) {
    const patch = asObj(item as JsonValue)?.patch as Obj | undefined;
    if (!patch) continue;
    const g = patch['x-kubernetes-group-version-kind'] as Obj | undefined;
    if (!g || Array.isArray(g) || g.group !== gvk.group || g.version !== gvk.version || g.kind !== gvk.kind) continue;
    if (((patch.parameters ?? []) as Obj[]).some((p) => p.name === 'fieldValidation' && p.in === 'query')) return true;
  }
  return false;
}

describe('schema rendering', () => {
  it('wraps refs that carry siblings in allOf for v3, keeps them side by side for v2', () => {
    const field = obj('io.k8s.api.core.v1.PodSpec', 2, 'Spec of the pod.', { default: {} });
    expect(renderField(field, 'v2')).toEqual({ $ref: '#/definitions/io.k8s.api.core.v1.PodSpec', description: 'Spec of the pod.', default: {} });
    expect(renderField(field, 'v3')).toEqual({ description: 'Spec of the pod.', default: {}, allOf: [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }] });
    // A bare ref stays bare.
    expect(renderField(f(ref('x.Y')), 'v3')).toEqual({ $ref: '#/components/schemas/x.Y' });
  });

  it('renders formats, enums, defaults and the well-known leaf definitions', () => {
    expect(renderField(i32(1, 'n'), 'v3')).toEqual({ type: 'integer', format: 'int32', description: 'n' });
    expect(renderField(f(S.int64), 'v3')).toEqual({ type: 'integer', format: 'int64' });
    expect(renderField(f(S.double), 'v3')).toEqual({ type: 'number', format: 'double' });
    expect(renderField(f(S.bytes), 'v2')).toEqual({ type: 'string', format: 'byte' });
    expect(renderField(str(1, 'p', { default: 'TCP', enum: ['TCP', 'UDP'] }), 'v2')).toEqual({ type: 'string', description: 'p', default: 'TCP', enum: ['TCP', 'UDP'] });
    expect(renderField(f(S.time, 1, 'when'), 'v3')).toEqual({ description: 'when', allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Time' }] });
    expect(renderField(f(S.quantity), 'v2')).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity' });
    expect(renderField(f(S.intOrString), 'v2')).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString' });
    expect(renderField(f(S.fieldsV1), 'v2')).toEqual({ $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1' });
    expect(renderField(map(S.string, 1, 'labels', { mapType: 'atomic' }), 'v3'))
      .toEqual({ type: 'object', additionalProperties: { type: 'string' }, description: 'labels', 'x-kubernetes-map-type': 'atomic' });
  });

  it('puts patch and list extensions on the list field', () => {
    const field = list(ref('io.k8s.api.core.v1.ContainerPort'), 6, 'Ports.', { patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] });
    expect(renderField(field, 'v3')).toEqual({
      type: 'array', items: { $ref: '#/components/schemas/io.k8s.api.core.v1.ContainerPort' }, description: 'Ports.',
      'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-patch-strategy': 'merge',
      'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
    });
  });
});

describe('openApiV2', () => {
  const { resources, reg } = fixture();
  const doc = openApiV2(resources, reg, { version: 'v1.32.0' });
  const defs = asObj(doc.definitions);
  const paths = asObj(doc.paths);

  it('is swagger 2.0 whose refs all resolve', () => {
    expect(doc.swagger).toBe('2.0');
    expect(doc.info).toEqual({ title: 'Kubernetes', version: 'v1.32.0' });
    for (const r of refs(doc)) {
      expect(r.startsWith('#/definitions/')).toBe(true);
      expect(defs[r.slice('#/definitions/'.length)], r).toBeDefined();
    }
    // Every declared type is there, reachable or not.
    expect(defs['io.k8s.api.core.v1.Unused']).toBeDefined();
    expect(asObj(defs[DEFS.intOrString])).toMatchObject({ type: 'string', format: 'int-or-string' });
    expect(asObj(defs[DEFS.quantity])).toMatchObject({ type: 'string' });
  });

  it('renders kinds with required fields and a GVK list', () => {
    const pod = asObj(defs['io.k8s.api.core.v1.Pod']);
    expect(pod['x-kubernetes-group-version-kind']).toEqual([{ group: '', kind: 'Pod', version: 'v1' }]);
    expect(asObj(defs['io.k8s.api.core.v1.PodList']).required).toEqual(['items']);
    expect(asObj(defs['io.k8s.api.core.v1.Container']).required).toEqual(['name']);
  });

  it('has every operation of every resource, with ids, actions and parameters as upstream', () => {
    const byId = new Map<string, Obj>();
    for (const [p, item] of Object.entries(paths)) for (const [m, op] of Object.entries(asObj(item))) {
      if (m !== 'parameters') byId.set(asObj(op).operationId as string, { ...asObj(op), path: p, method: m });
    }
    const expectOp = (id: string, path: string, method: string, action: string): Obj => {
      const op = byId.get(id);
      expect(op, id).toBeDefined();
      expect(op).toMatchObject({ path, method, 'x-kubernetes-action': action });
      return op!;
    };
    expectOp('listCoreV1NamespacedPod', '/api/v1/namespaces/{namespace}/pods', 'get', 'list');
    expectOp('createCoreV1NamespacedPod', '/api/v1/namespaces/{namespace}/pods', 'post', 'post');
    expectOp('deleteCoreV1CollectionNamespacedPod', '/api/v1/namespaces/{namespace}/pods', 'delete', 'deletecollection');
    expectOp('readCoreV1NamespacedPod', '/api/v1/namespaces/{namespace}/pods/{name}', 'get', 'get');
    expectOp('replaceCoreV1NamespacedPod', '/api/v1/namespaces/{namespace}/pods/{name}', 'put', 'put');
    expectOp('deleteCoreV1NamespacedPod', '/api/v1/namespaces/{namespace}/pods/{name}', 'delete', 'delete');
    expectOp('patchCoreV1NamespacedPodStatus', '/api/v1/namespaces/{namespace}/pods/{name}/status', 'patch', 'patch');
    expectOp('watchCoreV1NamespacedPodList', '/api/v1/watch/namespaces/{namespace}/pods', 'get', 'watchlist');
    expectOp('watchCoreV1NamespacedPod', '/api/v1/watch/namespaces/{namespace}/pods/{name}', 'get', 'watch');
    expectOp('listCoreV1PodForAllNamespaces', '/api/v1/pods', 'get', 'list');
    expectOp('watchCoreV1PodListForAllNamespaces', '/api/v1/watch/pods', 'get', 'watchlist');
    expectOp('listAppsV1DeploymentForAllNamespaces', '/apis/apps/v1/deployments', 'get', 'list');
    const scale = expectOp('patchAppsV1NamespacedDeploymentScale', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale', 'patch', 'patch');
    expect(scale['x-kubernetes-group-version-kind']).toEqual({ group: 'autoscaling', kind: 'Scale', version: 'v1' });
    expect(asObj(asObj(scale.responses)['200'])).toEqual({ description: 'OK', schema: { $ref: '#/definitions/io.k8s.api.autoscaling.v1.Scale' } });
    expect(byId.has('readCoreV1NamespacedConfigMapStatus')).toBe(false);

    const patch = expectOp('patchAppsV1NamespacedDeployment', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch', 'patch');
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', kind: 'Deployment', version: 'v1' });
    expect(patch.consumes).toEqual(['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
    const names = (patch.parameters as Obj[]).map((p) => p.name);
    expect(names).toEqual(['body', 'dryRun', 'fieldManager', 'fieldValidation', 'force']);
    expect((patch.parameters as Obj[])[0]).toEqual({ name: 'body', in: 'body', required: true, schema: { $ref: '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch' } });

    const list = byId.get('listCoreV1NamespacedPod')!;
    expect((list.parameters as Obj[]).map((p) => p.name)).toEqual(['allowWatchBookmarks', 'continue', 'fieldSelector', 'labelSelector', 'limit',
      'resourceVersion', 'resourceVersionMatch', 'sendInitialEvents', 'timeoutSeconds', 'watch']);
    expect(list.produces).toContain('application/json;stream=watch');
    const dc = byId.get('deleteCoreV1CollectionNamespacedPod')!;
    expect((dc.parameters as Obj[]).map((p) => p.name)).toEqual(expect.arrayContaining(['body', 'gracePeriodSeconds', 'propagationPolicy', 'labelSelector', 'fieldSelector']));
    // Path-level parameters: path params and pretty; single-operation paths hoist theirs.
    expect((asObj(paths['/api/v1/namespaces/{namespace}/pods/{name}']).parameters as Obj[]).map((p) => p.name)).toEqual(['name', 'namespace', 'pretty']);
    expect((asObj(paths['/api/v1/pods']).parameters as Obj[]).map((p) => p.name)).toContain('labelSelector');
    expect(asObj(paths['/apis/apps/v1/']).get).toMatchObject({ operationId: 'getAppsV1APIResources' });
    expect(asObj(paths['/apis/apps/']).get).toMatchObject({ operationId: 'getAppsAPIGroup' });
  });
});

describe('openApiV3', () => {
  const { resources, reg } = fixture();

  it('lists the documents by key with their hash', () => {
    expect(openApiV3Keys(resources)).toEqual(['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'version']);
    const index = openApiV3Index(resources, reg);
    const p = asObj(index.paths);
    expect(Object.keys(p)).toEqual(['api', 'api/v1', 'apis', 'apis/apps', 'apis/apps/v1', 'version']);
    const doc = openApiV3GroupVersion('apis/apps/v1', resources, reg)!;
    const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
    expect(asObj(p['apis/apps/v1'])).toEqual({ serverRelativeURL: `/openapi/v3/apis/apps/v1?hash=${hash}` });
    expect(hash).toMatch(/^[0-9A-F]{128}$/);
    // Stable across renders; changes when a schema does.
    expect(openApiV3Index(fixture().resources, fixture().reg)).toEqual(index);
    const reg2 = fixture().reg;
    reg2.add(struct('io.k8s.api.apps.v1.DeploymentStatus', 'Deployment status.', { replicas: i32(2, 'Replicas, changed.') }));
    expect(asObj(asObj(openApiV3Index(resources, reg2).paths)['apis/apps/v1']).serverRelativeURL).not.toEqual(asObj(p['apis/apps/v1']).serverRelativeURL);
    expect(asObj(asObj(openApiV3Index(resources, reg2).paths)['api/v1'])).toEqual(asObj(p['api/v1']));
  });

  it('holds one group-version, only reachable schemas, and refs that resolve', () => {
    expect(openApiV3GroupVersion('apis/nope/v1', resources, reg)).toBeUndefined();
    const doc = openApiV3GroupVersion('apis/apps/v1', resources, reg)!;
    expect(doc.openapi).toBe('3.0.0');
    expect(Object.keys(asObj(doc.paths)).every((p) => p.startsWith('/apis/apps/v1/'))).toBe(true);
    const schemas = asObj(asObj(doc.components).schemas);
    for (const r of refs(doc)) {
      expect(r.startsWith('#/components/schemas/')).toBe(true);
      expect(schemas[r.slice('#/components/schemas/'.length)], r).toBeDefined();
    }
    const names = Object.keys(schemas);
    expect(names).toEqual(expect.arrayContaining([
      'io.k8s.api.apps.v1.Deployment', 'io.k8s.api.apps.v1.DeploymentList', 'io.k8s.api.core.v1.PodSpec', 'io.k8s.api.core.v1.Container',
      DEFS.scale, META.objectMeta, META.listMeta, META.status, META.deleteOptions, META.watchEvent, DEFS.patch, DEFS.rawExtension,
      DEFS.intOrString, DEFS.quantity, DEFS.time, DEFS.microTime, DEFS.fieldsV1,
    ]));
    expect(names).not.toContain('io.k8s.api.core.v1.Unused');
    expect(names).not.toContain('io.k8s.api.core.v1.Pod');
    expect(names).not.toContain('io.k8s.api.core.v1.ConfigMap');
    expect(names).toEqual([...names].sort());
    // v3 leaf definitions as upstream: oneOf for Quantity and IntOrString.
    expect(asObj(schemas[DEFS.quantity]).oneOf).toEqual([{ type: 'string' }, { type: 'number' }]);
    expect(asObj(schemas[DEFS.intOrString])).toMatchObject({ oneOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true });
    // Undeclared discovery types still resolve.
    expect(asObj(schemas[DEFS.apiResourceList])).toMatchObject({ type: 'object' });
    // explain: GVK list and descriptions; SMP: patch extensions through allOf.
    const dep = asObj(schemas['io.k8s.api.apps.v1.Deployment']);
    expect(dep['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    expect(asObj(asObj(dep.properties).metadata)).toEqual({ description: "Standard object's metadata.", default: {}, allOf: [{ $ref: `#/components/schemas/${META.objectMeta}` }] });
    const strategy = asObj(asObj(asObj(schemas['io.k8s.api.apps.v1.DeploymentSpec']).properties).strategy);
    expect(strategy).toMatchObject({ 'x-kubernetes-patch-strategy': 'retainKeys', allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }] });
    const containers = asObj(asObj(asObj(schemas['io.k8s.api.core.v1.PodSpec']).properties).containers);
    expect(containers).toMatchObject({ 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' });
  });

  it('gives each kind a PATCH with an object GVK and an inline fieldValidation parameter', () => {
    for (const r of resources) {
      const key = r.group ? `apis/${r.group}/${r.version}` : `api/${r.version}`;
      const doc = openApiV3GroupVersion(key, resources, reg)!;
      expect(kubectlSeesFieldValidation(doc, { group: r.group, version: r.version, kind: r.kind }), r.kind).toBe(true);
    }
    const doc = openApiV3GroupVersion('api/v1', resources, reg)!;
    const patch = asObj(asObj(asObj(doc.paths)['/api/v1/namespaces/{namespace}/pods/{name}']).patch);
    expect(patch['x-kubernetes-action']).toBe('patch');
    expect((patch.parameters as Obj[]).find((p) => p.name === 'fieldValidation')).toMatchObject({ in: 'query', schema: { type: 'string', uniqueItems: true } });
    expect(Object.keys(asObj(asObj(patch.requestBody).content))).toContain('application/strategic-merge-patch+json');
    expect(asObj(asObj(asObj(patch.responses)['200']).content)['application/json']).toEqual({ schema: { $ref: '#/components/schemas/io.k8s.api.core.v1.Pod' } });
  });

  it('holds the discovery documents', () => {
    const api = openApiV3GroupVersion('api', resources, reg)!;
    expect(Object.keys(asObj(api.paths))).toEqual(['/api/']);
    const version = openApiV3GroupVersion('version', resources, reg)!;
    expect(asObj(asObj(version.paths)['/version/']).get).toMatchObject({ operationId: 'getCodeVersion' });
  });
});

describe('registerOpenApi', () => {
  async function server(src = fixture()) {
    const app = Fastify();
    const handle = registerOpenApi(app, () => src, { version: 'v1.32.0' });
    await app.ready();
    return { app, src, handle };
  }

  it('serves /openapi/v2 as JSON even when protobuf is asked for first', async () => {
    const { app, src } = await server();
    const r = await app.inject({ url: '/openapi/v2', headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf, application/json' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(r.body).toBe(JSON.stringify(openApiV2(src.resources, src.reg, { version: 'v1.32.0' })));
    expect(r.headers.etag).toBe(`"${documentHash(r.body)}"`);
    expect(r.headers['cache-control']).toBe('no-cache, private');
    const again = await app.inject({ url: '/openapi/v2', headers: { 'if-none-match': r.headers.etag as string } });
    expect(again.statusCode).toBe(304);
    await app.close();
  });

  it('serves the v3 index and documents with immutable caching under the current hash', async () => {
    const { app } = await server();
    const index = await app.inject({ url: '/openapi/v3' });
    expect(index.statusCode).toBe(200);
    const paths = (index.json() as { paths: Record<string, { serverRelativeURL: string }> }).paths;
    const url = paths['api/v1']!.serverRelativeURL;
    expect(url).toMatch(/^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}$/);
    const doc = await app.inject({ url, headers: { accept: 'application/json' } });
    expect(doc.statusCode).toBe(200);
    expect(doc.headers['cache-control']).toBe('public, immutable');
    expect(doc.headers.expires).toBeDefined();
    expect(doc.headers.etag).toBe(`"${url.split('hash=')[1]}"`);
    expect(documentHash(doc.body)).toBe(url.split('hash=')[1]);
    const body = doc.json() as JsonObject;
    expect(kubectlSeesFieldValidation(body, { group: '', version: 'v1', kind: 'Pod' })).toBe(true);

    const plain = await app.inject({ url: '/openapi/v3/api/v1' });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers['cache-control']).toBe('no-cache, private');
    expect(plain.body).toBe(doc.body);

    const stale = await app.inject({ url: '/openapi/v3/api/v1?hash=ABC' });
    expect(stale.statusCode).toBe(301);
    expect(stale.headers.location).toBe(url);

    const cond = await app.inject({ url: '/openapi/v3/api/v1', headers: { 'if-none-match': doc.headers.etag as string } });
    expect(cond.statusCode).toBe(304);
    await app.close();
  });

  it('answers an unknown group-version with a 404 Status', async () => {
    const { app } = await server();
    const r = await app.inject({ url: '/openapi/v3/apis/nope.example.com/v1' });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 });
    await app.close();
  });

  it('re-renders when the registry or the declarations change', async () => {
    const { app, src } = await server();
    const before = (await app.inject({ url: '/openapi/v3' })).json() as { paths: Record<string, { serverRelativeURL: string }> };
    src.reg.add(struct('io.k8s.api.apps.v1.DeploymentStatus', 'Deployment status.', { replicas: i32(2, 'Replicas, now documented differently.') }));
    const after = (await app.inject({ url: '/openapi/v3' })).json() as { paths: Record<string, { serverRelativeURL: string }> };
    expect(after.paths['apis/apps/v1']!.serverRelativeURL).not.toBe(before.paths['apis/apps/v1']!.serverRelativeURL);
    expect(after.paths['api/v1']!.serverRelativeURL).toBe(before.paths['api/v1']!.serverRelativeURL);

    // A CRD: new type and new declaration.
    src.reg.add(topLevel('com.example.v1.Widget', { group: 'example.com', version: 'v1', kind: 'Widget' }, 'A widget.', { size: i32(2, 'Size.') }));
    src.resources.push(res({ group: 'example.com', kind: 'Widget', plural: 'widgets', schema: 'com.example.v1.Widget' }));
    const withCrd = (await app.inject({ url: '/openapi/v3' })).json() as { paths: Record<string, { serverRelativeURL: string }> };
    const crdUrl = withCrd.paths['apis/example.com/v1']!.serverRelativeURL;
    const crdDoc = await app.inject({ url: crdUrl });
    expect(crdDoc.statusCode).toBe(200);
    expect(kubectlSeesFieldValidation(crdDoc.json() as JsonObject, { group: 'example.com', version: 'v1', kind: 'Widget' })).toBe(true);
    // The list type was not declared: its ref still resolves (to a free-form stub).
    expect(asObj(asObj(asObj(crdDoc.json() as JsonObject).components).schemas)['com.example.v1.WidgetList']).toBeDefined();
    await app.close();
  });
});
