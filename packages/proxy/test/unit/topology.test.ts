// categorizeEndpoints: the table of upstream pkg/proxy/topology_test.go TestCategorizeEndpoints,
// as of v1.32 (ProxyTerminatingEndpoints GA, hints used whenever every ready endpoint has them,
// so the hints-annotation and feature-gate-off cases are gone).
import { describe, expect, it } from 'vitest';
import { categorizeEndpoints, externallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from '../../src/topology.js';
import type { EndpointInfo, ServicePortInfo } from '../../src/types.js';

function svc(o: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    name: 'ns/svc:p', namespace: 'ns', serviceName: 'svc', portName: 'p', protocol: 'TCP', clusterIP: '10.96.0.1', port: 80,
    nodePort: 0, externalIPs: [], loadBalancerIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0, ...o,
  };
}
interface EpOpts { zoneHints?: string[]; ready?: boolean; serving?: boolean; terminating?: boolean; isLocal?: boolean }
function ep(endpoint: string, o: EpOpts = {}): EndpointInfo {
  const [ip, port] = endpoint.split(':');
  const ready = o.ready ?? false;
  const e: EndpointInfo = { endpoint, ip: ip!, port: Number(port), ready, serving: o.serving ?? ready, terminating: o.terminating ?? false, isLocal: o.isLocal ?? false };
  if (o.zoneHints) e.zoneHints = o.zoneHints;
  return e;
}
const zoneA = { 'topology.kubernetes.io/zone': 'zone-a' };

interface Case {
  name: string;
  nodeLabels?: Record<string, string>;
  serviceInfo: ServicePortInfo;
  endpoints: EndpointInfo[];
  // null: "the service does not use this kind of endpoints"; [] "uses them, has none".
  clusterEndpoints: string[] | null;
  localEndpoints: string[] | null;
  allEndpoints?: string[];
  onlyRemoteEndpoints?: boolean;
}

const four = (hints: Array<string[] | undefined>, extra: EpOpts[] = []): EndpointInfo[] =>
  ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.5:80', '10.1.2.6:80'].map((e, i) => ep(e, { ready: true, ...(hints[i] ? { zoneHints: hints[i] } : {}), ...extra[i] }));

