// CSR approving (pkg/controller/certificates/approver/sarapprove.go): kubelet client CSRs are
// approved when a SubjectAccessReview says the requester may create
// certificatesigningrequests/selfnodeclient (renewing its own identity) or /nodeclient.
import { R, resourcePath } from '@kube-ts/client/resources';
import type { ControllerInit, ControllerContext } from '../../context.js';
import { certificateController } from './base.js';
import { approvalState, KUBE_APISERVER_CLIENT_KUBELET, validateKubeletClient, type CertificateSigningRequest } from './csr.js';
import { parseCSR, type ParsedCSR } from './x509.js';

export interface Recognizer {
  subresource: string;
  successMessage: string;
  recognize(csr: CertificateSigningRequest, req: ParsedCSR): boolean;
}

const isNodeClientCert = (csr: CertificateSigningRequest, req: ParsedCSR): boolean =>
  csr.spec.signerName === KUBE_APISERVER_CLIENT_KUBELET && validateKubeletClient(req, csr.spec.usages ?? []) === null;

export const RECOGNIZERS: Recognizer[] = [
  {
    subresource: 'selfnodeclient', successMessage: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
    recognize: (csr, req) => csr.spec.username === req.commonName && isNodeClientCert(csr, req),
  },
  { subresource: 'nodeclient', successMessage: 'Auto approving kubelet client certificate after SubjectAccessReview.', recognize: isNodeClientCert },
];

interface SubjectAccessReview { status?: { allowed?: boolean } }

async function authorize(ctx: ControllerContext, csr: CertificateSigningRequest, subresource: string): Promise<boolean> {
  const body = {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview',
    spec: {
      user: csr.spec.username, uid: csr.spec.uid, groups: csr.spec.groups, extra: csr.spec.extra,
      resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
    },
  };
  const sar = await ctx.rest.request<SubjectAccessReview>({ method: 'POST', path: '/apis/authorization.k8s.io/v1/subjectaccessreviews', body });
  return sar?.status?.allowed === true;
}

export const initCSRApproving: ControllerInit = (ctx) => certificateController(ctx, 'csrapproving', async (csr) => {
  const { approved, denied } = approvalState(csr);
  if (approved || denied) return;
  let req: ParsedCSR;
  try {
    req = parseCSR(Buffer.from(csr.spec.request, 'base64').toString('latin1'));
  } catch (e) {
    throw new Error(`unable to parse csr "${csr.metadata.name ?? ''}": ${(e as Error).message}`);
  }
  const tried: string[] = [];
  for (const r of RECOGNIZERS) {
    if (!r.recognize(csr, req)) continue;
    tried.push(r.subresource);
    if (!(await authorize(ctx, csr, r.subresource))) continue;
    csr.status = { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.successMessage }] };
    try {
      await ctx.rest.request({
        method: 'PUT', path: resourcePath(R.certificatesigningrequests, undefined, csr.metadata.name, 'approval'),
        body: { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', ...csr },
      });
    } catch (e) {
      throw new Error(`error updating approval for csr: ${(e as Error).message}`);
    }
    return;
  }
  // Retried with backoff: the requester's permissions may change.
  if (tried.length) throw new Error(`recognized csr "${csr.metadata.name ?? ''}" as [${tried.join(' ')}] but subject access review was not approved`);
});
