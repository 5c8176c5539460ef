// The kubelet's /containerLogs query: v1.PodLogOptions decoded from URL parameters as upstream's
// parameter codec does (a bool is true unless "false"/"0", an empty int is unset, a bad int fails)
// and checked as ValidatePodLogOptions; errors carry upstream's status code and body.
import { msToNs, parseRFC3339 } from './time.js';
import type { ReadLogsOptions } from './reader.js';
import type { LogStream } from './parse.js';

export interface PodLogQuery {
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  limitBytes?: number;
  sinceSeconds?: number;
  /** sinceTime as ns since the epoch. */
  sinceTimeNs?: bigint;
  /** v1.PodLogOptions.stream: All, Stdout or Stderr. */
  stream?: string;
}

export class LogQueryError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

function bool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

function int(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw new LogQueryError(400, '{"message": "Unable to decode query."}');
  return Number(v);
}

/** Decodes and validates the query; throws LogQueryError (400 undecodable, 422 invalid). */
export function parsePodLogQuery(query: URLSearchParams): PodLogQuery {
  const q = new URLSearchParams(query);
  // Backwards compatibility: "tail" as tailLines, "all" meaning no limit.
  const tail = q.get('tail');
  if (tail) {
    if (tail === 'all') q.delete('tailLines');
    else q.set('tailLines', tail);
  }
  const out: PodLogQuery = {
    follow: bool(q, 'follow'),
    previous: bool(q, 'previous'),
    timestamps: bool(q, 'timestamps'),
    tailLines: int(q, 'tailLines'),
    limitBytes: int(q, 'limitBytes'),
    sinceSeconds: int(q, 'sinceSeconds'),
  };
  const since = q.get('sinceTime');
  if (since !== null && since !== '') {
    const t = parseRFC3339(since);
    if (!t) throw new LogQueryError(400, '{"message": "Unable to decode query."}');
    out.sinceTimeNs = t.ns;
  }
  const stream = q.get('stream');
  if (stream !== null && stream !== '') out.stream = stream;
  const invalid =
    (out.tailLines !== undefined && out.tailLines < 0) ||
    (out.limitBytes !== undefined && out.limitBytes < 1) ||
    (out.sinceSeconds !== undefined && out.sinceSeconds < 1) ||
    (out.sinceSeconds !== undefined && out.sinceTimeNs !== undefined) ||
    (out.stream !== undefined && !['All', 'Stdout', 'Stderr'].includes(out.stream));
  if (invalid) throw new LogQueryError(422, '{"message": "Invalid request."}');
  // Without the PodLogsQuerySplitStreams gate (alpha, off in 1.32) only All is served.
  if (out.stream !== undefined && out.stream !== 'All') {
    throw new LogQueryError(
      400,
      `unable to return the given log stream: "${out.stream}". Please enable PodLogsQuerySplitStreams feature gate in kubelet`,
    );
  }
  return out;
}

/** The reader's options for a query at wall-clock time nowMs (sinceSeconds counts back from it). */
export function readOptionsFor(q: PodLogQuery, nowMs: number): ReadLogsOptions {
  let sinceNs: bigint | undefined;
  if (q.sinceSeconds !== undefined) sinceNs = msToNs(nowMs - q.sinceSeconds * 1000);
  if (q.sinceTimeNs !== undefined && (sinceNs === undefined || q.sinceTimeNs > sinceNs)) sinceNs = q.sinceTimeNs;
  const streams: Record<LogStream, boolean> | undefined =
    q.stream === 'Stdout' ? { stdout: true, stderr: false } : q.stream === 'Stderr' ? { stdout: false, stderr: true } : undefined;
  return { follow: q.follow, timestamps: q.timestamps, tailLines: q.tailLines, limitBytes: q.limitBytes, sinceNs, streams };
}
