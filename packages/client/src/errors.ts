// API errors carry the apiserver's Status object; the predicates mirror apimachinery's
// errors.IsNotFound / IsConflict / ... so callers branch on reason and code, never on text.
import type { Status } from './types.js';

export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  readonly status: Status;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: Status, httpCode: number, retryAfterSeconds?: number) {
    super(status.message ?? `the server responded with status ${httpCode}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = status.code ?? httpCode;
    this.reason = status.reason ?? '';
    this.retryAfterSeconds = retryAfterSeconds ?? status.details?.retryAfterSeconds;
  }
}

function reasonIs(e: unknown, reason: string, code: number): boolean {
  return e instanceof ApiError && (e.reason === reason || (e.reason === '' && e.code === code));
}

export const isNotFound = (e: unknown): boolean => reasonIs(e, 'NotFound', 404);
export const isAlreadyExists = (e: unknown): boolean => reasonIs(e, 'AlreadyExists', 409);
export const isConflict = (e: unknown): boolean => reasonIs(e, 'Conflict', 409);
export const isInvalid = (e: unknown): boolean => reasonIs(e, 'Invalid', 422);
export const isForbidden = (e: unknown): boolean => reasonIs(e, 'Forbidden', 403);
export const isTooManyRequests = (e: unknown): boolean => reasonIs(e, 'TooManyRequests', 429);
/** apierrors.HasStatusCause: the Status details carry a cause of this type. */
export const hasStatusCause = (e: unknown, cause: string): boolean =>
  e instanceof ApiError && (e.status?.details?.causes ?? []).some((c) => c.reason === cause);
/** A create refused because its namespace is being deleted (v1.NamespaceTerminatingCause): not worth retrying. */
export const isNamespaceTerminating = (e: unknown): boolean => hasStatusCause(e, 'NamespaceTerminating');
/** 410: the requested resourceVersion is compacted away (relist). */
export const isGone = (e: unknown): boolean => e instanceof ApiError && (e.code === 410 || e.reason === 'Expired' || e.reason === 'Gone');
