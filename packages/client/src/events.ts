// The core/v1 event recorder, as client-go tools/record: components call recorder.event(obj, ...)
// and never wait; a broadcaster correlates events (spam filter, aggregation of similar events,
// dedup into count bumps) and writes them one at a time to the apiserver, retrying network
// failures a few times on the injected clock.
import { realClock, type Clock } from './clock.js';
import { ApiError } from './errors.js';
import { TokenBucket } from './flowcontrol.js';
import { R, apiVersionOf, type ResourceType } from './resources.js';
import type { RestClient } from './rest.js';
import type { CoreEvent, KubeObject, ObjectReference } from './types.js';

/** The logging calls this module makes; a pino Logger fits. */
export interface ClientLogger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

const silent: ClientLogger = { debug() {}, info() {}, error() {} };

export type EventType = 'Normal' | 'Warning';

export interface EventSink {
  create(e: CoreEvent): Promise<CoreEvent>;
  /** A strategic merge patch of an existing event (count, lastTimestamp, message). */
  patch(e: CoreEvent, patch: object): Promise<CoreEvent>;
}

/** core/v1 events through the REST client, in the event's own namespace. */
export function eventSinkFromRest(rest: RestClient): EventSink {
  const events = rest.resource<CoreEvent>(R.events);
  return {
    create: (e) => events.create(e),
    patch: (e, patch) => events.patch(e.metadata.name ?? '', e.metadata.namespace, patch, 'strategic'),
  };
}

/**
 * A reference to `obj` for involvedObject. Objects from lists and informers often carry no
 * kind/apiVersion (upstream resolves them through the scheme); pass the ResourceType then.
 */
export function getReference(obj: KubeObject, type?: ResourceType): ObjectReference {
  const ref: ObjectReference = {
    kind: obj.kind ?? type?.kind,
    apiVersion: obj.apiVersion ?? (type ? apiVersionOf(type) : undefined),
    name: obj.metadata.name,
    namespace: obj.metadata.namespace,
    uid: obj.metadata.uid,
    resourceVersion: obj.metadata.resourceVersion,
  };
  for (const k of Object.keys(ref) as Array<keyof ObjectReference>) if (ref[k] === undefined || ref[k] === '') delete ref[k];
  return ref;
}

// ---- correlation (events_cache.go) ------------------------------------------------------------

/** A size-bounded map that forgets the least recently used key (k8s.io/utils/lru). */
class Lru<V> {
  private readonly m = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(k: string): V | undefined {
    const v = this.m.get(k);
    if (v !== undefined) { this.m.delete(k); this.m.set(k, v); }
    return v;
  }
  set(k: string, v: V): void {
    this.m.delete(k);
    this.m.set(k, v);
    if (this.m.size > this.max) this.m.delete(this.m.keys().next().value as string);
  }
}

export interface CorrelatorOptions {
  lruCacheSize?: number;
  /** Spam filter: events per source+object allowed at once, then refilled at `qps` per second. */
  burst?: number;
  qps?: number;
  /** Aggregation: distinct messages per source+object+type+reason before combining. */
  maxEvents?: number;
  maxIntervalSeconds?: number;
}

function refOf(e: CoreEvent): ObjectReference { return e.involvedObject; }

function eventKey(e: CoreEvent): string {
  const o = refOf(e);
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message].map((s) => s ?? '').join('');
}

function spamKey(e: CoreEvent): string {
  const o = refOf(e);
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type].map((s) => s ?? '').join('');
}

function aggregateKey(e: CoreEvent): string {
  const o = refOf(e);
  return [e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance].map((s) => s ?? '').join('');
}

interface AggregateRecord { localKeys: Set<string>; last: number }
interface EventLog { count: number; firstTimestamp: string | null | undefined; name: string; resourceVersion: string | undefined }

export interface CorrelateResult { event: CoreEvent; patch: object | undefined; skip: boolean }

/** metav1.Time: RFC 3339 in whole seconds. */
export function metaTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Issues upstream-shaped event names, `<name>.<hex UnixNano>`, never the same one twice. */
export class EventNamer {
  private last = 0n;
  name(objectName: string | undefined, ms: number): string {
    let nanos = BigInt(Math.floor(ms)) * 1_000_000n;
    // Our clock has millisecond resolution, so two events for one object within a millisecond
    // would collide (AlreadyExists, dropped); upstream's nanosecond clock practically never does.
    if (nanos <= this.last) nanos = this.last + 1n;
    this.last = nanos;
    return `${objectName ?? ''}.${nanos.toString(16)}`;
  }
}

export class EventCorrelator {
  private readonly spam: Lru<TokenBucket>;
  private readonly aggregates: Lru<AggregateRecord>;
  private readonly logs: Lru<EventLog>;
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;

