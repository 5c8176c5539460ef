// The slice of apimachinery's field errors and name validation that plugin args validation
// (pkg/scheduler/apis/config/validation) needs, so messages read exactly as upstream's.

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN_RE.test(v)) errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** validation.IsQualifiedName: an optional DNS subdomain prefix and '/', then a name of at most 63 characters. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QNAME_RE.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** field.Error messages ("<path>: <type>: <detail>"). */
export const field = {
  invalid: (path: string, value: unknown, detail: string): string => `${path}: Invalid value: ${formatValue(value)}: ${detail}`,
  required: (path: string, detail: string): string => `${path}: Required value: ${detail}`,
  forbidden: (path: string, detail: string): string => `${path}: Forbidden: ${detail}`,
  duplicate: (path: string, value: unknown): string => `${path}: Duplicate value: ${formatValue(value)}`,
  notSupported: (path: string, value: unknown, valid: readonly string[]): string =>
    `${path}: Unsupported value: ${formatValue(value)}: supported values: ${valid.map((s) => JSON.stringify(s)).join(', ')}`,
};

/** metav1validation.ValidateLabelName. */
export function validateLabelName(name: string, path: string): string[] {
  return isQualifiedName(name).map((m) => field.invalid(path, name, m));
}

/** utilerrors.Aggregate: one message as is, several as "[a, b]"; throws when there are any. */
export function throwAggregate(errs: string[]): void {
  const uniq = [...new Set(errs)];
  if (uniq.length === 1) throw new Error(uniq[0]);
  if (uniq.length > 1) throw new Error(`[${uniq.join(', ')}]`);
}
