import { describe, expect, it } from 'vitest';
import {
  bool, i32, i64, list, listOf, map, META, obj, ref, S, str, struct, topLevel, f,
} from '../../src/schema/dsl.js';
import { SchemaRegistry } from '../../src/schema/registry.js';
import {
  cannotBeHandled, decodeBody, formatGoDuration, goBase64Decode, parseGoDuration, parseGoTime, quantityError,
  strictDecodingError, unknownFieldWarning, type DecodeResult,
} from '../../src/schema/decode.js';

// Fixture schemas in the DSL: a Pod-like type with nested structs, lists, maps and every special scalar.
const C = 'io.k8s.api.core.v1';
const reg = new SchemaRegistry([
  struct(META.objectMeta, 'meta', {
    name: str(1), namespace: str(3), generation: i64(7), creationTimestamp: f(S.time, 8),
    labels: map(S.string, 11), finalizers: list(S.string, 14),
  }),
  topLevel(`${C}.Pod`, { group: '', version: 'v1', kind: 'Pod' }, 'pod', {
    spec: obj(`${C}.PodSpec`, 2), status: obj(`${C}.PodStatus`, 3),
  }),
  struct(`${C}.PodSpec`, 'spec', {
    containers: list(ref(`${C}.Container`), 2), hostNetwork: bool(11), activeDeadlineSeconds: i64(14),
    overhead: map(S.quantity, 32), extra: map(ref(`${C}.Extra`), 99), template: f(S.any, 98),
    matrix: f(listOf(listOf(S.int32)), 97),
  }),
  struct(`${C}.Container`, 'container', {
    name: str(1), image: str(2), args: list(S.string, 4), ports: list(ref(`${C}.ContainerPort`), 6),
    env: list(ref(`${C}.EnvVar`), 7), probePort: f(S.intOrString, 90), secret: f(S.bytes, 91),
    weight: f(S.double, 92), timeout: f(S.duration, 93),
  }),
  struct(`${C}.ContainerPort`, 'port', { name: str(1), containerPort: i32(3), protocol: str(4) }),
  struct(`${C}.EnvVar`, 'env', { name: str(1), value: str(2) }),
  struct(`${C}.Extra`, 'extra', {}, { protoList: S.string }),
  struct(`${C}.PodStatus`, 'status', { startTime: f(S.time, 7), eventTime: f(S.microTime, 8), raw: f(S.any, 9) }, { preserveUnknownFields: true }),
]);

const ok = (r: DecodeResult): DecodeResult => {
  if (r.error !== undefined) throw new Error(`unexpected error: ${r.error}`);
  return r;
};
const err = (r: DecodeResult): string => {
  if (r.error === undefined) throw new Error('expected an error');
  return r.error;
};
const pod = (spec: unknown, extra: Record<string, unknown> = {}): unknown =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec, ...extra });

describe('decodeBody: pruning and unknown fields', () => {
  it('removes unknown fields and reports their paths in document order', () => {
    const r = ok(decodeBody(reg, `${C}.Pod`, {
      apiVersion: 'v1', kind: 'Pod', foo: 1,
      metadata: { name: 'p', bogus: true, labels: { a: 'b' } },
      spec: { containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i', foo: 'x', ports: [{ containerPort: 80, zap: 1 }] }] },
    }));
    expect(r.value).toEqual({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } },
      spec: { containers: [{ name: 'a', image: 'i' }, { name: 'b', image: 'i', ports: [{ containerPort: 80 }] }] },
    });
    expect(r.unknownFields).toEqual(['foo', 'metadata.bogus', 'spec.containers[1].foo', 'spec.containers[1].ports[0].zap']);
  });

  it('is case sensitive and reports a field once', () => {
    const r = ok(decodeBody(reg, `${C}.Pod`, { metadata: { Name: 'x' } }));
    expect(r.value).toEqual({ metadata: {} });
    expect(r.unknownFields).toEqual(['metadata.Name']);
  });

  it('drops null fields but keeps the zero value of null list items and map values', () => {
    const r = ok(decodeBody(reg, `${C}.Pod`, pod({ containers: [null, { name: null, args: [null, 'x'] }], hostNetwork: null }, { metadata: { name: 'p', labels: { a: null } } })));
    expect(r.value).toEqual(pod({ containers: [{}, { args: ['', 'x'] }] }, { metadata: { name: 'p', labels: { a: '' } } }));
  });

  it('keeps everything under preserveUnknownFields types and any', () => {
    const r = ok(decodeBody(reg, `${C}.Pod`, { status: { whatever: { deep: [1, null] }, raw: { a: null, b: [1] } }, spec: { template: { x: { y: null } } } }));
    expect(r.value).toEqual({ status: { whatever: { deep: [1, null] }, raw: { a: null, b: [1] } }, spec: { template: { x: { y: null } } } });
    expect(r.unknownFields).toEqual([]);
  });

  it('uses map keys in the strict path', () => {
    const r = ok(decodeBody(reg, `${C}.Pod`, pod({ extra: { k: ['a', 'b'] } })));
    expect(r.value).toEqual(pod({ extra: { k: ['a', 'b'] } }));
  });
});

