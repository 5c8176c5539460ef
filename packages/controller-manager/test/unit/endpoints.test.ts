// Endpoints controller logic: subsets (named ports, readiness, terminating pods,
// publishNotReadyAddresses, headless hostnames), RepackSubsets (upstream util_test.go
// TestPackSubsets), the 1000-address cap, trigger times and pod-change fan-out.
import { describe, expect, it } from 'vitest';
import type { EndpointAddress, EndpointSubset } from '@kube-ts/client/services';
import { fnv128aHex, md5Bytes, spewSlicePort, spewSubset } from '../../src/controllers/endpoints/gohash.js';
import { repackSubsets, sortSubsets } from '../../src/controllers/endpoints/repack.js';
import { computeSubsets } from '../../src/controllers/endpoints/subsets.js';
import { capacityAnnotationSetCorrectly, truncateSubsets } from '../../src/controllers/endpoints/capacity.js';
import { formatRFC3339Nano, TriggerTimeTracker } from '../../src/controllers/endpoints/triggertime.js';
import { findPort, servicesToUpdateOnPodChange } from '../../src/controllers/endpoints/podutil.js';
import { subsetsEqualIgnoreResourceVersion } from '../../src/controllers/endpoints/equal.js';
import { pod, service } from './endpoint-fixtures.js';

const ips = (as: EndpointAddress[] | undefined): string[] => (as ?? []).map((a) => a.ip);

