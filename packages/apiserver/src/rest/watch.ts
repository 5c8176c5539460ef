// WATCH: a chunked stream of {"type","object"} lines served from the resource's watch cache, with
// bookmarks, sendInitialEvents (ending in the k8s.io/initial-events-end bookmark), selectors
// applied to both sides of a change, timeoutSeconds, and Expired as an ERROR event.
import type { ServerResponse } from 'node:http';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/types.js';
import { apiVersionOf } from '../registry/resource.js';
import { table, wantsTable } from '../http/table.js';
import type { CacheEvent, EventType } from '../storage/watchcache.js';
import { header, type Api, type Request, type Target } from './context.js';
import { parseRV, selectorFilter, served, validateListOptions } from './read.js';

/**
 * One event line per (object, type), shared by every watcher sent that event: with N watchers
 * on a resource, an event is serialized once, not N times. Cache objects are never mutated.
 */
const lines = new WeakMap<object, Partial<Record<string, string>>>();
function eventLine(type: string, object: object): string {
  let byType = lines.get(object);
  if (!byType) lines.set(object, (byType = {}));
  return (byType[type] ??= `${JSON.stringify({ type, object })}\n`);
}

/** How often a watcher that allows bookmarks gets one (upstream: about once a minute). */
export const BOOKMARK_INTERVAL_MS = 60_000;
/** A watcher whose client stops reading is cut off once this much output is queued. */
const MAX_QUEUED_BYTES = 16 * 1024 * 1024;

export interface WatchStream {
  /** The response to write to; the caller has hijacked it from fastify. */
  res: ServerResponse;
  onClose(cb: () => void): void;
}

/**
 * Validates and registers the watch, then streams. Errors found before streaming (bad options,
 * a resourceVersion the cache has not reached) are thrown for the normal error path; a
 * resourceVersion too old is sent as an ERROR event, as upstream does.
 */
export async function watch(api: Api, req: Request, t: Target, open: () => WatchStream): Promise<void> {
  const q = req.query;
  validateListOptions(q, true);
  const filter = selectorFilter(t.def, q);
  const nameFilter = t.name;
  const match = (o: KubeObject): boolean => (nameFilter === undefined || o.metadata.name === nameFilter) && filter(o);
  const asTable = wantsTable(header(req, 'accept'));
  const bookmarks = q.allowWatchBookmarks === 'true';
  const sendInitial = q.sendInitialEvents === 'true';
  const rv = parseRV(q.resourceVersion);
  const cache = api.caches.for(api.store.dir(t.def));
  await cache.ready();

  // resourceVersion unset: start from the most recent state, which the cache must have reached.
  if (rv === undefined) await cache.waitFor(await api.store.currentRevision());
  else if (rv > 0 && (sendInitial || rv > cache.rev)) await cache.waitFor(rv);

  const stream = open();
  const res = stream.res;
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders(); // the client sees the watch established before any event

  let closed = false;
  let stop = (): void => {};
  let lastRV = 0;
  const timers: NodeJS.Timeout[] = [];
  const end = (): void => {
    if (closed) return;
    closed = true;
    stop();
    for (const tm of timers) clearTimeout(tm);
    if (!res.writableEnded) res.end();
  };
  const write = (type: EventType | 'BOOKMARK' | 'ERROR', object: unknown): void => {
    if (closed) return;
    if (asTable && (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')) {
      const body = table(t.def, [object as KubeObject], { resourceVersion: (object as KubeObject).metadata.resourceVersion }, q.includeObject);
      res.write(`${JSON.stringify({ type, object: body })}\n`);
    } else res.write(eventLine(type, object as object));
    if (res.writableLength > MAX_QUEUED_BYTES) end();
  };
  const bookmark = (rev: number, initialEnd = false): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(rev) };
    if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
    write('BOOKMARK', { kind: t.def.kind, apiVersion: apiVersionOf(t.def), metadata });
  };
  const onEvent = (e: CacheEvent): void => {
    lastRV = e.rev;
    const now = served(t.def, e.object);
    if (e.type === 'ADDED') { if (match(now)) write('ADDED', now); return; }
    if (e.type === 'DELETED') { if (match(served(t.def, e.prev ?? e.object))) write('DELETED', now); return; }
    // A change that moves an object into or out of the selection is an ADDED or a DELETED.
    const was = e.prev ? match(served(t.def, e.prev)) : false;
    const is = match(now);
    if (was && is) write('MODIFIED', now);
    else if (is) write('ADDED', now);
    else if (was) write('DELETED', now);
  };

  stream.onClose(end);
  try {
    const from = rv === undefined || rv === 0 || sendInitial ? undefined : rv;
    const reg = await cache.watch({
      prefix: api.store.dir(t.def, t.namespace),
      onEvent,
      onTerminate: (status) => { write('ERROR', status.status); end(); },
      onStop: end,
    }, from, (objects, rev) => {
      lastRV = rev;
      for (const o of objects) { const s = served(t.def, o); if (match(s)) write('ADDED', s); }
      if (sendInitial) bookmark(rev, true);
    });
    stop = reg.stop;
    if (closed) stop();
    lastRV = Math.max(lastRV, reg.rev);
  } catch (err) {
    if (err instanceof ApiError) { write('ERROR', err.status); end(); return; }
    end();
    throw err;
  }

  if (bookmarks) {
    const tick = (): void => {
      if (closed) return;
      bookmark(Math.max(lastRV, cache.rev));
      timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
    };
    timers.push(setTimeout(tick, BOOKMARK_INTERVAL_MS));
  }
  const timeout = q.timeoutSeconds ? Number(q.timeoutSeconds) : 1800;
  timers.push(setTimeout(end, Math.max(0, timeout) * 1000));
}
