import { describe, expect, it } from 'vitest';
import protobuf from 'protobufjs';
import { ApiError } from '../../src/api/errors.js';
import type { JsonObject } from '../../src/api/types.js';
import {
  bool, f, i32, i64, list, listOf, map, META, obj, ref, S, str, struct, topLevel,
} from '../../src/schema/dsl.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import { decodeProtobuf, encodeProtobuf } from '../../src/schema/protobuf.js';

// Fixture schemas with upstream's generated.proto numbers where the field exists upstream.
const C = 'io.k8s.api.core.v1';
const M = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const reg = new SchemaRegistry([
  struct(META.objectMeta, 'meta', {
    name: str(1), generateName: str(2), namespace: str(3), selfLink: str(4), uid: str(5), resourceVersion: str(6),
    generation: i64(7), creationTimestamp: f(S.time, 8), deletionTimestamp: f(S.time, 9),
    deletionGracePeriodSeconds: i64(10), labels: map(S.string, 11), annotations: map(S.string, 12),
    finalizers: list(S.string, 14), managedFields: list(ref(`${M}.ManagedFieldsEntry`), 17),
  }),
  struct(`${M}.ManagedFieldsEntry`, 'mf', {
    manager: str(1), operation: str(2), apiVersion: str(3), time: f(S.time, 4), fieldsType: str(6), fieldsV1: f(S.fieldsV1, 7),
  }),
  topLevel(`${C}.ConfigMap`, { group: '', version: 'v1', kind: 'ConfigMap' }, 'cm', {
    immutable: bool(4), data: map(S.string, 2), binaryData: map(S.bytes, 3),
  }),
  topLevel(`${C}.Pod`, { group: '', version: 'v1', kind: 'Pod' }, 'pod', {
    spec: obj(`${C}.PodSpec`, 2), status: obj(`${C}.PodStatus`, 3),
  }),
  struct(`${C}.PodSpec`, 'spec', {
    containers: list(ref(`${C}.Container`), 2), activeDeadlineSeconds: i64(5), hostNetwork: bool(11),
    automountServiceAccountToken: bool(21), overhead: map(S.quantity, 32),
    // Not upstream: exercise the remaining shapes.
    weights: list(S.double, 90), ints: list(S.int32, 91), extra: map(ref(`${C}.ExtraValue`), 92),
    template: f(S.any, 93), timeout: f(S.duration, 94), matrix: f(listOf(listOf(S.int32)), 95), noProto: str(),
  }),
  struct(`${C}.Container`, 'container', {
    name: str(1), image: str(2), args: list(S.string, 4), ports: list(ref(`${C}.ContainerPort`), 6),
    stdin: bool(16), resources: obj(`${C}.ResourceRequirements`, 8), port: f(S.intOrString, 90),
    livenessProbe: obj(`${C}.Probe`, 10),
  }),
  // Probe embeds ProbeHandler: flat in JSON, message 1 in protobuf (no proto numbers in the schema).
  struct(`${C}.Probe`, 'probe', { exec: obj(`${C}.ExecAction`), httpGet: obj(`${C}.HTTPGetAction`), initialDelaySeconds: i32(2) }),
  struct(`${C}.ExecAction`, 'exec', { command: list(S.string, 1) }),
  struct(`${C}.HTTPGetAction`, 'get', { path: str(1), port: f(S.intOrString, 2) }),
  struct(`${C}.ContainerPort`, 'port', { name: str(1), hostPort: i32(2), containerPort: i32(3), protocol: str(4) }),
  struct(`${C}.ResourceRequirements`, 'rr', { limits: map(S.quantity, 1), requests: map(S.quantity, 2) }),
  struct(`${C}.ExtraValue`, 'extra', {}, { protoList: S.string }),
  struct(`${C}.PodStatus`, 'status', { startTime: f(S.time, 7), eventTime: f(S.microTime, 8) }),
]);

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string): string => Buffer.from(s).toString('hex');
const badRequest = (fn: () => unknown): string => {
  try { fn(); } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(400);
    return (e as ApiError).message;
  }
  throw new Error('expected a BadRequest');
};

/** Wraps an object message in the k8s envelope. */
function envelope(apiVersion: string, kind: string, raw: Uint8Array): Buffer {
  const w = protobuf.Writer.create();
  w.uint32(10).fork().uint32(10).string(apiVersion).uint32(18).string(kind).ldelim();
  w.uint32(18).bytes(raw);
  return Buffer.concat([Buffer.from('k8s\0'), w.finish()]);
}

