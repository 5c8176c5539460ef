// The kubelet's serving certificate when no --tls-cert-file is given: upstream writes a self-signed
// pair to <cert-dir>/kubelet.crt and kubelet.key (CN <hostname>@<unix time>, SANs the node name,
// localhost and 127.0.0.1) and reuses it on the next start. The pair itself comes from the client
// library's selfSignedCert, the one every component's secure port uses.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { selfSignedCert } from '@kube-ts/client';

export interface CertPaths {
  certFile: string;
  keyFile: string;
}

/** Returns certDir/kubelet.{crt,key}, generating them when either is missing. */
export async function ensureSelfSignedCert(certDir: string, nodeName: string): Promise<CertPaths> {
  const certFile = join(certDir, 'kubelet.crt');
  const keyFile = join(certDir, 'kubelet.key');
  if (existsSync(certFile) && existsSync(keyFile)) return { certFile, keyFile };
  await mkdir(certDir, { recursive: true, mode: 0o700 });
  const { cert, key } = selfSignedCert(nodeName);
  const tmpCert = `${certFile}.tmp-${process.pid}`;
  const tmpKey = `${keyFile}.tmp-${process.pid}`;
  try {
    await writeFile(tmpKey, key, { mode: 0o600 });
    await writeFile(tmpCert, cert);
    // Key first: a reader that sees the certificate also finds its key.
    await rename(tmpKey, keyFile);
    await rename(tmpCert, certFile);
  } finally {
    await rm(tmpCert, { force: true });
    await rm(tmpKey, { force: true });
  }
  return { certFile, keyFile };
}