describe('Go hashing helpers', () => {
  it('formats subsets as go-spew %#v does', () => {
    const s: EndpointSubset = {
      addresses: [{ ip: '10.1.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'p', uid: 'u' } }],
      ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
    };
    expect(spewSubset(s)).toBe('(v1.EndpointSubset){Addresses:([]v1.EndpointAddress)[{IP:(string)10.1.0.1 Hostname:(string) '
      + 'NodeName:(*string)n1 TargetRef:(*v1.ObjectReference){Kind:(string)Pod Namespace:(string)ns Name:(string)p UID:(types.UID)u '
      + 'APIVersion:(string) ResourceVersion:(string) FieldPath:(string)}}] NotReadyAddresses:([]v1.EndpointAddress)<nil> '
      + 'Ports:([]v1.EndpointPort)[{Name:(string)http Port:(int32)80 Protocol:(v1.Protocol)TCP AppProtocol:(*string)<nil>}]}');
    expect(spewSlicePort({ name: '', protocol: 'TCP', port: 80 })).toBe('(v1.EndpointPort){Name:(*string) Protocol:(*v1.Protocol)TCP Port:(*int32)80 AppProtocol:(*string)<nil>}');
  });

  it('computes FNV-1a 128 and md5 like Go (golden values)', () => {
    expect(fnv128aHex('')).toBe('6c62272e07bb014262b821756295c58d');
    expect(fnv128aHex('a')).toBe('d228cb696f1a8caf78912b704e4a8964');
    expect(md5Bytes('').toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
  });
});

describe('RepackSubsets (upstream TestPackSubsets)', () => {
  const ref = (uid: string) => ({ uid });
  const p = (port: number) => ({ port });
  const cases: Array<{ name: string; given: EndpointSubset[]; expect: EndpointSubset[] }> = [
    { name: 'empty everything', given: [{ addresses: [], ports: [] }], expect: [] },
    { name: 'empty addresses', given: [{ addresses: [], ports: [p(111)] }], expect: [] },
    { name: 'one set, one ip, one port', given: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }], expect: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }] },
    {
      name: 'one set, two duplicate ips, one port, notReady is covered by ready',
      given: [{ addresses: [{ ip: '1.2.3.4' }], notReadyAddresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }],
      expect: [{ notReadyAddresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }],
    },
    { name: 'one set, dup ips, one port', given: [{ addresses: [{ ip: '1.2.3.4' }, { ip: '1.2.3.4' }], ports: [p(111)] }], expect: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }] },
    {
      name: 'one set, dup ips with target-refs, one port',
      given: [{ addresses: [{ ip: '1.2.3.4', targetRef: { name: 'foo' } }, { ip: '1.2.3.4', targetRef: { name: 'bar' } }], ports: [p(111)] }],
      expect: [{ addresses: [{ ip: '1.2.3.4', targetRef: { name: 'foo' } }], ports: [p(111)] }],
    },
    { name: 'one set, one ip, dup ports', given: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111), p(111)] }], expect: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }] },
    {
      name: 'two sets, dup ip, two ports',
      given: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }, { addresses: [{ ip: '1.2.3.4' }], ports: [p(222)] }],
      expect: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111), p(222)] }],
    },
    {
      name: 'two sets, dup mixed ip, dup uids, two ports',
      given: [{ addresses: [{ ip: '1.2.3.4', targetRef: ref('uid-1') }], ports: [p(111)] }, { notReadyAddresses: [{ ip: '1.2.3.4', targetRef: ref('uid-1') }], ports: [p(222)] }],
      expect: [{ addresses: [{ ip: '1.2.3.4', targetRef: ref('uid-1') }], ports: [p(111)] }, { notReadyAddresses: [{ ip: '1.2.3.4', targetRef: ref('uid-1') }], ports: [p(222)] }],
    },
    {
      name: 'two set, dup ip, with and without uid, dup ports',
      given: [{ addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }, { addresses: [{ ip: '1.2.3.4', targetRef: ref('uid-2') }], ports: [p(111)] }],
      expect: [{ addresses: [{ ip: '1.2.3.4' }, { ip: '1.2.3.4', targetRef: ref('uid-2') }], ports: [p(111)] }],
    },
    {
      name: 'two sets, two mixed ips, two dup ip with uid, dup port, wrong order, ends up with split addresses',
      given: [
        { addresses: [{ ip: '5.6.7.8' }], ports: [p(111)] },
        { notReadyAddresses: [{ ip: '5.6.7.8', targetRef: ref('uid-1') }], ports: [p(111)] },
        { notReadyAddresses: [{ ip: '1.2.3.4', targetRef: ref('uid-1') }], ports: [p(111)] },
        { notReadyAddresses: [{ ip: '1.2.3.4' }], ports: [p(111)] },
      ],
      expect: [{
        addresses: [{ ip: '5.6.7.8' }],
        notReadyAddresses: [{ ip: '1.2.3.4' }, { ip: '1.2.3.4', targetRef: ref('uid-1') }, { ip: '5.6.7.8', targetRef: ref('uid-1') }],
        ports: [p(111)],
      }],
    },
    {
      name: 'four sets, three ips, three ports, jumbled',
      given: [
        { addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }, { addresses: [{ ip: '1.2.3.5' }], ports: [p(222)] },
        { addresses: [{ ip: '1.2.3.6' }], ports: [p(111)] }, { addresses: [{ ip: '1.2.3.5' }], ports: [p(333)] },
      ],
      expect: [{ addresses: [{ ip: '1.2.3.4' }, { ip: '1.2.3.6' }], ports: [p(111)] }, { addresses: [{ ip: '1.2.3.5' }], ports: [p(222), p(333)] }],
    },
    {
      name: 'addresses without ports are kept (headless service without ports)',
      given: [{ addresses: [{ ip: '1.2.3.4' }] }, { addresses: [{ ip: '1.2.3.5' }], ports: [] }],
      expect: [{ addresses: [{ ip: '1.2.3.4' }, { ip: '1.2.3.5' }] }],
    },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      expect(repackSubsets(tc.given)).toEqual(sortSubsets(tc.expect));
    });
  }

  it('is independent of input order', () => {
    const a: EndpointSubset[] = [
      { addresses: [{ ip: '1.2.3.4' }], ports: [p(111)] }, { addresses: [{ ip: '1.2.3.5' }], ports: [p(222)] },
      { addresses: [{ ip: '1.2.3.6' }], ports: [p(333)] },
    ];
    expect(repackSubsets([...a].reverse())).toEqual(repackSubsets(a));
  });
});

