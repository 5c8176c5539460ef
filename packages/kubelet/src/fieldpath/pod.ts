// Pod field values for env fieldRef and downward API files: upstream's
// pods.ConvertDownwardAPIFieldLabel, fieldpath.ExtractFieldPathAsString and the kubelet's
// podFieldSelectorRuntimeValue, with the same accepted paths and error texts.
import type { Pod } from '@kube-ts/client';
import { formatMap } from './format.js';

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const QNAME_MSG = `must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '${QNAME_FMT}')`;
const DNS1123_SUBDOMAIN_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);

/** validation.IsQualifiedName (label and annotation keys). */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) return [`a qualified name ${QNAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  const errs: string[] = [];
  const name = parts.length === 2 ? parts[1]! : parts[0]!;
  if (parts.length === 2) {
    const prefix = parts[0]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else {
      if (prefix.length > 253) errs.push('prefix part must be no more than 253 characters');
      if (!DNS1123_SUBDOMAIN_RE.test(prefix)) errs.push(`prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '${DNS1123_SUBDOMAIN_FMT}')`);
    }
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part must be no more than 63 characters');
  if (!QNAME_RE.test(name)) errs.push(`name part ${QNAME_MSG}`);
  return errs;
}

/** fieldpath.SplitMaybeSubscriptedPath: `metadata.labels['key']` -> ['metadata.labels', 'key']. */
export function splitMaybeSubscriptedPath(fieldPath: string): [string, string] | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const i = s.indexOf("['");
  if (i < 0) return undefined;
  return [s.slice(0, i), s.slice(i + 2)];
}

/** pods.ConvertDownwardAPIFieldLabel for v1: the paths a fieldRef may name (spec.host is spec.nodeName). */
export function convertDownwardAPIFieldLabel(apiVersion: string, label: string): string {
  if (apiVersion !== 'v1') throw new Error(`unsupported pod version: ${apiVersion}`);
  const sub = splitMaybeSubscriptedPath(label);
  if (sub) {
    if (sub[0] === 'metadata.annotations' || sub[0] === 'metadata.labels') return label;
    throw new Error(`field label does not support subscript: ${label}`);
  }
  switch (label) {
    case 'metadata.annotations': case 'metadata.labels': case 'metadata.name': case 'metadata.namespace':
    case 'metadata.uid': case 'spec.nodeName': case 'spec.restartPolicy': case 'spec.serviceAccountName':
    case 'spec.schedulerName': case 'status.phase': case 'status.hostIP': case 'status.hostIPs':
    case 'status.podIP': case 'status.podIPs':
      return label;
    case 'spec.host':
      return 'spec.nodeName';
    default:
      throw new Error(`field label not supported: ${label}`);
  }
}

/** fieldpath.ExtractFieldPathAsString: the metadata paths (the only ones downward API volumes allow). */
export function extractFieldPathAsString(pod: Pod, fieldPath: string): string {
  const meta = pod.metadata;
  const sub = splitMaybeSubscriptedPath(fieldPath);
  if (sub) {
    const [path, key] = sub;
    if (path === 'metadata.annotations') {
      const errs = isQualifiedName(key.toLowerCase());
      if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return meta.annotations?.[key] ?? '';
    }
    if (path === 'metadata.labels') {
      const errs = isQualifiedName(key);
      if (errs.length) throw new Error(`invalid key subscript in ${fieldPath}: ${errs.join(';')}`);
      return meta.labels?.[key] ?? '';
    }
    throw new Error(`fieldPath "${fieldPath}" does not support subscript`);
  }
  switch (fieldPath) {
    case 'metadata.annotations': return formatMap(meta.annotations);
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? '';
    case 'metadata.uid': return meta.uid ?? '';
    default: throw new Error(`unsupported fieldPath: ${fieldPath}`);
  }
}

function ipList(pod: Pod, plural: 'podIPs' | 'hostIPs', singular: 'podIP' | 'hostIP'): string[] {
  const list = pod.status?.[plural];
  if (Array.isArray(list)) {
    const ips = list.map((e) => (e && typeof e === 'object' ? (e as { ip?: unknown }).ip : undefined)).filter((ip): ip is string => typeof ip === 'string' && ip !== '');
    if (ips.length) return ips;
  }
  const one = pod.status?.[singular];
  return typeof one === 'string' && one ? [one] : [];
}

/**
 * The kubelet's podFieldSelectorRuntimeValue for an env fieldRef (apiVersion v1). IPs come from
 * the pod's status (the kubelet fills hostIP(s)/podIP(s) in before building the environment).
 * Throws on an unsupported path.
 */
export function podFieldValue(pod: Pod, fieldPath: string): string {
  const path = convertDownwardAPIFieldLabel('v1', fieldPath);
  switch (path) {
    case 'spec.nodeName': return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    case 'status.hostIP': return ipList(pod, 'hostIPs', 'hostIP')[0] ?? '';
    case 'status.hostIPs': return ipList(pod, 'hostIPs', 'hostIP').join(',');
    case 'status.podIP': return ipList(pod, 'podIPs', 'podIP')[0] ?? '';
    case 'status.podIPs': return ipList(pod, 'podIPs', 'podIP').join(',');
    default: return extractFieldPathAsString(pod, path);
  }
}
