// CSR approving and signing end to end with the real kubectl and openssl: a kubelet client CSR is
// auto-approved (SubjectAccessReview) and signed by the --cluster-signing-* CA; a client CSR is
// signed after `kubectl certificate approve`; an invalid kubelet-serving CSR is marked Failed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { initCSRApproving, initCSRSigning } from '../src/controllers/certificates/index.js';
import { eventually, runControllers, type Harness } from './support/harness.js';

interface CSR { status?: { certificate?: string; conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } }

describe('csrapproving and csrsigning controllers', () => {
  let c: Cluster;
  let h: Harness;
  let dir: string;
  const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const csrPem = (name: string, subj: string, san?: string): string => {
    openssl('req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-subj', subj, '-out', `${name}.csr`, ...(san ? ['-addext', `subjectAltName=${san}`] : []));
    return readFileSync(join(dir, `${name}.csr`)).toString('base64');
  };
  const submit = (name: string, request: string, signerName: string, usages: string[]): Promise<string> => c.kubectlOk(['create', '-f', '-'], JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name }, spec: { request, signerName, usages, expirationSeconds: 3600 },
  }));
  const get = async (name: string): Promise<CSR> => JSON.parse(await c.kubectlOk(['get', 'csr', name, '-o', 'json'])) as CSR;
  const verify = (name: string, b64: string): string => {
    writeFileSync(join(dir, `${name}.crt`), Buffer.from(b64, 'base64'));
    return openssl('verify', '-CAfile', 'ca.crt', `${name}.crt`).trim();
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kcm-csr-'));
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=kcm-test-signer');
    c = await startCluster('raftkv');
    h = await runControllers(c, [initCSRApproving, initCSRSigning], { options: { clusterSigningCertFile: join(dir, 'ca.crt'), clusterSigningKeyFile: join(dir, 'ca.key') } });
  });
  afterAll(async () => { await h?.stop(); await c?.teardown(); rmSync(dir, { recursive: true, force: true }); });

  it('auto-approves and signs a kubelet client CSR', async () => {
    await submit('node-n1', csrPem('n1', '/O=system:nodes/CN=system:node:n1'), 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'key encipherment', 'client auth']);
    const csr = await eventually(async () => { const x = await get('node-n1'); return x.status?.certificate ? x : undefined; }, 15_000, 'issued certificate');
    expect(csr.status?.conditions?.find((x) => x.type === 'Approved')).toMatchObject({
      status: 'True', reason: 'AutoApproved', message: 'Auto approving kubelet client certificate after SubjectAccessReview.',
    });
    expect(verify('n1', csr.status!.certificate!)).toBe('n1.crt: OK');
    const text = openssl('x509', '-in', 'n1.crt', '-noout', '-subject', '-dates', '-ext', 'extendedKeyUsage');
    expect(text).toMatch(/O\s*=\s*system:nodes, CN\s*=\s*system:node:n1/);
    expect(text).toContain('TLS Web Client Authentication');
    expect(await c.kubectlOk(['get', 'csr', 'node-n1', '--no-headers'])).toMatch(/Approved,Issued/);
  });

  it('signs a client CSR approved with kubectl certificate approve; leaves pending ones alone', async () => {
    await submit('jane', csrPem('jane', '/O=dev/CN=jane'), 'kubernetes.io/kube-apiserver-client', ['client auth']);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await get('jane')).status?.certificate).toBeUndefined();
    await c.kubectlOk(['certificate', 'approve', 'jane']);
    const csr = await eventually(async () => { const x = await get('jane'); return x.status?.certificate ? x : undefined; }, 15_000, 'issued certificate');
    expect(verify('jane', csr.status!.certificate!)).toBe('jane.crt: OK');
    const notAfter = Date.parse(openssl('x509', '-in', 'jane.crt', '-noout', '-enddate').trim().replace('notAfter=', ''));
    expect(notAfter - Date.now()).toBeLessThanOrEqual(3600_000);
    expect(notAfter - Date.now()).toBeGreaterThan(3500_000);
  });

  it('marks an invalid kubelet-serving CSR Failed (SignerValidationFailure)', async () => {
    await submit('serving-bad', csrPem('sb', '/O=system:nodes/CN=system:node:n2'), 'kubernetes.io/kubelet-serving', ['digital signature', 'key encipherment', 'server auth']);
    await c.kubectlOk(['certificate', 'approve', 'serving-bad']);
    const csr = await eventually(async () => { const x = await get('serving-bad'); return x.status?.conditions?.some((k) => k.type === 'Failed') ? x : undefined; }, 15_000, 'Failed condition');
    expect(csr.status?.conditions?.find((x) => x.type === 'Failed')).toMatchObject({ status: 'True', reason: 'SignerValidationFailure', message: 'DNS or IP subjectAltName is required' });
    expect(csr.status?.certificate).toBeUndefined();
    expect(await c.kubectlOk(['get', 'csr', 'serving-bad', '--no-headers'])).toMatch(/Approved,Failed/);
  });
});
