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

// ---- metav1.LabelSelector objects (matchLabels / matchExpressions) ----

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const strMap = (v: unknown): Record<string, string> => (isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {});
const values = (e: Obj): string[] => (Array.isArray(e.values) ? (e.values as unknown[]).map(String) : []);

/** Whether a LabelSelector selects these labels (a nil selector selects nothing, an empty one everything). */
export function selectorMatches(sel: unknown, labels: Record<string, string> | undefined): boolean {
  if (!isObj(sel)) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) if (l[k] !== v) return false;
  for (const e of objs(sel.matchExpressions)) {
    const key = String(e.key ?? '');
    const has = Object.prototype.hasOwnProperty.call(l, key);
    switch (e.operator) {
      case 'In': if (!has || !values(e).includes(l[key]!)) return false; break;
      case 'NotIn': if (has && values(e).includes(l[key]!)) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** metav1.LabelSelectorAsSelector(sel).String(): requirements sorted by key, values sorted. */
export function formatSelector(sel: unknown): string {
  if (!isObj(sel)) return '';
  const reqs: { key: string; text: string }[] = [];
  for (const [k, v] of Object.entries(strMap(sel.matchLabels))) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of objs(sel.matchExpressions)) {
    const key = String(e.key ?? '');
    const vals = values(e).sort().join(',');
    switch (e.operator) {
      case 'In': reqs.push({ key, text: `${key} in (${vals})` }); break;
      case 'NotIn': reqs.push({ key, text: `${key} notin (${vals})` }); break;
      case 'Exists': reqs.push({ key, text: key }); break;
      case 'DoesNotExist': reqs.push({ key, text: `!${key}` }); break;
      default: return '<error>';
    }
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: "<none>" when it selects on nothing. */
export const formatLabelSelector = (sel: unknown): string => formatSelector(sel) || '<none>';
