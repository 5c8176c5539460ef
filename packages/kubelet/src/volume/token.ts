// The kubelet's service account token manager (pkg/kubelet/token): TokenRequests for projected
// serviceAccountToken sources, cached per (service account, audiences, lifetime, bound pod) and
// refreshed once 80% of the lifetime has passed (or 24h since issue), with up to 10s of jitter.
// A failed refresh keeps serving the cached token until it expires.
import { R, type Clock, type RestClient } from '@kube-ts/client';
import type { Logger } from 'pino';

const MAX_TTL_MS = 24 * 3600 * 1000;
const MAX_JITTER_S = 10;

export interface TokenRequestSpec {
  audiences?: string[];
  expirationSeconds: number;
  boundObjectRef: { apiVersion: 'v1'; kind: 'Pod'; name: string; uid: string };
}

interface TokenRequest {
  spec?: { expirationSeconds?: number };
  status?: { token?: string; expirationTimestamp?: string };
}

interface Cached { token: string; expiresAt: number; expirationSeconds: number; podUid: string }

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(private readonly rest: RestClient, private readonly clock: Clock, private readonly logger: Logger,
    private readonly random: () => number = Math.random) {}

  /** A valid token for the request, from the cache unless it is due for refresh. */
  async getToken(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<string> {
    const key = JSON.stringify([serviceAccount, namespace, spec.audiences ?? [], spec.expirationSeconds, spec.boundObjectRef]);
    const cached = this.cache.get(key);
    if (cached && !this.requiresRefresh(cached)) return cached.token;
    let fresh: Cached;
    try {
      fresh = await this.request(namespace, serviceAccount, spec);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      if (!cached) throw new Error(`failed to fetch token: ${msg}`);
      if (this.expired(cached)) throw new Error(`token ${key} expired and refresh failed: ${msg}`);
      this.logger.error({ err: msg, serviceAccount, namespace }, "Couldn't update token");
      return cached.token;
    }
    this.cache.set(key, fresh);
    return fresh.token;
  }

  /** Forgets the tokens bound to a pod (its volumes are gone). */
  deleteForPod(podUid: string): void {
    for (const [k, v] of this.cache) if (v.podUid === podUid) this.cache.delete(k);
  }

  /** Drops expired entries. */
  cleanup(): void {
    for (const [k, v] of this.cache) if (this.expired(v)) this.cache.delete(k);
  }

  private async request(namespace: string, serviceAccount: string, spec: TokenRequestSpec): Promise<Cached> {
    const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: serviceAccount, namespace }, spec };
    const tr = await this.rest.resource(R.serviceaccounts).createSubresource<TokenRequest>(serviceAccount, namespace, 'token', body);
    const token = tr.status?.token;
    const exp = tr.status?.expirationTimestamp ? Date.parse(tr.status.expirationTimestamp) : NaN;
    if (!token || Number.isNaN(exp)) throw new Error('the TokenRequest answer has no token or expirationTimestamp');
    return { token, expiresAt: exp, expirationSeconds: tr.spec?.expirationSeconds ?? spec.expirationSeconds, podUid: spec.boundObjectRef.uid };
  }

  private expired(c: Cached): boolean {
    return this.clock.now() > c.expiresAt;
  }

  private requiresRefresh(c: Cached): boolean {
    const now = this.clock.now();
    const issuedAt = c.expiresAt - c.expirationSeconds * 1000;
    const jitter = Math.floor(this.random() * MAX_JITTER_S) * 1000;
    if (now > issuedAt + MAX_TTL_MS - jitter) return true;
    return now > c.expiresAt - Math.floor((c.expirationSeconds * 20) / 100) * 1000 - jitter;
  }
}
