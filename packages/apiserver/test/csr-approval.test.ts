// certificatesigningrequests/approval: `kubectl certificate approve|deny` (PUT .../approval)
// change only status.conditions, stamp the condition times, keep Approved/Denied exclusive, and
// the subresource is in discovery.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './support/cluster.js';

describe('CSR approval subresource', () => {
  let c: Cluster;
  let dir: string;
  let request: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'csr-approval-'));
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.key'), '-subj', '/CN=jane', '-out', join(dir, 'k.csr')], { stdio: 'ignore' });
    request = readFileSync(join(dir, 'k.csr')).toString('base64');
    c = await startCluster('raftkv');
  });
  afterAll(async () => { await c?.teardown(); rmSync(dir, { recursive: true, force: true }); });

  const csrYaml = (name: string): string => JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    spec: { request, signerName: 'example.com/signer', usages: ['client auth'] },
  });
  const get = async (name: string): Promise<{ spec: Record<string, unknown>; status?: { conditions?: Array<Record<string, string>>; certificate?: string } }> =>
    JSON.parse(await c.kubectlOk(['get', 'csr', name, '-o', 'json']));

  it('kubectl certificate approve sets Approved with times; spec and certificate are untouched', async () => {
    await c.kubectlOk(['create', '-f', '-'], csrYaml('a'));
    const before = await get('a');
    expect(await c.kubectlOk(['certificate', 'approve', 'a'])).toContain('certificatesigningrequest.certificates.k8s.io/a approved');
    const after = await get('a');
    const cond = after.status?.conditions?.find((x) => x.type === 'Approved');
    expect(cond).toMatchObject({ status: 'True', reason: 'KubectlApprove' });
    expect(cond?.lastUpdateTime).toBeTruthy();
    expect(cond?.lastTransitionTime).toBeTruthy();
    expect(after.spec).toEqual(before.spec);
    expect(await c.kubectlOk(['get', 'csr', 'a', '--no-headers'])).toMatch(/Approved\s*$/m);
  });

  it('ignores spec and certificate changes sent to /approval', async () => {
    await c.kubectlOk(['create', '-f', '-'], csrYaml('b'));
    const cur = await get('b');
    const body = { ...cur, spec: { ...cur.spec, usages: ['server auth'] }, status: { certificate: Buffer.from('x').toString('base64'), conditions: [{ type: 'Denied', status: 'True', reason: 'Nope' }] } };
    const r = await c.request('/apis/certificates.k8s.io/v1/certificatesigningrequests/b/approval', { method: 'PUT', body });
    expect(r.status).toBe(200);
    const after = await get('b');
    expect(after.spec.usages).toEqual(['client auth']);
    expect(after.status?.certificate).toBeUndefined();
    expect(after.status?.conditions?.map((x) => x.type)).toEqual(['Denied']);
  });

  it('rejects Approved together with Denied, and is listed in discovery', async () => {
    const r = await c.kubectl(['certificate', 'approve', 'b']);
    expect(r.stderr).toContain('is already Denied');
    const cur = await get('b');
    const both = { ...cur, status: { conditions: [...(cur.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'Sneaky' }] } };
    const put = await c.request('/apis/certificates.k8s.io/v1/certificatesigningrequests/b/approval', { method: 'PUT', body: both });
    expect(put.status).toBe(422);
    expect(JSON.stringify(put.body)).toContain('Approved and Denied conditions are mutually exclusive');
    const d = await c.request('/apis/certificates.k8s.io/v1');
    const res = (d.body as { resources: Array<{ name: string; verbs: string[] }> }).resources;
    expect(res.find((x) => x.name === 'certificatesigningrequests/approval')?.verbs).toEqual(['get', 'patch', 'update']);
  });
});
