// Reconcile metrics shared by every controller (the work-queue metrics come from the client's
// WorkQueue under upstream's workqueue_* names).
import { Counter, Histogram, type Registry } from 'prom-client';

export interface ReconcileMetrics {
  observe(controller: string, result: 'success' | 'error' | 'requeue', seconds: number): void;
}

const byRegistry = new WeakMap<Registry, ReconcileMetrics>();

export function reconcileMetrics(registry: Registry): ReconcileMetrics {
  let m = byRegistry.get(registry);
  if (m) return m;
  const total = new Counter({
    name: 'controller_reconcile_total', help: 'Syncs (reconciles) of one queue key, by controller and result.',
    labelNames: ['controller', 'result'], registers: [registry],
  });
  const duration = new Histogram({
    name: 'controller_reconcile_duration_seconds', help: 'Time one sync (reconcile) of a queue key took.',
    labelNames: ['controller'], buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
  });
  m = {
    observe(controller, result, seconds) {
      total.inc({ controller, result });
      duration.observe({ controller }, seconds);
    },
  };
  byRegistry.set(registry, m);
  return m;
}