describe('computeSubsets', () => {
  it('resolves named target ports per pod and groups pods by port set', () => {
    const svc = service({ ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] });
    const r = computeSubsets(svc, [
      pod('a', { ip: '10.0.1.1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('b', { ip: '10.0.1.2', ports: [{ name: 'web', containerPort: 9090 }] }),
      pod('c', { ip: '10.0.1.3', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('d', { ip: '10.0.1.4', ports: [{ name: 'other', containerPort: 8080 }] }),
      pod('e', { ip: '10.0.1.5', ports: [{ name: 'web', containerPort: 8080, protocol: 'UDP' }] }),
    ]);
    const byPort = new Map(r.subsets.map((s) => [s.ports![0]!.port, ips(s.addresses)]));
    expect(byPort).toEqual(new Map([[8080, ['10.0.1.1', '10.0.1.3']], [9090, ['10.0.1.2']]]));
    expect(r.subsets.every((s) => s.ports!.length === 1 && s.ports![0]!.name === 'http' && s.ports![0]!.protocol === 'TCP')).toBe(true);
  });

  it('splits ready and not-ready pods and skips pods without IPs or in a terminal phase', () => {
    const r = computeSubsets(service(), [
      pod('a', { ip: '10.0.1.1' }), pod('b', { ip: '10.0.1.2', ready: false }), pod('c'),
      pod('d', { ip: '10.0.1.4', phase: 'Succeeded' }),
    ]);
    expect(r.subsets).toHaveLength(1);
    const s = r.subsets[0]!;
    expect(ips(s.addresses)).toEqual(['10.0.1.1']);
    expect(ips(s.notReadyAddresses)).toEqual(['10.0.1.2']);
    expect(s.ports).toEqual([{ name: 'http', port: 8080, protocol: 'TCP' }]);
    expect(s.addresses![0]).toEqual({ ip: '10.0.1.1', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } });
  });

  it('leaves terminating pods out unless publishNotReadyAddresses, which makes every address ready', () => {
    const pods = [pod('a', { ip: '10.0.1.1', deleting: true }), pod('b', { ip: '10.0.1.2', ready: false })];
    const normal = computeSubsets(service(), pods);
    expect(ips(normal.subsets[0]!.addresses)).toEqual([]);
    expect(ips(normal.subsets[0]!.notReadyAddresses)).toEqual(['10.0.1.2']);
    const publish = computeSubsets(service({ publishNotReady: true }), pods);
    expect(ips(publish.subsets[0]!.addresses)).toEqual(['10.0.1.1', '10.0.1.2']);
    expect(publish.subsets[0]!.notReadyAddresses).toBeUndefined();
  });

  it('publishes hostnames of pods whose subdomain is the service, and headless services without ports', () => {
    const svc = service({ clusterIP: 'None', ports: [] });
    const r = computeSubsets(svc, [
      pod('a', { ip: '10.0.1.1', hostname: 'a-host', subdomain: 'web' }),
      pod('b', { ip: '10.0.1.2', hostname: 'b-host', subdomain: 'other' }),
    ]);
    expect(r.subsets).toEqual([{ addresses: [
      { ip: '10.0.1.1', hostname: 'a-host', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' } },
      { ip: '10.0.1.2', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: 'ns', name: 'b', uid: 'uid-b' } },
    ] }]);
    // A non-headless service without ports gets nothing.
    expect(computeSubsets(service({ ports: [] }), [pod('a', { ip: '10.0.1.1' })]).subsets).toEqual([]);
  });

  it('picks the pod IP of the service family', () => {
    const dual = pod('a', { ip: '10.0.1.1' });
    dual.status!.podIPs = [{ ip: '10.0.1.1' }, { ip: 'fd00::1' }];
    const v6 = service(); v6.spec!.ipFamilies = ['IPv6'];
    expect(ips(computeSubsets(v6, [dual]).subsets[0]!.addresses)).toEqual(['fd00::1']);
  });

  it('compares subsets ignoring target resourceVersions and empty lists', () => {
    const a: EndpointSubset[] = [{ addresses: [{ ip: '1.1.1.1', targetRef: { kind: 'Pod', name: 'p', resourceVersion: '5' } }], notReadyAddresses: [], ports: [{ port: 80 }] }];
    const b: EndpointSubset[] = [{ addresses: [{ ip: '1.1.1.1', targetRef: { kind: 'Pod', name: 'p' } }], ports: [{ port: 80 }] }];
    expect(subsetsEqualIgnoreResourceVersion(a, b)).toBe(true);
    expect(subsetsEqualIgnoreResourceVersion(a, [{ ...b[0]!, ports: [{ port: 81 }] }])).toBe(false);
  });
});

describe('findPort', () => {
  it('uses numeric target ports, the service port when unset, and sidecar ports', () => {
    const p = pod('a', { ports: [{ name: 'web', containerPort: 8080 }] });
    p.spec.initContainers = [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9100 }] }];
    expect(findPort(p, { port: 80, targetPort: 8081 })).toBe(8081);
    expect(findPort(p, { port: 80 })).toBe(80);
    expect(findPort(p, { port: 80, targetPort: 'metrics' })).toBe(9100);
    expect(findPort(p, { port: 80, targetPort: 'nope' })).toBeUndefined();
  });
});

