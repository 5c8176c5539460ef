import { describe, expect, it } from 'vitest';
import { ApiError, Errors } from '../../src/api/errors.js';
import type { KubeObject } from '../../src/api/types.js';
import { priorityAdmission, storePriorityClasses, type PriorityClassReader } from '../../src/admission/priority.js';
import { podResource } from '../../src/registry/pod.js';
import { priorityClassResource, systemPriorityClasses } from '../../src/registry/scheduling.js';
import type { AdmissionAttributes, Operation } from '../../src/rest/context.js';
import type { ListResult, ObjectStore } from '../../src/storage/objects.js';

type Obj = Record<string, unknown>;

/** An in-memory PriorityClass lister. */
class FakeClasses implements PriorityClassReader {
  readonly byName = new Map<string, KubeObject>();
  failWith: Error | undefined;
  constructor(classes: KubeObject[] = []) {
    for (const c of classes) this.byName.set(c.metadata.name!, structuredClone(c));
  }
  async get(name: string): Promise<KubeObject | undefined> {
    if (this.failWith) throw this.failWith;
    return this.byName.get(name);
  }
  async list(): Promise<KubeObject[]> {
    if (this.failWith) throw this.failWith;
    return [...this.byName.values()];
  }
}

const pc = (name: string, value: number, extra: Obj = {}): KubeObject =>
  ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, preemptionPolicy: 'PreemptLowerPriority', ...extra });
const pod = (spec: Obj = {}, name = 'p'): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec } });
const spec = (o: KubeObject): Obj => o.spec as Obj;
const user = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

function attrs(op: Operation, object: KubeObject, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  const def = object.kind === 'Pod' ? podResource : priorityClassResource;
  return { operation: op, def, namespace: object.metadata.namespace, name: object.metadata.name, object, user, dryRun: false, ...extra };
}

