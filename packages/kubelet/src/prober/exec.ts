// Exec probes (pkg/probe/exec over the runtime's ExecSync): exit code 0 is success, any other
// code a failure whose combined stdout+stderr (10 KiB at most) becomes the event message.
import { grpcCode } from '../cri/client.js';
import type { RuntimeService } from '../cri/types.js';
import { goQuote, grpcErrorText } from './goerrors.js';
import { MAX_OUTPUT_BYTES, type ActionOutcome } from './outcome.js';

const DEADLINE_EXCEEDED = 4;

export async function execProbe(runtime: RuntimeService, containerId: string, cmd: string[], timeoutSeconds: number): Promise<ActionOutcome> {
  try {
    const r = await runtime.execSync(containerId, cmd, timeoutSeconds);
    const data = Buffer.concat([r.stdout ?? Buffer.alloc(0), r.stderr ?? Buffer.alloc(0)]).subarray(0, MAX_OUTPUT_BYTES).toString('utf8');
    return { result: r.exitCode === 0 ? 'success' : 'failure', output: data };
  } catch (err) {
    // The runtime (or our deadline) gave up: upstream turns that into a timeout failure
    // (ExecProbeTimeout, GA), whose text stands in for the empty output.
    if (grpcCode(err) === DEADLINE_EXCEEDED) return { result: 'failure', output: `command ${goQuote(cmd.join(' '))} timed out` };
    return { result: 'unknown', output: '', error: grpcErrorText(err) };
  }
}
