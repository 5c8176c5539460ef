// Label selectors (equality and set-based) as upstream parses them (k8s.io/apimachinery labels).
import { Errors } from '../api/errors.js';

type Req =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: '=' | '!='; value: string };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Splits on commas that are not inside parentheses. */
function terms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { out.push(cur); cur = ''; } else cur += ch;
  }
  out.push(cur);
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

export function parseLabelSelector(s: string | undefined): LabelSelector {
  if (!s || !s.trim()) return () => true;
  const reqs: Req[] = terms(s).map((t) => {
    let m: RegExpMatchArray | null;
    if ((m = t.match(/^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/))) {
      return { key: m[1]!, op: m[2] as 'in' | 'notin', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) };
    }
    if ((m = t.match(/^(\S+?)\s*(==|!=|=)\s*(\S*)$/))) return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
    if ((m = t.match(/^!(\S+)$/))) return { key: m[1]!, op: '!exists' };
    if ((m = t.match(/^(\S+)$/))) return { key: m[1]!, op: 'exists' };
    // An unterminated value set: upstream's lexer runs out of input inside the parentheses.
    if (/^\S+\s+(in|notin)\s*\([^)]*$/.test(t)) throw Errors.badRequest(`unable to parse requirement: found '', expected: ',' or ')'`);
    throw Errors.badRequest(`unable to parse requirement: found '${t}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  for (const r of reqs) {
    if (!KEY.test(r.key)) throw Errors.badRequest(`unable to parse requirement: invalid label key "${r.key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return (labels) => reqs.every((r) => {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'exists': return v !== undefined;
      case '!exists': return v === undefined;
      case '=': return v === r.value;
      case '!=': return v !== r.value;
      case 'in': return v !== undefined && r.values.includes(v);
      case 'notin': return v === undefined || !r.values.includes(v);
    }
  });
}

/** Field selectors: metadata.name / metadata.namespace for every resource, = / == / != only. */
export function parseFieldSelector(s: string | undefined, fields: (obj: Record<string, unknown>, path: string) => string | undefined, allowed: readonly string[]): (obj: Record<string, unknown>) => boolean {
  if (!s || !s.trim()) return () => true;
  const reqs = s.split(',').map((t) => {
    const m = t.trim().match(/^([^=!]+?)\s*(==|!=|=)\s*(.*)$/);
    if (!m) throw Errors.badRequest(`invalid selector: '${s}'; can't understand '${t}'`);
    if (!allowed.includes(m[1]!)) {
      // Resources without their own field label conversion answer with the default one's message.
      throw Errors.badRequest(allowed.length <= 2 ? `"${m[1]!}" is not a known field selector: only "metadata.name", "metadata.namespace"` : `field label not supported: ${m[1]}`);
    }
    return { path: m[1]!, neg: m[2] === '!=', value: m[3]! };
  });
  return (obj) => reqs.every((r) => (fields(obj, r.path) === r.value) !== r.neg);
}
