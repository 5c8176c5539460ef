// Resource declarations: certificates.k8s.io/v1 certificatesigningrequests. Validation as upstream's
// pkg/apis/certificates/validation, columns as the printers.
//
// Upstream's strategy fills spec.username, uid, groups and extra from the requesting user on
// create; `defaults` has no user, so that belongs to the server's create path (RequestContext).
// The approval subresource (/approval) is added by the server later; only /status is declared.
import forge from 'node-forge';
import type { KubeObject, StatusCause } from '../api/types.js';
import { AGE, type ResourceDef, validateName } from './resource.js';
import { type Obj, arr, get, isObj, str, strs } from './networking.js';
import { fieldErr } from './validation.js';

const USAGES = [
  'any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment',
  'decipher only', 'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel',
  'ipsec user', 'key agreement', 'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime',
  'server auth', 'signing', 'timestamping',
];
const LEGACY_SIGNER = 'kubernetes.io/legacy-unknown';

/** A byte slice as Go's %#v prints it, which is how upstream reports a bad spec.request. */
const goBytes = (b: Buffer): string => `[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(', ')}}`;

/** Upstream's certificates.ParseCSR plus CheckSignature: a "CERTIFICATE REQUEST" PEM block that parses and verifies. */
export function csrError(pem: string): string | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') return 'PEM block type must be CERTIFICATE REQUEST';
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(m[0], false, true);
  } catch (e) {
    // node-forge reads only RSA keys; other key types (ECDSA, Ed25519) are accepted unverified
    // once the DER structure parses.
    if (e instanceof Error && /OID is not RSA/.test(e.message)) return undefined;
    return 'x509: malformed certificate request';
  }
  try {
    return csr.verify() ? undefined : 'crypto/rsa: verification error';
  } catch {
    return 'crypto/rsa: verification error';
  }
}

/** Upstream's core validation.ValidateSignerName: "<domain>/<path>". */
function validateSignerName(field: string, name: string): StatusCause[] {
  if (!name) return [fieldErr.required(field)];
  const segs = name.split('/');
  if (segs.length !== 2) return [fieldErr.invalid(field, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, path] = segs as [string, string];
  const out: StatusCause[] = [];
  if (domain.length > 253) out.push(fieldErr.tooLong(field, 253));
  const labels = domain.split('.');
  for (const lbl of labels) {
    const errs = validateName('label', lbl);
    if (errs.length) { for (const e of errs) out.push(fieldErr.invalid(field, domain, `validating label "${lbl}": ${e}`)); break; }
  }
  if (labels.length < 2) out.push(fieldErr.invalid(field, domain, 'should be a domain with at least two segments separated by dots'));
  const maxPath = 253 - domain.length;
  if (path.length > maxPath) out.push(fieldErr.tooLong(field, maxPath));
  for (const m of validateName('subdomain', path)) out.push(fieldErr.invalid(field, path, `validating path "${path}": ${m}`));
  return out;
}

function validateConditions(o: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  arr(get(o, 'status', 'conditions')).forEach((c, i) => {
    const path = `status.conditions[${i}]`;
    const type = str(c.type);
    if (!type) out.push(fieldErr.required(`${path}.type`));
    const allowed = ['Approved', 'Denied', 'Failed'].includes(type) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!str(c.status)) out.push(fieldErr.required(`${path}.status`));
    else if (!allowed.includes(str(c.status))) out.push(fieldErr.notSupported(`${path}.status`, c.status, allowed));
    if (type === 'Approved') { approved = true; if (denied) out.push(fieldErr.invalid(`${path}.type`, type, 'Approved and Denied conditions are mutually exclusive')); }
    if (type === 'Denied') { denied = true; if (approved) out.push(fieldErr.invalid(`${path}.type`, type, 'Approved and Denied conditions are mutually exclusive')); }
    if (seen.has(type)) out.push(fieldErr.duplicate(`${path}.type`, type));
    seen.add(type);
  });
  return out;
}

