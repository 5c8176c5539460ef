// apierrors.HasStatusCause(err, v1.NamespaceTerminatingCause): creates in a terminating namespace
// are refused with this cause and are not worth retrying.
import { ApiError } from '@kube-ts/client/errors';

export function namespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && (err.status?.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}