describe('ConfigMap {metadata{name:"x"}, data{"a":"b"}}: known bytes', () => {
  // magic; Unknown.typeMeta(1) {apiVersion(1) "v1", kind(2) "ConfigMap"}; raw(2) ConfigMap; contentEncoding(3) ""; contentType(4) "".
  // ConfigMap: metadata(1) {name(1) "x"}; data(2) entry {key(1) "a", value(2) "b"}.
  const bytes = hex(`6b387300 0a0f 0a02${ascii('v1')} 1209${ascii('ConfigMap')} 120d 0a03 0a0178 1206 0a0161 120162 1a00 2200`);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } };

  it('encodes to them', () => {
    expect(encodeProtobuf(reg, cm).toString('hex')).toBe(bytes.toString('hex'));
  });

  it('decodes them', () => {
    expect(decodeProtobuf(reg, bytes)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', object: cm });
  });

  it('decodes what Go writes: every non-pointer field, zero or not', () => {
    // ObjectMeta as gogo-protobuf marshals it: name, then generateName..resourceVersion "", generation 0,
    // creationTimestamp as an empty message (the zero time).
    const meta = '0a0178 1200 1a00 2200 2a00 3200 3800 4200';
    const raw = hex(`0a11 ${meta} 1206 0a0161 120162`);
    expect(decodeProtobuf(reg, envelope('v1', 'ConfigMap', raw)).object).toEqual(cm);
  });
});

describe('embedded Go structs', () => {
  it('Probe: handler fields sit in message 1 (ProbeHandler), httpGet as its field 2', () => {
    // HTTPGetAction {path(1) "/", port(2) IntOrString {type 0, intVal 80}}, inside ProbeHandler as httpGet(2).
    const probe = hex('0a0b 1209 0a012f 1204 0800 1050 1005');
    const container = Buffer.concat([hex('0a0163 520f'), probe]);
    const spec = Buffer.concat([hex('1214'), container]);
    const raw = Buffer.concat([hex('1216'), spec]);
    const want = { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ name: 'c', livenessProbe: { httpGet: { path: '/', port: 80 }, initialDelaySeconds: 5 } }] } };
    expect(decodeProtobuf(reg, envelope('v1', 'Pod', raw)).object).toEqual(want);
    const back = decodeProtobuf(reg, encodeProtobuf(reg, want)).object;
    expect(back).toEqual(want);
  });
});

describe('round trips', () => {
  const podObj: JsonObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: 'p', namespace: 'ns', generation: 3, labels: { b: '2', a: '1' }, finalizers: ['x', 'y'],
      creationTimestamp: '2024-03-01T08:00:00Z', deletionGracePeriodSeconds: 0,
      managedFields: [{ manager: 'kubectl', operation: 'Update', time: '2024-03-01T08:00:00Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {} } } }],
    },
    spec: {
      containers: [
        { name: 'c', image: 'nginx', args: ['-g', ''], ports: [{ containerPort: 80, protocol: 'TCP' }], port: 'http',
          resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '1' } } },
        { name: 'd', port: 8080, stdin: true },
      ],
      activeDeadlineSeconds: 2 ** 40, automountServiceAccountToken: false, overhead: { cpu: '250m' },
      weights: [1.5, -2], ints: [1, -1, 300], extra: { groups: ['a', 'b'], none: [] },
      template: { any: ['json', 1, null] }, timeout: '1m30s',
    },
    status: { startTime: '2024-03-01T08:00:00Z', eventTime: '2024-03-01T08:00:00.123456Z' },
  };

  it('Pod with nested messages, maps, repeated scalars and every special scalar', () => {
    const out = decodeProtobuf(reg, encodeProtobuf(reg, podObj));
    expect(out.apiVersion).toBe('v1');
    expect(out.kind).toBe('Pod');
    expect(out.object).toEqual(podObj);
  });

  it('keeps a pointer zero (automountServiceAccountToken: false) and drops Go non-pointer zeros', () => {
    const obj = {
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', generation: 0 },
      spec: { hostNetwork: false, automountServiceAccountToken: false, containers: [{ name: 'c', stdin: false, ports: [{ hostPort: 0, containerPort: 0 }] }] },
    };
    expect(decodeProtobuf(reg, encodeProtobuf(reg, obj)).object).toEqual({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
      spec: { automountServiceAccountToken: false, containers: [{ name: 'c', ports: [{ containerPort: 0 }] }] },
    });
  });

  it('binaryData as base64, fields without a proto number are not encoded', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, binaryData: { k: Buffer.from([0, 255, 1]).toString('base64') }, immutable: true };
    expect(decodeProtobuf(reg, encodeProtobuf(reg, cm)).object).toEqual(cm);
    const p = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { noProto: 'x' } };
    expect(decodeProtobuf(reg, encodeProtobuf(reg, p)).object).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} });
  });
});

