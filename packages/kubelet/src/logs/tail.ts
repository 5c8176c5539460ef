// tailLines: where the last n logical lines of a CRI log file start. Reads backwards in blocks,
// so a long log is not scanned from the start; a record with the partial tag does not end a line,
// so a line the runtime split into several records counts once.
import type { FileHandle } from 'node:fs/promises';
import { endsLine } from './parse.js';

const BLOCK = 64 * 1024;
const NL = 0x0a;

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  let got = 0;
  while (got < len) {
    const { bytesRead } = await fh.read(buf, got, len - got, pos + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/**
 * The offset where the last n lines of the first `size` bytes begin (0 when there are fewer).
 * n = 0 gives `size`. A trailing record without its '\n' (still being written) is not counted.
 */
export async function findTailStart(fh: FileHandle, size: number, n: number): Promise<number> {
  if (n <= 0) return size;
  let bufStart = size;
  let buf = Buffer.alloc(0);
  // Find the last newline: terminated records end there.
  let lastNl = -1;
  while (lastNl < 0 && bufStart > 0) {
    const from = Math.max(0, bufStart - BLOCK);
    buf = Buffer.concat([await readAt(fh, from, bufStart - from), buf]);
    bufStart = from;
    lastNl = buf.lastIndexOf(NL);
  }
  if (lastNl < 0) return 0;
  buf = buf.subarray(0, lastNl); // buf = bytes [bufStart, end of the last terminated record)
  let count = 0;
  let recordEnd = bufStart + lastNl; // offset of the '\n' ending the record being examined
  for (;;) {
    const i = buf.lastIndexOf(NL);
    if (i < 0 && bufStart > 0) {
      const from = Math.max(0, bufStart - BLOCK);
      buf = Buffer.concat([await readAt(fh, from, bufStart - from), buf]);
      bufStart = from;
      continue;
    }
    const record = buf.subarray(i + 1);
    if (endsLine(record)) {
      count++;
      if (count > n) return recordEnd + 1;
    }
    if (i < 0) return 0;
    recordEnd = bufStart + i;
    buf = buf.subarray(0, i);
  }
}
