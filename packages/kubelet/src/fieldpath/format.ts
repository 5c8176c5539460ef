// Go's %q (strconv.Quote) and fieldpath.FormatMap: the downward API writes labels and annotations
// as sorted `key="value"` lines with Go string quoting, so files read byte for byte as upstream's.

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const SHORT_ESCAPES: Record<string, string> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '\\': '\\\\', '"': '\\"',
};

/** strconv.Quote: a double-quoted Go string literal (printable runes as they are, others escaped). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = SHORT_ESCAPES[ch];
    if (short) { out += short; continue; }
    const cp = ch.codePointAt(0)!;
    if (PRINTABLE.test(ch) && !(cp >= 0xd800 && cp <= 0xdfff)) { out += ch; continue; }
    if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd'; // a lone surrogate is invalid UTF-8 in Go: written as U+FFFD
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** fieldpath.FormatMap: `k="v"` lines in key order, no trailing newline. */
export function formatMap(m: Record<string, string> | undefined): string {
  if (!m) return '';
  return Object.keys(m).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((k) => `${k}=${goQuote(m[k] ?? '')}`).join('\n');
}
