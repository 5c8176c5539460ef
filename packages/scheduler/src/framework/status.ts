// framework.Status: the result of a plugin call. `null` is success (upstream's nil status), so
// plugins return null on the happy path and a Status only to say why not.

export enum Code {
  Success = 0,
  /** An internal error; the pod is retried with backoff. */
  Error = 1,
  /** Does not fit now; preemption may help. */
  Unschedulable = 2,
  /** Does not fit and preemption on this node cannot help. */
  UnschedulableAndUnresolvable = 3,
  /** A Permit plugin asks to wait. */
  Wait = 4,
  /** The plugin has nothing to do for this pod (PreFilter/PreScore), so its Filter/Score is skipped. */
  Skip = 5,
  /** Waiting on something outside the scheduler (no backoff penalty). */
  Pending = 6,
}

export class Status {
  /** The plugin that produced this status (set by the framework runner). */
  plugin = '';

  constructor(readonly code: Code, readonly reasons: string[] = [], readonly error?: Error) {}

  static error(e: Error | string): Status {
    const err = typeof e === 'string' ? new Error(e) : e;
    return new Status(Code.Error, [err.message], err);
  }

  static unschedulable(...reasons: string[]): Status { return new Status(Code.Unschedulable, reasons); }
  static unresolvable(...reasons: string[]): Status { return new Status(Code.UnschedulableAndUnresolvable, reasons); }
  static skip(): Status { return new Status(Code.Skip); }

  withPlugin(name: string): Status { this.plugin = name; return this; }

  /** Upstream Status.Message(): reasons joined with ", ". */
  message(): string { return this.reasons.join(', '); }

  isUnschedulable(): boolean { return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable; }
}

export type MaybeStatus = Status | null;

export function isSuccess(s: MaybeStatus): boolean { return s === null || s.code === Code.Success; }
export function isSkip(s: MaybeStatus): boolean { return s !== null && s.code === Code.Skip; }

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;
