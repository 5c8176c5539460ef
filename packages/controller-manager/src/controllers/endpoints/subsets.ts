// The Endpoints subsets a Service should have (endpoints_controller.go syncService): one address
// per selected pod with an IP of the service's family, ready or not ready by the pod's Ready
// condition (all ready with publishNotReadyAddresses), per service port resolved on that pod,
// then repacked into the canonical layout.
import { isIPv6 } from 'node:net';
import type { EndpointAddress, EndpointPort, EndpointSubset, Service, ServicePort } from '@kube-ts/client/services';
import type { Pod } from '@kube-ts/client/types';
import { isPodReady } from '../../util/pods.js';
import { findPort, podIPs, shouldPodBeInEndpoints, shouldSetHostname } from './podutil.js';
import { repackSubsets } from './repack.js';

/** podToEndpointAddressForService: the pod's IP of the service's first family, or undefined. */
export function podToEndpointAddress(svc: Service, pod: Pod): EndpointAddress | undefined {
  let v6: boolean;
  const families = svc.spec?.ipFamilies;
  const clusterIP = svc.spec?.clusterIP;
  if (families && families.length > 0) v6 = families[0] === 'IPv6';
  else if (clusterIP && clusterIP !== 'None') v6 = isIPv6(clusterIP);
  else v6 = isIPv6(pod.status?.podIP ?? '');
  const ip = podIPs(pod).find((x) => isIPv6(x) === v6);
  if (!ip) return undefined;
  return {
    ip,
    nodeName: pod.spec.nodeName ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
}

export function endpointPortFromServicePort(sp: ServicePort, port: number): EndpointPort {
  const p: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
  if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
  return p;
}

export interface ComputedSubsets { subsets: EndpointSubset[]; ready: number; notReady: number }

export function computeSubsets(svc: Service, pods: Pod[]): ComputedSubsets {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  let subsets: EndpointSubset[] = [];
  let ready = 0; let notReady = 0;
  const add = (pod: Pod, addr: EndpointAddress, port: EndpointPort | undefined): void => {
    const ports = port ? [port] : [];
    if (publishNotReady || isPodReady(pod)) { subsets.push({ addresses: [addr], ports }); ready++; }
    else { subsets.push({ notReadyAddresses: [addr], ports }); notReady++; }
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publishNotReady)) continue;
    const base = podToEndpointAddress(svc, pod);
    if (!base) continue;
    const addr: EndpointAddress = shouldSetHostname(pod, svc) ? { ...base, hostname: String(pod.spec.hostname) } : base;
    const ports = svc.spec?.ports ?? [];
    if (ports.length === 0) {
      // A headless service may have no ports: its addresses are published without any.
      if (svc.spec?.clusterIP === 'None') add(pod, addr, undefined);
      continue;
    }
    for (const sp of ports) {
      const n = findPort(pod, sp);
      if (n === undefined) continue;
      add(pod, addr, endpointPortFromServicePort(sp, n));
    }
  }
  subsets = repackSubsets(subsets);
  return { subsets, ready, notReady };
}
