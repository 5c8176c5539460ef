// One informer per (resource, namespace, selectors) per process, shared by every controller
// that asks for it (client-go's SharedInformerFactory): one LIST+WATCH, one cache.
import type { Logger } from 'pino';
import type { Clock } from './clock.js';
import { SharedIndexInformer, type InformerOptions } from './informer.js';
import type { ResourceType } from './resources.js';
import type { RestClient } from './rest.js';
import type { KubeObject } from './types.js';

export interface FactoryOptions {
  resyncMs?: number;
  namespace?: string;
  clock?: Clock;
  logger?: Logger;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedIndexInformer<KubeObject>>();
  private readonly started = new Set<string>();
  private signal: AbortSignal | undefined;
  private readonly runs: Promise<void>[] = [];

  constructor(readonly rest: RestClient, private readonly opts: FactoryOptions = {}) {}

  informerFor<T extends KubeObject>(type: ResourceType, o: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {}): SharedIndexInformer<T> {
    const ns = o.namespace ?? this.opts.namespace;
    const key = [type.group, type.version, type.plural, ns ?? '', o.labelSelector ?? '', o.fieldSelector ?? ''].join('|');
    let inf = this.informers.get(key);
    if (!inf) {
      const io: InformerOptions = { namespace: ns, labelSelector: o.labelSelector, fieldSelector: o.fieldSelector, resyncMs: this.opts.resyncMs, clock: this.opts.clock, logger: this.opts.logger };
      inf = new SharedIndexInformer<KubeObject>(this.rest.resource<KubeObject>(type), io);
      this.informers.set(key, inf);
      // Informers requested after start() begin at once.
      if (this.signal) this.startOne(key, inf, this.signal);
    }
    return inf as unknown as SharedIndexInformer<T>;
  }

  private startOne(key: string, inf: SharedIndexInformer<KubeObject>, signal: AbortSignal): void {
    if (this.started.has(key)) return;
    this.started.add(key);
    this.runs.push(inf.run(signal).catch((e: unknown) => { this.opts.logger?.error({ err: e }, 'informer stopped'); }));
  }

  start(signal: AbortSignal): void {
    this.signal = signal;
    for (const [k, inf] of this.informers) this.startOne(k, inf, signal);
  }

  /** Resolves true when every started informer has synced. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    const all = await Promise.all([...this.informers.values()].map((i) => i.waitForSync(signal)));
    return all.every(Boolean);
  }

  /** Resolves when all informers have stopped (after the start signal aborts). */
  async shutdown(): Promise<void> { await Promise.all(this.runs); }
}