async function mutate(classes: PriorityClassReader, a: AdmissionAttributes): Promise<void> {
  await priorityAdmission(classes).mutate!(a);
}
async function validate(classes: PriorityClassReader, a: AdmissionAttributes): Promise<void> {
  await priorityAdmission(classes).validate!(a);
}
async function rejection(p: Promise<void>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

describe('Priority admission: pods on create', () => {
  it('resolves priority and preemptionPolicy from the named class', async () => {
    const classes = new FakeClasses([pc('high', 1000, { preemptionPolicy: 'Never' })]);
    const p = pod({ priorityClassName: 'high' });
    await mutate(classes, attrs('CREATE', p));
    expect(spec(p)).toMatchObject({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'Never' });
  });

  it('resolves the system classes like any other', async () => {
    const classes = new FakeClasses(systemPriorityClasses);
    for (const [name, value] of [['system-node-critical', 2000001000], ['system-cluster-critical', 2000000000]] as const) {
      const p = pod({ priorityClassName: name });
      await mutate(classes, attrs('CREATE', p));
      expect(spec(p)).toMatchObject({ priorityClassName: name, priority: value, preemptionPolicy: 'PreemptLowerPriority' });
    }
  });

  it('rejects an unknown class with 403 Forbidden', async () => {
    const e = await rejection(mutate(new FakeClasses(), attrs('CREATE', pod({ priorityClassName: 'nope' }, 'web'))));
    expect(e.status).toMatchObject({
      code: 403, reason: 'Forbidden', message: 'pods "web" is forbidden: no PriorityClass with name nope was found',
      details: { name: 'web', kind: 'pods' },
    });
  });

  it('names the pod by generateName, else Unknown, when it has no name yet', async () => {
    const p = pod({ priorityClassName: 'nope' });
    p.metadata = { generateName: 'web-', namespace: 'default' };
    expect((await rejection(mutate(new FakeClasses(), attrs('CREATE', p, { name: undefined })))).message)
      .toBe('pods "web-" is forbidden: no PriorityClass with name nope was found');
    p.metadata = { namespace: 'default' };
    expect((await rejection(mutate(new FakeClasses(), attrs('CREATE', p, { name: undefined })))).message)
      .toBe('pods "Unknown" is forbidden: no PriorityClass with name nope was found');
  });

  it('without a class and without a default: priority 0, PreemptLowerPriority, no class name', async () => {
    const p = pod();
    await mutate(new FakeClasses([pc('high', 1000)]), attrs('CREATE', p));
    expect(spec(p).priority).toBe(0);
    expect(spec(p).preemptionPolicy).toBe('PreemptLowerPriority');
    expect(spec(p).priorityClassName).toBeUndefined();
  });

  it('without a class: the global default, with its name set on the pod', async () => {
    const classes = new FakeClasses([pc('high', 1000), pc('dflt', 50, { globalDefault: true, preemptionPolicy: 'Never' })]);
    const p = pod();
    await mutate(classes, attrs('CREATE', p));
    expect(spec(p)).toMatchObject({ priorityClassName: 'dflt', priority: 50, preemptionPolicy: 'Never' });
  });

  it('with several defaults (a race), picks the lowest value', async () => {
    const classes = new FakeClasses([pc('a', 70, { globalDefault: true }), pc('b', 20, { globalDefault: true }), pc('c', 5)]);
    const p = pod();
    await mutate(classes, attrs('CREATE', p));
    expect(spec(p)).toMatchObject({ priorityClassName: 'b', priority: 20 });
  });

  it('accepts a provided priority and preemptionPolicy equal to the computed ones', async () => {
    const classes = new FakeClasses([pc('high', 1000)]);
    const p = pod({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });
    await mutate(classes, attrs('CREATE', p));
    expect(spec(p)).toMatchObject({ priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });
  });

  it('rejects a provided priority that differs from the computed one', async () => {
    const classes = new FakeClasses([pc('high', 1000)]);
    const e = await rejection(mutate(classes, attrs('CREATE', pod({ priorityClassName: 'high', priority: 5 }))));
    expect(e.code).toBe(403);
    expect(e.message).toBe('pods "p" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 1000 from the given PriorityClass name');
    const e0 = await rejection(mutate(classes, attrs('CREATE', pod({ priority: 7 }))));
    expect(e0.message).toBe('pods "p" is forbidden: the integer value of priority (7) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name');
  });

  it('rejects a provided preemptionPolicy that differs from the computed one', async () => {
    const classes = new FakeClasses([pc('high', 1000, { preemptionPolicy: 'Never' })]);
    const e = await rejection(mutate(classes, attrs('CREATE', pod({ priorityClassName: 'high', preemptionPolicy: 'PreemptLowerPriority' }))));
    expect(e.status).toMatchObject({ code: 403, reason: 'Forbidden' });
    expect(e.message).toBe('pods "p" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name');
    const e0 = await rejection(mutate(new FakeClasses(), attrs('CREATE', pod({ preemptionPolicy: 'Never' }))));
    expect(e0.message).toBe('pods "p" is forbidden: the string value of PreemptionPolicy (Never) must not be provided in pod spec; priority admission controller computed PreemptLowerPriority from the given PriorityClass name');
  });

  it('leaves preemptionPolicy alone when the class has none', async () => {
    const noPolicy = pc('old', 10);
    delete noPolicy.preemptionPolicy;
    const p = pod({ priorityClassName: 'old', preemptionPolicy: 'Never' });
    await mutate(new FakeClasses([noPolicy]), attrs('CREATE', p));
    expect(spec(p)).toMatchObject({ priority: 10, preemptionPolicy: 'Never' });
  });

  it('answers 500 when the classes cannot be read', async () => {
    const classes = new FakeClasses();
    classes.failWith = new Error('etcd unavailable');
    const e = await rejection(mutate(classes, attrs('CREATE', pod({ priorityClassName: 'high' }))));
    expect(e.status).toMatchObject({ code: 500, reason: 'InternalError', message: 'Internal error occurred: failed to get PriorityClass with name high: etcd unavailable' });
    const e2 = await rejection(mutate(classes, attrs('CREATE', pod())));
    expect(e2.message).toBe('Internal error occurred: failed to get default priority class: etcd unavailable');
  });

  it('ignores subresources and other resources', async () => {
    const classes = new FakeClasses();
    const p = pod({ priorityClassName: 'nope' });
    await mutate(classes, attrs('CREATE', p, { subresource: 'binding' }));
    expect(spec(p).priority).toBeUndefined();
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } };
    await mutate(classes, { ...attrs('CREATE', cm), def: { ...podResource, plural: 'configmaps', kind: 'ConfigMap' } });
    expect(cm).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' } });
  });
});

