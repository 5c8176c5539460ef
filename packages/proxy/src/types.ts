// The proxy's model, shared by the change trackers (Services + EndpointSlices → state), the two
// proxiers (state → iptables / nftables) and the conntrack cleaner. Mirrors upstream
// pkg/proxy's ServicePort / Endpoint interfaces, flattened to plain data so a sync is a pure
// function of (previous state, state) and tests can build states by hand.
import type { Logger } from 'pino';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type ProxyMode = 'iptables' | 'nftables';

/** One port of one Service, as upstream's ServicePort (BaseServicePortInfo). */
export interface ServicePortInfo {
  /** Upstream ServicePortName.String(): "namespace/name:portName", or "namespace/name" for an unnamed port. */
  name: string;
  namespace: string;
  serviceName: string;
  /** spec.ports[].name ('' when unnamed). */
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0: no node port. */
  nodePort: number;
  externalIPs: string[];
  /** status.loadBalancer.ingress[].ip */
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  /** sessionAffinity ClientIP: timeout in seconds; 0 means no affinity. */
  stickyMaxAgeSeconds: number;
  /** externalTrafficPolicy: Local on a service reachable from outside (NodePort, externalIPs, LB). */
  externalPolicyLocal: boolean;
  /** internalTrafficPolicy: Local. */
  internalPolicyLocal: boolean;
  /** spec.healthCheckNodePort (0: none). */
  healthCheckNodePort: number;
}

/** One endpoint of one service port (upstream BaseEndpointInfo). */
export interface EndpointInfo {
  /** "ip:port", the identity upstream hashes into KUBE-SEP chain names. */
  endpoint: string;
  ip: string;
  port: number;
  /** conditions.ready (nil → true, as upstream). */
  ready: boolean;
  /** conditions.serving (nil → true, as upstream kube-proxy). */
  serving: boolean;
  /** conditions.terminating (nil → false). */
  terminating: boolean;
  /** nodeName equals this proxy's node. */
  isLocal: boolean;
  nodeName?: string;
  zone?: string;
  /** hints.forZones[].name */
  zoneHints?: string[];
}

/** Keyed by ServicePortInfo.name. */
export type ServicePortMap = ReadonlyMap<string, ServicePortInfo>;
/** Keyed by ServicePortInfo.name; endpoints sorted by `endpoint` so rule output is stable. */
export type EndpointsMap = ReadonlyMap<string, readonly EndpointInfo[]>;

/** Everything a sync programs. */
export interface ProxyState {
  services: ServicePortMap;
  endpoints: EndpointsMap;
  nodeName: string;
  /** The node's own IPv4 addresses (Node InternalIP/ExternalIP, else --bind-address). */
  nodeIPs: string[];
  nodeLabels: Record<string, string>;
}

export interface SyncChanges {
  /** Rewrite everything (first sync, the periodic sync, after a failure). */
  full: boolean;
  /** Service port names whose Service or endpoints changed (incl. removed ones) since the last successful sync. */
  changed: ReadonlySet<string>;
}

export interface SyncResult {
  /** Whether this sync rewrote everything. */
  full: boolean;
  /** Rules (iptables) or rules+elements (nftables) now programmed, by table/kind, for the rules-count metric. */
  ruleCounts: Record<string, number>;
}

/** Runs a command; tests and the bench point it into a network namespace. */
export interface CommandRunner {
  run(cmd: string, args: string[], stdin?: string): Promise<CommandResult>;
}
export interface CommandResult { code: number; stdout: string; stderr: string }

export interface ProxierOptions {
  runner: CommandRunner;
  logger: Logger;
  /** Bit of the packet mark that asks for masquerade (upstream --iptables-masquerade-bit, default 14 → 0x4000). */
  masqueradeBit: number;
  /** Masquerade all traffic to service IPs (--masquerade-all). */
  masqueradeAll: boolean;
  /** --cluster-cidr: traffic to a ClusterIP from outside these ranges is masqueraded ([] = none known). */
  clusterCIDRs: string[];
  /** --nodeport-addresses: CIDRs whose local addresses accept NodePorts; [] = iptables: all local addresses, nftables: the node IPs ("primary"). */
  nodePortAddresses: string[];
}

/** One mode's data plane. */
export interface Proxier {
  readonly mode: ProxyMode;
  /**
   * Programs the kernel so it matches `state`. With changes.full false, only what changes.changed
   * names may be rewritten (the proxier may still choose a full sync and says so in the result).
   * Rejects when the kernel refused the update; the caller then retries with a full sync.
   */
  sync(state: ProxyState, changes: SyncChanges): Promise<SyncResult>;
  /** Removes every chain, rule, table and set this mode created (kube-proxy --cleanup). */
  cleanup(): Promise<void>;
}
