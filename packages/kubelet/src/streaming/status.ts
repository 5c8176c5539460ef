// metav1.Status bodies: HTTP errors before an upgrade, and the v4/v5 error-channel status after one.
import { grpcCode } from '../cri/client.js';

export interface StatusCause { reason?: string; message?: string; field?: string }
export interface Status {
  kind?: 'Status';
  apiVersion?: 'v1';
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  details?: { causes?: StatusCause[] };
  code?: number;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** A Failure status as the apiserver's error responses carry it. */
export function failureStatus(code: number, message: string): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: REASONS[code] ?? '', code };
}

/** What the stream translator writes on the error channel once the command succeeded. */
export const SUCCESS_STATUS = JSON.stringify({ metadata: {}, status: 'Success' } satisfies Status);

/** apierrors.NewInternalError as it appears on the error channel. */
export function internalErrorStatus(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return JSON.stringify({
    metadata: {},
    status: 'Failure',
    message: `Internal error occurred: ${msg}`,
    reason: 'InternalError',
    details: { causes: [{ message: msg }] },
    code: 500,
  } satisfies Status);
}

/**
 * HTTP code for a failed getUrl(): an HTTP-like error keeps its code; CRI (gRPC) errors map as the
 * kubelet's streaming.WriteError does (NotFound 404, ResourceExhausted 429, anything else 500).
 */
export function httpCodeFor(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'number' && code >= 400 && code < 600) return code;
  const g = grpcCode(err);
  if (g === 5) return 404;
  if (g === 8) return 429;
  return 500;
}
