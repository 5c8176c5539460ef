import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import type { JsonObject, KubeObject } from '../../src/api/types.js';
import { S, bool, i32, list, map, obj, ref, str, struct, topLevel } from '../../src/schema/dsl.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import { fieldSetOf, serverSideApply, updateManagedFields } from '../../src/apply/index.js';

// A small apps/v1-like Deployment, declared with the schema DSL.
const reg = new SchemaRegistry([
  topLevel('t.Deployment', { group: 'apps', version: 'v1', kind: 'Deployment' }, 'Deployment.', {
    spec: obj('t.DeploymentSpec'),
    status: obj('t.DeploymentStatus'),
  }),
  struct('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'Metadata.', {
    name: str(), namespace: str(), uid: str(), resourceVersion: str(), generation: i32(),
    creationTimestamp: str(),
    labels: map(S.string), annotations: map(S.string),
    finalizers: list(S.string, undefined, undefined, { listType: 'set' }),
    managedFields: list(S.any),
  }),
  struct('t.DeploymentSpec', 'Spec.', {
    replicas: i32(),
    paused: bool(),
    selector: obj('t.LabelSelector'),
    strategy: obj('t.Strategy', undefined, undefined, { mapType: 'atomic' }),
    template: obj('t.PodTemplateSpec'),
    config: { type: S.any },
  }),
  struct('t.LabelSelector', 'Selector.', { matchLabels: map(S.string) }, { mapType: 'atomic' }),
  struct('t.Strategy', 'Strategy.', { type: str(), maxSurge: i32() }),
  struct('t.PodTemplateSpec', 'Template.', {
    metadata: obj('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'),
    spec: obj('t.PodSpec'),
  }),
  struct('t.PodSpec', 'Pod spec.', {
    containers: list(ref('t.Container'), undefined, undefined, { listType: 'map', listMapKeys: ['name'] }),
    nodeSelector: map(S.string, undefined, undefined, { mapType: 'atomic' }),
  }),
  struct('t.Container', 'Container.', {
    name: str(), image: str(),
    args: list(S.string),
    ports: list(ref('t.ContainerPort'), undefined, undefined, { listType: 'map', listMapKeys: ['containerPort', 'protocol'] }),
  }),
  struct('t.ContainerPort', 'Port.', { containerPort: i32(), protocol: str(undefined, undefined, { default: 'TCP' }), name: str() }),
  struct('t.DeploymentStatus', 'Status.', { replicas: i32(), readyReplicas: i32() }),
]);
const T = 't.Deployment';
const T0 = '2024-05-01T10:00:00Z', T1 = '2024-05-01T11:00:00Z', T2 = '2024-05-01T12:00:00Z';

type Obj = Record<string, unknown>;
const clone = <X>(x: X): X => structuredClone(x);
const mf = (o: KubeObject | Obj): JsonObject[] => ((o.metadata as Obj).managedFields ?? []) as JsonObject[];
const entry = (o: KubeObject | Obj, manager: string): JsonObject | undefined => mf(o).find((e) => e.manager === manager);
const fields = (o: KubeObject | Obj, manager: string): string => JSON.stringify(entry(o, manager)?.fieldsV1);

function deployment(extra: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }] },
      },
    },
    ...extra,
  };
}

/** What the server does around a write: stamp server-owned metadata. */
function stored(o: Obj): Obj {
  const c = clone(o);
  Object.assign(c.metadata as Obj, { uid: 'u-1', resourceVersion: '5', creationTimestamp: T0 });
  return c;
}

function apply(live: Obj | undefined, cfg: Obj, manager: string, o: { force?: boolean; time?: string; ignore?: string[] } = {}): KubeObject {
  return serverSideApply(reg, T, live, cfg, {
    manager, apiVersion: 'apps/v1', force: o.force ?? false, time: o.time ?? T1,
    ...(o.ignore ? { ignoredTopLevel: o.ignore } : {}),
  });
}