  constructor(private readonly clock: Clock, private readonly namer = new EventNamer(), opts: CorrelatorOptions = {}) {
    const size = opts.lruCacheSize ?? 4096;
    this.spam = new Lru(size);
    this.aggregates = new Lru(size);
    this.logs = new Lru(size);
    this.burst = opts.burst ?? 25;
    this.qps = opts.qps ?? 1 / 300;
    this.maxEvents = opts.maxEvents ?? 10;
    this.maxIntervalMs = (opts.maxIntervalSeconds ?? 600) * 1000;
  }

  /** Aggregate, then dedup, then spam-filter (the order upstream uses: dedup state counts filtered events too). */
  correlate(e: CoreEvent): CorrelateResult {
    const [aggregated, key] = this.aggregate(e);
    const { event, patch } = this.observe(aggregated, key);
    return { event, patch, skip: this.filtered(event) };
  }

  /** Records the server's copy (its name and resourceVersion) for later patches. */
  updateState(e: CoreEvent): void {
    this.logs.set(eventKey(e), { count: e.count ?? 1, firstTimestamp: e.firstTimestamp, name: e.metadata.name ?? '', resourceVersion: e.metadata.resourceVersion });
  }

  private filtered(e: CoreEvent): boolean {
    const k = spamKey(e);
    let bucket = this.spam.get(k);
    if (!bucket) bucket = new TokenBucket(this.qps, this.burst, this.clock);
    const skip = !bucket.tryAccept();
    this.spam.set(k, bucket);
    return skip;
  }

  private aggregate(e: CoreEvent): [CoreEvent, string] {
    const now = this.clock.now();
    const aKey = aggregateKey(e);
    let rec = this.aggregates.get(aKey);
    if (!rec || now - rec.last > this.maxIntervalMs) rec = { localKeys: new Set(), last: 0 };
    rec.localKeys.add(e.message ?? '');
    rec.last = now;
    this.aggregates.set(aKey, rec);
    if (rec.localKeys.size < this.maxEvents) return [e, eventKey(e)];
    // Keep the set below the threshold so every further distinct message is combined too.
    rec.localKeys.delete(rec.localKeys.values().next().value as string);
    const t = metaTime(now);
    const combined: CoreEvent = {
      metadata: { name: this.namer.name(e.involvedObject.name, now), namespace: e.metadata.namespace },
      involvedObject: e.involvedObject,
      reason: e.reason,
      message: `(combined from similar events): ${e.message ?? ''}`,
      source: e.source,
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type: e.type,
      reportingComponent: e.reportingComponent,
      reportingInstance: e.reportingInstance,
    };
    return [combined, aKey];
  }

  private observe(e: CoreEvent, key: string): { event: CoreEvent; patch: object | undefined } {
    const last = this.logs.get(key);
    let event = e;
    let patch: object | undefined;
    if (last && last.count > 0) {
      event = {
        ...e,
        metadata: { ...e.metadata, name: last.name, resourceVersion: last.resourceVersion },
        firstTimestamp: last.firstTimestamp,
        count: last.count + 1,
      };
      // Upstream diffs against a copy with count/lastTimestamp/message cleared: those three fields.
      const p: Record<string, unknown> = { count: event.count, lastTimestamp: event.lastTimestamp };
      if (event.message) p.message = event.message;
      patch = p;
    }
    this.logs.set(key, { count: event.count ?? 1, firstTimestamp: event.firstTimestamp, name: event.metadata.name ?? '', resourceVersion: event.metadata.resourceVersion });
    return { event, patch };
  }
}

// ---- broadcaster and recorder (event.go) ------------------------------------------------------

export interface EventRecorder {
  /** Records an event about `obj` (an object with kind set, or a reference); never throws or waits. */
  event(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string): void;
}

export interface EventBroadcasterOptions {
  sink: EventSink;
  component: string;
  host?: string;
  clock?: Clock;
  logger?: ClientLogger;
  /** Write attempts per event before it is dropped (upstream: 12 with 10 s sleeps). */
  maxTries?: number;
  /** First retry sleeps a random part of this, later ones double it. */
  retryBaseMs?: number;
  /** Events waiting to be written beyond this are dropped (upstream: 1000). */
  maxQueued?: number;
  correlator?: CorrelatorOptions;
  random?: () => number;
}

export class EventBroadcaster {
  private readonly sink: EventSink;
  private readonly clock: Clock;
  private readonly log: ClientLogger;
  private readonly correlator: EventCorrelator;
  private readonly namer = new EventNamer();
  private readonly maxTries: number;
  private readonly retryBaseMs: number;
  private readonly maxQueued: number;
  private readonly random: () => number;
  private readonly queue: CoreEvent[] = [];
  private pump: Promise<void> | undefined;
  private closed = false;
  private readonly stopRetries = new AbortController();

  constructor(private readonly opts: EventBroadcasterOptions) {
    this.sink = opts.sink;
    this.clock = opts.clock ?? realClock;
    this.log = opts.logger ?? silent;
    this.correlator = new EventCorrelator(this.clock, this.namer, opts.correlator);
    this.maxTries = opts.maxTries ?? 5;
    this.retryBaseMs = opts.retryBaseMs ?? 1000;
    this.maxQueued = opts.maxQueued ?? 1000;
    this.random = opts.random ?? Math.random;
  }

