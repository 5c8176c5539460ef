// --node-labels and --register-with-taints: parsing and validation with apimachinery's messages
// (IsQualifiedName, IsValidLabelValue) and the kubelet's rule on kubernetes.io labels.
import type { Taint, TaintEffect } from '@kube-ts/client';

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const QNAME_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** validation.IsQualifiedName. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) name = parts[0]!;
  else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) {
        errs.push(`prefix part ${regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN_FMT, 'example.com')}`);
      }
    }
  } else {
    return [`a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QNAME_RE.test(name)) errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** validation.IsValidLabelValue. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE_RE.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

/** kubeletapis.KubeletLabels(), sorted as sets.List returns them. */
export const KUBELET_LABELS = [
  'beta.kubernetes.io/arch', 'beta.kubernetes.io/instance-type', 'beta.kubernetes.io/os',
  'failure-domain.beta.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/zone',
  'kubernetes.io/arch', 'kubernetes.io/hostname', 'kubernetes.io/os', 'node.kubernetes.io/instance-type',
  'topology.kubernetes.io/region', 'topology.kubernetes.io/zone',
];
export const KUBELET_LABEL_NAMESPACES = ['kubelet.kubernetes.io', 'node.kubernetes.io'];

function namespaceOf(key: string): string {
  const i = key.indexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}
const inDomain = (ns: string, d: string): boolean => ns === d || ns.endsWith(`.${d}`);

function isKubernetesLabel(key: string): boolean {
  const ns = namespaceOf(key);
  return inDomain(ns, 'kubernetes.io') || inDomain(ns, 'k8s.io');
}

function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.includes(key)) return true;
  const ns = namespaceOf(key);
  return KUBELET_LABEL_NAMESPACES.some((d) => inDomain(ns, d));
}

/** options.ValidateKubeletFlags for --node-labels; throws with upstream's message. */
export function validateNodeLabels(labels: Record<string, string>): void {
  const unknown = new Set<string>();
  const invalid = new Map<string, string[]>();
  for (const [k, v] of Object.entries(labels)) {
    if (isKubernetesLabel(k) && !isKubeletLabel(k)) unknown.add(k);
    const ke = isQualifiedName(k);
    if (ke.length) invalid.set(k, [...(invalid.get(k) ?? []), ...ke]);
    const ve = isValidLabelValue(v);
    if (ve.length) invalid.set(v, [...(invalid.get(v) ?? []), ...ve]);
  }
  if (unknown.size > 0) {
    throw new Error(`unknown 'kubernetes.io' or 'k8s.io' labels specified with --node-labels: [${[...unknown].sort().join(' ')}]\n`
      + `--node-labels in the 'kubernetes.io' namespace must begin with an allowed prefix (${KUBELET_LABEL_NAMESPACES.join(', ')}) or be in the specifically allowed set (${KUBELET_LABELS.join(', ')})`);
  }
  if (invalid.size > 0) {
    throw new Error(`invalid node labels: ${[...invalid].map(([k, errs]) => `'${k}' - ${errs.join(', ')}`).join('; ')}`);
  }
}

const EFFECTS: TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** taints.parseTaint + the checks ParseTaints adds (an effect is required, <key, effect> unique). */
export function parseTaints(specs: string[]): Taint[] {
  const out: Taint[] = [];
  for (const st of specs) {
    const parts = st.split(':');
    let key: string;
    let value = '';
    let effect = '';
    if (parts.length === 1) key = parts[0]!;
    else if (parts.length === 2) {
      effect = parts[1]!;
      if (!EFFECTS.includes(effect as TaintEffect)) throw new Error(`invalid taint effect: ${effect}, unsupported taint effect`);
      const kv = parts[0]!.split('=');
      if (kv.length > 2) throw new Error(`invalid taint spec: ${st}`);
      key = kv[0]!;
      if (kv.length === 2) {
        value = kv[1]!;
        const errs = isValidLabelValue(value);
        if (errs.length) throw new Error(`invalid taint spec: ${st}, ${errs.join('; ')}`);
      }
    } else throw new Error(`invalid taint spec: ${st}`);
    const errs = isQualifiedName(key);
    if (errs.length) throw new Error(`invalid taint spec: ${st}, ${errs.join('; ')}`);
    if (!effect) throw new Error(`invalid taint spec: ${st}`);
    if (out.some((t) => t.key === key && t.effect === effect)) {
      throw new Error(`duplicated taints with the same key and effect: {${key} ${value} ${effect} <nil>}`);
    }
    const taint: Taint = { key, effect: effect as TaintEffect };
    if (value) taint.value = value;
    out.push(taint);
  }
  return out;
}

/** utiltaints.CheckTaintValidation for registerWithTaints from the config file. */
export function taintValid(t: Taint): boolean {
  if (isQualifiedName(t.key).length) return false;
  if (t.value !== undefined && isValidLabelValue(t.value).length) return false;
  return EFFECTS.includes(t.effect);
}
