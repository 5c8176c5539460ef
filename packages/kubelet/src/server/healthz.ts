// /healthz and /healthz/<check> as upstream's healthz handler: the checks ping, log and the host's
// own (syncloop...); `ok` when all pass, the verbose listing with 500 when one fails.
import type { ServerResponse } from 'node:http';
import type { KubeletServerHost } from './host.js';
import { writeText } from './respond.js';

function checks(host: KubeletServerHost): [string, string | undefined][] {
  let extra: Record<string, string | undefined> = {};
  try {
    extra = host.healthChecks?.() ?? {};
  } catch (e) {
    extra = { healthchecks: (e as Error).message };
  }
  return [['ping', undefined], ['log', undefined], ...Object.entries(extra)];
}

/** sub: the check name after /healthz/ ('' for /healthz). Returns false when no such check exists. */
export function serveHealthz(host: KubeletServerHost, res: ServerResponse, sub: string, verbose: boolean): boolean {
  const all = checks(host);
  if (sub) {
    const one = all.find(([name]) => name === sub);
    if (!one) return false;
    if (one[1] === undefined) writeText(res, 200, 'ok');
    else writeText(res, 500, `internal server error: ${one[1]}\n`);
    return true;
  }
  const failed = all.some(([, err]) => err !== undefined);
  if (!failed && !verbose) {
    writeText(res, 200, 'ok');
    return true;
  }
  const lines = all.map(([name, err]) => (err === undefined ? `[+]${name} ok` : `[-]${name} failed: reason withheld`));
  lines.push(failed ? 'healthz check failed' : 'healthz check passed');
  writeText(res, failed ? 500 : 200, lines.join('\n') + '\n');
  return true;
}
