// PodSandboxConfig for a pod (pkg/kubelet/kuberuntime/kuberuntime_sandbox.go): metadata, hostname,
// DNS, ports, log directory, cgroup parent, namespaces and the pod-level security context.
import { readFileSync } from 'node:fs';
import type { Pod } from '@kube-ts/client';
import type { DNSConfig, PodSandboxConfig, PortMapping } from '../cri/types.js';
import { isHostNetwork, podSecurity } from '../api.js';
import { sandboxAnnotations, sandboxLabels } from './labels.js';

export interface SandboxSettings {
  podLogsDir: string;
  clusterDNS: string[];
  clusterDomain: string;
  resolvConf: string;
}

export function podLogDir(root: string, p: Pod): string {
  return `${root}/${p.metadata.namespace ?? 'default'}_${p.metadata.name!}_${p.metadata.uid ?? ''}`;
}

/** Upstream GeneratePodHostNameAndDomain: spec.hostname or the pod name, cut to 63 chars. */
export function podHostname(p: Pod): { hostname: string; domain: string } {
  let hostname = (p.spec['hostname'] as string | undefined) || p.metadata.name!;
  if (hostname.length > 63) hostname = hostname.slice(0, 63).replace(/[-.]+$/, '');
  const sub = p.spec['subdomain'] as string | undefined;
  return { hostname, domain: sub ? `${sub}.${p.metadata.namespace ?? 'default'}.svc` : '' };
}

interface HostResolv { servers: string[]; searches: string[]; options: string[] }

function readResolv(path: string): HostResolv {
  const out: HostResolv = { servers: [], searches: [], options: [] };
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const f = line.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (f[0] === 'nameserver' && f[1]) out.servers.push(f[1]);
    else if (f[0] === 'search') out.searches = f.slice(1);
    else if (f[0] === 'options') out.options.push(...f.slice(1));
  }
  return out;
}

/** DNS as upstream's dns.Configurer: ClusterFirst needs --cluster-dns, otherwise it falls back to Default. */
export function dnsConfigFor(p: Pod, s: SandboxSettings): DNSConfig {
  let policy = (p.spec['dnsPolicy'] as string | undefined) ?? 'ClusterFirst';
  const custom = p.spec['dnsConfig'] as { nameservers?: string[]; searches?: string[]; options?: { name: string; value?: string }[] } | undefined;
  if (policy === 'ClusterFirst' && isHostNetwork(p)) policy = 'Default';
  if (policy === 'ClusterFirstWithHostNet') policy = 'ClusterFirst';
  if (policy === 'ClusterFirst' && s.clusterDNS.length === 0) policy = 'Default';
  const host = readResolv(s.resolvConf);
  let cfg: DNSConfig;
  if (policy === 'None') cfg = { servers: [], searches: [], options: [] };
  else if (policy === 'ClusterFirst') {
    const ns = p.metadata.namespace ?? 'default';
    const d = s.clusterDomain;
    cfg = { servers: [...s.clusterDNS], searches: [`${ns}.svc.${d}`, `svc.${d}`, d, ...host.searches], options: ['ndots:5'] };
  } else cfg = { servers: host.servers, searches: host.searches, options: host.options };
  if (custom) {
    cfg.servers = [...(cfg.servers ?? []), ...(custom.nameservers ?? [])];
    cfg.searches = [...(cfg.searches ?? []), ...(custom.searches ?? [])];
    cfg.options = [...(cfg.options ?? []), ...(custom.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name))];
  }
  cfg.searches = [...new Set(cfg.searches)].slice(0, 32);
  return cfg;
}

export function sandboxConfig(p: Pod, attempt: number, cgroupParent: string, s: SandboxSettings): PodSandboxConfig {
  const hostNet = isHostNetwork(p);
  const sec = podSecurity(p);
  const ports: PortMapping[] = [];
  for (const c of p.spec.containers) {
    for (const port of c.ports ?? []) {
      if (!port.hostPort) continue;
      ports.push({ protocol: port.protocol ?? 'TCP', containerPort: port.containerPort, hostPort: port.hostPort, hostIp: port.hostIP ?? '' });
    }
  }
  const sysctls: Record<string, string> = {};
  for (const sc of sec?.sysctls ?? []) sysctls[sc.name] = sc.value;
  const { hostname } = podHostname(p);
  return {
    metadata: { name: p.metadata.name!, uid: p.metadata.uid ?? '', namespace: p.metadata.namespace ?? 'default', attempt },
    // hostNetwork pods share the node's UTS namespace: the runtime rejects a hostname then.
    hostname: hostNet ? '' : hostname,
    logDirectory: podLogDir(s.podLogsDir, p),
    dnsConfig: dnsConfigFor(p, s),
    portMappings: ports,
    labels: sandboxLabels(p),
    annotations: sandboxAnnotations(p),
    linux: {
      cgroupParent,
      sysctls,
      securityContext: {
        namespaceOptions: {
          network: hostNet ? 'NODE' : 'POD',
          pid: p.spec['hostPID'] === true ? 'NODE' : p.spec['shareProcessNamespace'] === true ? 'POD' : 'CONTAINER',
          ipc: p.spec['hostIPC'] === true ? 'NODE' : 'POD',
        },
        ...(sec?.runAsUser !== undefined ? { runAsUser: { value: sec.runAsUser } } : {}),
        ...(sec?.runAsGroup !== undefined ? { runAsGroup: { value: sec.runAsGroup } } : {}),
        supplementalGroups: [...(sec?.supplementalGroups ?? []), ...(sec?.fsGroup !== undefined ? [sec.fsGroup] : [])],
        privileged: [...p.spec.containers, ...(p.spec.initContainers ?? [])].some(
          (c) => (c['securityContext'] as { privileged?: boolean } | undefined)?.privileged === true,
        ),
      },
    },
  };
}