describe('wire details', () => {
  it('accepts packed and unpacked repeated scalars', () => {
    // spec(2) { ints(91) packed [1, 2] ; ints(91) unpacked 3 }
    const ints = protobuf.Writer.create();
    ints.uint32((91 << 3) | 2).fork().int32(1).int32(2).ldelim().uint32(91 << 3).int32(3);
    const spec = ints.finish();
    const raw = protobuf.Writer.create().uint32(18).bytes(spec).finish();
    expect(decodeProtobuf(reg, envelope('v1', 'Pod', raw)).object).toEqual({ apiVersion: 'v1', kind: 'Pod', spec: { ints: [1, 2, 3] } });
  });

  it('skips unknown field numbers of every wire type', () => {
    const w = protobuf.Writer.create();
    w.uint32((50 << 3) | 0).uint32(7);
    w.uint32((51 << 3) | 1).double(1);
    w.uint32((52 << 3) | 2).string('skip me');
    w.uint32((53 << 3) | 5).fixed32(9);
    w.uint32(10).fork().uint32(10).string('x').uint32((60 << 3) | 2).string('?').ldelim();
    expect(decodeProtobuf(reg, envelope('v1', 'ConfigMap', w.finish())).object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  });

  it('Time: seconds only; MicroTime: microseconds; empty Time is unset', () => {
    const ts = (sec: number, nanos: number): Uint8Array => protobuf.Writer.create().uint32(8).int64(sec).uint32(16).int32(nanos).finish();
    const status = protobuf.Writer.create()
      .uint32((7 << 3) | 2).bytes(ts(1709280000, 999)).uint32((8 << 3) | 2).bytes(ts(1709280000, 123456789)).finish();
    const raw = protobuf.Writer.create().uint32(26).bytes(status).uint32(10).fork().uint32(66).bytes(new Uint8Array(0)).ldelim().finish();
    expect(decodeProtobuf(reg, envelope('v1', 'Pod', raw)).object).toEqual({
      apiVersion: 'v1', kind: 'Pod', metadata: {}, status: { startTime: '2024-03-01T08:00:00Z', eventTime: '2024-03-01T08:00:00.123456Z' },
    });
  });

  it('IntOrString, Duration and Quantity messages', () => {
    const ios = protobuf.Writer.create().uint32(8).int64(0).uint32(16).int32(42).finish();
    const container = protobuf.Writer.create().uint32((90 << 3) | 2).bytes(ios).finish();
    const dur = protobuf.Writer.create().uint32(8).int64(1500000000).finish();
    const q = protobuf.Writer.create().uint32(10).string('2Gi').finish();
    const spec = protobuf.Writer.create().uint32(18).bytes(container).uint32((94 << 3) | 2).bytes(dur)
      .uint32((32 << 3) | 2).fork().uint32(10).string('memory').uint32(18).bytes(q).ldelim().finish();
    const raw = protobuf.Writer.create().uint32(18).bytes(spec).finish();
    expect(decodeProtobuf(reg, envelope('v1', 'Pod', raw)).object).toEqual({
      apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ port: 42 }], timeout: '1.5s', overhead: { memory: '2Gi' } },
    });
  });

  it('uses the endpoint kind for a missing kind or version', () => {
    const raw = hex('0a03 0a0178');
    const out = decodeProtobuf(reg, envelope('', '', raw), { group: '', version: 'v1', kind: 'ConfigMap' });
    expect(out.object).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  });
});