function validateCSR(o: KubeObject, old?: KubeObject): StatusCause[] {
  const out: StatusCause[] = [];
  const spec: Obj = isObj(o.spec) ? o.spec : {};
  const raw = Buffer.from(str(spec.request), 'base64');
  const err = csrError(raw.toString('latin1'));
  if (err) out.push(fieldErr.invalid('spec.request', spec.request, err, goBytes(raw)));
  const usages = strs(spec.usages);
  if (usages.length === 0) out.push(fieldErr.required('spec.usages'));
  // Data stored before these checks existed stays updatable (upstream's compatibility options).
  const oldUsages = strs(get(old, 'spec', 'usages'));
  if (!oldUsages.some((u) => !USAGES.includes(u))) usages.forEach((u, i) => { if (!USAGES.includes(u)) out.push(fieldErr.notSupported(`spec.usages[${i}]`, u, USAGES)); });
  if (new Set(oldUsages).size === oldUsages.length) usages.forEach((u, i) => { if (usages.indexOf(u) !== i) out.push(fieldErr.duplicate(`spec.usages[${i}]`, u)); });
  const signer = str(spec.signerName);
  if (signer === LEGACY_SIGNER && str(get(old, 'spec', 'signerName')) !== LEGACY_SIGNER) out.push(fieldErr.invalid('spec.signerName', signer, 'the legacy signerName is not allowed via this API version'));
  else if (signer !== LEGACY_SIGNER) out.push(...validateSignerName('spec.signerName', signer));
  const exp = spec.expirationSeconds;
  if (typeof exp === 'number' && exp < 600) out.push(fieldErr.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 600 seconds (10 minutes)'));
  out.push(...validateConditions(o));
  if (old) {
    // Approved/Denied/Failed conditions are never removed once set.
    for (const t of ['Approved', 'Denied', 'Failed']) {
      const count = (x: unknown): number => arr(get(x, 'status', 'conditions')).filter((c) => c.type === t).length;
      if (count(o) < count(old)) out.push(fieldErr.forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
    }
  }
  return out;
}

/** Upstream's duration.HumanDuration. */
export function humanDuration(seconds: number): string {
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const m = Math.floor(seconds / 60);
  if (m < 10) return seconds % 60 ? `${m}m${seconds % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (h < 24 * 8) return h % 24 ? `${Math.floor(h / 24)}d${h % 24}h` : `${Math.floor(h / 24)}d`;
  if (h < 24 * 365 * 2) return `${Math.floor(h / 24)}d`;
  const dy = Math.floor(h / 24) % 365;
  if (h < 24 * 365 * 8) return dy ? `${Math.floor(h / 24 / 365)}y${dy}d` : `${Math.floor(h / 24 / 365)}y`;
  return `${Math.floor(h / 24 / 365)}y`;
}

/** Upstream's extractCSRStatus: Denied, Approved or Pending, then ",Failed" and ",Issued". */
function csrCondition(o: KubeObject): string {
  const types = new Set(arr(get(o, 'status', 'conditions')).map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (str(get(o, 'status', 'certificate'))) s += ',Issued';
  return s;
}

export const resources: ResourceDef[] = [{
  group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest', shortNames: ['csr'], categories: [], namespaced: false,
  // Upstream accepts any name that is a valid path segment (no NameRule for that yet).
  nameRule: 'path', storagePath: 'certificatesigningrequests',
  // Upstream's csrStrategy.PrepareForCreate: the requester comes from the request, not the body.
  prepareCreate: (obj, ctx) => {
    const spec = ((obj.spec && typeof obj.spec === 'object') ? obj.spec : (obj.spec = {})) as Record<string, unknown>;
    spec.username = ctx.user.username;
    if (ctx.user.uid) spec.uid = ctx.user.uid; else delete spec.uid;
    spec.groups = ctx.user.groups;
    if (ctx.user.extra) spec.extra = ctx.user.extra; else delete spec.extra;
  },
  schema: 'io.k8s.api.certificates.v1.CertificateSigningRequest', hasSpec: false, subresources: { status: true },
  fieldSelectors: ['spec.signerName'],
  columns: [
    AGE,
    { name: 'SignerName', type: 'string', description: 'signerName indicates the requested signer, and is a qualified name.', value: (o) => str(get(o, 'spec', 'signerName')) || '<none>' },
    { name: 'Requestor', type: 'string', description: 'Base64-encoded PKCS#10 CSR data', value: (o) => str(get(o, 'spec', 'username')) },
    {
      name: 'RequestedDuration', type: 'string', description: 'expirationSeconds is the requested duration of validity of the issued certificate.',
      value: (o) => { const e = get(o, 'spec', 'expirationSeconds'); return typeof e === 'number' ? humanDuration(e) : '<none>'; },
    },
    { name: 'Condition', type: 'string', description: 'Conditions applied to the request, such as approval or denial.', value: csrCondition },
  ],
  validate: validateCSR,
}];
