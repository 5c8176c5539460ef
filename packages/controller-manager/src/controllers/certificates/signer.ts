// CSR signing (pkg/controller/certificates/signer): approved, not failed CSRs for the kubernetes.io
// signers are checked against the signer's rules and signed with the --cluster-signing-* CA;
// invalid ones get a Failed condition (SignerValidationFailure) instead.
import { readFileSync } from 'node:fs';
import { R } from '@kube-ts/client/resources';
import type { ControllerContext, ControllerInit } from '../../context.js';
import { metaNow } from '../../util/pods.js';
import { certificateController } from './base.js';
import { certDurationMs, checkForSigner, hasTrueCondition, isApproved, KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING, LEGACY_UNKNOWN, validityWindow, type CertificateSigningRequest } from './csr.js';
import { issueCertificate, loadCA, parseCSR, type CA } from './x509.js';

export const SIGNER_NAMES = [KUBELET_SERVING, KUBE_APISERVER_CLIENT_KUBELET, KUBE_APISERVER_CLIENT, LEGACY_UNKNOWN];

/** What the signer does with one CSR: nothing, mark it Failed, or attach a certificate. */
export type SignDecision = { action: 'skip' } | { action: 'fail'; message: string } | { action: 'sign'; certificate: string };

/** The signer's decision for `csr` at `nowMs` (signer.handle, pure apart from randomness). */
export function decide(csr: CertificateSigningRequest, ca: CA, certTTLMs: number, nowMs: number): SignDecision {
  if (!isApproved(csr) || hasTrueCondition(csr, 'Failed')) return { action: 'skip' };
  if (!SIGNER_NAMES.includes(csr.spec.signerName)) return { action: 'skip' };
  let req;
  try {
    req = parseCSR(Buffer.from(csr.spec.request, 'base64').toString('latin1'));
  } catch (e) {
    throw new Error(`unable to parse csr "${csr.metadata.name ?? ''}": ${(e as Error).message}`);
  }
  const usages = csr.spec.usages ?? [];
  const check = checkForSigner(csr.spec.signerName, req, usages);
  if (!check.recognized) return { action: 'skip' };
  if (check.error) return { action: 'fail', message: check.error };
  const ttl = certDurationMs(csr.spec.expirationSeconds, certTTLMs);
  const w = validityWindow(nowMs, ttl, ca.notAfter.getTime());
  try {
    return { action: 'sign', certificate: issueCertificate(ca, req, { notBefore: new Date(w.notBefore), notAfter: new Date(w.notAfter), usages }) };
  } catch (e) {
    throw new Error(`error auto signing csr: ${(e as Error).message}`);
  }
}

export function newSigningController(ctx: ControllerContext, ca: CA): ReturnType<typeof certificateController> {
  const csrs = ctx.rest.resource<CertificateSigningRequest>(R.certificatesigningrequests);
  return certificateController(ctx, 'csrsigning', async (csr) => {
    const d = decide(csr, ca, ctx.options.clusterSigningDurationMs, ctx.clock.now());
    if (d.action === 'skip') return;
    csr.status ??= {};
    if (d.action === 'fail') {
      csr.status.conditions = [...(csr.status.conditions ?? []), {
        type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: d.message, lastUpdateTime: metaNow(ctx.clock.now()),
      }];
      try { await csrs.updateStatus(csr); } catch (e) { throw new Error(`error adding failure condition for csr: ${(e as Error).message}`); }
      return;
    }
    // status.certificate is []byte: base64 on the wire.
    csr.status.certificate = Buffer.from(d.certificate).toString('base64');
    try { await csrs.updateStatus(csr); } catch (e) { throw new Error(`error updating signature for csr: ${(e as Error).message}`); }
  });
}

export const initCSRSigning: ControllerInit = (ctx) => {
  const { clusterSigningCertFile: certFile, clusterSigningKeyFile: keyFile } = ctx.options;
  if (!certFile || !keyFile) return 'no --cluster-signing-cert-file/--cluster-signing-key-file: not signing CSRs';
  let ca: CA;
  try {
    ca = loadCA(readFileSync(certFile, 'utf8'), readFileSync(keyFile, 'utf8'));
  } catch (e) {
    return `failed to load the CSR signing CA: ${(e as Error).message}`;
  }
  return newSigningController(ctx, ca);
};
