// Probe messages end up in events users grep for, so errors read as Go's net, net/http and grpc
// packages print them ("dial tcp 10.0.0.5:81: connect: connection refused"), not as Node's.
import { isIPv6 } from 'node:net';

/** net.JoinHostPort. */
export function joinHostPort(host: string, port: number): string {
  return isIPv6(host) || host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** time.Duration.String() for whole seconds: 1s, 1m0s, 1h0m0s. */
export function goSeconds(s: number): string {
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h${m}m${sec}s`;
  if (m > 0) return `${m}m${sec}s`;
  return `${sec}s`;
}

/** Go's %q for a string (strconv.Quote): ASCII escapes, printable runes kept. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

const SYSCALL_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'broken pipe',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

interface SysError { code?: string; message?: string; hostname?: string }

/** The error of a failed dial to `addr` (host:port), as net.Dial reports it. */
export function dialError(addr: string, err: unknown): string {
  const e = (err ?? {}) as SysError;
  if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') {
    return `dial tcp: lookup ${e.hostname ?? addr.replace(/:\d+$/, '')}: no such host`;
  }
  const text = e.code ? SYSCALL_TEXT[e.code] : undefined;
  return `dial tcp ${addr}: connect: ${text ?? e.message ?? String(err)}`;
}

/** The error of a read/write on an established connection. */
export function connError(local: string, remote: string, op: 'read' | 'write', err: unknown): string {
  const e = (err ?? {}) as SysError;
  const text = e.code ? SYSCALL_TEXT[e.code] : undefined;
  return `${op} tcp ${local}->${remote}: ${op}: ${text ?? e.message ?? String(err)}`;
}

/** codes.Code.String() by numeric gRPC status code. */
const GRPC_CODE_NAMES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists',
  'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange',
  'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
];

export function grpcCodeName(code: number): string {
  return GRPC_CODE_NAMES[code] ?? `Code(${code})`;
}

/** A grpc-js ServiceError as grpc-go's status error prints: "rpc error: code = X desc = ...". */
export function grpcErrorText(err: unknown): string {
  const e = err as { code?: unknown; details?: unknown; message?: unknown } | null;
  if (e && typeof e.code === 'number') {
    const desc = typeof e.details === 'string' ? e.details : String(e.message ?? '');
    return `rpc error: code = ${grpcCodeName(e.code)} desc = ${desc}`;
  }
  return err instanceof Error ? err.message : String(err);
}