describe('decodeBody: type errors', () => {
  it('reports a list given a string with the struct and the field path', () => {
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: 'x' }))))
      .toBe('json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container');
  });

  it('reports a non-integer for an int32 with its literal, without list indices in the path', () => {
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ name: 'a', ports: [{ containerPort: 1.5 }] }] }))))
      .toBe('json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ ports: [{ containerPort: 2 ** 31 }] }] }))))
      .toBe('json: cannot unmarshal number 2147483648 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32');
  });

  it('describes each JSON kind as encoding/json does', () => {
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ hostNetwork: 'yes' })))).toBe('json: cannot unmarshal string into Go struct field PodSpec.spec.hostNetwork of type bool');
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ name: 5 }] })))).toBe('json: cannot unmarshal number into Go struct field Container.spec.containers.name of type string');
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ args: {} }] })))).toBe('json: cannot unmarshal object into Go struct field Container.spec.containers.args of type []string');
    expect(err(decodeBody(reg, `${C}.Pod`, { metadata: [] }))).toBe('json: cannot unmarshal array into Go struct field Pod.metadata of type v1.ObjectMeta');
    expect(err(decodeBody(reg, `${C}.Pod`, { metadata: { labels: { a: true } } }))).toBe('json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string');
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: ['x'] })))).toBe('json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type v1.Container');
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ weight: 'x' }] })))).toBe('json: cannot unmarshal string into Go struct field Container.spec.containers.weight of type float64');
  });

  it('reports a body that is not an object against the top-level type', () => {
    expect(err(decodeBody(reg, `${C}.Pod`, [1]))).toBe('json: cannot unmarshal array into Go value of type v1.Pod');
    expect(ok(decodeBody(reg, `${C}.Pod`, null)).value).toEqual({});
  });

  it('reports the first type error', () => {
    expect(err(decodeBody(reg, `${C}.Pod`, { metadata: { name: 1, namespace: 2 } })))
      .toBe('json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string');
  });

  it('lets an error from a custom unmarshaler win over an earlier saved one', () => {
    expect(err(decodeBody(reg, `${C}.Pod`, { metadata: { name: 1 }, status: { startTime: 'x' } })))
      .toBe('parsing time "x" as "2006-01-02T15:04:05Z07:00": cannot parse "x" as "2006"');
  });
});

describe('decodeBody: special scalars', () => {
  it('quantity: string or number (a number becomes its string)', () => {
    expect(ok(decodeBody(reg, `${C}.Pod`, pod({ overhead: { cpu: 1.5, memory: '64Mi', x: ' 2 ' } }))).value)
      .toEqual(pod({ overhead: { cpu: '1.5', memory: '64Mi', x: '2' } }));
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ overhead: { cpu: 'lots' } }))))
      .toBe("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ overhead: { cpu: true } })))).toMatch(/^quantities must match/);
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ overhead: { cpu: '1Gm' } })))).toBe("unable to parse quantity's suffix");
  });

  it('int-or-string: an int32 or a string', () => {
    expect(ok(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ probePort: 8080 }, { probePort: 'http' }] }))).value)
      .toEqual(pod({ containers: [{ probePort: 8080 }, { probePort: 'http' }] }));
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ probePort: 1.5 }] }))))
      .toBe('json: cannot unmarshal number 1.5 into Go struct field Container.spec.containers.probePort of type int32');
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ probePort: true }] }))))
      .toBe('json: cannot unmarshal bool into Go struct field Container.spec.containers.probePort of type int32');
  });

  it('bytes: valid base64 only, normalized', () => {
    expect(ok(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ secret: 'aGVs\nbG8=' }] }))).value)
      .toEqual(pod({ containers: [{ secret: 'aGVsbG8=' }] }));
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ secret: 'a!' }] })))).toBe('illegal base64 data at input byte 1');
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ secret: 7 }] }))))
      .toBe('json: cannot unmarshal number into Go struct field Container.spec.containers.secret of type []uint8');
  });

  it('date-time: an RFC 3339 string, re-marshalled in UTC without a fraction', () => {
    expect(ok(decodeBody(reg, `${C}.Pod`, { status: { startTime: '2024-03-01T10:00:00.5+02:00' } })).value)
      .toEqual({ status: { startTime: '2024-03-01T08:00:00Z' } });
    expect(ok(decodeBody(reg, `${C}.Pod`, { status: { startTime: '0001-01-01T00:00:00Z' } })).value).toEqual({ status: {} });
    expect(err(decodeBody(reg, `${C}.Pod`, { status: { startTime: 5 } })))
      .toBe('json: cannot unmarshal number into Go struct field PodStatus.status.startTime of type string');
    expect(err(decodeBody(reg, `${C}.Pod`, { status: { startTime: '2024-13-01T00:00:00Z' } })))
      .toBe('parsing time "2024-13-01T00:00:00Z": month out of range');
  });

  it('micro-time needs its six fraction digits', () => {
    expect(ok(decodeBody(reg, `${C}.Pod`, { status: { eventTime: '2024-03-01T10:00:00.123456Z' } })).value)
      .toEqual({ status: { eventTime: '2024-03-01T10:00:00.123456Z' } });
    expect(err(decodeBody(reg, `${C}.Pod`, { status: { eventTime: '2024-03-01T10:00:00Z' } })))
      .toBe('parsing time "2024-03-01T10:00:00Z" as "2006-01-02T15:04:05.000000Z07:00": cannot parse "Z" as ".000000"');
  });

  it('duration: a Go duration string, re-marshalled canonically', () => {
    expect(ok(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ timeout: '90s' }] }))).value).toEqual(pod({ containers: [{ timeout: '1m30s' }] }));
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ containers: [{ timeout: '5' }] })))).toBe('time: missing unit in duration "5"');
  });

  it('protoList types are JSON lists', () => {
    expect(err(decodeBody(reg, `${C}.Pod`, pod({ extra: { k: 'a' } }))))
      .toBe('json: cannot unmarshal string into Go struct field PodSpec.spec.extra of type v1.Extra');
  });
});

