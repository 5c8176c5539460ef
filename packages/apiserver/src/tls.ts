// Serving certificates: --tls-cert-file/--tls-private-key-file when given, else a self-signed CA
// and a serving certificate generated into --cert-dir (kept across restarts), with the SANs
// clients use: localhost, 127.0.0.1, kubernetes, kubernetes.default.svc(.cluster.local), and the
// first service IP.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface ServingCert { cert: string; key: string; caFile: string }

function rsaKeys(): { publicKey: forge.pki.PublicKey; privateKey: forge.pki.rsa.PrivateKey; pem: string } {
  // Native key generation: node-forge's pure-JS RSA takes seconds.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, privateKeyEncoding: { type: 'pkcs1', format: 'pem' }, publicKeyEncoding: { type: 'spki', format: 'pem' } });
  const priv = forge.pki.privateKeyFromPem(privateKey);
  return { privateKey: priv, publicKey: forge.pki.setRsaPublicKey(priv.n, priv.e), pem: privateKey };
}

function certificate(subjectCN: string, pub: forge.pki.PublicKey, signer: forge.pki.rsa.PrivateKey, issuer: forge.pki.CertificateField[] | undefined, ca: boolean, sans: Array<{ type: number; value?: string; ip?: string }>): forge.pki.Certificate {
  const c = forge.pki.createCertificate();
  c.publicKey = pub;
  c.serialNumber = `01${randomBytes(8).toString('hex')}`;
  c.validity.notBefore = new Date(Date.now() - 60_000);
  c.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: subjectCN }];
  c.setSubject(subject);
  c.setIssuer(issuer ?? subject);
  const ext: Array<Record<string, unknown>> = [{ name: 'basicConstraints', cA: ca, critical: true }];
  if (ca) ext.push({ name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true });
  else {
    ext.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true });
    ext.push({ name: 'extKeyUsage', serverAuth: true });
    ext.push({ name: 'subjectAltName', altNames: sans });
  }
  c.setExtensions(ext);
  c.sign(signer, forge.md.sha256.create());
  return c;
}

export function servingCert(certDir: string, extraSans: { dns: string[]; ips: string[] }): ServingCert {
  const caFile = join(certDir, 'apiserver-ca.crt');
  const crtFile = join(certDir, 'apiserver.crt');
  const keyFile = join(certDir, 'apiserver.key');
  if (existsSync(crtFile) && existsSync(keyFile) && existsSync(caFile)) {
    return { cert: readFileSync(crtFile, 'utf8'), key: readFileSync(keyFile, 'utf8'), caFile };
  }
  mkdirSync(certDir, { recursive: true });
  const ca = rsaKeys();
  const caCert = certificate(`kube-apiserver-ca-${Math.floor(Date.now() / 1000)}`, ca.publicKey, ca.privateKey, undefined, true, []);
  const srv = rsaKeys();
  const dns = ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', ...extraSans.dns];
  const ips = ['127.0.0.1', ...extraSans.ips];
  const sans: Array<{ type: number; value?: string; ip?: string }> = [
    ...[...new Set(dns)].map((value) => ({ type: 2, value })),
    ...[...new Set(ips)].map((ip) => ({ type: 7, ip })),
  ];
  const srvCert = certificate('kube-apiserver', srv.publicKey, ca.privateKey, caCert.subject.attributes, false, sans);
  const caPem = forge.pki.certificateToPem(caCert);
  const crtPem = forge.pki.certificateToPem(srvCert);
  writeFileSync(caFile, caPem);
  writeFileSync(crtFile, crtPem + caPem);
  writeFileSync(keyFile, srv.pem, { mode: 0o600 });
  return { cert: crtPem + caPem, key: srv.pem, caFile };
}
