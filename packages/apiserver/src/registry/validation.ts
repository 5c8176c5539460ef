// apimachinery's name and value checks (k8s.io/apimachinery/pkg/util/validation and
// api/validation/path), with upstream's messages. Every declaration validates names, label keys,
// label values and port names through these, so the wording stays the same everywhere.
import type { StatusCause } from '../api/types.js';
import type { NameRule } from './resource.js';

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** IsDNS1123Label. */
export function dns1123Label(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(v)) out.push(`a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`);
  return out;
}

/** IsDNS1123Subdomain. */
export function dns1123Subdomain(v: string): string[] {
  const out: string[] = [];
  if (v.length > 253) out.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(v)) out.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`);
  return out;
}

/** path.IsValidPathSegmentName: what RBAC and CSR names must be (colons allowed). */
export function pathSegmentName(name: string): string[] {
  if (name === '.' || name === '..') return [`may not be '${name}'`];
  const out: string[] = [];
  for (const c of ['/', '%']) if (name.includes(c)) out.push(`may not contain '${c}'`);
  return out;
}

/** metadata.name by the resource's rule. */
export function validateName(rule: NameRule, name: string): string[] {
  return rule === 'path' ? pathSegmentName(name) : rule === 'label' ? dns1123Label(name) : dns1123Subdomain(name);
}

/** IsQualifiedName: an optional DNS subdomain prefix, '/', and a name part (label keys, finalizers...). */
export function qualifiedName(v: string): string[] {
  const parts = v.split('/');
  let name = v;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts as [string, string];
    name = n;
    if (prefix.length === 0) out.push('prefix part must be non-empty');
    else out.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [`a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  if (name.length > 0 && !QUALIFIED_NAME_PART.test(name)) out.push(`name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`);
  return out;
}

/** IsValidLabelValue. */
export function labelValue(v: string): string[] {
  const out: string[] = [];
  if (v.length > 63) out.push('must be no more than 63 characters');
  if (!LABEL_VALUE.test(v)) out.push(`a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`);
  return out;
}

/** IsValidPortName (an IANA_SVC_NAME). */
export function portName(s: string): string[] {
  const out: string[] = [];
  if (s.length > 15) out.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(s)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(s)) out.push('must contain at least one letter (a-z)');
  if (s.includes('--')) out.push('must not contain consecutive hyphens');
  if (s.startsWith('-') || s.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

/** A bad value as field.Error prints it: %q for strings, %v for numbers and booleans, null when absent, JSON otherwise. */
export function goValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Upstream's field.Error constructors, as Status causes. `rendered` overrides how the value prints (Go's %#v of maps...). */
export const fieldErr = {
  required: (field: string, detail = ''): StatusCause => ({ reason: 'FieldValueRequired', message: detail ? `Required value: ${detail}` : 'Required value', field }),
  invalid: (field: string, value: unknown, detail: string, rendered?: string): StatusCause => ({ reason: 'FieldValueInvalid', message: `Invalid value: ${rendered ?? goValue(value)}: ${detail}`, field }),
  notSupported: (field: string, value: unknown, supported: readonly string[]): StatusCause => ({ reason: 'FieldValueNotSupported', message: `Unsupported value: ${goValue(value)}: supported values: ${supported.map((s) => JSON.stringify(s)).join(', ')}`, field }),
  forbidden: (field: string, detail: string): StatusCause => ({ reason: 'FieldValueForbidden', message: `Forbidden: ${detail}`, field }),
  duplicate: (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueDuplicate', message: `Duplicate value: ${goValue(value)}`, field }),
  notFound: (field: string, value: unknown): StatusCause => ({ reason: 'FieldValueNotFound', message: `Not found: ${goValue(value)}`, field }),
  tooMany: (field: string, actual: number, max: number): StatusCause => ({ reason: 'FieldValueTooMany', message: `Too many: ${actual}: must have at most ${max} items`, field }),
  tooLong: (field: string, max: number): StatusCause => ({ reason: 'FieldValueTooLong', message: `Too long: may not be more than ${max} bytes`, field }),
  immutable: (field: string, value: unknown): StatusCause => fieldErr.invalid(field, value, 'field is immutable'),
};
