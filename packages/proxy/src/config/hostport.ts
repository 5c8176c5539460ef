// Go's net.SplitHostPort, used where upstream validates and completes "IP:port" addresses.

/** [host, port], or an Error with Go's message. */
export function splitHostPort(hostport: string): [string, string] | Error {
  const fail = (why: string): Error => new Error(`address ${hostport}: ${why}`);
  const i = hostport.lastIndexOf(':');
  if (i < 0) return fail('missing port in address');
  let host: string;
  if (hostport.startsWith('[')) {
    const end = hostport.indexOf(']');
    if (end < 0) return fail("missing ']' in address");
    if (end + 1 === hostport.length) return fail('missing port in address');
    if (end + 1 !== i) return fail(hostport[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
    host = hostport.slice(1, end);
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return fail('too many colons in address');
  }
  return [host, hostport.slice(i + 1)];
}
