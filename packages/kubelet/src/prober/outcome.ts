import type { ActionResult } from './types.js';

/**
 * What one probe action returns (upstream's probe.Result, output, err): `output` goes into the
 * event message; `error` means the prober could not tell (it retries, then reports "errored").
 */
export interface ActionOutcome {
  result: ActionResult;
  output: string;
  error?: string;
}

/** Upstream caps exec output and HTTP bodies at 10 KiB. */
export const MAX_OUTPUT_BYTES = 10 * 1024;

/** kube-probe/<major>.<minor> as upstream's User-Agent for HTTP and gRPC probes. */
export const PROBE_USER_AGENT = 'kube-probe/1.32';

/** A timer that never holds the process open. */
export function unrefTimeout(ms: number, fn: () => void): NodeJS.Timeout {
  const t = setTimeout(fn, Math.max(0, ms));
  t.unref();
  return t;
}
