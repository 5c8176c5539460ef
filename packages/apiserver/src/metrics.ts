// Prometheus metrics on /metrics, named as upstream's so dashboards carry over: request counts
// and latency by verb/resource/code, watchers, objects per resource, store latency.
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Target } from './rest/context.js';
import type { WatchCaches } from './storage/watchcache.js';

export class ApiMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<string>;
  private readonly latency: Histogram<string>;
  readonly etcdLatency: Histogram<string>;

  constructor(caches: WatchCaches) {
    collectDefaultMetrics({ register: this.registry });
    const labels = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];
    this.requests = new Counter({ name: 'apiserver_request_total', help: 'Counter of apiserver requests broken out for each verb, group, version, resource, scope, component, and HTTP response code.', labelNames: [...labels, 'code'], registers: [this.registry] });
    this.latency = new Histogram({
      name: 'apiserver_request_duration_seconds', help: 'Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component.',
      labelNames: labels, buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60], registers: [this.registry],
    });
    this.etcdLatency = new Histogram({
      name: 'etcd_request_duration_seconds', help: 'Etcd request latency in seconds for each operation and object type.',
      labelNames: ['operation', 'type'], buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60], registers: [this.registry],
    });
    new Gauge({
      name: 'apiserver_storage_objects', help: 'Number of stored objects at the time of last check split by kind (from the watch cache).',
      labelNames: ['resource'], registers: [this.registry],
      collect() { this.reset(); for (const c of caches.all()) this.set({ resource: c.dir.split('/').filter(Boolean).slice(1).join('/') }, c.objectCount); },
    });
    new Gauge({
      name: 'apiserver_registered_watchers', help: 'Number of currently registered watchers for a given resource.',
      labelNames: ['resource'], registers: [this.registry],
      collect() { this.reset(); for (const c of caches.all()) this.set({ resource: c.dir.split('/').filter(Boolean).slice(1).join('/') }, c.watcherCount); },
    });
  }

  observe(info: { verb: string; target?: Target; code: number; seconds: number }): void {
    const d = info.target?.def;
    const l = {
      verb: info.verb.toUpperCase(), group: d?.group ?? '', version: d?.version ?? '', resource: d?.plural ?? '',
      subresource: info.target?.subresource ?? '', scope: !d ? '' : !d.namespaced ? 'cluster' : info.target?.namespace ? 'namespace' : info.target?.name ? 'resource' : 'cluster',
      component: 'apiserver',
    };
    this.requests.inc({ ...l, code: String(info.code) });
    // Watches last as long as the client keeps them: upstream leaves them out of the latency too.
    if (info.verb !== 'watch') this.latency.observe(l, info.seconds);
  }

  register(app: FastifyInstance): void {
    app.get('/metrics', async (_req, reply) => reply.type(this.registry.contentType).send(await this.registry.metrics()));
  }
}
