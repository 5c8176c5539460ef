// How the apiserver reaches a node's kubelet (upstream pkg/kubelet/client): the address comes from
// the Node's status.addresses in --kubelet-preferred-address-types order, the port from
// status.daemonEndpoints.kubeletEndpoint.Port, and TLS from the --kubelet-* flags. Without
// --kubelet-certificate-authority the kubelet's serving certificate is not verified, as upstream.
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';

export const NODE_ADDRESS_TYPES = ['Hostname', 'InternalDNS', 'InternalIP', 'ExternalDNS', 'ExternalIP'] as const;
export type NodeAddressType = (typeof NODE_ADDRESS_TYPES)[number];

/** Upstream's default --kubelet-preferred-address-types. */
export const DEFAULT_PREFERRED_ADDRESS_TYPES: readonly NodeAddressType[] = NODE_ADDRESS_TYPES;
/** Used when a Node reports no kubelet port (upstream's ports.KubeletPort). */
export const DEFAULT_KUBELET_PORT = 10250;
/** --kubelet-timeout default. */
export const DEFAULT_KUBELET_TIMEOUT_MS = 5_000;

export interface KubeletClientConfig {
  preferredAddressTypes: readonly NodeAddressType[];
  /** Connect (TCP + TLS) and response-header timeout. */
  timeoutMs: number;
  /** PEM client certificate and key presented to the kubelet. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** PEM CA bundle the kubelet's serving certificate must chain to; absent: not verified. */
  ca?: string | Buffer;
}

export function defaultKubeletClientConfig(): KubeletClientConfig {
  return { preferredAddressTypes: DEFAULT_PREFERRED_ADDRESS_TYPES, timeoutMs: DEFAULT_KUBELET_TIMEOUT_MS };
}

/** Parses --kubelet-preferred-address-types; throws on an unknown type (upstream validates them). */
export function parsePreferredAddressTypes(flag: string): NodeAddressType[] {
  const out: NodeAddressType[] = [];
  for (const raw of flag.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(NODE_ADDRESS_TYPES as readonly string[]).includes(raw)) {
      throw new Error(`--kubelet-preferred-address-types: ${raw} is not a valid address type, must be one of: ${NODE_ADDRESS_TYPES.join(', ')}`);
    }
    out.push(raw as NodeAddressType);
  }
  if (out.length === 0) throw new Error('--kubelet-preferred-address-types: must not be empty');
  return out;
}

interface NodeAddress { type?: string; address?: string }

/**
 * The first address of the first preferred type the node reports (upstream's
 * GetPreferredNodeAddress; the old kubernetes.io/hostname label fallback is gone upstream too).
 */
export function preferredNodeAddress(node: KubeObject, types: readonly string[]): string {
  const addresses = ((node.status as { addresses?: NodeAddress[] } | undefined)?.addresses) ?? [];
  for (const t of types) {
    const hit = addresses.find((a) => a.type === t);
    if (hit?.address) return hit.address;
  }
  // Go prints []NodeAddress with %v: [{InternalIP 1.2.3.4} {Hostname n}].
  const known = addresses.map((a) => `{${a.type ?? ''} ${a.address ?? ''}}`).join(' ');
  throw unknownError(`no preferred addresses found; known addresses: [${known}]`);
}

/** The kubelet port a node reports, or the default. */
export function kubeletPort(node: KubeObject): number {
  const p = (node.status as { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } } | undefined)?.daemonEndpoints?.kubeletEndpoint?.Port;
  return typeof p === 'number' && p > 0 ? p : DEFAULT_KUBELET_PORT;
}

export interface ConnectionInfo { scheme: 'https'; host: string; port: number }

/** host:port as Go's net.JoinHostPort writes it (IPv6 in brackets). */
export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** TLS options for a connection to the kubelet at `host`. */
export function kubeletTls(cfg: KubeletClientConfig, host: string, insecureSkipVerify = false): ConnectionOptions {
  const verify = cfg.ca !== undefined && !insecureSkipVerify;
  return {
    ...(cfg.cert ? { cert: cfg.cert } : {}),
    ...(cfg.key ? { key: cfg.key } : {}),
    ...(verify ? { ca: cfg.ca } : {}),
    rejectUnauthorized: verify,
    // SNI carries host names only; IPs are checked against the certificate's IP SANs.
    ...(isIP(host) ? {} : { servername: host }),
  };
}

/**
 * An error that is not an API status upstream (a plain Go error): the handler turns it into a
 * 500 Status with an empty reason and the error text as message.
 */
export function unknownError(message: string): ApiError {
  return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, code: 500 });
}