describe('Priority admission: pods on update', () => {
  it('keeps the priority and preemptionPolicy that create set when the update leaves them out', async () => {
    const old = pod({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'Never' });
    const next = pod({ priorityClassName: 'high' });
    await mutate(new FakeClasses(), attrs('UPDATE', next, { oldObject: old }));
    expect(spec(next)).toMatchObject({ priority: 1000, preemptionPolicy: 'Never' });
  });

  it('does not resolve the class again (validation rejects changes)', async () => {
    const old = pod({ priorityClassName: 'high', priority: 1000, preemptionPolicy: 'PreemptLowerPriority' });
    const next = pod({ priorityClassName: 'gone', priority: 3 });
    await mutate(new FakeClasses(), attrs('UPDATE', next, { oldObject: old }));
    expect(spec(next)).toMatchObject({ priorityClassName: 'gone', priority: 3, preemptionPolicy: 'PreemptLowerPriority' });
    // ...and pod update validation forbids the change.
    const causes = podResource.validate!(next, old);
    expect(causes.some((c) => c.field === 'spec' && c.reason === 'FieldValueForbidden' && /spec\.priority: 1000 -> 3/.test(c.message ?? ''))).toBe(true);
  });
});

describe('Priority admission: PriorityClasses', () => {
  const dflt = pc('dflt', 10, { globalDefault: true });

  it('allows a first global default and non-default classes', async () => {
    await validate(new FakeClasses([pc('high', 1000)]), attrs('CREATE', pc('new', 5, { globalDefault: true })));
    await validate(new FakeClasses([dflt]), attrs('CREATE', pc('new', 5)));
  });

  it('rejects a second global default on create, naming the existing one', async () => {
    const e = await rejection(validate(new FakeClasses([dflt]), attrs('CREATE', pc('new', 5, { globalDefault: true }))));
    expect(e.status).toMatchObject({
      code: 403, reason: 'Forbidden',
      message: 'priorityclasses.scheduling.k8s.io "new" is forbidden: PriorityClass dflt is already marked as default. Only one default can exist',
      details: { name: 'new', group: 'scheduling.k8s.io', kind: 'priorityclasses' },
    });
  });

  it('rejects marking another class default on update, but not re-saving the default itself', async () => {
    const classes = new FakeClasses([dflt, pc('other', 3)]);
    const e = await rejection(validate(classes, attrs('UPDATE', pc('other', 3, { globalDefault: true }), { oldObject: pc('other', 3) })));
    expect(e.message).toBe('priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass dflt is already marked as default. Only one default can exist');
    await validate(classes, attrs('UPDATE', pc('dflt', 10, { globalDefault: true, description: 'x' }), { oldObject: dflt }));
  });

  it('ignores deletes and does not mutate classes', async () => {
    const classes = new FakeClasses([dflt]);
    await validate(classes, attrs('DELETE', pc('new', 5, { globalDefault: true })));
    const c = pc('new', 5, { globalDefault: true });
    await mutate(classes, attrs('CREATE', c));
    expect(c).toEqual(pc('new', 5, { globalDefault: true }));
  });
});

describe('storePriorityClasses', () => {
  const stored = [pc('a', 1), pc('b', 2)];
  type StoreView = Pick<ObjectStore, 'get' | 'list'>;
  const fakeStore = (fail?: Error): StoreView => ({
    get: async (def, _ns, name) => {
      if (fail) throw fail;
      const found = stored.find((c) => c.metadata.name === name);
      if (!found) throw Errors.notFound({ group: def.group, resource: def.plural }, name);
      return found;
    },
    list: async (): Promise<ListResult> => ({ items: stored, resourceVersion: '7' }),
  });

  it('reads classes, mapping 404 to undefined', async () => {
    const r = storePriorityClasses(fakeStore());
    expect((await r.get('b'))?.value).toBe(2);
    expect(await r.get('zzz')).toBeUndefined();
    expect((await r.list()).map((c) => c.metadata.name)).toEqual(['a', 'b']);
  });

  it('passes other store errors on', async () => {
    await expect(storePriorityClasses(fakeStore(new Error('boom'))).get('a')).rejects.toThrow('boom');
  });
});
