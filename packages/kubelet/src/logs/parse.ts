// One record of a CRI log file: `<RFC3339Nano> <stdout|stderr> <tags> <content>\n`, where the
// first ':'-separated tag is F (full line) or P (partial: the content continues in the next
// record of that stream; the runtime splits long lines). Upstream kuberuntime/logs parseCRILog.
import { parseRFC3339, type LogTime } from './time.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogRecord {
  time: LogTime;
  stream: LogStream;
  partial: boolean;
  /** The text without the record delimiter; full records get their '\n' back when written. */
  content: Buffer;
}

const SP = 0x20;

/** Parses one record (without its trailing '\n'); undefined when it is not CRI format. */
export function parseCriRecord(line: Buffer): LogRecord | undefined {
  const a = line.indexOf(SP);
  if (a < 0) return undefined;
  const time = parseRFC3339(line.subarray(0, a).toString('latin1'));
  if (!time) return undefined;
  const b = line.indexOf(SP, a + 1);
  if (b < 0) return undefined;
  const stream = line.subarray(a + 1, b).toString('latin1');
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  // An empty full line is written as `... F ` or, by some runtimes, `... F` with no space after.
  const c = line.indexOf(SP, b + 1);
  const tags = line.subarray(b + 1, c < 0 ? line.length : c).toString('latin1');
  if (tags.length === 0) return undefined;
  const partial = tags.split(':')[0] === 'P';
  const content = c < 0 ? Buffer.alloc(0) : line.subarray(c + 1);
  return { time, stream, partial, content };
}

/** True when the record ends a logical line (what tailLines counts). */
export function endsLine(line: Buffer): boolean {
  const r = parseCriRecord(line);
  return r === undefined || !r.partial;
}
