// Service account tokens (upstream's TokenRequest API): RS256 JWTs with upstream's claims, signed
// with --service-account-signing-key-file. Verification belongs to the authentication issue.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export interface ServiceAccountRef { namespace: string; name: string; uid: string }
export interface BoundObject { kind: string; name: string; uid: string }

export class TokenIssuer {
  private readonly key: KeyObject;
  readonly kid: string;

  constructor(privateKeyPem: string, readonly issuer: string, readonly audiences: string[]) {
    this.key = createPrivateKey(privateKeyPem);
    // Upstream's key id: base64url(sha256(DER of the public key)).
    const der = createPublicKey(this.key).export({ type: 'spki', format: 'der' });
    this.kid = b64url(createHash('sha256').update(der).digest());
  }

  /** A signing key from `file`, generated there (RSA 2048, PKCS#8 PEM) when it does not exist. */
  static keyFrom(file: string): string {
    if (!existsSync(file)) {
      mkdirSync(dirname(file), { recursive: true });
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    }
    return readFileSync(file, 'utf8');
  }

  issue(sa: ServiceAccountRef, o: { audiences?: string[]; expirationSeconds: number; bound?: BoundObject }, now = Date.now()): { token: string; expires: Date } {
    const iat = Math.floor(now / 1000);
    const exp = iat + o.expirationSeconds;
    const k8s: Record<string, unknown> = { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } };
    if (o.bound) k8s[o.bound.kind.toLowerCase()] = { name: o.bound.name, uid: o.bound.uid };
    const claims = {
      aud: o.audiences && o.audiences.length > 0 ? o.audiences : this.audiences,
      exp, iat, iss: this.issuer, jti: randomUUID(), 'kubernetes.io': k8s, nbf: iat,
      sub: `system:serviceaccount:${sa.namespace}:${sa.name}`,
    };
    const head = b64url(JSON.stringify({ alg: 'RS256', kid: this.kid }));
    const body = b64url(JSON.stringify(claims));
    const sig = sign('sha256', Buffer.from(`${head}.${body}`), this.key);
    return { token: `${head}.${body}.${b64url(sig)}`, expires: new Date(exp * 1000) };
  }
}
