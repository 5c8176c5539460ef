// Builds the ControllerContext the binary and the tests share: one informer factory, one event
// broadcaster per event source (component name), all on the injected clock.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { realClock, type Clock } from '@kube-ts/client/clock';
import { EventBroadcaster, eventSinkFromRest, type EventRecorder } from '@kube-ts/client/events';
import { SharedInformerFactory } from '@kube-ts/client/factory';
import type { RestClient } from '@kube-ts/client/rest';
import type { ControllerContext, ControllerManagerOptions } from './context.js';

export interface BuiltContext {
  ctx: ControllerContext;
  /** Flushes pending events and stops the broadcasters. */
  shutdownEvents(): Promise<void>;
}

export function buildContext(o: { rest: RestClient; options: ControllerManagerOptions; logger: Logger; metrics: Registry; clock?: Clock; resyncMs?: number }): BuiltContext {
  const clock = o.clock ?? realClock;
  const broadcasters = new Map<string, { b: EventBroadcaster; r: EventRecorder }>();
  const sink = eventSinkFromRest(o.rest);
  const host = hostname();
  const ctx: ControllerContext = {
    rest: o.rest,
    informers: new SharedInformerFactory(o.rest, { clock, logger: o.logger, resyncMs: o.resyncMs ?? 0 }),
    clock,
    logger: o.logger,
    options: o.options,
    metrics: o.metrics,
    recorder(component) {
      let e = broadcasters.get(component);
      if (!e) {
        const b = new EventBroadcaster({ sink, component, host, clock, logger: o.logger });
        e = { b, r: b.newRecorder({ component }) };
        broadcasters.set(component, e);
      }
      return e.r;
    },
  };
  return {
    ctx,
    async shutdownEvents() { await Promise.all([...broadcasters.values()].map((e) => e.b.shutdown())); },
  };
}
