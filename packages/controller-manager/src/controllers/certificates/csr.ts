// certificates.k8s.io/v1 CertificateSigningRequest as the controllers see it, and the per-signer
// request checks (pkg/apis/certificates/helpers.go and signer.go's isRequestForSigner funcs).
import type { KubeObject } from '@kube-ts/client/types';
import type { WorkloadCondition } from '@kube-ts/client/workloads';
import type { ParsedCSR } from './x509.js';

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const LEGACY_UNKNOWN = 'kubernetes.io/legacy-unknown';

/** Upstream's CertificateSigningRequestCondition: the workload condition shape without lastProbeTime. */
export type CSRCondition = Omit<WorkloadCondition, 'lastProbeTime'>;

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    request: string;
    signerName: string;
    expirationSeconds?: number;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: { conditions?: CSRCondition[]; certificate?: string };
}

export function hasTrueCondition(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** GetCertApprovalCondition: Approved/Denied as set (any status counts, as upstream). */
export function approvalState(csr: CertificateSigningRequest): { approved: boolean; denied: boolean } {
  const conds = csr.status?.conditions ?? [];
  return { approved: conds.some((c) => c.type === 'Approved'), denied: conds.some((c) => c.type === 'Denied') };
}

/** IsCertificateRequestApproved: approved and not denied. */
export function isApproved(csr: CertificateSigningRequest): boolean {
  const s = approvalState(csr);
  return s.approved && !s.denied;
}

const sameSet = (a: Set<string>, b: string[]): boolean => a.size === b.length && b.every((x) => a.has(x));
const sortedList = (a: string[]): string => `[${[...a].sort().join(' ')}]`;

const KUBELET_SERVING_USAGES = ['digital signature', 'key encipherment', 'server auth'];
const KUBELET_SERVING_USAGES_NO_RSA = ['digital signature', 'server auth'];
const KUBELET_CLIENT_USAGES = ['digital signature', 'key encipherment', 'client auth'];
const KUBELET_CLIENT_USAGES_NO_RSA = ['digital signature', 'client auth'];

const isSystemNodes = (o: string[]): boolean => o.length === 1 && o[0] === 'system:nodes';

/** ValidateKubeletServingCSR: null when valid, else upstream's error message. */
export function validateKubeletServing(req: ParsedCSR, usages: string[]): string | null {
  const u = new Set(usages);
  if (!isSystemNodes(req.organization)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0) return 'DNS or IP subjectAltName is required';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!sameSet(u, KUBELET_SERVING_USAGES) && !sameSet(u, KUBELET_SERVING_USAGES_NO_RSA)) return `usages did not match ${sortedList(KUBELET_SERVING_USAGES)}`;
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  return null;
}

/** ValidateKubeletClientCSR: null when valid, else upstream's error message. */
export function validateKubeletClient(req: ParsedCSR, usages: string[]): string | null {
  const u = new Set(usages);
  if (!isSystemNodes(req.organization)) return 'subject organization is not system:nodes';
  if (req.dnsNames.length > 0) return 'DNS subjectAltNames are not allowed';
  if (req.emailAddresses.length > 0) return 'Email subjectAltNames are not allowed';
  if (req.ipAddresses.length > 0) return 'IP subjectAltNames are not allowed';
  if (req.uris.length > 0) return 'URI subjectAltNames are not allowed';
  if (!req.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
  if (!sameSet(u, KUBELET_CLIENT_USAGES) && !sameSet(u, KUBELET_CLIENT_USAGES_NO_RSA)) return `usages did not match ${sortedList(KUBELET_CLIENT_USAGES)}`;
  return null;
}

/** validAPIServerClientUsages: client auth required, digital signature / key encipherment optional. */
export function validateAPIServerClient(_req: ParsedCSR, usages: string[]): string | null {
  let clientAuth = false;
  for (const u of usages) {
    if (u === 'digital signature' || u === 'key encipherment') continue;
    if (u === 'client auth') { clientAuth = true; continue; }
    return `invalid usage for client certificate: ${u}`;
  }
  return clientAuth ? null : 'missing required usage for client certificate: client auth';
}

/**
 * The signer's check for a request (getCSRVerificationFuncForSignerName): `recognized` false for
 * signer names this controller does not serve; `error` set when the request is invalid for it.
 */
export function checkForSigner(signerName: string, req: ParsedCSR, usages: string[]): { recognized: boolean; error: string | null } {
  switch (signerName) {
    case KUBELET_SERVING: return { recognized: true, error: validateKubeletServing(req, usages) };
    case KUBE_APISERVER_CLIENT_KUBELET: return { recognized: true, error: validateKubeletClient(req, usages) };
    case KUBE_APISERVER_CLIENT: return { recognized: true, error: validateAPIServerClient(req, usages) };
    // The v1 API cannot create these; old stored ones are refused rather than signed.
    case LEGACY_UNKNOWN: return { recognized: true, error: `signer ${LEGACY_UNKNOWN} is not supported` };
    default: return { recognized: false, error: null };
  }
}

/** signer.duration: the requested expirationSeconds, capped at the configured TTL, at least 10 minutes. */
export function certDurationMs(expirationSeconds: number | undefined, certTTLMs: number): number {
  if (expirationSeconds === undefined || expirationSeconds === null) return certTTLMs;
  const requested = expirationSeconds * 1000;
  if (requested > certTTLMs) return certTTLMs;
  if (requested < 10 * 60_000) return 10 * 60_000;
  return requested;
}

const BACKDATE_MS = 5 * 60_000;
const SHORT_MS = 8 * 3600_000;

/** PermissiveSigningPolicy's validity window: backdated 5m; short-lived (< 8h) certs keep their full TTL. */
export function validityWindow(nowMs: number, ttlMs: number, signerNotAfterMs: number): { notBefore: number; notAfter: number } {
  const notBefore = nowMs - BACKDATE_MS;
  let notAfter = ttlMs < SHORT_MS ? nowMs + ttlMs : nowMs + ttlMs - BACKDATE_MS;
  if (notAfter >= signerNotAfterMs) notAfter = signerNotAfterMs;
  if (notBefore >= signerNotAfterMs) throw new Error(`the signer has expired: NotAfter=${new Date(signerNotAfterMs).toISOString()}`);
  if (nowMs >= signerNotAfterMs) throw new Error(`refusing to sign a certificate that expired in the past: NotAfter=${new Date(signerNotAfterMs).toISOString()}`);
  return { notBefore, notAfter };
}
