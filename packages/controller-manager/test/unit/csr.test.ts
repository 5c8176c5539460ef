// CSR parsing, per-signer validation (upstream helpers_test/signer_test cases), the signing policy
// window and certificates issued for RSA and ECDSA requests, checked with openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { certDurationMs, checkForSigner, validateAPIServerClient, validateKubeletClient, validateKubeletServing, validityWindow, type CertificateSigningRequest } from '../../src/controllers/certificates/csr.js';
import { decide } from '../../src/controllers/certificates/signer.js';
import { RECOGNIZERS } from '../../src/controllers/certificates/approver.js';
import { keyUsagesFromStrings, loadCA, parseCSR, type CA, type ParsedCSR } from '../../src/controllers/certificates/x509.js';

let dir: string;
let ca: CA;
const openssl = (...args: string[]): string => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

function makeCSR(name: string, subj: string, opts: { ec?: boolean; san?: string } = {}): string {
  if (opts.ec) openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  else openssl('genrsa', '-out', `${name}.key`, '2048');
  openssl('req', '-new', '-key', `${name}.key`, '-subj', subj, '-out', `${name}.csr`, ...(opts.san ? ['-addext', `subjectAltName=${opts.san}`] : []));
  return readFileSync(join(dir, `${name}.csr`), 'utf8');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'csr-unit-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=test-ca');
  ca = loadCA(readFileSync(join(dir, 'ca.crt'), 'utf8'), readFileSync(join(dir, 'ca.key'), 'utf8'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const req = (p: Partial<ParsedCSR>): ParsedCSR => ({
  commonName: 'system:node:n1', organization: ['system:nodes'], dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [],
  publicKeyAlgorithm: 'RSA', subject: { tagClass: 0, type: 16, constructed: true, composed: true, value: [] }, publicKeyInfo: { tagClass: 0, type: 16, constructed: true, composed: true, value: [] }, ...p,
});

describe('parseCSR', () => {
  it('reads subject, organizations and SANs of RSA and ECDSA requests', () => {
    const r = parseCSR(makeCSR('srv', '/O=system:nodes/CN=system:node:n1', { ec: true, san: 'DNS:n1.example,IP:10.0.0.1,IP:fd00::1' }));
    expect(r).toMatchObject({ commonName: 'system:node:n1', organization: ['system:nodes'], dnsNames: ['n1.example'], ipAddresses: ['10.0.0.1', 'fd00:0:0:0:0:0:0:1'], publicKeyAlgorithm: 'ECDSA' });
    const c = parseCSR(makeCSR('cli', '/O=a/O=b/CN=jane'));
    expect(c).toMatchObject({ commonName: 'jane', organization: ['a', 'b'], dnsNames: [], publicKeyAlgorithm: 'RSA' });
  });
  it('rejects other PEM blocks as upstream', () => {
    expect(() => parseCSR('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n')).toThrow('PEM block type must be CERTIFICATE REQUEST');
  });
});

describe('kubelet serving validation (ValidateKubeletServingCSR)', () => {
  const good = ['digital signature', 'key encipherment', 'server auth'];
  it.each<[string, Partial<ParsedCSR>, string[], string | null]>([
    ['valid', { dnsNames: ['n1'] }, good, null],
    ['valid without key encipherment', { ipAddresses: ['1.2.3.4'] }, ['digital signature', 'server auth'], null],
    ['wrong organization', { organization: ['system:masters'], dnsNames: ['n1'] }, good, 'subject organization is not system:nodes'],
    ['no SANs', {}, good, 'DNS or IP subjectAltName is required'],
    ['email SAN', { dnsNames: ['n1'], emailAddresses: ['a@b'] }, good, 'Email subjectAltNames are not allowed'],
    ['URI SAN', { dnsNames: ['n1'], uris: ['spiffe://x'] }, good, 'URI subjectAltNames are not allowed'],
    ['client auth usage', { dnsNames: ['n1'] }, ['digital signature', 'key encipherment', 'client auth'], 'usages did not match [digital signature key encipherment server auth]'],
    ['wrong CN', { commonName: 'n1', dnsNames: ['n1'] }, good, 'subject common name does not begin with system:node:'],
  ])('%s', (_n, r, usages, want) => { expect(validateKubeletServing(req(r), usages)).toBe(want); });
});

describe('kubelet client validation (ValidateKubeletClientCSR)', () => {
  const good = ['digital signature', 'key encipherment', 'client auth'];
  it.each<[string, Partial<ParsedCSR>, string[], string | null]>([
    ['valid', {}, good, null],
    ['valid without key encipherment', {}, ['client auth', 'digital signature'], null],
    ['wrong organization', { organization: [] }, good, 'subject organization is not system:nodes'],
    ['DNS SAN', { dnsNames: ['n1'] }, good, 'DNS subjectAltNames are not allowed'],
    ['IP SAN', { ipAddresses: ['1.2.3.4'] }, good, 'IP subjectAltNames are not allowed'],
    ['wrong CN', { commonName: 'system:nodes:n1x' }, good, 'subject common name does not begin with system:node:'],
    ['only client auth', {}, ['client auth'], 'usages did not match [client auth digital signature key encipherment]'],
  ])('%s', (_n, r, usages, want) => { expect(validateKubeletClient(req(r), usages)).toBe(want); });
});

describe('kube-apiserver-client usages', () => {
  it.each<[string[], string | null]>([
    [['client auth'], null],
    [['client auth', 'digital signature', 'key encipherment'], null],
    [['digital signature'], 'missing required usage for client certificate: client auth'],
    [['client auth', 'server auth'], 'invalid usage for client certificate: server auth'],
  ])('%j', (usages, want) => { expect(validateAPIServerClient(req({}), usages)).toBe(want); });
  it('leaves unknown signers alone and refuses legacy-unknown', () => {
    expect(checkForSigner('example.com/x', req({}), [])).toEqual({ recognized: false, error: null });
    expect(checkForSigner('kubernetes.io/legacy-unknown', req({}), []).error).toMatch(/not supported/);
  });
});

describe('signing policy', () => {
  it('caps the requested duration at the TTL with a 10 minute floor (signer.duration)', () => {
    const ttl = 3600_000;
    expect(certDurationMs(undefined, ttl)).toBe(ttl);
    expect(certDurationMs(7200, ttl)).toBe(ttl);
    expect(certDurationMs(60, ttl)).toBe(600_000);
    expect(certDurationMs(1800, ttl)).toBe(1800_000);
  });
  it('backdates 5 minutes; short certificates keep the whole TTL; NotAfter is capped at the CA', () => {
    const now = Date.UTC(2024, 0, 1);
    expect(validityWindow(now, 3600_000, now + 1e12)).toEqual({ notBefore: now - 300_000, notAfter: now + 3600_000 });
    expect(validityWindow(now, 24 * 3600_000, now + 1e12)).toEqual({ notBefore: now - 300_000, notAfter: now + 24 * 3600_000 - 300_000 });
    expect(validityWindow(now, 24 * 3600_000, now + 1000)).toEqual({ notBefore: now - 300_000, notAfter: now + 1000 });
    expect(() => validityWindow(now, 3600_000, now - 1)).toThrow(/refusing to sign a certificate that expired in the past/);
  });
  it('maps usages like keyUsagesFromStrings', () => {
    expect(keyUsagesFromStrings(['digital signature', 'key encipherment', 'client auth', 'server auth'])).toEqual({ keyUsage: 0b101, extKeyUsages: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] });
    expect(() => keyUsagesFromStrings(['bogus'])).toThrow('unrecognized usage values: ["bogus"]');
  });
});

function csrObject(pem: string, signerName: string, usages: string[], approved = true, extra: Partial<CertificateSigningRequest['spec']> = {}): CertificateSigningRequest {
  return {
    metadata: { name: 'x' },
    spec: { request: Buffer.from(pem).toString('base64'), signerName, usages, ...extra },
    status: approved ? { conditions: [{ type: 'Approved', status: 'True', reason: 'Test' }] } : {},
  };
}

describe('signer decisions', () => {
  it('signs an approved kubelet client CSR; the certificate verifies against the CA', () => {
    const pem = makeCSR('k1', '/O=system:nodes/CN=system:node:n1', { ec: true });
    const now = Date.now();
    const d = decide(csrObject(pem, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth'], true, { expirationSeconds: 3600 }), ca, 365 * 86400_000, now);
    if (d.action !== 'sign') throw new Error(`not signed: ${JSON.stringify(d)}`);
    writeFileSync(join(dir, 'k1.crt'), d.certificate);
    expect(openssl('verify', '-CAfile', 'ca.crt', 'k1.crt').trim()).toBe('k1.crt: OK');
    const x = new X509Certificate(d.certificate);
    expect(x.subject).toContain('CN=system:node:n1');
    expect(x.subject).toContain('O=system:nodes');
    expect(x.ca).toBe(false);
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
    expect(Date.parse(x.validTo) - now).toBeGreaterThan(3590_000);
    expect(Date.parse(x.validTo) - now).toBeLessThanOrEqual(3600_000);
    const text = openssl('x509', '-in', 'k1.crt', '-noout', '-text');
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature/);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
  });
  it('signs kubelet serving CSRs with their SANs', () => {
    const pem = makeCSR('s1', '/O=system:nodes/CN=system:node:n1', { san: 'DNS:n1,IP:10.1.2.3' });
    const d = decide(csrObject(pem, 'kubernetes.io/kubelet-serving', ['digital signature', 'key encipherment', 'server auth']), ca, 86400_000, Date.now());
    if (d.action !== 'sign') throw new Error('not signed');
    expect(new X509Certificate(d.certificate).subjectAltName).toBe('DNS:n1, IP Address:10.1.2.3');
  });
  it('fails invalid requests, skips unapproved, failed and foreign ones', () => {
    const pem = makeCSR('bad', '/CN=jane');
    expect(decide(csrObject(pem, 'kubernetes.io/kubelet-serving', ['server auth']), ca, 1e9, Date.now())).toEqual({ action: 'fail', message: 'subject organization is not system:nodes' });
    expect(decide(csrObject(pem, 'kubernetes.io/kube-apiserver-client', ['client auth'], false), ca, 1e9, Date.now())).toEqual({ action: 'skip' });
    expect(decide(csrObject(pem, 'example.com/signer', ['client auth']), ca, 1e9, Date.now())).toEqual({ action: 'skip' });
    const failed = csrObject(pem, 'kubernetes.io/kube-apiserver-client', ['client auth']);
    failed.status!.conditions!.push({ type: 'Failed', status: 'True' });
    expect(decide(failed, ca, 1e9, Date.now())).toEqual({ action: 'skip' });
    const denied = csrObject(pem, 'kubernetes.io/kube-apiserver-client', ['client auth']);
    denied.status!.conditions!.push({ type: 'Denied', status: 'True' });
    expect(decide(denied, ca, 1e9, Date.now())).toEqual({ action: 'skip' });
  });
});

describe('approver recognizers', () => {
  const pem = (): string => makeCSR('a1', '/O=system:nodes/CN=system:node:n1');
  it('selfnodeclient when the requester is the node itself, nodeclient otherwise', () => {
    const p = pem();
    const r = parseCSR(p);
    const self = csrObject(p, 'kubernetes.io/kube-apiserver-client-kubelet', ['client auth', 'digital signature', 'key encipherment'], false, { username: 'system:node:n1' });
    const boot = csrObject(p, 'kubernetes.io/kube-apiserver-client-kubelet', ['client auth', 'digital signature', 'key encipherment'], false, { username: 'system:bootstrap:abc' });
    expect(RECOGNIZERS.filter((x) => x.recognize(self, r)).map((x) => x.subresource)).toEqual(['selfnodeclient', 'nodeclient']);
    expect(RECOGNIZERS.filter((x) => x.recognize(boot, r)).map((x) => x.subresource)).toEqual(['nodeclient']);
    const serving = csrObject(p, 'kubernetes.io/kube-apiserver-client', ['client auth'], false, { username: 'system:node:n1' });
    expect(RECOGNIZERS.filter((x) => x.recognize(serving, r))).toEqual([]);
  });
});
