// The kubelet's serving certificate when no --tls-cert-file is given: upstream writes a self-signed
// pair to <cert-dir>/kubelet.crt and kubelet.key (CN <hostname>@<unix time>, SANs the node name,
// localhost and 127.0.0.1) and reuses it on the next start.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, rename, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const pexec = promisify(execFile);

export interface CertPaths {
  certFile: string;
  keyFile: string;
}

function subjectAltName(nodeName: string): string {
  const names = [nodeName, 'localhost', '127.0.0.1'];
  const seen = new Set<string>();
  const out: string[] = [];
  for (const n of names) {
    if (!n || seen.has(n)) continue;
    seen.add(n);
    out.push(isIP(n) ? `IP:${n}` : `DNS:${n}`);
  }
  return out.join(',');
}

/** Returns certDir/kubelet.{crt,key}, generating them with the openssl CLI when either is missing. */
export async function ensureSelfSignedCert(certDir: string, nodeName: string): Promise<CertPaths> {
  const certFile = join(certDir, 'kubelet.crt');
  const keyFile = join(certDir, 'kubelet.key');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  const tmpCert = `${certFile}.tmp-${process.pid}`;
  const tmpKey = `${keyFile}.tmp-${process.pid}`;
  try {
    await pexec('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '365',
      '-keyout', tmpKey, '-out', tmpCert,
      '-subj', `/CN=${nodeName}@${Math.floor(Date.now() / 1000)}`,
      '-addext', `subjectAltName=${subjectAltName(nodeName)}`,
      '-addext', 'extendedKeyUsage=serverAuth',
    ]);
    await chmod(tmpKey, 0o600);
    // Key first: a reader that sees the certificate also finds its key.
    await rename(tmpKey, keyFile);
    await rename(tmpCert, certFile);
  } finally {
    await rm(tmpCert, { force: true });
    await rm(tmpKey, { force: true });
  }
  return { certFile, keyFile };
}
