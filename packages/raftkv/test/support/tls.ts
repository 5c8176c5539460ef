// Throwaway PKI for TLS / mTLS tests, generated with the openssl CLI into a temp dir:
// a CA, a server certificate (SAN 127.0.0.1 and localhost) and a client certificate.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface TlsFixture {
  dir: string;
  caFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  clientCertFile: string;
  clientKeyFile: string;
  cleanup(): void;
}

async function openssl(cwd: string, args: string[]): Promise<void> {
  try {
    await execFileP('openssl', args, { cwd, timeout: 30_000 });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${err.message}\n${err.stderr ?? ''}`);
  }
}

/** P-256 keys: fast to generate and accepted by Go (etcd/etcdctl) and Node (grpc-js). */
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function issue(dir: string, name: string, cn: string, extensions: string): Promise<void> {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  await openssl(dir, ['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial',
    '-out', `${name}.crt`, '-days', '2', '-extfile', `${name}.ext`]);
}

export async function createTlsFixture(): Promise<TlsFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'raftkv-e2e-tls-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    await openssl(dir, ['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2',
      '-subj', '/CN=raftkv-e2e-test-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    await issue(dir, 'server', 'localhost', [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth,clientAuth',
    ].join('\n') + '\n');
    await issue(dir, 'client', 'e2e-client', [
      'basicConstraints=CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
    ].join('\n') + '\n');
  } catch (e) {
    cleanup();
    throw e;
  }
  return {
    dir,
    caFile: join(dir, 'ca.crt'),
    serverCertFile: join(dir, 'server.crt'),
    serverKeyFile: join(dir, 'server.key'),
    clientCertFile: join(dir, 'client.crt'),
    clientKeyFile: join(dir, 'client.key'),
    cleanup,
  };
}