  newRecorder(source: { component?: string; host?: string } = {}): EventRecorder {
    const component = source.component ?? this.opts.component;
    const host = source.host ?? this.opts.host;
    return { event: (obj, type, reason, message) => this.generate(obj, type, reason, message, component, host) };
  }

  /** Stops accepting events and resolves once the queued ones were tried (pending retries are given up). */
  async shutdown(): Promise<void> {
    this.closed = true;
    this.stopRetries.abort();
    while (this.pump) await this.pump;
  }

  private generate(obj: KubeObject | ObjectReference, type: EventType, reason: string, message: string, component: string, host: string | undefined): void {
    const ref = 'metadata' in obj && typeof obj.metadata === 'object' ? getReference(obj as KubeObject) : { ...(obj as ObjectReference) };
    if (!ref.kind) {
      this.log.error({ name: ref.name, namespace: ref.namespace, reason, message }, 'Could not construct reference (object has no kind), will not report event');
      return;
    }
    if (type !== 'Normal' && type !== 'Warning') {
      this.log.error({ eventType: type }, 'Unsupported event type');
      return;
    }
    if (this.closed) {
      this.log.error({ reason, message }, 'Unable to record event: broadcaster is shut down');
      return;
    }
    if (this.queue.length >= this.maxQueued) {
      this.log.error({ reason, message }, 'Unable to record event: too many queued events, dropped event');
      return;
    }
    const now = this.clock.now();
    const t = metaTime(now);
    const event: CoreEvent = {
      metadata: { name: this.namer.name(ref.name, now), namespace: ref.namespace || 'default' },
      involvedObject: ref,
      reason,
      message,
      source: host ? { component, host } : { component },
      firstTimestamp: t,
      lastTimestamp: t,
      count: 1,
      type,
      reportingComponent: component,
      reportingInstance: host ?? '',
    };
    this.log.debug({ object: `${ref.namespace ?? ''}/${ref.name ?? ''}`, kind: ref.kind, type, reason, message }, 'Event occurred');
    this.queue.push(event);
    this.pump ??= this.drain().finally(() => { this.pump = undefined; });
  }

  private async drain(): Promise<void> {
    for (let e = this.queue.shift(); e; e = this.queue.shift()) {
      try {
        await this.recordToSink(e);
      } catch (err) {
        this.log.error({ err }, 'Event recording failed');
      }
    }
  }

  private async recordToSink(e: CoreEvent): Promise<void> {
    const { event, patch, skip } = this.correlator.correlate(e);
    if (skip) return;
    for (let tries = 1; ; tries++) {
      if (await this.recordEvent(event, patch)) return;
      if (tries >= this.maxTries) {
        this.log.error({ name: event.metadata.name, reason: event.reason }, 'Unable to write event (retry limit exceeded!)');
        return;
      }
      if (this.stopRetries.signal.aborted) {
        this.log.error({ name: event.metadata.name, reason: event.reason }, 'Unable to write event (broadcaster is shut down)');
        return;
      }
      // A random first sleep keeps clients from retrying in lockstep after an apiserver outage.
      const delay = tries === 1 ? this.retryBaseMs * this.random() : this.retryBaseMs * 2 ** (tries - 1);
      await this.clock.sleep(delay, this.stopRetries.signal);
    }
  }

  /** True when the event was written or is not worth retrying. */
  private async recordEvent(event: CoreEvent, patch: object | undefined): Promise<boolean> {
    const update = (event.count ?? 1) > 1 && patch !== undefined;
    let err: unknown;
    let written: CoreEvent | undefined;
    if (update) {
      try { written = await this.sink.patch(event, patch); } catch (e) { err = e; }
    }
    // A patch fails with 404 when the event was deleted (TTL): create it again under its name.
    if (!update || (err instanceof ApiError && err.code === 404)) {
      err = undefined;
      const fresh: CoreEvent = { ...event, metadata: { ...event.metadata } };
      delete fresh.metadata.resourceVersion;
      try { written = await this.sink.create(fresh); } catch (e) { err = e; }
    }
    if (err === undefined) {
      if (written) this.correlator.updateState(written);
      return true;
    }
    // The apiserver answered: it will answer the same again, so give up. Transport errors retry.
    if (err instanceof ApiError) {
      const level = err.reason === 'AlreadyExists' || hasNamespaceTerminatingCause(err) ? 'debug' : 'error';
      this.log[level]({ name: event.metadata.name, err: err.message }, 'Server rejected event (will not retry!)');
      return true;
    }
    this.log.error({ name: event.metadata.name, err: String(err) }, 'Unable to write event (may retry after sleeping)');
    return false;
  }
}

function hasNamespaceTerminatingCause(err: ApiError): boolean {
  return (err.status.details?.causes ?? []).some((c) => c.reason === 'NamespaceTerminating');
}
