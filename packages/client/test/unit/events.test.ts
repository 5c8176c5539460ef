import { describe, expect, it } from 'vitest';
import { FakeClock, flushMicrotasks } from '../../src/clock.js';
import { ApiError } from '../../src/errors.js';
import { EventBroadcaster, getReference, metaTime, type EventBroadcasterOptions, type EventSink } from '../../src/events.js';
import { R } from '../../src/resources.js';
import type { CoreEvent, Node, Pod } from '../../src/types.js';

/** Records writes; `failures` holds errors thrown by the next calls, in order. */
class FakeSink implements EventSink {
  readonly creates: CoreEvent[] = [];
  readonly patches: Array<{ name: string; namespace: string | undefined; patch: object }> = [];
  attempts = 0;
  failures: unknown[] = [];
  private rv = 0;

  async create(e: CoreEvent): Promise<CoreEvent> {
    this.attempts++;
    if (this.failures.length) throw this.failures.shift();
    const stored = structuredClone({ ...e, metadata: { ...e.metadata, resourceVersion: String(++this.rv) } });
    this.creates.push(stored);
    return structuredClone(stored);
  }

  async patch(e: CoreEvent, patch: object): Promise<CoreEvent> {
    this.attempts++;
    if (this.failures.length) throw this.failures.shift();
    this.patches.push({ name: e.metadata.name ?? '', namespace: e.metadata.namespace, patch });
    return { ...e, ...patch, metadata: { ...e.metadata, resourceVersion: String(++this.rv) } } as CoreEvent;
  }
}

const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'prod', uid: 'uid-1', resourceVersion: '7' }, spec: { containers: [] } };

function setup(extra: Partial<EventBroadcasterOptions> = {}): { clock: FakeClock; sink: FakeSink; b: EventBroadcaster; errors: string[] } {
  const clock = new FakeClock();
  const sink = new FakeSink();
  const errors: string[] = [];
  const logger = { debug() {}, info() {}, error: (_f: object, msg: string) => { errors.push(msg); } };
  const b = new EventBroadcaster({ sink, clock, component: 'default-scheduler', host: 'node-1', random: () => 0.5, logger, ...extra });
  return { clock, sink, b, errors };
}

function nanosHex(ms: number): string { return (BigInt(ms) * 1_000_000n).toString(16); }

