// Schemas: certificates.k8s.io/v1 CertificateSigningRequest, as upstream's k8s.io/api/certificates/v1
// types.go and generated.proto.
import { type GVK, type ObjectType, S, f, i32, list, listType, map, obj, ref, str, struct, time, topLevel } from '../dsl.js';

const N = 'io.k8s.api.certificates.v1';
const gvk = (kind: string): GVK => ({ group: 'certificates.k8s.io', version: 'v1', kind });

export const types: ObjectType[] = [
  topLevel(`${N}.CertificateSigningRequest`, gvk('CertificateSigningRequest'), 'CertificateSigningRequest asks for an x509 certificate, which a signer issues once the request is approved.', {
    spec: obj(`${N}.CertificateSigningRequestSpec`, 2, 'spec contains the certificate request and is immutable after creation.', { required: true }),
    status: obj(`${N}.CertificateSigningRequestStatus`, 3, 'status says whether the request is approved or denied and holds the issued certificate.', { readOnly: true }),
  }),
  listType(`${N}.CertificateSigningRequest`, gvk('CertificateSigningRequest'), 'CertificateSigningRequestList is a collection of CertificateSigningRequest objects.'),
  struct(`${N}.CertificateSigningRequestSpec`, 'CertificateSigningRequestSpec contains the certificate request.', {
    request: f(S.bytes, 1, 'request is an x509 certificate signing request in a "CERTIFICATE REQUEST" PEM block.', { required: true, listType: 'atomic' }),
    signerName: str(7, 'signerName is the qualified name of the requested signer, e.g. "kubernetes.io/kube-apiserver-client".', { required: true }),
    expirationSeconds: i32(8, 'expirationSeconds is the requested validity of the issued certificate; at least 600.'),
    usages: list(S.string, 5, 'usages lists the key usages requested in the issued certificate.', { listType: 'atomic' }),
    username: str(2, 'username of the user that created the request; set by the server.', { readOnly: true }),
    uid: str(3, 'uid of the user that created the request; set by the server.', { readOnly: true }),
    groups: list(S.string, 4, 'groups of the user that created the request; set by the server.', { listType: 'atomic', readOnly: true }),
    extra: map(ref(`${N}.ExtraValue`), 6, 'extra attributes of the user that created the request; set by the server.', { readOnly: true }),
  }),
  struct(`${N}.ExtraValue`, 'ExtraValue masks the value so protobuf can generate a message for it.', {}, { protoList: S.string }),
  struct(`${N}.CertificateSigningRequestStatus`, 'CertificateSigningRequestStatus holds the approval conditions and the issued certificate.', {
    conditions: list(ref(`${N}.CertificateSigningRequestCondition`), 1, 'conditions applied to the request: Approved, Denied, Failed.', { listType: 'map', listMapKeys: ['type'] }),
    certificate: f(S.bytes, 2, 'certificate is the PEM-encoded certificate issued by the signer after approval.', { listType: 'atomic' }),
  }),
  struct(`${N}.CertificateSigningRequestCondition`, 'CertificateSigningRequestCondition describes a condition of a CertificateSigningRequest.', {
    type: str(1, 'type of the condition: Approved, Denied or Failed.', { required: true }),
    status: str(6, 'status of the condition: True, False or Unknown.', { required: true }),
    reason: str(2, 'reason is a brief CamelCase reason for the request state.'),
    message: str(3, 'message is a human readable message about the request state.'),
    lastUpdateTime: time(4, 'lastUpdateTime is the time of the last update to this condition.'),
    lastTransitionTime: time(5, 'lastTransitionTime is when the condition last moved from one status to another.'),
  }),
];
