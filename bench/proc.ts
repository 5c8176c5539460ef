// Helpers the component benchmarks share: progress lines on stderr and a process's CPU and peak RSS.
import { readFileSync } from 'node:fs';

export function log(s: string): void { process.stderr.write(`${s}\n`); }

/** CPU seconds (user + system) so far and peak RSS (VmHWM) of a process, from /proc. */
export function procStats(pid: number): { cpuS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(stat[11]) + Number(stat[12]);
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return { cpuS: ticks / 100, rssMiB: hwm ? Number(hwm[1]) / 1024 : NaN };
}
