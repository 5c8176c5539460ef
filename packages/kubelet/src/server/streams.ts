// /exec, /attach and /portForward: upstream server.getExec/getAttach/getPortForward. The request
// is checked and the CRI object resolved here; the HTTP upgrade itself (WebSocket or SPDY towards
// the client, SPDY towards the runtime's streaming server) belongs to ../streaming, which calls
// getUrl() -- the CRI Exec/Attach/PortForward call -- once its handshake is valid.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { KubeletServerHost } from './host.js';
import { podFullName, readySandbox, runningContainer } from './resolve.js';
import { q } from './respond.js';

import type { RemoteCommandOptions } from '../streaming/index.js';

export type { RemoteCommandOptions };

/** The ../streaming module's entry points (injectable for tests). */
export interface StreamingHandlers {
  serveRemoteCommand(req: IncomingMessage, socket: Duplex, head: Buffer, opts: RemoteCommandOptions, getUrl: () => Promise<string>, log?: Logger): void;
  servePortForward(req: IncomingMessage, socket: Duplex, head: Buffer, getUrl: () => Promise<string>, log?: Logger): void;
  rejectUpgrade(socket: Duplex, code: number, message: string): void;
}

export type StreamKind = 'exec' | 'attach' | 'portForward';

export interface StreamRoute {
  kind: StreamKind;
  namespace: string;
  pod: string;
  uid?: string;
  /** exec and attach only. */
  container?: string;
}

/** Matches /exec|attach/{ns}/{pod}[/{uid}]/{container} and /portForward/{ns}/{pod}[/{uid}]. */
export function matchStreamRoute(segments: string[]): StreamRoute | undefined {
  const [kind, ...rest] = segments;
  if (kind === 'exec' || kind === 'attach') {
    if (rest.length === 3) return { kind, namespace: rest[0]!, pod: rest[1]!, container: rest[2]! };
    if (rest.length === 4) return { kind, namespace: rest[0]!, pod: rest[1]!, uid: rest[2]!, container: rest[3]! };
  }
  if (kind === 'portForward') {
    if (rest.length === 2) return { kind, namespace: rest[0]!, pod: rest[1]! };
    if (rest.length === 3) return { kind, namespace: rest[0]!, pod: rest[1]!, uid: rest[2]! };
  }
  return undefined;
}

function flag(query: URLSearchParams, kubeletName: string, apiName: string): boolean {
  // The apiserver sends input=1 etc. (upstream ExecLocation); stdin=true etc. are accepted too.
  if (query.get(kubeletName) === '1') return true;
  const v = query.get(apiName);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/** Upstream remotecommand NewOptions: tty drops stderr; at least one stream is required. */
export function remoteCommandOptions(query: URLSearchParams): RemoteCommandOptions | { error: string } {
  const tty = flag(query, 'tty', 'tty');
  const stdin = flag(query, 'input', 'stdin');
  const stdout = flag(query, 'output', 'stdout');
  let stderr = flag(query, 'error', 'stderr');
  if (tty && stderr) stderr = false;
  if (!stdin && !stdout && !stderr) return { error: 'you must specify at least 1 of stdin, stdout, stderr' };
  return { stdin, stdout, stderr, tty };
}

/** Handles an upgrade request on a stream route; never throws (errors are HTTP answers on the socket). */
export async function serveStreamUpgrade(
  host: KubeletServerHost,
  streaming: StreamingHandlers,
  route: StreamRoute,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: URL,
  log: Logger,
): Promise<void> {
  try {
    let opts: RemoteCommandOptions | undefined;
    if (route.kind !== 'portForward') {
      const o = remoteCommandOptions(url.searchParams);
      if ('error' in o) return streaming.rejectUpgrade(socket, 400, o.error);
      opts = o;
    }
    const pod = host.getPodByName(route.namespace, route.pod);
    if (!pod) return streaming.rejectUpgrade(socket, 404, 'pod does not exist');
    const uid = pod.metadata.uid ?? '';
    if (route.uid && route.uid !== uid) return streaming.rejectUpgrade(socket, 404, 'pod not found');
    const rt = host.runtime;
    const child = log.child({ stream: route.kind, pod: `${route.namespace}/${route.pod}` });

    if (route.kind === 'portForward') {
      const sandbox = await readySandbox(rt, uid);
      if (!sandbox) return streaming.rejectUpgrade(socket, 500, `pod not found (${q(podFullName(pod))})`);
      const ports = url.searchParams.getAll('port').map(Number).filter((p) => Number.isInteger(p) && p > 0 && p < 65536);
      return streaming.servePortForward(req, socket, head, () => rt.portForward(sandbox.id, ports), child);
    }

    const name = route.container ?? '';
    const container = await runningContainer(rt, uid, name);
    if (!container) return streaming.rejectUpgrade(socket, 500, `container not found (${q(name)})`);
    const o = opts!;
    const getUrl =
      route.kind === 'exec'
        ? () => rt.exec({ containerId: container.id, cmd: url.searchParams.getAll('command'), tty: o.tty, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr })
        : () => rt.attach({ containerId: container.id, tty: o.tty, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr });
    streaming.serveRemoteCommand(req, socket, head, o, getUrl, child);
  } catch (e) {
    log.warn({ err: e, path: url.pathname }, 'stream request failed');
    streaming.rejectUpgrade(socket, 500, (e as Error).message);
  }
}
