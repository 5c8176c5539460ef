// Loads ../streaming (the exec/attach/port-forward bridges) when the server starts without
// injected handlers; the assignment checks that module against StreamingHandlers.
import type { StreamingHandlers } from './streams.js';

export async function loadStreaming(): Promise<StreamingHandlers> {
  const m: StreamingHandlers = await import('../streaming/index.js');
  return m;
}
