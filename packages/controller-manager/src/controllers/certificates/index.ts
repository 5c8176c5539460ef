// The certificates controllers: CSR signing (kubernetes.io signers, --cluster-signing-* CA) and
// kubelet client CSR auto-approval.
export { initCSRSigning } from './signer.js';
export { initCSRApproving } from './approver.js';
