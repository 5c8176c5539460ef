// GET /containerLogs/{namespace}/{pod}/{container}: upstream server.getContainerLogs plus
// Kubelet.GetKubeletContainerLogs / validateContainerLogStatus, with the instance chosen from the
// runtime (the newest is current, the one before it is `previous`), messages and codes as upstream.
import { access, constants } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Pod } from '@kube-ts/client/types';
import { LogQueryError, parsePodLogQuery, readLogs, readOptionsFor, writableSink } from '../logs/index.js';
import type { Container } from '../cri/types.js';
import type { KubeletServerHost } from './host.js';
import { containerInstances, specHasContainer } from './resolve.js';
import { q, writeText } from './respond.js';

interface WaitingState { reason?: string }
interface ApiContainerStatus {
  name: string;
  state?: { waiting?: WaitingState; running?: unknown; terminated?: unknown };
}

function apiStatus(pod: Pod, name: string): ApiContainerStatus | undefined {
  const s = pod.status ?? {};
  for (const key of ['containerStatuses', 'initContainerStatuses', 'ephemeralContainerStatuses']) {
    const found = ((s[key] as ApiContainerStatus[] | undefined) ?? []).find((c) => c.name === name);
    if (found) return found;
  }
  return undefined;
}

/** Why there is nothing to read yet, in upstream's words (from the pod's API status). */
function notStartedMessage(pod: Pod, name: string): string {
  const podName = q(pod.metadata.name ?? '');
  const st = apiStatus(pod, name);
  if (!st) return `container ${q(name)} in pod ${podName} is not available`;
  if (st.state?.terminated) return `container ${q(name)} in pod ${podName} is terminated`;
  const reason = st.state?.waiting?.reason;
  if (st.state?.waiting) {
    if (reason === 'ErrImagePull') return `container ${q(name)} in pod ${podName} is waiting to start: image can't be pulled`;
    if (reason === 'ImagePullBackOff') return `container ${q(name)} in pod ${podName} is waiting to start: trying and failing to pull image`;
    return `container ${q(name)} in pod ${podName} is waiting to start: ${reason ?? ''}`;
  }
  return `container ${q(name)} in pod ${podName} is waiting to start - no logs yet`;
}

class LogsError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

async function pickInstance(host: KubeletServerHost, pod: Pod, name: string, previous: boolean): Promise<Container> {
  const instances = await containerInstances(host.runtime, pod.metadata.uid ?? '', name);
  if (previous) {
    const prev = instances[1];
    if (!prev) throw new LogsError(400, `previous terminated container ${q(name)} in pod ${q(pod.metadata.name ?? '')} not found`);
    return prev;
  }
  const current = instances[0];
  if (!current) throw new LogsError(400, notStartedMessage(pod, name));
  return current;
}

export async function serveContainerLogs(
  host: KubeletServerHost,
  res: ServerResponse,
  url: URL,
  params: { namespace: string; pod: string; container: string },
  log: Logger,
): Promise<void> {
  let query;
  try {
    query = parsePodLogQuery(url.searchParams);
  } catch (e) {
    if (e instanceof LogQueryError) return writeText(res, e.code, e.message);
    throw e;
  }
  const pod = host.getPodByName(params.namespace, params.pod);
  if (!pod) return writeText(res, 404, `pod ${q(params.pod)} does not exist`);
  if (!specHasContainer(pod, params.container)) {
    return writeText(res, 404, `container ${q(params.container)} not found in pod ${q(params.pod)}`);
  }
  let path: string;
  let id: string;
  try {
    const c = await pickInstance(host, pod, params.container, query.previous);
    id = c.id;
    path = (await host.runtime.containerStatus(id)).logPath;
    if (!path) throw new LogsError(400, `container ${q(params.container)} in pod ${q(params.pod)} has no log path`);
    await access(path, constants.R_OK).catch((e: Error) => {
      throw new LogsError(400, `failed to open log file ${q(path)}: ${e.message}`);
    });
  } catch (e) {
    if (e instanceof LogsError) return writeText(res, e.code, e.message);
    return writeText(res, 400, (e as Error).message);
  }

  // Headers go out now, so a follow with nothing logged yet still answers at once.
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
  res.flushHeaders();
  const ac = new AbortController();
  const abort = (): void => ac.abort();
  // res 'close', not req 'close': the request side closes as soon as a GET's empty body was read.
  res.on('close', abort);
  try {
    await readLogs(path, readOptionsFor(query, Date.now()), writableSink(res), {
      signal: ac.signal,
      isRunning: async () => (await host.runtime.containerStatus(id)).state === 'CONTAINER_RUNNING',
    });
  } catch (e) {
    if (!ac.signal.aborted) log.warn({ err: e, path }, 'reading container log failed');
  } finally {
    res.off('close', abort);
    res.end();
  }
}
