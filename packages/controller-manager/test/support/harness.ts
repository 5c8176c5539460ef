// Runs controllers in-process against a test cluster (raftkv + kube-apiserver processes from the
// apiserver's test support): the same ControllerContext the binary builds, on a fresh RestClient.
import { setMaxListeners } from 'node:events';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Clock } from '@kube-ts/client/clock';
import { loadKubeconfig } from '@kube-ts/client/kubeconfig';
import { RestClient } from '@kube-ts/client/rest';
import type { Cluster } from '../../../apiserver/test/support/cluster.js';
import { DEFAULT_OPTIONS, type Controller, type ControllerContext, type ControllerInit, type ControllerManagerOptions } from '../../src/context.js';
import { buildContext } from '../../src/contextbuilder.js';

export interface Harness {
  ctx: ControllerContext;
  rest: RestClient;
  registry: Registry;
  controllers: Controller[];
  /** Stops controllers and informers; idempotent. */
  stop(): Promise<void>;
}

export function restFor(c: Cluster, registry?: Registry): RestClient {
  const cfg = loadKubeconfig(c.kubeconfig);
  cfg.qps = 200; cfg.burst = 400;
  return new RestClient(cfg, registry ? { registry } : {});
}

export interface RunControllersOptions { options?: Partial<ControllerManagerOptions>; clock?: Clock; workers?: number; logLevel?: string }

export async function runControllers(c: Cluster, inits: ControllerInit[], o: RunControllersOptions = {}): Promise<Harness> {
  const registry = new Registry();
  const rest = restFor(c, registry);
  const logger = pino({ level: o.logLevel ?? process.env.KCM_TEST_LOG ?? 'silent' });
  const built = buildContext({ rest, options: { ...DEFAULT_OPTIONS, ...o.options }, logger, metrics: registry, clock: o.clock });
  const controllers: Controller[] = [];
  for (const init of inits) {
    const ctrl = init(built.ctx);
    if (typeof ctrl === 'string') throw new Error(`controller not started: ${ctrl}`);
    controllers.push(ctrl);
  }
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  built.ctx.informers.start(ac.signal);
  const runs = controllers.map((ctrl) => ctrl.run(o.workers ?? 2, ac.signal));
  let stopped: Promise<void> | undefined;
  return {
    ctx: built.ctx, rest, registry, controllers,
    stop: () => (stopped ??= (async () => {
      ac.abort();
      await Promise.allSettled(runs);
      await built.ctx.informers.shutdown();
      await built.shutdownEvents();
    })()),
  };
}

/** Polls `fn` until it returns a truthy value (returned) or `timeoutMs` passes (throws). */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 20_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as NonNullable<T>;
    } catch (e) { last = e; }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
