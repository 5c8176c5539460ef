// Just enough X.509/PKCS#10 for the CSR controllers, on node-forge's ASN.1 layer: parse a CSR's
// subject, SANs and public key (any key type: node-forge's high-level CSR API reads only RSA, and
// kubelets use ECDSA), and issue a certificate the way Go's x509.CreateCertificate lays it out.
import { createPrivateKey, randomBytes, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const A = forge.asn1;
type Asn1 = forge.asn1.Asn1;

const OID = {
  commonName: '2.5.4.3', organization: '2.5.4.10', extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17', keyUsage: '2.5.29.15', extKeyUsage: '2.5.29.37', basicConstraints: '2.5.29.19',
  subjectKeyId: '2.5.29.14', authorityKeyId: '2.5.29.35',
  sha256WithRSA: '1.2.840.113549.1.1.11', ecdsaWithSHA256: '1.2.840.10045.4.3.2', ecdsaWithSHA384: '1.2.840.10045.4.3.3', ed25519: '1.3.101.112',
  rsaEncryption: '1.2.840.113549.1.1.1', ecPublicKey: '1.2.840.10045.2.1',
};

export interface ParsedCSR {
  commonName: string;
  organization: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** 'RSA' | 'ECDSA' | 'Ed25519' | the OID */
  publicKeyAlgorithm: string;
  subject: Asn1;
  publicKeyInfo: Asn1;
}

const children = (a: Asn1 | undefined): Asn1[] => (a && Array.isArray(a.value) ? a.value : []);
const bytes = (a: Asn1 | undefined): string => (a && typeof a.value === 'string' ? a.value : '');
const oidOf = (a: Asn1 | undefined): string => A.derToOid(bytes(a));
/** Parses DER keeping BIT STRINGs raw, so re-encoded parts (the public key) are byte-identical. */
const fromDer = (b: string): Asn1 => (A.fromDer as unknown as (b: string, o: object) => Asn1)(b, { strict: true, decodeBitStrings: false });

function ipString(b: string): string {
  const v = [...b].map((c) => c.charCodeAt(0));
  if (v.length === 4) return v.join('.');
  const groups: string[] = [];
  for (let i = 0; i + 1 < v.length; i += 2) groups.push(((v[i]! << 8) | v[i + 1]!).toString(16));
  return groups.join(':');
}

function ipBytes(ip: string): string {
  if (ip.includes('.')) return String.fromCharCode(...ip.split('.').map(Number));
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t] : h;
  return groups.map((g) => { const n = parseInt(g || '0', 16); return String.fromCharCode(n >> 8, n & 0xff); }).join('');
}

/** Values of the subject attributes with `oid`, in order. */
function nameValues(name: Asn1, oid: string): string[] {
  const out: string[] = [];
  for (const rdn of children(name)) for (const atv of children(rdn)) {
    const [t, v] = children(atv);
    if (oidOf(t) === oid) out.push(forge.util.decodeUtf8(bytes(v)));
  }
  return out;
}