const cases: Case[] = [
  {
    name: 'hints enabled, filters to the node\'s zone',
    nodeLabels: zoneA, serviceInfo: svc(),
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']]),
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'], localEndpoints: null,
  },
  {
    name: 'externalTrafficPolicy: Local, topology ignored for Local endpoints',
    nodeLabels: zoneA, serviceInfo: svc({ externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']], [{ isLocal: true }, { isLocal: true }]),
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'], localEndpoints: ['10.1.2.3:80', '10.1.2.4:80'],
    allEndpoints: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, topology ignored for Local endpoints',
    nodeLabels: zoneA, serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: false, nodePort: 8080 }),
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']], [{ isLocal: true }, { isLocal: true }]),
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.6:80'], localEndpoints: ['10.1.2.3:80', '10.1.2.4:80'],
    allEndpoints: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'],
  },
  {
    name: 'empty node labels', nodeLabels: {}, serviceInfo: svc(),
    endpoints: [ep('10.1.2.3:80', { zoneHints: ['zone-a'], ready: true })],
    clusterEndpoints: ['10.1.2.3:80'], localEndpoints: null,
  },
  {
    name: 'empty zone label', nodeLabels: { 'topology.kubernetes.io/zone': '' }, serviceInfo: svc(),
    endpoints: [ep('10.1.2.3:80', { zoneHints: ['zone-a'], ready: true })],
    clusterEndpoints: ['10.1.2.3:80'], localEndpoints: null,
  },
  {
    name: 'node in different zone, no endpoint filtering', nodeLabels: { 'topology.kubernetes.io/zone': 'zone-b' }, serviceInfo: svc(),
    endpoints: [ep('10.1.2.3:80', { zoneHints: ['zone-a'], ready: true })],
    clusterEndpoints: ['10.1.2.3:80'], localEndpoints: null,
  },
  {
    name: 'unready endpoint', nodeLabels: zoneA, serviceInfo: svc(),
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']], [{}, {}, {}, { ready: false }]),
    clusterEndpoints: ['10.1.2.3:80'], localEndpoints: null,
  },
  {
    name: 'only unready endpoints in same zone (should not filter)', nodeLabels: zoneA, serviceInfo: svc(),
    endpoints: four([['zone-a'], ['zone-b'], ['zone-c'], ['zone-a']], [{ ready: false }, {}, {}, { ready: false }]),
    clusterEndpoints: ['10.1.2.4:80', '10.1.2.5:80'], localEndpoints: null,
  },
  {
    name: 'missing hints, no filtering applied', nodeLabels: zoneA, serviceInfo: svc(),
    endpoints: four([['zone-a'], ['zone-b'], undefined, ['zone-a']]),
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.5:80', '10.1.2.6:80'], localEndpoints: null,
  },
  {
    name: 'multiple hints per endpoint, filtering includes any endpoint with zone included',
    nodeLabels: { 'topology.kubernetes.io/zone': 'zone-c' }, serviceInfo: svc(),
    endpoints: four([['zone-a', 'zone-b', 'zone-c'], ['zone-b', 'zone-c'], ['zone-b', 'zone-d'], ['zone-c']]),
    clusterEndpoints: ['10.1.2.3:80', '10.1.2.4:80', '10.1.2.6:80'], localEndpoints: null,
  },
  {
    name: 'conflicting topology and localness require merging allEndpoints',
    nodeLabels: zoneA, serviceInfo: svc({ internalPolicyLocal: false, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [
      ep('10.0.0.0:80', { zoneHints: ['zone-a'], ready: true, isLocal: true }),
      ep('10.0.0.1:80', { zoneHints: ['zone-b'], ready: true, isLocal: true }),
      ep('10.0.0.2:80', { zoneHints: ['zone-a'], ready: true, isLocal: false }),
      ep('10.0.0.3:80', { zoneHints: ['zone-b'], ready: true, isLocal: false }),
    ],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.2:80'], localEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
    allEndpoints: ['10.0.0.0:80', '10.0.0.1:80', '10.0.0.2:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, with empty endpoints', serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [], clusterEndpoints: null, localEndpoints: [],
  },
  {
    name: 'internalTrafficPolicy: Local, but all endpoints are remote', serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: null, localEndpoints: [], onlyRemoteEndpoints: true,
  },
  {
    name: 'internalTrafficPolicy: Local, all endpoints are local', serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true, isLocal: true }), ep('10.0.0.1:80', { ready: true, isLocal: true })],
    clusterEndpoints: null, localEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'internalTrafficPolicy: Local, some endpoints are local', serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true, isLocal: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: null, localEndpoints: ['10.0.0.0:80'],
  },
  {
    name: 'Cluster traffic policy, endpoints not Ready', serviceInfo: svc(),
    endpoints: [ep('10.0.0.0:80'), ep('10.0.0.1:80')],
    clusterEndpoints: [], localEndpoints: null,
  },
  {
    name: 'Cluster traffic policy, some endpoints are Ready', serviceInfo: svc(),
    endpoints: [ep('10.0.0.0:80'), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.1:80'], localEndpoints: null,
  },
  {
    name: 'Cluster traffic policy, all endpoints are terminating', serviceInfo: svc(),
    endpoints: [ep('10.0.0.0:80', { serving: true, terminating: true, isLocal: true }), ep('10.0.0.1:80', { serving: true, terminating: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], localEndpoints: null,
  },
  {
    name: 'iTP: Local, eTP: Cluster, some endpoints local', serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: false, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true, isLocal: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], localEndpoints: ['10.0.0.0:80'], allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Cluster, eTP: Local, some endpoints local', serviceInfo: svc({ internalPolicyLocal: false, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true, isLocal: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], localEndpoints: ['10.0.0.0:80'], allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, some endpoints local', serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true, isLocal: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], localEndpoints: ['10.0.0.0:80'], allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, all endpoints remote', serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], localEndpoints: [], allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'iTP: Local, eTP: Local, all endpoints remote and terminating', serviceInfo: svc({ internalPolicyLocal: true, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [ep('10.0.0.0:80', { serving: true, terminating: true }), ep('10.0.0.1:80', { serving: true, terminating: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], localEndpoints: [], allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], onlyRemoteEndpoints: true,
  },
  {
    name: 'iTP: Cluster, eTP: Local, with terminating endpoints', serviceInfo: svc({ internalPolicyLocal: false, externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [
      ep('10.0.0.0:80', { ready: true }),
      ep('10.0.0.1:80', { ready: false, serving: false, isLocal: true }),
      ep('10.0.0.2:80', { serving: true, terminating: true, isLocal: true }),
      ep('10.0.0.3:80', { serving: true, terminating: true }),
    ],
    clusterEndpoints: ['10.0.0.0:80'], localEndpoints: ['10.0.0.2:80'], allEndpoints: ['10.0.0.0:80', '10.0.0.2:80'],
  },
  {
    name: 'externalTrafficPolicy ignored if not externally accessible', serviceInfo: svc({ externalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true, isLocal: true })],
    clusterEndpoints: ['10.0.0.0:80', '10.0.0.1:80'], localEndpoints: null, allEndpoints: ['10.0.0.0:80', '10.0.0.1:80'],
  },
  {
    name: 'no cluster endpoints for iTP:Local internal-only service', serviceInfo: svc({ internalPolicyLocal: true }),
    endpoints: [ep('10.0.0.0:80', { ready: true }), ep('10.0.0.1:80', { ready: true, isLocal: true })],
    clusterEndpoints: null, localEndpoints: ['10.0.0.1:80'], allEndpoints: ['10.0.0.1:80'],
  },
];

const names = (eps: readonly EndpointInfo[] | null): string[] => (eps ?? []).map((e) => e.endpoint).sort();

describe('categorizeEndpoints (upstream TestCategorizeEndpoints)', () => {
  const check = (tc: Case): void => {
    const got = categorizeEndpoints(tc.endpoints, tc.serviceInfo, tc.nodeLabels ?? {});
    // Upstream distinguishes nil ("not used") from an empty set only where nil is expected.
    if (tc.clusterEndpoints === null) expect(got.clusterEndpoints).toBeNull();
    else expect(names(got.clusterEndpoints)).toEqual([...tc.clusterEndpoints].sort());
    if (tc.localEndpoints === null) expect(got.localEndpoints).toBeNull();
    else expect(names(got.localEndpoints)).toEqual([...tc.localEndpoints].sort());

    const expectedAll = tc.clusterEndpoints !== null && tc.localEndpoints === null ? tc.clusterEndpoints
      : tc.localEndpoints !== null && tc.clusterEndpoints === null ? tc.localEndpoints
        : tc.allEndpoints ?? [];
    expect(names(got.allReachableEndpoints)).toEqual([...expectedAll].sort());
    expect(got.hasAnyEndpoints).toBe(expectedAll.length > 0 || (tc.onlyRemoteEndpoints ?? false));
  };
  for (const tc of cases) {
    it(tc.name, () => check(tc));
  }
});

describe('traffic policy helpers (BaseServicePortInfo)', () => {
  it('externallyAccessible: node port, external IPs or load-balancer IPs', () => {
    expect(externallyAccessible(svc())).toBe(false);
    expect(externallyAccessible(svc({ nodePort: 30000 }))).toBe(true);
    expect(externallyAccessible(svc({ externalIPs: ['192.0.2.1'] }))).toBe(true);
    expect(externallyAccessible(svc({ loadBalancerIPs: ['198.51.100.1'] }))).toBe(true);
  });

  it('usesClusterEndpoints: internal Cluster, or any external access (short-circuiting needs them)', () => {
    expect(usesClusterEndpoints(svc())).toBe(true);
    expect(usesClusterEndpoints(svc({ internalPolicyLocal: true }))).toBe(false);
    expect(usesClusterEndpoints(svc({ internalPolicyLocal: true, nodePort: 30000 }))).toBe(true);
  });

  it('usesClusterEndpoints with both policies Local on a node port (short-circuit for local traffic)', () => {
    expect(usesClusterEndpoints(svc({ internalPolicyLocal: true, externalPolicyLocal: true, nodePort: 30000 }))).toBe(true);
  });

  it('usesLocalEndpoints: internal Local, or external Local on an externally accessible port', () => {
    expect(usesLocalEndpoints(svc())).toBe(false);
    expect(usesLocalEndpoints(svc({ internalPolicyLocal: true }))).toBe(true);
    expect(usesLocalEndpoints(svc({ externalPolicyLocal: true }))).toBe(false);
    expect(usesLocalEndpoints(svc({ externalPolicyLocal: true, nodePort: 30000 }))).toBe(true);
  });
});
