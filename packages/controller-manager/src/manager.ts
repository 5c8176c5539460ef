// Starts the enabled controllers on one shared informer factory and stops them together.
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '@kube-ts/client/clock';
import type { RestClient } from '@kube-ts/client/rest';
import { DEFAULT_WORKERS, type Controller, type ControllerManagerOptions } from './context.js';
import { buildContext } from './contextbuilder.js';
import type { ControllerDescriptor } from './registry.js';

export interface ManagerOptions {
  rest: RestClient;
  options: ControllerManagerOptions;
  logger: Logger;
  metrics: Registry;
  descriptors: ControllerDescriptor[];
  /** Canonical names selected by --controllers. */
  enabled: Set<string>;
  clock?: Clock;
}

export class ControllerManager {
  constructor(private readonly o: ManagerOptions) {}

  /** Runs until `signal` aborts. */
  async run(signal: AbortSignal): Promise<void> {
    // Every informer and worker pool listens on this one signal (the garbage collector alone
    // runs an informer per resource), far past Node's default warning threshold of 10.
    setMaxListeners(0, signal);
    const { ctx, shutdownEvents } = buildContext({ rest: this.o.rest, options: this.o.options, logger: this.o.logger, metrics: this.o.metrics, clock: this.o.clock });
    const started: Array<{ c: Controller; workers: number }> = [];
    const implemented = new Set(this.o.descriptors.map((d) => d.name));
    for (const name of this.o.enabled) {
      if (!implemented.has(name)) this.o.logger.info({ controller: name }, 'Controller not implemented; skipping');
    }
    for (const d of this.o.descriptors) {
      if (!this.o.enabled.has(d.name)) { this.o.logger.info({ controller: d.name }, 'Warning: controller is disabled'); continue; }
      const c = d.init(ctx);
      if (typeof c === 'string') { this.o.logger.info({ controller: d.name, reason: c }, 'Skipping controller'); continue; }
      const workers = this.o.options.concurrency[d.workersKey] ?? DEFAULT_WORKERS[d.workersKey] ?? 1;
      started.push({ c, workers });
      this.o.logger.info({ controller: d.name }, 'Started controller');
    }
    ctx.informers.start(signal);
    await Promise.all(started.map(({ c, workers }) => c.run(workers, signal).catch((e: unknown) => {
      this.o.logger.error({ controller: c.name, err: String(e) }, 'controller failed');
    })));
    await ctx.informers.shutdown();
    await shutdownEvents();
  }
}