describe('EventRecorder', () => {
  it('creates a core/v1 event with the upstream fields and name', async () => {
    const { clock, sink, b } = setup();
    b.newRecorder().event(pod, 'Normal', 'Scheduled', 'Successfully assigned prod/web-1 to node-a');
    await flushMicrotasks();
    const now = clock.now();
    expect(sink.creates).toEqual([{
      metadata: { name: `web-1.${nanosHex(now)}`, namespace: 'prod', resourceVersion: '1' },
      involvedObject: { kind: 'Pod', apiVersion: 'v1', name: 'web-1', namespace: 'prod', uid: 'uid-1', resourceVersion: '7' },
      reason: 'Scheduled',
      message: 'Successfully assigned prod/web-1 to node-a',
      source: { component: 'default-scheduler', host: 'node-1' },
      firstTimestamp: metaTime(now),
      lastTimestamp: metaTime(now),
      count: 1,
      type: 'Normal',
      reportingComponent: 'default-scheduler',
      reportingInstance: 'node-1',
    }]);
    expect(sink.creates[0]?.metadata.name).toMatch(/^web-1\.[0-9a-f]+$/);
  });

  it('puts events about cluster-scoped objects in "default"', async () => {
    const { sink, b } = setup();
    const node: Node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a', uid: 'n1' } };
    b.newRecorder().event(node, 'Warning', 'NodeNotReady', 'Node is not ready');
    await flushMicrotasks();
    expect(sink.creates[0]?.metadata.namespace).toBe('default');
    expect(sink.creates[0]?.involvedObject).toEqual({ kind: 'Node', apiVersion: 'v1', name: 'node-a', uid: 'n1' });
  });

  it('gives events in the same millisecond distinct names', async () => {
    const { sink, b } = setup();
    const r = b.newRecorder();
    r.event(pod, 'Normal', 'Pulling', 'pulling image');
    r.event(pod, 'Normal', 'Pulled', 'pulled image');
    await flushMicrotasks();
    const names = sink.creates.map((e) => e.metadata.name);
    expect(new Set(names).size).toBe(2);
    for (const n of names) expect(n).toMatch(/^web-1\.[0-9a-f]+$/);
  });

  it('sends a repeat of an identical event as a patch bumping count and lastTimestamp', async () => {
    const { clock, sink, b } = setup();
    const r = b.newRecorder();
    const first = clock.now();
    r.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available');
    await clock.step(60_000);
    r.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available');
    await clock.step(60_000);
    r.event(pod, 'Warning', 'FailedScheduling', '0/3 nodes are available');
    await flushMicrotasks();
    expect(sink.creates).toHaveLength(1);
    const name = sink.creates[0]?.metadata.name;
    expect(sink.patches).toEqual([
      { name, namespace: 'prod', patch: { count: 2, lastTimestamp: metaTime(first + 60_000), message: '0/3 nodes are available' } },
      { name, namespace: 'prod', patch: { count: 3, lastTimestamp: metaTime(first + 120_000), message: '0/3 nodes are available' } },
    ]);
  });

  it('creates the event again under its name when the patched event is gone', async () => {
    const { sink, b } = setup();
    const r = b.newRecorder();
    r.event(pod, 'Normal', 'Started', 'started');
    await flushMicrotasks();
    sink.failures.push(new ApiError({ status: 'Failure', code: 404, reason: 'NotFound', message: 'events "x" not found' }, 404));
    r.event(pod, 'Normal', 'Started', 'started');
    await flushMicrotasks();
    expect(sink.creates).toHaveLength(2);
    expect(sink.creates[1]?.metadata.name).toBe(sink.creates[0]?.metadata.name);
    expect(sink.creates[1]?.count).toBe(2);
  });

  it('combines similar events after 10 distinct messages within 10 minutes', async () => {
    const { clock, sink, b } = setup();
    const r = b.newRecorder();
    for (let i = 1; i <= 11; i++) {
      r.event(pod, 'Warning', 'BackOff', `message ${i}`);
      await clock.step(1_000);
    }
    // Upstream combines once the 10th distinct message arrives; later ones update that event.
    expect(sink.creates.map((e) => e.message)).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `message ${i + 1}`),
      '(combined from similar events): message 10',
    ]);
    const combined = sink.creates[9];
    expect(combined).toMatchObject({ reason: 'BackOff', type: 'Warning', count: 1, involvedObject: { name: 'web-1', uid: 'uid-1' } });
    expect(sink.patches).toEqual([{
      name: combined?.metadata.name, namespace: 'prod',
      patch: { count: 2, lastTimestamp: metaTime(clock.now() - 1_000), message: '(combined from similar events): message 11' },
    }]);
    // A different reason is aggregated separately, and after 10 quiet minutes the count starts over.
    r.event(pod, 'Warning', 'Unhealthy', 'probe failed');
    await clock.step(11 * 60_000);
    r.event(pod, 'Warning', 'BackOff', 'message 12');
    await flushMicrotasks();
    expect(sink.creates.slice(-2).map((e) => e.message)).toEqual(['probe failed', 'message 12']);
  });

  it('drops events past a burst of 25 per source and object, refilling one per 5 minutes', async () => {
    const { clock, sink, b } = setup();
    const r = b.newRecorder();
    // Distinct reasons so aggregation does not combine them.
    for (let i = 0; i < 30; i++) r.event(pod, 'Normal', `Reason${i}`, 'm');
    await flushMicrotasks();
    expect(sink.creates).toHaveLength(25);
    expect(sink.creates.at(-1)?.reason).toBe('Reason24');
    const other: Pod = { ...pod, metadata: { ...pod.metadata, name: 'web-2', uid: 'uid-2' } };
    r.event(other, 'Normal', 'Scheduled', 'm');
    await flushMicrotasks();
    expect(sink.creates).toHaveLength(26);
    await clock.step(299_000);
    r.event(pod, 'Normal', 'Late1', 'm');
    await flushMicrotasks();
    expect(sink.creates).toHaveLength(26);
    await clock.step(1_000);
    r.event(pod, 'Normal', 'Late2', 'm');
    r.event(pod, 'Normal', 'Late3', 'm');
    await flushMicrotasks();
    expect(sink.creates.slice(26).map((e) => e.reason)).toEqual(['Late2']);
  });

  it('retries transport errors with backoff on the clock, but not server rejections', async () => {
    const { clock, sink, b, errors } = setup({ retryBaseMs: 1_000, maxTries: 5 });
    const r = b.newRecorder();
    sink.failures.push(new Error('ECONNREFUSED'), new Error('ECONNREFUSED'));
    r.event(pod, 'Normal', 'A', 'a');
    await flushMicrotasks();
    expect(sink.attempts).toBe(1);
    await clock.step(500); // first sleep: random (0.5) × base
    expect(sink.attempts).toBe(2);
    await clock.step(1_999);
    expect(sink.attempts).toBe(2);
    await clock.step(1);
    expect(sink.attempts).toBe(3);
    expect(sink.creates.map((e) => e.reason)).toEqual(['A']);

    sink.failures.push(new ApiError({ status: 'Failure', code: 403, reason: 'Forbidden', message: 'forbidden' }, 403));
    r.event(pod, 'Normal', 'B', 'b');
    await clock.step(60_000);
    expect(sink.attempts).toBe(4);
    expect(errors).toContain('Server rejected event (will not retry!)');
  });

  it('drops an event after maxTries and goes on with the next', async () => {
    const { clock, sink, b, errors } = setup({ retryBaseMs: 100, maxTries: 3 });
    const r = b.newRecorder();
    sink.failures.push(new Error('down'), new Error('down'), new Error('down'));
    r.event(pod, 'Normal', 'Lost', 'x');
    r.event(pod, 'Normal', 'Kept', 'y');
    await clock.step(10_000);
    expect(sink.attempts).toBe(4);
    expect(sink.creates.map((e) => e.reason)).toEqual(['Kept']);
    expect(errors).toContain('Unable to write event (retry limit exceeded!)');
  });

  it('shutdown() writes what is queued and refuses later events', async () => {
    const { sink, b } = setup();
    const r = b.newRecorder();
    r.event(pod, 'Normal', 'One', '1');
    r.event(pod, 'Normal', 'Two', '2');
    r.event(pod, 'Normal', 'Three', '3');
    await b.shutdown();
    expect(sink.creates.map((e) => e.reason)).toEqual(['One', 'Two', 'Three']);
    r.event(pod, 'Normal', 'Four', '4');
    await flushMicrotasks();
    expect(sink.creates).toHaveLength(3);
  });

  it('never throws into the caller, and drops objects it cannot reference', async () => {
    const { sink, b, errors } = setup();
    const r = b.newRecorder();
    const bare: Pod = { metadata: { name: 'p', namespace: 'ns', uid: 'u' }, spec: { containers: [] } };
    expect(() => r.event(bare, 'Normal', 'X', 'x')).not.toThrow();
    expect(() => r.event(pod, 'Bogus' as 'Normal', 'X', 'x')).not.toThrow();
    sink.failures.push(new ApiError({ status: 'Failure', code: 422, reason: 'Invalid', message: 'invalid' }, 422));
    expect(() => r.event(pod, 'Normal', 'Y', 'y')).not.toThrow();
    await flushMicrotasks();
    expect(sink.creates).toHaveLength(0);
    expect(errors.slice(0, 2)).toEqual(['Could not construct reference (object has no kind), will not report event', 'Unsupported event type']);
    // With the ResourceType the reference is complete.
    r.event(getReference(bare, R.pods), 'Normal', 'X', 'x');
    await flushMicrotasks();
    expect(sink.creates[0]?.involvedObject).toEqual({ kind: 'Pod', apiVersion: 'v1', name: 'p', namespace: 'ns', uid: 'u' });
  });
});