describe('messages', () => {
  it('strict decoding error and warning text', () => {
    expect(strictDecodingError(['spec.foo', 'metadata.bar'])).toBe('strict decoding error: unknown field "spec.foo", unknown field "metadata.bar"');
    expect(unknownFieldWarning('spec.containers[0].foo')).toBe('unknown field "spec.containers[0].foo"');
    expect(cannotBeHandled('Pod', 'v1', 'boom')).toBe('Pod in version "v1" cannot be handled as a Pod: boom');
  });
});

describe('Go parsers', () => {
  it('time.Parse errors', () => {
    expect(parseGoTime('2024-02-30T00:00:00Z', false)).toBe('parsing time "2024-02-30T00:00:00Z": day out of range');
    expect(parseGoTime('2024-02-01T00:00:00', false)).toBe('parsing time "2024-02-01T00:00:00" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"');
    expect(parseGoTime('2024-02-01 00:00:00Z', false)).toBe('parsing time "2024-02-01 00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 00:00:00Z" as "T"');
    expect(parseGoTime('2024-02-01T00:00:00Zjunk', false)).toBe('parsing time "2024-02-01T00:00:00Zjunk": extra text: "junk"');
    expect(parseGoTime('2024-02-01T25:00:00Z', false)).toBe('parsing time "2024-02-01T25:00:00Z": hour out of range');
  });

  it('time.ParseDuration and Duration.String', () => {
    expect(parseGoDuration('1h2m3.5s')).toBe(3723500000000n);
    expect(parseGoDuration('-1.5ms')).toBe(-1500000n);
    expect(parseGoDuration('1x')).toBe('time: unknown unit "x" in duration "1x"');
    expect(parseGoDuration('')).toBe('time: invalid duration ""');
    expect(formatGoDuration(0n)).toBe('0s');
    expect(formatGoDuration(1500n)).toBe('1.5µs');
    expect(formatGoDuration(300000000n)).toBe('300ms');
    expect(formatGoDuration(3723500000000n)).toBe('1h2m3.5s');
    expect(formatGoDuration(-3600000000000n)).toBe('-1h0m0s');
  });

  it('ParseQuantity syntax', () => {
    for (const q of ['1', '500m', '1.5Gi', '1e3', '+1', '-', '.5', '1.', '2E-3']) expect(quantityError(q), q).toBeUndefined();
    for (const q of ['', 'x', '1.2.3', '1 Gi']) expect(quantityError(q), q).toMatch(/^quantities must match/);
    expect(quantityError('1mk')).toBe("unable to parse quantity's suffix");
  });

  it('base64 as Go decodes it', () => {
    expect(goBase64Decode('aGk=')).toEqual(Buffer.from('hi'));
    expect(goBase64Decode('aGk')).toBe('illegal base64 data at input byte 0');
    expect(goBase64Decode('aGk=x')).toBe('illegal base64 data at input byte 4');
    expect(goBase64Decode('a===')).toBe('illegal base64 data at input byte 1');
    expect(goBase64Decode('')).toEqual(Buffer.alloc(0));
  });
});
