// Small API helpers both endpoint controllers use.
import { ApiError } from '@kube-ts/client/errors';
import type { ControllerManagerOptions } from '../../context.js';

/** errors.HasStatusCause(err, v1.NamespaceTerminatingCause). */
export function isNamespaceTerminating(err: unknown): boolean {
  return err instanceof ApiError && (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Options this controller reads that ControllerManagerOptions does not declare yet
 * (--max-endpoints-per-slice, --endpoint-updates-batch-period, --endpointslice-updates-batch-period).
 */
export interface EndpointOptions {
  maxEndpointsPerSlice?: number;
  endpointUpdatesBatchPeriodMs?: number;
  endpointSliceUpdatesBatchPeriodMs?: number;
}

export function endpointOptions(o: ControllerManagerOptions): EndpointOptions {
  return o as ControllerManagerOptions & EndpointOptions;
}
