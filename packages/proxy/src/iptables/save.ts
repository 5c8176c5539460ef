// Reading `iptables-save -t TABLE` output: only chain names are needed (stale chain detection and
// cleanup), so this looks at ":NAME POLICY [p:b]" lines and nothing else.

export function chainsFromSave(text: string): Set<string> {
  const chains = new Set<string>();
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (text.charCodeAt(start) === 58 /* ':' */) {
      const sp = text.indexOf(' ', start);
      chains.add(text.slice(start + 1, sp < 0 || sp > end ? end : sp));
    }
    start = end + 1;
  }
  return chains;
}
