// Pod and Service builders shared by the endpoints and endpointslice unit tests.
import type { Service } from '@kube-ts/client/services';
import type { Pod } from '@kube-ts/client/types';

export function pod(name: string, o: { ip?: string; ready?: boolean; labels?: Record<string, string>; ports?: Array<{ name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }>; deleting?: boolean; phase?: 'Running' | 'Succeeded'; node?: string; hostname?: string; subdomain?: string; rv?: string; readySince?: string } = {}): Pod {
  const ip = o.ip;
  return {
    metadata: {
      name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: o.rv ?? '1', labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}),
    },
    spec: {
      nodeName: o.node ?? 'node-1', containers: [{ name: 'c', ports: o.ports ?? [] }],
      ...(o.hostname ? { hostname: o.hostname } : {}), ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:10Z' }],
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
    },
  };
}

export function service(o: { ports?: Service['spec'] extends infer S ? S extends { ports?: infer P } ? P : never : never; clusterIP?: string; publishNotReady?: boolean; name?: string } = {}): Service {
  return {
    metadata: { name: o.name ?? 'web', namespace: 'ns', uid: 'svc-uid', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: {
      selector: { app: 'web' }, clusterIP: o.clusterIP ?? '10.0.0.10', ipFamilies: ['IPv4'],
      ports: o.ports ?? [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }],
      ...(o.publishNotReady ? { publishNotReadyAddresses: true } : {}),
    },
  };
}