/** certificates.ParseCSR: one "CERTIFICATE REQUEST" PEM block, parsed. Throws with upstream's messages. */
export function parseCSR(pem: string): ParsedCSR {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(pem);
  if (!m || m[1] !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let info: Asn1[];
  try {
    const der = forge.util.decode64(m[2]!.replace(/\s+/g, ''));
    info = children(children(fromDer(der))[0]);
  } catch {
    throw new Error('x509: malformed certificate request');
  }
  const [, subject, spki, attrs] = info;
  if (!subject || !spki) throw new Error('x509: malformed certificate request');
  const algOid = oidOf(children(children(spki)[0])[0]);
  const publicKeyAlgorithm = algOid === OID.rsaEncryption ? 'RSA' : algOid === OID.ecPublicKey ? 'ECDSA' : algOid === OID.ed25519 ? 'Ed25519' : algOid;
  const out: ParsedCSR = {
    commonName: nameValues(subject, OID.commonName)[0] ?? '', organization: nameValues(subject, OID.organization),
    dnsNames: [], ipAddresses: [], emailAddresses: [], uris: [], publicKeyAlgorithm, subject, publicKeyInfo: spki,
  };
  // attributes [0]: extensionRequest → the subjectAltName extension.
  for (const attr of attrs?.tagClass === A.Class.CONTEXT_SPECIFIC ? children(attrs) : []) {
    const [t, set] = children(attr);
    if (oidOf(t) !== OID.extensionRequest) continue;
    for (const ext of children(children(set)[0])) {
      const parts = children(ext);
      if (oidOf(parts[0]) !== OID.subjectAltName) continue;
      const names = fromDer(bytes(parts[parts.length - 1]));
      for (const gn of children(names)) {
        const v = bytes(gn);
        if (gn.type === 1) out.emailAddresses.push(v);
        else if (gn.type === 2) out.dnsNames.push(v);
        else if (gn.type === 6) out.uris.push(v);
        else if (gn.type === 7) out.ipAddresses.push(ipString(v));
      }
    }
  }
  return out;
}

// ---- issuing ----------------------------------------------------------------------------------

export interface CA {
  certPem: string;
  key: KeyObject;
  notAfter: Date;
  subject: Asn1;
  subjectKeyId?: string;
}

/** Loads the signing CA (certificate and key PEM). */
export function loadCA(certPem: string, keyPem: string): CA {
  const x = new X509Certificate(certPem);
  const der = forge.util.decode64(x.raw.toString('base64'));
  const tbs = children(children(fromDer(der))[0]);
  const off = tbs[0]?.tagClass === A.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const subject = tbs[off + 4]!;
  let subjectKeyId: string | undefined;
  for (const f of tbs) {
    if (f.tagClass !== A.Class.CONTEXT_SPECIFIC || f.type !== 3) continue;
    for (const ext of children(children(f)[0])) {
      const parts = children(ext);
      if (oidOf(parts[0]) === OID.subjectKeyId) subjectKeyId = bytes(fromDer(bytes(parts[parts.length - 1])));
    }
  }
  return { certPem, key: createPrivateKey(keyPem), notAfter: new Date(x.validTo), subject, subjectKeyId };
}

/** KeyUsage bits (x509.KeyUsage) and ExtKeyUsage OIDs (in Go's enum order) per API usage. */
const KEY_USAGE_BITS: Record<string, number> = {
  signing: 0, 'digital signature': 0, 'content commitment': 1, 'key encipherment': 2, 'data encipherment': 3,
  'key agreement': 4, 'cert sign': 5, 'crl sign': 6, 'encipher only': 7, 'decipher only': 8,
};
const EXT_KEY_USAGES: Array<[string[], string]> = [
  [['any'], '2.5.29.37.0'], [['server auth'], '1.3.6.1.5.5.7.3.1'], [['client auth'], '1.3.6.1.5.5.7.3.2'],
  [['code signing'], '1.3.6.1.5.5.7.3.3'], [['email protection', 's/mime'], '1.3.6.1.5.5.7.3.4'],
  [['ipsec end system'], '1.3.6.1.5.5.7.3.5'], [['ipsec tunnel'], '1.3.6.1.5.5.7.3.6'], [['ipsec user'], '1.3.6.1.5.5.7.3.7'],
  [['timestamping'], '1.3.6.1.5.5.7.3.8'], [['ocsp signing'], '1.3.6.1.5.5.7.3.9'],
  [['microsoft sgc'], '1.3.6.1.4.1.311.10.3.3'], [['netscape sgc'], '2.16.840.1.113730.4.1'],
];

/** keyUsagesFromStrings: the KeyUsage bit set and sorted ExtKeyUsage OIDs; unknown usages throw. */
export function keyUsagesFromStrings(usages: string[]): { keyUsage: number; extKeyUsages: string[] } {
  let keyUsage = 0;
  const ext = new Set<string>();
  const unknown: string[] = [];
  for (const u of usages) {
    if (KEY_USAGE_BITS[u] !== undefined) keyUsage |= 1 << KEY_USAGE_BITS[u]!;
    else {
      const e = EXT_KEY_USAGES.find(([names]) => names.includes(u));
      if (e) ext.add(e[1]); else unknown.push(u);
    }
  }
  if (unknown.length) throw new Error(`unrecognized usage values: [${unknown.map((u) => JSON.stringify(u)).join(' ')}]`);
  return { keyUsage, extKeyUsages: EXT_KEY_USAGES.map(([, o]) => o).filter((o) => ext.has(o)) };
}

const seq = (v: Asn1[]): Asn1 => A.create(A.Class.UNIVERSAL, A.Type.SEQUENCE, true, v);
const oid = (o: string): Asn1 => A.create(A.Class.UNIVERSAL, A.Type.OID, false, A.oidToDer(o).getBytes());
const octets = (b: string): Asn1 => A.create(A.Class.UNIVERSAL, A.Type.OCTETSTRING, false, b);
const der = (a: Asn1): string => A.toDer(a).getBytes();

function extension(id: string, critical: boolean, value: Asn1): Asn1 {
  const parts = [oid(id)];
  if (critical) parts.push(A.create(A.Class.UNIVERSAL, A.Type.BOOLEAN, false, '\xff'));
  parts.push(octets(der(value)));
  return seq(parts);
}

/** asn1.BitString of the KeyUsage bits, bit 0 first, trailing zero bits trimmed (Go's marshalKeyUsage). */
function keyUsageBits(ku: number): Asn1 {
  const b: number[] = [0, 0];
  for (let i = 0; i < 9; i++) if (ku & (1 << i)) b[i >> 3]! |= 0x80 >> (i & 7);
  const len = b[1] ? 2 : 1;
  const last = b[len - 1]!;
  let unused = 0;
  while (unused < 7 && last !== 0 && !(last & (1 << unused))) unused++;
  return A.create(A.Class.UNIVERSAL, A.Type.BITSTRING, false, String.fromCharCode(unused, ...b.slice(0, len)));
}

function time(d: Date): Asn1 {
  return d.getUTCFullYear() >= 2050
    ? A.create(A.Class.UNIVERSAL, A.Type.GENERALIZEDTIME, false, A.dateToGeneralizedTime(d))
    : A.create(A.Class.UNIVERSAL, A.Type.UTCTIME, false, A.dateToUtcTime(d));
}

function signatureAlgorithm(key: KeyObject): { alg: Asn1; hash: string | null } {
  switch (key.asymmetricKeyType) {
    case 'rsa': return { alg: seq([oid(OID.sha256WithRSA), A.create(A.Class.UNIVERSAL, A.Type.NULL, false, '')]), hash: 'sha256' };
    case 'ec': {
      const curve = key.asymmetricKeyDetails?.namedCurve;
      return curve === 'secp384r1' || curve === 'secp521r1'
        ? { alg: seq([oid(OID.ecdsaWithSHA384)]), hash: 'sha384' }
        : { alg: seq([oid(OID.ecdsaWithSHA256)]), hash: 'sha256' };
    }
    case 'ed25519': return { alg: seq([oid(OID.ed25519)]), hash: null };
    default: throw new Error(`unsupported CA key type ${key.asymmetricKeyType ?? 'unknown'}`);
  }
}

/** A positive random serial below 2^128, minimally encoded. */
function serial(): Asn1 {
  const b = [...randomBytes(16)];
  b[0]! &= 0x7f;
  while (b.length > 1 && b[0] === 0 && !(b[1]! & 0x80)) b.shift();
  return A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, String.fromCharCode(...b));
}

