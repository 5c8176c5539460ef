import { describe, expect, it } from 'vitest';
import { FieldSet, pathString, type Path } from '../../src/apply/index.js';

const f = (field: string) => ({ field });

describe('FieldSet and FieldsV1', () => {
  it('round-trips upstream FieldsV1 byte for byte', () => {
    const raw = '{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{}}}}}';
    const s = FieldSet.fromFieldsV1(JSON.parse(raw));
    expect(JSON.stringify(s.toFieldsV1())).toBe(raw);
    expect(s.paths().map(pathString)).toEqual([
      '.metadata.labels.app',
      '.spec.containers[name="nginx"]',
      '.spec.containers[name="nginx"].image',
    ]);
  });

  it('writes elements in upstream order: fields, keys, values; "." first; key fields sorted', () => {
    const s = FieldSet.of(
      [f('spec'), f('ports'), { key: [['containerPort', 80], ['protocol', 'TCP']] }],
      [f('spec'), f('ports'), { key: [['containerPort', 80], ['protocol', 'TCP']] }, f('name')],
      [f('spec'), f('ports'), { key: [['containerPort', 443], ['protocol', 'TCP']] }],
      [f('metadata'), f('finalizers'), { value: 'b' }],
      [f('metadata'), f('finalizers'), { value: 'a' }],
      [f('metadata'), f('finalizers')],
      [f('apiVersion')],
    );
    expect(JSON.stringify(s.toFieldsV1())).toBe(
      '{"f:apiVersion":{},"f:metadata":{"f:finalizers":{".":{},"v:\\"a\\"":{},"v:\\"b\\"":{}}},'
      + '"f:spec":{"f:ports":{"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:name":{}},'
      + '"k:{\\"containerPort\\":443,\\"protocol\\":\\"TCP\\"}":{}}}}');
    // Keys in any order parse to the same element.
    const back = FieldSet.fromFieldsV1({ 'f:spec': { 'f:ports': { 'k:{"protocol":"TCP","containerPort":443}': {} } } });
    expect(back.has([f('spec'), f('ports'), { key: [['containerPort', 443], ['protocol', 'TCP']] }])).toBe(true);
  });

  it('skips unknown element types and rejects malformed keys', () => {
    expect(FieldSet.fromFieldsV1({ 'x:foo': {}, 'f:a': {} }).paths().map(pathString)).toEqual(['.a']);
    expect(() => FieldSet.fromFieldsV1({ f: {} })).toThrow();
    expect(() => FieldSet.fromFieldsV1({ 'k:[1]': {} })).toThrow();
    expect(FieldSet.fromFieldsV1({}).empty()).toBe(true);
    expect(FieldSet.fromFieldsV1({ 'i:3': {} }).paths().map(pathString)).toEqual(['[3]']);
  });

  it('set operations', () => {
    const p = (...names: string[]): Path => names.map(f);
    const a = FieldSet.of(p('a'), p('a', 'b'), p('c', 'd'));
    const b = FieldSet.of(p('a'), p('c', 'e'));
    expect(a.union(b).paths().map(pathString)).toEqual(['.a', '.a.b', '.c.d', '.c.e']);
    expect(a.intersection(b).paths().map(pathString)).toEqual(['.a']);
    // difference removes the member but keeps what is below it; recursiveDifference drops the subtree.
    expect(a.difference(b).paths().map(pathString)).toEqual(['.a.b', '.c.d']);
    expect(a.recursiveDifference(b).paths().map(pathString)).toEqual(['.c.d']);
    expect(a.difference(a).empty()).toBe(true);
    expect(a.has(p('c', 'd'))).toBe(true);
    expect(a.has(p('c'))).toBe(false);
  });
});
