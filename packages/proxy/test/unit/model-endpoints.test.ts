// EndpointSlices → EndpointInfo lists (upstream endpointslicecache.go: condition defaults, port
// matching by name and protocol, multi-slice merge without duplicates, sorted output).
import { describe, expect, it } from 'vitest';
import type { Endpoint, EndpointPort, EndpointSlice } from '@kube-ts/client/services';
import { endpointsFromSlices, parseEndpointSlice } from '../../src/model/endpoints.js';
import { servicePortsFromService } from '../../src/model/service.js';

function slice(name: string, endpoints: Endpoint[] | null, ports: EndpointPort[], opts: { svc?: string; addressType?: EndpointSlice['addressType']; ns?: string } = {}): EndpointSlice {
  return {
    metadata: { name, namespace: opts.ns ?? 'ns', labels: { 'kubernetes.io/service-name': opts.svc ?? 'svc' } },
    addressType: opts.addressType ?? 'IPv4',
    endpoints,
    ports,
  };
}
const ep = (ip: string, extra: Partial<Endpoint> = {}): Endpoint => ({ addresses: [ip], ...extra });
const endpointsOf = (m: Map<string, unknown[]>, k: string): string[] => ((m.get(k) ?? []) as Array<{ endpoint: string }>).map((e) => e.endpoint);

describe('parseEndpointSlice', () => {
  it('applies upstream kube-proxy condition defaults (nil ready/serving → true)', () => {
    const parsed = parseEndpointSlice(slice('s1', [
      ep('10.0.0.1'),
      ep('10.0.0.2', { conditions: { ready: false } }),
      ep('10.0.0.3', { conditions: { ready: false, serving: true, terminating: true } }),
      ep('10.0.0.4', { conditions: { ready: true, serving: false } }),
    ], [{ name: 'http', port: 80, protocol: 'TCP' }]), 'node-a');
    expect(parsed?.endpoints.map((e) => [e.ip, e.ready, e.serving, e.terminating])).toEqual([
      ['10.0.0.1', true, true, false],
      ['10.0.0.2', false, true, false],
      ['10.0.0.3', false, true, true],
      ['10.0.0.4', true, false, false],
    ]);
  });

  it('marks endpoints on this node local and keeps zone and hints', () => {
    const parsed = parseEndpointSlice(slice('s1', [
      ep('10.0.0.1', { nodeName: 'node-a', zone: 'z1', hints: { forZones: [{ name: 'z2' }, { name: 'z1' }] } }),
      ep('10.0.0.2', { nodeName: 'node-b' }),
      ep('10.0.0.3'),
    ], [{ name: '', port: 80 }]), 'node-a');
    expect(parsed?.endpoints).toEqual([
      { ip: '10.0.0.1', ready: true, serving: true, terminating: false, isLocal: true, nodeName: 'node-a', zone: 'z1', zoneHints: ['z1', 'z2'] },
      { ip: '10.0.0.2', ready: true, serving: true, terminating: false, isLocal: false, nodeName: 'node-b' },
      { ip: '10.0.0.3', ready: true, serving: true, terminating: false, isLocal: false },
    ]);
  });

  it('an empty node name never makes an endpoint local', () => {
    const parsed = parseEndpointSlice(slice('s1', [ep('10.0.0.1', { nodeName: '' })], [{ port: 80 }]), '');
    expect(parsed?.endpoints[0]?.isLocal).toBe(false);
  });

  it('ignores IPv6 and FQDN slices, slices without the service-name label, and invalid ports/addresses', () => {
    expect(parseEndpointSlice(slice('s6', [ep('fd00::1')], [{ port: 80 }], { addressType: 'IPv6' }), 'n')).toBeNull();
    expect(parseEndpointSlice(slice('sf', [ep('example.com')], [{ port: 80 }], { addressType: 'FQDN' }), 'n')).toBeNull();
    const unlabeled = slice('s', [ep('10.0.0.1')], [{ port: 80 }]);
    unlabeled.metadata.labels = {};
    expect(parseEndpointSlice(unlabeled, 'n')).toBeNull();
    const parsed = parseEndpointSlice(slice('s', [ep('10.0.0.1'), { addresses: [] }, ep('fd00::2')], [{ name: 'a', port: 0 }, { name: 'b', port: 81 }]), 'n');
    expect(parsed?.ports).toEqual([{ name: 'b', protocol: 'TCP', port: 81 }]);
    expect(parsed?.endpoints.map((e) => e.ip)).toEqual(['10.0.0.1']);
  });
});