describe('malformed bodies', () => {
  const good = encodeProtobuf(reg, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: 'b' } });

  it('rejects empty bodies and a wrong magic', () => {
    expect(badRequest(() => decodeProtobuf(reg, Buffer.alloc(0)))).toBe('empty data');
    expect(badRequest(() => decodeProtobuf(reg, Buffer.from('k8s\0')))).toBe('empty body');
    expect(badRequest(() => decodeProtobuf(reg, Buffer.from('{"kind":"ConfigMap"}'))))
      .toBe('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
    expect(badRequest(() => decodeProtobuf(reg, Buffer.from('k8s\x01abc'), { group: '', version: 'v1', kind: 'ConfigMap' })))
      .toBe('the object provided is unrecognized (must be of type ConfigMap): provided data does not appear to be a protobuf message, expected prefix [107 56 115 0] (6b387301616263)');
  });

  it('rejects every truncation of a valid body', () => {
    for (let n = 5; n < good.length - 4; n++) {
      const cut = good.subarray(0, n);
      let threw = false;
      try { decodeProtobuf(reg, cut); } catch (e) { expect(e).toBeInstanceOf(ApiError); threw = true; }
      // A cut at a field boundary can still be a valid (shorter) message; most cuts are not.
      if (!threw) expect(n).toBeGreaterThan(0);
    }
    expect(badRequest(() => decodeProtobuf(reg, good.subarray(0, 20)))).toBe('unexpected EOF');
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'ConfigMap', hex('0a05 0a0178')))))
      .toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: unexpected EOF');
  });

  it('rejects wrong wire types with gogo-protobuf messages', () => {
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'ConfigMap', hex('0a02 0801')))))
      .toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 0 for field Name');
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'ConfigMap', hex('220100')))))
      .toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: wrong wireType = 2 for field Immutable');
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'ConfigMap', hex('0c')))))
      .toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: ConfigMap: wiretype end group for non-group');
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'ConfigMap', hex('0001')))))
      .toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: proto: ConfigMap: illegal tag 0 (wire type 0)');
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'ConfigMap', hex('ff')))))
      .toMatch(/unexpected EOF|integer overflow/);
  });

  it('rejects unknown kinds and missing type information', () => {
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'Widget', new Uint8Array(0)))))
      .toBe('Widget in version "v1" cannot be handled as a Widget: no kind "Widget" is registered for version "v1"');
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', '', new Uint8Array(0)))))
      .toBe(`Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:"v1", Kind:""}'`);
  });

  it('rejects a bad quantity and invalid embedded JSON', () => {
    const q = protobuf.Writer.create().uint32(10).string('lots').finish();
    const spec = protobuf.Writer.create().uint32((32 << 3) | 2).fork().uint32(10).string('cpu').uint32(18).bytes(q).ldelim().finish();
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'Pod', protobuf.Writer.create().uint32(18).bytes(spec).finish()))))
      .toMatch(/cannot be handled as a Pod: quantities must match the regular expression/);
    const any = protobuf.Writer.create().uint32(10).bytes(Buffer.from('{nope')).finish();
    const spec2 = protobuf.Writer.create().uint32((93 << 3) | 2).bytes(any).finish();
    expect(badRequest(() => decodeProtobuf(reg, envelope('v1', 'Pod', protobuf.Writer.create().uint32(18).bytes(spec2).finish()))))
      .toMatch(/embedded object is not valid JSON/);
  });

  it('never crashes on random garbage', () => {
    let seed = 42;
    const rnd = (): number => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
    for (let i = 0; i < 2000; i++) {
      const body = Buffer.from(good);
      for (let k = 0; k < 1 + (rnd() % 4); k++) body[4 + (rnd() % (body.length - 4))] = rnd() & 0xff;
      try { decodeProtobuf(reg, body); } catch (e) { expect(e).toBeInstanceOf(ApiError); }
    }
    for (let i = 0; i < 500; i++) {
      const body = Buffer.concat([Buffer.from('k8s\0'), Buffer.from(Array.from({ length: rnd() % 64 }, () => rnd() & 0xff))]);
      try { decodeProtobuf(reg, body); } catch (e) { expect(e).toBeInstanceOf(ApiError); }
    }
  });

  it('refuses schemas with no protobuf form (a list of lists) with a 400, not a crash', () => {
    const p = { apiVersion: 'v1', kind: 'Pod', spec: { matrix: [[1]] } };
    expect(badRequest(() => encodeProtobuf(reg, p))).toMatch(/no protobuf form/);
  });
});
