import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client';
import { containerResourceValue, extractFieldPathAsString, formatMap, goQuote, podFieldValue } from '../../src/fieldpath/index.js';

const pod: Pod = {
  metadata: {
    name: 'web-0', namespace: 'shop', uid: '1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    labels: { app: 'web', 'example.com/tier': 'front' },
    annotations: { note: 'say "hi"\n', 'z.io/x': 'é' },
  },
  spec: {
    nodeName: 'node-a', serviceAccountName: 'builder',
    containers: [
      { name: 'app', resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '100m', memory: '32Mi', 'ephemeral-storage': '1Gi' } } },
      { name: 'side' },
    ],
    initContainers: [{ name: 'init', resources: { limits: { cpu: '1500m' } } }],
  },
  status: { hostIP: '10.0.0.5', hostIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }], podIP: '10.201.13.7', podIPs: [{ ip: '10.201.13.7' }, { ip: 'fd01::7' }] },
};

describe('podFieldValue', () => {
  it.each([
    ['metadata.name', 'web-0'],
    ['metadata.namespace', 'shop'],
    ['metadata.uid', '1b4e28ba-2fa1-11d2-883f-0016d3cca427'],
    ['metadata.labels', 'app="web"\nexample.com/tier="front"'],
    ['metadata.annotations', 'note="say \\"hi\\"\\n"\nz.io/x="é"'],
    ["metadata.labels['example.com/tier']", 'front'],
    ["metadata.labels['missing']", ''],
    ["metadata.annotations['note']", 'say "hi"\n'],
    ['spec.nodeName', 'node-a'],
    ['spec.host', 'node-a'],
    ['spec.serviceAccountName', 'builder'],
    ['status.hostIP', '10.0.0.5'],
    ['status.hostIPs', '10.0.0.5,fd00::5'],
    ['status.podIP', '10.201.13.7'],
    ['status.podIPs', '10.201.13.7,fd01::7'],
  ])('%s', (path, want) => {
    expect(podFieldValue(pod, path)).toBe(want);
  });

  it('falls back to the singular IP fields', () => {
    const p: Pod = { ...pod, status: { hostIP: '192.168.1.2', podIP: '10.1.1.1' } };
    expect(podFieldValue(p, 'status.hostIPs')).toBe('192.168.1.2');
    expect(podFieldValue(p, 'status.podIPs')).toBe('10.1.1.1');
    expect(podFieldValue({ ...pod, status: {} }, 'status.podIP')).toBe('');
  });

  it.each([
    ['spec.containers', 'field label not supported: spec.containers'],
    ["spec.nodeName['x']", "field label does not support subscript: spec.nodeName['x']"],
    ['spec.restartPolicy', 'unsupported fieldPath: spec.restartPolicy'],
    ['status.phase', 'unsupported fieldPath: status.phase'],
  ])('rejects %s', (path, msg) => {
    expect(() => podFieldValue(pod, path)).toThrow(msg);
  });

  it('validates subscript keys', () => {
    expect(() => podFieldValue(pod, "metadata.labels['-bad-']")).toThrow(/^invalid key subscript in metadata\.labels\['-bad-'\]: name part must consist of/);
    // Annotation keys are checked lower-cased.
    expect(extractFieldPathAsString(pod, "metadata.annotations['Z.IO/x']")).toBe('');
  });
});

describe('formatMap / goQuote', () => {
  it('quotes like Go %q', () => {
    expect(goQuote('a\tb\x01\x7f\u00ad\u{1F600}"\\')).toBe('"a\\tb\\x01\\x7f\\u00ad\u{1F600}\\"\\\\"');
    expect(formatMap({ b: '2', a: '1' })).toBe('a="1"\nb="2"');
    expect(formatMap(undefined)).toBe('');
  });
});

describe('containerResourceValue', () => {
  const alloc = { cpu: '2', memory: '4Gi', 'ephemeral-storage': '20Gi' };
  it.each([
    ['app', 'limits.cpu', undefined, '1'], // 250m rounds up to 1 core
    ['app', 'limits.cpu', '1m', '250'],
    ['app', 'requests.cpu', '1m', '100'],
    ['app', 'limits.memory', undefined, String(64 * 2 ** 20)],
    ['app', 'limits.memory', '1Mi', '64'],
    ['app', 'limits.memory', '1M', '68'], // 67.1 MB rounds up
    ['app', 'requests.memory', '1Ki', String(32 * 1024)],
    ['app', 'requests.ephemeral-storage', '1Gi', '1'],
    ['app', 'limits.ephemeral-storage', '1Gi', '20'], // node allocatable
    ['side', 'limits.cpu', '1m', '2000'], // no limit: node allocatable
    ['side', 'limits.memory', '1Gi', '4'],
    ['side', 'requests.cpu', undefined, '0'],
    ['init', 'limits.cpu', undefined, '2'],
    ['app', 'limits.cpu', '0', '1'], // zero divisor means 1
  ])('%s %s / %s', (c, resource, divisor, want) => {
    expect(containerResourceValue(pod, c, { resource, ...(divisor ? { divisor } : {}) }, alloc)).toBe(want);
  });

  it('errors', () => {
    expect(() => containerResourceValue(pod, 'nope', { resource: 'limits.cpu' }, alloc)).toThrow('container nope not found');
    expect(() => containerResourceValue(pod, 'app', { resource: 'limits.gpu' }, alloc)).toThrow('unsupported container resource : limits.gpu');
  });
});