describe('endpointsFromSlices', () => {
  it('keys endpoints by service port name and builds ip:port endpoints per port', () => {
    const m = endpointsFromSlices([slice('s1', [ep('10.0.0.2'), ep('10.0.0.1')], [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }])], 'n');
    expect([...m.keys()].sort()).toEqual(['ns/svc:dns', 'ns/svc:http']);
    expect(endpointsOf(m, 'ns/svc:http')).toEqual(['10.0.0.1:8080', '10.0.0.2:8080']);
    expect(m.get('ns/svc:dns')?.[0]).toMatchObject({ endpoint: '10.0.0.1:53', ip: '10.0.0.1', port: 53 });
  });

  it('unnamed ports map to the unnamed service port name', () => {
    const m = endpointsFromSlices([slice('s1', [ep('10.0.0.1')], [{ name: '', port: 80 }])], 'n');
    expect(endpointsOf(m, 'ns/svc')).toEqual(['10.0.0.1:80']);
  });

  it('merges several slices of a service without duplicates, sorted by endpoint string', () => {
    const m = endpointsFromSlices([
      slice('s1', [ep('10.0.0.9'), ep('10.0.0.10')], [{ name: 'http', port: 80 }]),
      slice('s2', [ep('10.0.0.10'), ep('10.0.0.2')], [{ name: 'http', port: 80 }]),
      slice('other', [ep('10.9.9.9')], [{ name: 'http', port: 80 }], { svc: 'other' }),
    ], 'n');
    expect(endpointsOf(m, 'ns/svc:http')).toEqual(['10.0.0.10:80', '10.0.0.2:80', '10.0.0.9:80']);
    expect(endpointsOf(m, 'ns/other:http')).toEqual(['10.9.9.9:80']);
  });

  it('a duplicate endpoint prefers the local copy', () => {
    const m = endpointsFromSlices([
      slice('s1', [ep('10.0.0.1', { nodeName: 'other' })], [{ name: 'p', port: 80 }]),
      slice('s2', [ep('10.0.0.1', { nodeName: 'me' })], [{ name: 'p', port: 80 }]),
    ], 'me');
    expect(m.get('ns/svc:p')).toHaveLength(1);
    expect(m.get('ns/svc:p')?.[0]?.isLocal).toBe(true);
  });

  it('matches slice ports to service ports by name and protocol', () => {
    const services = servicePortsFromService({ metadata: { name: 'svc', namespace: 'ns' }, spec: { clusterIP: '10.96.0.1', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] } });
    const m = endpointsFromSlices([
      slice('s1', [ep('10.0.0.1')], [{ name: 'dns', port: 5353, protocol: 'TCP' }]),
      slice('s2', [ep('10.0.0.2')], [{ name: 'dns', port: 53, protocol: 'UDP' }]),
    ], 'n', services);
    expect(endpointsOf(m, 'ns/svc:dns')).toEqual(['10.0.0.2:53']);
  });

  it('ignores IPv6 slices of a dual-stack service', () => {
    const m = endpointsFromSlices([
      slice('v4', [ep('10.0.0.1')], [{ name: 'p', port: 80 }]),
      slice('v6', [ep('fd00::1')], [{ name: 'p', port: 80 }], { addressType: 'IPv6' }),
    ], 'n');
    expect(endpointsOf(m, 'ns/svc:p')).toEqual(['10.0.0.1:80']);
  });

  it('a service port without endpoints gets no entry', () => {
    const m = endpointsFromSlices([slice('s1', [], [{ name: 'p', port: 80 }]), slice('s2', null, [{ name: 'q', port: 81 }])], 'n');
    expect(m.size).toBe(0);
  });
});