export interface IssueOptions { notBefore: Date; notAfter: Date; usages: string[] }

/** Issues a certificate for `csr` signed by `ca` (authority.Sign + x509.CreateCertificate). Returns PEM. */
export function issueCertificate(ca: CA, csr: ParsedCSR, o: IssueOptions): string {
  const { keyUsage, extKeyUsages } = keyUsagesFromStrings(o.usages);
  const exts: Asn1[] = [];
  if (keyUsage) exts.push(extension(OID.keyUsage, true, keyUsageBits(keyUsage)));
  if (extKeyUsages.length) exts.push(extension(OID.extKeyUsage, false, seq(extKeyUsages.map(oid))));
  exts.push(extension(OID.basicConstraints, true, seq([])));
  if (ca.subjectKeyId) exts.push(extension(OID.authorityKeyId, false, seq([A.create(A.Class.CONTEXT_SPECIFIC, 0, false, ca.subjectKeyId)])));
  const sans: Asn1[] = [
    ...csr.dnsNames.map((n) => A.create(A.Class.CONTEXT_SPECIFIC, 2, false, n)),
    ...csr.emailAddresses.map((n) => A.create(A.Class.CONTEXT_SPECIFIC, 1, false, n)),
    ...csr.ipAddresses.map((n) => A.create(A.Class.CONTEXT_SPECIFIC, 7, false, ipBytes(n))),
    ...csr.uris.map((n) => A.create(A.Class.CONTEXT_SPECIFIC, 6, false, n)),
  ];
  if (sans.length) exts.push(extension(OID.subjectAltName, false, seq(sans)));
  const { alg, hash } = signatureAlgorithm(ca.key);
  const tbs = seq([
    A.create(A.Class.CONTEXT_SPECIFIC, 0, true, [A.create(A.Class.UNIVERSAL, A.Type.INTEGER, false, A.integerToDer(2).getBytes())]),
    serial(), alg, ca.subject, seq([time(o.notBefore), time(o.notAfter)]), csr.subject, csr.publicKeyInfo,
    A.create(A.Class.CONTEXT_SPECIFIC, 3, true, [seq(exts)]),
  ]);
  const tbsDer = Buffer.from(der(tbs), 'binary');
  const sig = cryptoSign(hash, tbsDer, ca.key);
  const cert = seq([tbs, alg, A.create(A.Class.UNIVERSAL, A.Type.BITSTRING, false, `\x00${sig.toString('binary')}`)]);
  const b64 = Buffer.from(der(cert), 'binary').toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