function conflictOf(fn: () => unknown): ApiError {
  try { fn(); } catch (e) { if (e instanceof ApiError) return e; throw e; }
  throw new Error('expected a conflict');
}

describe('field sets of objects', () => {
  it('lists every leaf and list item, without server-owned fields or ignored top-level fields', () => {
    const o = stored(deployment({ status: { replicas: 1 } }));
    (o.metadata as Obj).managedFields = [{ manager: 'x' }];
    const s = fieldSetOf(reg, T, o, ['status']);
    expect(JSON.stringify(s.toFieldsV1())).toBe(JSON.stringify({
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': {
            '.': {}, 'f:image': {}, 'f:name': {},
            'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
          } } },
        },
      },
    }));
  });
});

describe('updateManagedFields (operation Update)', () => {
  it('on create, the creating manager owns every field it set', () => {
    const next = deployment();
    updateManagedFields(reg, T, undefined, next, { manager: 'kubectl-create', apiVersion: 'apps/v1', time: T0, ignoredTopLevel: ['status'] });
    expect(mf(next)).toHaveLength(1);
    const e = mf(next)[0]!;
    expect(Object.keys(e)).toEqual(['manager', 'operation', 'apiVersion', 'time', 'fieldsType', 'fieldsV1']);
    expect(e).toMatchObject({ manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1' });
    const fv = e.fieldsV1 as JsonObject;
    // Top-level structs exist in the zero object (no "."); added maps and items carry ".".
    expect(fv['f:metadata']).toEqual({ 'f:labels': { '.': {}, 'f:app': {} } });
    expect(JSON.stringify((fv['f:spec'] as JsonObject)['f:replicas'])).toBe('{}');
    expect(fields(next, 'kubectl-create')).toContain('"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}');
  });

  it('moves changed fields to the updating manager and drops removed fields and empty entries', () => {
    const created = deployment();
    updateManagedFields(reg, T, undefined, created, { manager: 'kubectl-create', apiVersion: 'apps/v1', time: T0 });
    const live = stored(created);

    const scaled = clone(live);
    (scaled.spec as Obj).replicas = 5;
    updateManagedFields(reg, T, live, scaled, { manager: 'kube-controller-manager', apiVersion: 'apps/v1', time: T1 });
    expect(fields(scaled, 'kube-controller-manager')).toBe('{"f:spec":{"f:replicas":{}}}');
    expect(entry(scaled, 'kube-controller-manager')!.time).toBe(T1);
    expect(fields(scaled, 'kubectl-create')).not.toContain('f:replicas');
    // Sorted by time: the older entry first.
    expect(mf(scaled).map((e) => e.manager)).toEqual(['kubectl-create', 'kube-controller-manager']);

    // Removing the field the controller owned leaves no set holding it, and its entry goes away.
    const unscaled = clone(scaled);
    delete (unscaled.spec as Obj).replicas;
    updateManagedFields(reg, T, scaled, unscaled, { manager: 'editor', apiVersion: 'apps/v1', time: T2 });
    expect(entry(unscaled, 'kube-controller-manager')).toBeUndefined();
    expect(entry(unscaled, 'editor')).toBeUndefined(); // removing is not owning
    expect(entry(unscaled, 'kubectl-create')).toBeDefined();
  });

  it('a write that changes nothing leaves entries and times alone', () => {
    const created = deployment();
    updateManagedFields(reg, T, undefined, created, { manager: 'a', apiVersion: 'apps/v1', time: T0 });
    const live = stored(created);
    const same = clone(live);
    updateManagedFields(reg, T, live, same, { manager: 'b', apiVersion: 'apps/v1', time: T1 });
    expect(mf(same)).toEqual(mf(live));
  });

  it('does not attribute ignored top-level fields (status on the main resource)', () => {
    const created = deployment();
    updateManagedFields(reg, T, undefined, created, { manager: 'a', apiVersion: 'apps/v1', time: T0, ignoredTopLevel: ['status'] });
    const live = stored(created);
    const next = clone(live);
    next.status = { replicas: 3 };
    updateManagedFields(reg, T, live, next, { manager: 'b', apiVersion: 'apps/v1', time: T1, ignoredTopLevel: ['status'] });
    expect(entry(next, 'b')).toBeUndefined();
    // On /status the same change is owned, with the subresource recorded.
    const viaStatus = clone(live);
    viaStatus.status = { replicas: 3 };
    updateManagedFields(reg, T, live, viaStatus, { manager: 'b', apiVersion: 'apps/v1', subresource: 'status', time: T1, ignoredTopLevel: ['spec'] });
    expect(entry(viaStatus, 'b')).toMatchObject({ subresource: 'status', fieldsV1: { 'f:status': { '.': {}, 'f:replicas': {} } } });
  });

  it('a request may replace managedFields, and [{}] resets them', () => {
    const created = deployment();
    updateManagedFields(reg, T, undefined, created, { manager: 'a', apiVersion: 'apps/v1', time: T0 });
    const live = stored(created);

    const replaced = clone(live);
    (replaced.metadata as Obj).managedFields = [{ manager: 'someone', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
    updateManagedFields(reg, T, live, replaced, { manager: 'b', apiVersion: 'apps/v1', time: T1 });
    expect(mf(replaced).map((e) => e.manager)).toEqual(['someone']);

    const reset = clone(live);
    (reset.metadata as Obj).managedFields = [{}];
    updateManagedFields(reg, T, live, reset, { manager: 'b', apiVersion: 'apps/v1', time: T1 });
    expect((reset.metadata as Obj).managedFields).toBeUndefined();

    // Malformed entries in the request fall back to the live ones.
    const bad = clone(live);
    (bad.metadata as Obj).managedFields = [{ manager: 'x', operation: 'Bogus', apiVersion: 'v1', fieldsType: 'FieldsV1' }];
    updateManagedFields(reg, T, live, bad, { manager: 'b', apiVersion: 'apps/v1', time: T1 });
    expect(mf(bad)).toEqual(mf(live));
  });

  it('objects that exist untracked stay untracked on update', () => {
    const live = stored(deployment());
    const next = clone(live);
    (next.spec as Obj).replicas = 9;
    updateManagedFields(reg, T, live, next, { manager: 'b', apiVersion: 'apps/v1', time: T1 });
    expect((next.metadata as Obj).managedFields).toBeUndefined();
  });

  it('caps Update managers at 10, folding the oldest into ancient-changes', () => {
    let live = stored(deployment());
    updateManagedFields(reg, T, undefined, live, { manager: 'creator', apiVersion: 'apps/v1', time: T0 });
    for (let i = 0; i < 11; i++) {
      const next = clone(live);
      (next.metadata as Obj).labels = { ...((next.metadata as Obj).labels as Obj), [`l${i}`]: 'x' };
      updateManagedFields(reg, T, live, next, { manager: `m${i}`, apiVersion: 'apps/v1', time: new Date(Date.parse(T1) + i * 1000) });
      live = next;
    }
    const managers = mf(live).map((e) => e.manager);
    expect(managers).toHaveLength(10);
    expect(managers).toContain('ancient-changes');
    expect(managers).not.toContain('creator');
    expect(managers).not.toContain('m0');
    expect(fields(live, 'ancient-changes')).toContain('f:l0');
  });
});

describe('serverSideApply', () => {
  it('creates the object with the applier as sole Apply owner of exactly what it applied', () => {
    const out = apply(undefined, deployment(), 'kubectl');
    expect(out.spec).toEqual(deployment().spec);
    expect(mf(out)).toHaveLength(1);
    expect(mf(out)[0]).toEqual({
      manager: 'kubectl', operation: 'Apply', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1',
      fieldsV1: fieldSetOf(reg, T, deployment()).toFieldsV1(),
    });
    expect(fields(out, 'kubectl')).toBe('{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:name":{},"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{}}}}}}}}}');
  });

  it('re-applying without a field removes it from the object and the set', () => {
    const live = stored(apply(undefined, deployment({ spec: { ...(deployment().spec as Obj), paused: true } }), 'kubectl'));
    expect((live.spec as Obj).paused).toBe(true);
    const out = apply(live, deployment(), 'kubectl', { time: T2 });
    expect((out.spec as Obj).paused).toBeUndefined();
    expect(fields(out, 'kubectl')).not.toContain('f:paused');
    expect(entry(out, 'kubectl')!.time).toBe(T2);
    // Server-owned metadata survives.
    expect(out.metadata.uid).toBe('u-1');
    expect(out.metadata.resourceVersion).toBe('5');
  });

  it('re-applying the same config is a no-op that keeps the entry time', () => {
    const live = stored(apply(undefined, deployment(), 'kubectl'));
    const out = apply(live, deployment(), 'kubectl', { time: T2 });
    expect(entry(out, 'kubectl')!.time).toBe(T1);
    expect(out).toEqual(live);
  });

  it('two appliers may share a field; it stays until neither applies it', () => {
    const cfgA = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3, paused: false } };
    const cfgB = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 3 } };
    let live = stored(apply(undefined, cfgA, 'a'));
    live = stored(apply(live, cfgB, 'b')); // same value: no conflict
    expect(fields(live, 'a')).toContain('f:replicas');
    expect(fields(live, 'b')).toContain('f:replicas');
    // a stops applying replicas: b still owns it, so it stays.
    live = stored(apply(live, { ...cfgA, spec: { paused: false } }, 'a'));
    expect((live.spec as Obj).replicas).toBe(3);
    expect(fields(live, 'a')).not.toContain('f:replicas');
    // b stops too: now it goes.
    live = stored(apply(live, { ...cfgB, spec: {} }, 'b'));
    expect((live.spec as Obj).replicas).toBeUndefined();
    expect((live.spec as Obj).paused).toBe(false);
  });

  it('conflicts with an Update manager: 409 with upstream message and causes; force takes ownership', () => {
    const created = deployment();
    updateManagedFields(reg, T, undefined, created, { manager: 'kubectl-client-side-apply', apiVersion: 'apps/v1', time: T0 });
    const live = stored(created);
    const cfg = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 7 } };
    const err = conflictOf(() => apply(live, cfg, 'kubectl'));
    expect(err.code).toBe(409);
    expect(err.status.reason).toBe('Conflict');
    expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
    expect(err.status.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
    ]);

    // Applying the value the field already has is no conflict: both own it.
    const shared = apply(live, { ...cfg, spec: { replicas: 2 } }, 'kubectl');
    expect(fields(shared, 'kubectl')).toContain('f:replicas');
    expect(fields(shared, 'kubectl-client-side-apply')).toContain('f:replicas');

    const forced = apply(live, cfg, 'kubectl', { force: true });
    expect((forced.spec as Obj).replicas).toBe(7);
    expect(fields(forced, 'kubectl')).toBe('{"f:spec":{"f:replicas":{}}}');
    expect(fields(forced, 'kubectl-client-side-apply')).not.toContain('f:replicas');
    expect(fields(forced, 'kubectl-client-side-apply')).toContain('f:template');
  });

  it('reports several conflicts per manager, managers sorted', () => {
    let live = stored(apply(undefined, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 1, paused: true } }, 'zed'));
    live = stored(apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { a: 'b' } } }, 'alpha'));
    const err = conflictOf(() => apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { a: 'c' } }, spec: { replicas: 2, paused: false } }, 'me'));
    expect(err.status.message).toBe('Apply failed with 3 conflicts: conflicts with "alpha":\n- .metadata.labels.a\nconflicts with "zed":\n- .spec.paused\n- .spec.replicas');
    expect(err.status.details?.causes?.map((c) => `${c.message} ${c.field}`)).toEqual([
      'conflict with "alpha" .metadata.labels.a', 'conflict with "zed" .spec.paused', 'conflict with "zed" .spec.replicas',
    ]);
  });

  it('merges listType=map items by key: containers by name, ports by containerPort+protocol', () => {
    const withContainers = (containers: unknown[]): Obj => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { template: { spec: { containers } } },
    });
    let live = stored(apply(undefined, withContainers([{ name: 'app', image: 'app:1', ports: [{ containerPort: 80 }] }]), 'a'));
    // b adds a sidecar and a UDP port on the same number to a's container.
    live = stored(apply(live, withContainers([{ name: 'app', ports: [{ containerPort: 80, protocol: 'UDP' }] }, { name: 'sidecar', image: 'envoy' }]), 'b'));
    const containers = ((live.spec as Obj).template as Obj).spec as Obj;
    expect(containers.containers).toEqual([
      { name: 'app', image: 'app:1', ports: [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }] },
      { name: 'sidecar', image: 'envoy' },
    ]);
    expect(fields(live, 'b')).toContain('k:{\\"containerPort\\":80,\\"protocol\\":\\"UDP\\"}');
    // A different image for a's container is a conflict, keyed by name.
    const err = conflictOf(() => apply(live, withContainers([{ name: 'app', image: 'app:2' }]), 'b'));
    expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "a": .spec.template.spec.containers[name="app"].image');
    // a drops its port (protocol TCP by default); b's UDP port and b's container remain.
    live = stored(apply(live, withContainers([{ name: 'app', image: 'app:1' }]), 'a'));
    expect((((live.spec as Obj).template as Obj).spec as Obj).containers).toEqual([
      { name: 'app', image: 'app:1', ports: [{ containerPort: 80, protocol: 'UDP' }] },
      { name: 'sidecar', image: 'envoy' },
    ]);
    // Duplicate keys in an applied list are rejected.
    const dup = conflictOf(() => apply(live, withContainers([{ name: 'x' }, { name: 'x' }]), 'c'));
    expect(dup.code).toBe(500);
    expect(dup.status.message).toContain('.spec.template.spec.containers: duplicate entries for key [name="x"]');
  });

  it('keeps live list order and places applied items after the shared ones they follow', () => {
    const withContainers = (names: string[]): Obj => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { template: { spec: { containers: names.map((name) => ({ name })) } } },
    });
    let live = stored(apply(undefined, withContainers(['a', 'b', 'c']), 'one'));
    live = stored(apply(live, withContainers(['b', 'x', 'c']), 'two'));
    expect(((((live.spec as Obj).template as Obj).spec as Obj).containers as Obj[]).map((c) => c.name)).toEqual(['a', 'b', 'x', 'c']);
  });

  it('sets (finalizers) are unions owned per value', () => {
    const withFinalizers = (finalizers: string[]): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', finalizers } });
    let live = stored(apply(undefined, withFinalizers(['a.io/x', 'a.io/y']), 'a'));
    live = stored(apply(live, withFinalizers(['b.io/z', 'a.io/x']), 'b'));
    // Upstream's order: b's new item goes before the shared item it precedes in b's list.
    expect((live.metadata as Obj).finalizers).toEqual(['b.io/z', 'a.io/x', 'a.io/y']);
    expect(fields(live, 'b')).toBe('{"f:metadata":{"f:finalizers":{"v:\\"a.io/x\\"":{},"v:\\"b.io/z\\"":{}}}}');
    live = stored(apply(live, withFinalizers(['a.io/y']), 'a'));
    // a.io/x is still b's, so a dropping it changes nothing.
    expect((live.metadata as Obj).finalizers).toEqual(['b.io/z', 'a.io/x', 'a.io/y']);
    expect(fields(live, 'a')).toBe('{"f:metadata":{"f:finalizers":{"v:\\"a.io/y\\"":{}}}}');
    live = stored(apply(live, withFinalizers([]), 'b'));
    expect((live.metadata as Obj).finalizers).toEqual(['a.io/y']);
  });

  it('atomic lists, atomic structs and any values are replaced whole and owned as one field', () => {
    const cfg = (spec: Obj): Obj => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec });
    let live = stored(apply(undefined, cfg({
      selector: { matchLabels: { app: 'web', tier: 'fe' } },
      strategy: { type: 'RollingUpdate', maxSurge: 1 },
      config: { a: { b: 1 } },
      template: { spec: { containers: [{ name: 'c', args: ['--a', '--b'] }] } },
    }), 'a'));
    expect(fields(live, 'a')).toBe('{"f:spec":{"f:config":{},"f:selector":{},"f:strategy":{},"f:template":{"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{".":{},"f:args":{},"f:name":{}}}}}}}');
    // Another applier touching part of an atomic value conflicts on the whole value.
    const err = conflictOf(() => apply(live, cfg({ selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'c', args: ['--a'] }] } } }), 'b'));
    expect(err.status.details?.causes?.map((c) => c.field)).toEqual(['.spec.selector', '.spec.template.spec.containers[name="c"].args']);
    // The owner replaces them whole.
    live = stored(apply(live, cfg({
      selector: { matchLabels: { app: 'web' } }, strategy: { type: 'Recreate' }, config: { z: true },
      template: { spec: { containers: [{ name: 'c', args: ['--c'] }] } },
    }), 'a'));
    expect(live.spec).toEqual({
      selector: { matchLabels: { app: 'web' } }, strategy: { type: 'Recreate' }, config: { z: true },
      template: { spec: { containers: [{ name: 'c', args: ['--c'] }] } },
    });
  });

  it('ignored top-level fields keep their live values and are never owned', () => {
    const live = stored(apply(undefined, deployment(), 'a'));
    live.status = { replicas: 2 };
    const out = apply(live, deployment({ status: { replicas: 99 } }), 'a', { ignore: ['status'], time: T2 });
    expect(out.status).toEqual({ replicas: 2 });
    expect(fields(out, 'a')).not.toContain('f:status');
    expect(entry(out, 'a')!.time).toBe(T1); // nothing changed
  });

  it('an untracked object gets a before-first-apply owner for its existing fields', () => {
    const live = stored(deployment());
    const err = conflictOf(() => apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 4 } }, 'kubectl'));
    expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
    const out = apply(live, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { paused: true } }, 'kubectl');
    expect(mf(out).map((e) => `${e.manager}/${e.operation}`)).toEqual(['kubectl/Apply', 'before-first-apply/Update']);
  });

  it('Update and Apply ownership meet: an update of an applied field moves it to the updater', () => {
    const live = stored(apply(undefined, deployment(), 'kubectl'));
    const next = clone(live);
    (next.spec as Obj).replicas = 10;
    updateManagedFields(reg, T, live, next, { manager: 'hpa', apiVersion: 'apps/v1', time: T2 });
    expect(fields(next, 'hpa')).toBe('{"f:spec":{"f:replicas":{}}}');
    expect(fields(next, 'kubectl')).not.toContain('f:replicas');
    // The applier re-applying its old value now conflicts with the updater.
    const err = conflictOf(() => apply(next, deployment(), 'kubectl'));
    expect(err.status.message).toBe('Apply failed with 1 conflict: conflict with "hpa" using apps/v1: .spec.replicas');
  });

  it('rejects managedFields in the body and a different apiVersion', () => {
    const withMF = deployment();
    (withMF.metadata as Obj).managedFields = [];
    expect(conflictOf(() => apply(undefined, withMF, 'a')).status).toMatchObject({ code: 400, message: 'metadata.managedFields must be nil' });
    expect(conflictOf(() => apply(undefined, { ...deployment(), apiVersion: 'apps/v1beta1' }, 'a')).status.message)
      .toBe('Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1');
  });

  it('does not modify its inputs', () => {
    const live = stored(apply(undefined, deployment(), 'a'));
    const before = clone(live);
    const cfg = deployment({ spec: { replicas: 1 } });
    const cfgBefore = clone(cfg);
    apply(live, cfg, 'b', { force: true });
    expect(live).toEqual(before);
    expect(cfg).toEqual(cfgBefore);
  });
});
