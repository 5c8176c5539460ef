// The kubelet's own HTTP server metrics (upstream pkg/kubelet/server/metrics): requests by method,
// path bucket, server type and long-running, and those in flight.
import { Counter, Gauge, type Registry } from 'prom-client';

const LABELS = ['method', 'path', 'server_type', 'long_running'] as const;
type Label = (typeof LABELS)[number];

const BUCKETS = new Set([
  'healthz', 'pods', 'stats', 'metrics', 'exec', 'attach', 'portForward', 'containerLogs', 'run', 'runningpods', 'configz', 'logs', 'debug',
]);
const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'CONNECT', 'TRACE']);
const LONG_RUNNING = new Set(['exec', 'attach', 'portforward', 'debug']);

export interface HttpMetrics {
  begin(method: string, path: string): () => void;
}

function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

/** Upstream getURLRootPath + bucket: the first path segment (metrics/<x> for metrics) or "other". */
export function pathBucket(path: string): string {
  const parts = path.replace(/^\//, '').split('/');
  const root = parts[0] === 'metrics' && parts.length > 1 ? `metrics/${parts[1]}` : (parts[0] ?? '');
  return BUCKETS.has(root) || root.startsWith('metrics') ? root : 'other';
}

export function httpMetrics(registry: Registry): HttpMetrics {
  const total = getOrCreate(registry, 'kubelet_http_requests_total', () =>
    new Counter<Label>({ name: 'kubelet_http_requests_total', help: 'Number of the http requests received since the server started', labelNames: LABELS, registers: [registry] }),
  );
  const inflight = getOrCreate(registry, 'kubelet_http_inflight_requests', () =>
    new Gauge<Label>({ name: 'kubelet_http_inflight_requests', help: 'Number of the inflight http requests', labelNames: LABELS, registers: [registry] }),
  );
  return {
    begin(method, path) {
      const bucket = pathBucket(path);
      const labels = {
        method: METHODS.has(method) ? method : 'other',
        path: bucket,
        server_type: 'readwrite',
        long_running: String(LONG_RUNNING.has(bucket.toLowerCase())),
      };
      total.inc(labels);
      inflight.inc(labels);
      let ended = false;
      return () => {
        if (ended) return;
        ended = true;
        inflight.dec(labels);
      };
    },
  };
}