describe('capacity (truncateEndpoints)', () => {
  const addrs = (n: number, base: string): EndpointAddress[] => Array.from({ length: n }, (_, i) => ({ ip: `${base}.${Math.floor(i / 250)}.${i % 250}` }));
  it('keeps ready addresses first and drops not-ready ones beyond the cap', () => {
    const subsets: EndpointSubset[] = [{ addresses: addrs(600, '10.1'), notReadyAddresses: addrs(600, '10.2'), ports: [{ port: 80 }] }];
    expect(truncateSubsets(subsets)).toBe(true);
    expect(subsets[0]!.addresses).toHaveLength(600);
    expect(subsets[0]!.notReadyAddresses).toHaveLength(400);
  });
  it('shares the ready budget between subsets in proportion', () => {
    const subsets: EndpointSubset[] = [
      { addresses: addrs(1500, '10.1'), notReadyAddresses: addrs(10, '10.3'), ports: [{ port: 80 }] },
      { addresses: addrs(500, '10.2'), ports: [{ port: 81 }] },
    ];
    expect(truncateSubsets(subsets)).toBe(true);
    expect(subsets.map((s) => [s.addresses!.length, s.notReadyAddresses?.length ?? 0])).toEqual([[750, 0], [250, 0]]);
  });
  it('leaves subsets under the cap alone and checks the annotation', () => {
    const subsets: EndpointSubset[] = [{ addresses: addrs(1000, '10.1'), ports: [{ port: 80 }] }];
    expect(truncateSubsets(subsets)).toBe(false);
    expect(capacityAnnotationSetCorrectly({}, subsets)).toBe(true);
    expect(capacityAnnotationSetCorrectly({ 'endpoints.kubernetes.io/over-capacity': 'truncated' }, subsets)).toBe(false);
    expect(capacityAnnotationSetCorrectly({}, [{ addresses: addrs(1001, '10.1') }])).toBe(false);
  });
});

describe('TriggerTimeTracker', () => {
  it('reports service creation first, then the earliest new readiness change, then nothing', () => {
    const t = new TriggerTimeTracker();
    const svc = service();
    const a = pod('a', { readySince: '2024-01-01T00:01:00Z' });
    expect(formatRFC3339Nano(t.compute('ns', svc, [a]))).toBe('2024-01-01T00:00:00Z');
    expect(t.compute('ns', svc, [a])).toBe(0);
    const a2 = pod('a', { readySince: '2024-01-01T00:03:00Z' });
    const b = pod('b', { readySince: '2024-01-01T00:02:00Z' });
    expect(formatRFC3339Nano(t.compute('ns', svc, [a2, b]))).toBe('2024-01-01T00:02:00Z');
    expect(formatRFC3339Nano(Date.parse('2024-01-01T00:00:00.120Z'))).toBe('2024-01-01T00:00:00.12Z');
  });
});

describe('servicesToUpdateOnPodChange', () => {
  const svcs = [service({ name: 'web' }), { ...service({ name: 'api' }), spec: { ...service().spec, selector: { app: 'api' } } }];
  it('ignores resyncs and irrelevant changes', () => {
    const a = pod('a', { ip: '1.1.1.1' });
    expect(servicesToUpdateOnPodChange(svcs, a, a).size).toBe(0);
    expect(servicesToUpdateOnPodChange(svcs, a, { ...a, metadata: { ...a.metadata, resourceVersion: '2', annotations: { x: 'y' } } }).size).toBe(0);
  });
  it('enqueues the old and new services when labels change', () => {
    const a = pod('a', { ip: '1.1.1.1' });
    const moved = pod('a', { ip: '1.1.1.1', rv: '2', labels: { app: 'api' } });
    expect([...servicesToUpdateOnPodChange(svcs, a, moved)].sort()).toEqual(['ns/api', 'ns/web']);
    const notReady = pod('a', { ip: '1.1.1.1', rv: '2', ready: false });
    expect([...servicesToUpdateOnPodChange(svcs, a, notReady)]).toEqual(['ns/web']);
  });
});
