// labels.Parse for the string selector a Scale reports (status.selector): `a=b`, `a==b`, `a!=b`,
// `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated.
import type { LabelSelectorRequirement } from '@kube-ts/client/types';

export function parseSelector(s: string): LabelSelectorRequirement[] {
  const terms: string[] = [];
  let depth = 0; let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) { terms.push(cur); cur = ''; } else cur += ch;
  }
  if (cur.trim() || terms.length) terms.push(cur);
  const out: LabelSelectorRequirement[] = [];
  for (const raw of terms) {
    const t = raw.trim();
    let m: RegExpExecArray | null;
    if (!t) throw new Error(`unable to parse requirement: found '', expected: identifier`);
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(t))) {
      out.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values: m[3]!.split(',').map((v) => v.trim()).filter(Boolean) });
    } else if ((m = /^([^!=\s]+)\s*!=\s*(\S*)$/.exec(t))) out.push({ key: m[1]!, operator: 'NotIn', values: [m[2]!] });
    else if ((m = /^([^!=\s]+)\s*==?\s*(\S*)$/.exec(t))) out.push({ key: m[1]!, operator: 'In', values: [m[2]!] });
    else if ((m = /^!\s*([^!=\s]+)$/.exec(t))) out.push({ key: m[1]!, operator: 'DoesNotExist' });
    else if (/^[^!=\s(),]+$/.test(t)) out.push({ key: t, operator: 'Exists' });
    else throw new Error(`unable to parse requirement: ${t}`);
  }
  return out;
}
