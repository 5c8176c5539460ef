// Service → ServicePortInfo (upstream serviceport.go newBaseServiceInfo, servicechangetracker.go
// serviceToServiceMap + ShouldSkipService, pkg/api/v1/service policy helpers).
import { describe, expect, it } from 'vitest';
import type { Service, ServiceSpec } from '@kube-ts/client/services';
import { servicePortName, servicePortsFromService, shouldSkipService } from '../../src/model/service.js';

function svc(spec: ServiceSpec, status?: Record<string, unknown>, name = 'web', ns = 'default'): Service {
  const s: Service = { metadata: { name, namespace: ns }, spec };
  if (status) s.status = status;
  return s;
}

describe('servicePortName', () => {
  it('formats named and unnamed ports as ServicePortName.String()', () => {
    expect(servicePortName('ns', 'svc', 'http')).toBe('ns/svc:http');
    expect(servicePortName('ns', 'svc', '')).toBe('ns/svc');
  });
});

describe('servicePortsFromService', () => {
  it('converts a ClusterIP service with defaults', () => {
    const [p, ...rest] = servicePortsFromService(svc({ clusterIP: '10.96.0.10', ports: [{ port: 80 }] }));
    expect(rest).toEqual([]);
    expect(p).toEqual({
      name: 'default/web', namespace: 'default', serviceName: 'web', portName: '', protocol: 'TCP',
      clusterIP: '10.96.0.10', port: 80, nodePort: 0, externalIPs: [], loadBalancerIPs: [],
      loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0, externalPolicyLocal: false,
      internalPolicyLocal: false, healthCheckNodePort: 0,
    });
  });

  it('names every port of a multi-port service and keeps protocols and node ports', () => {
    const ports = servicePortsFromService(svc({
      type: 'NodePort', clusterIP: '10.96.0.11',
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', nodePort: 30054 }, { name: 'sctp', port: 9, protocol: 'SCTP' }],
    }));
    expect(ports.map((p) => [p.name, p.portName, p.protocol, p.port, p.nodePort])).toEqual([
      ['default/web:dns', 'dns', 'UDP', 53, 30053],
      ['default/web:dns-tcp', 'dns-tcp', 'TCP', 53, 30054],
      ['default/web:sctp', 'sctp', 'SCTP', 9, 0],
    ]);
  });

  it.each([
    ['headless (None)', { clusterIP: 'None', ports: [{ port: 80 }] }],
    ['no cluster IP', { ports: [{ port: 80 }] }],
    ['empty cluster IP', { clusterIP: '', ports: [{ port: 80 }] }],
    ['ExternalName', { type: 'ExternalName', clusterIP: '10.96.0.12', externalName: 'example.com', ports: [{ port: 80 }] }],
    ['IPv6 single-stack', { clusterIP: 'fd00::10', clusterIPs: ['fd00::10'], ports: [{ port: 80 }] }],
  ] as Array<[string, ServiceSpec]>)('skips a %s service', (_n, spec) => {
    expect(servicePortsFromService(svc(spec))).toEqual([]);
  });

  it('shouldSkipService matches upstream ShouldSkipService', () => {
    expect(shouldSkipService(svc({ clusterIP: 'None' }))).toBe(true);
    expect(shouldSkipService(svc({ type: 'ExternalName', clusterIP: '10.0.0.1' }))).toBe(true);
    expect(shouldSkipService(svc({ clusterIP: '10.0.0.1' }))).toBe(false);
  });

  it('takes the IPv4 cluster IP of a dual-stack service', () => {
    const [p] = servicePortsFromService(svc({ clusterIP: 'fd00::1', clusterIPs: ['fd00::1', '10.96.0.13'], ports: [{ port: 80 }] }));
    expect(p?.clusterIP).toBe('10.96.0.13');
  });

  it('sessionAffinity ClientIP: the configured timeout, else the 10800 s default', () => {
    const withCfg = servicePortsFromService(svc({ clusterIP: '10.0.0.1', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] }));
    const withoutCfg = servicePortsFromService(svc({ clusterIP: '10.0.0.1', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] }));
    const none = servicePortsFromService(svc({ clusterIP: '10.0.0.1', sessionAffinity: 'None', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ port: 80 }] }));
    expect(withCfg[0]?.stickyMaxAgeSeconds).toBe(60);
    expect(withoutCfg[0]?.stickyMaxAgeSeconds).toBe(10800);
    expect(none[0]?.stickyMaxAgeSeconds).toBe(0);
  });

  it.each([
    ['ClusterIP', { type: 'ClusterIP' }, false],
    ['ClusterIP with externalIPs', { type: 'ClusterIP', externalIPs: ['192.0.2.1'] }, true],
    ['NodePort', { type: 'NodePort' }, true],
    ['LoadBalancer', { type: 'LoadBalancer' }, true],
  ] as Array<[string, ServiceSpec, boolean]>)('externalTrafficPolicy Local counts only when externally accessible: %s', (_n, spec, want) => {
    const [p] = servicePortsFromService(svc({ ...spec, clusterIP: '10.0.0.1', externalTrafficPolicy: 'Local', ports: [{ port: 80, nodePort: spec.type === 'ClusterIP' ? undefined : 30080 }] }));
    expect(p?.externalPolicyLocal).toBe(want);
  });

  it('internalTrafficPolicy Local', () => {
    const [local] = servicePortsFromService(svc({ clusterIP: '10.0.0.1', internalTrafficPolicy: 'Local', ports: [{ port: 80 }] }));
    const [cluster] = servicePortsFromService(svc({ clusterIP: '10.0.0.1', internalTrafficPolicy: 'Cluster', ports: [{ port: 80 }] }));
    expect(local?.internalPolicyLocal).toBe(true);
    expect(cluster?.internalPolicyLocal).toBe(false);
  });

  it('healthCheckNodePort only for LoadBalancer services with externalTrafficPolicy Local', () => {
    const lbLocal = servicePortsFromService(svc({ type: 'LoadBalancer', clusterIP: '10.0.0.1', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80, nodePort: 30080 }] }));
    const lbCluster = servicePortsFromService(svc({ type: 'LoadBalancer', clusterIP: '10.0.0.1', externalTrafficPolicy: 'Cluster', healthCheckNodePort: 32000, ports: [{ port: 80, nodePort: 30080 }] }));
    const npLocal = servicePortsFromService(svc({ type: 'NodePort', clusterIP: '10.0.0.1', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ port: 80, nodePort: 30080 }] }));
    expect(lbLocal[0]?.healthCheckNodePort).toBe(32000);
    expect(lbCluster[0]?.healthCheckNodePort).toBe(0);
    expect(npLocal[0]?.healthCheckNodePort).toBe(0);
  });

  it('keeps IPv4 externalIPs, VIP-mode IPv4 load-balancer ingress IPs and trimmed IPv4 source ranges', () => {
    const [p] = servicePortsFromService(svc(
      { type: 'LoadBalancer', clusterIP: '10.0.0.1', externalIPs: ['192.0.2.1', '2001:db8::1'], loadBalancerSourceRanges: [' 203.0.113.0/24 ', '2001:db8::/64', 'junk'], ports: [{ port: 80, nodePort: 30080 }] },
      { loadBalancer: { ingress: [{ ip: '198.51.100.1' }, { ip: '198.51.100.2', ipMode: 'VIP' }, { ip: '198.51.100.3', ipMode: 'Proxy' }, { hostname: 'lb.example.com' }, { ip: '2001:db8::2' }] } },
    ));
    expect(p?.externalIPs).toEqual(['192.0.2.1']);
    expect(p?.loadBalancerIPs).toEqual(['198.51.100.1', '198.51.100.2']);
    expect(p?.loadBalancerSourceRanges).toEqual(['203.0.113.0/24']);
  });
});
