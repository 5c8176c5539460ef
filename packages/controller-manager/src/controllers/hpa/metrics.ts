// The resource metrics client (metrics/client.go resourceMetricsClient): PodMetrics from
// metrics.k8s.io, summed per pod. Errors read as client-go prints them, which is what users
// see in the HPA's conditions and events.
import { milliValue } from '@kube-ts/client/quantity';
import { ApiError } from '@kube-ts/client/errors';
import type { RestClient } from '@kube-ts/client/rest';
import type { PodMetricsInfo } from './replicas.js';

interface PodMetrics {
  metadata: { name: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: Array<{ name: string; usage?: Record<string, string> }>;
}

/** A Go duration ("30s", "1m0s", "1.5s") in milliseconds. */
export function parseGoDuration(s: string | undefined): number {
  if (!s) return 0;
  let ms = 0;
  for (const [, n, u] of s.matchAll(/([\d.]+)(ns|us|µs|ms|s|m|h)/g)) {
    const f = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3600_000 }[u!]!;
    ms += Number(n) * f;
  }
  return ms;
}

/** client-go's rendering of an error from GET pods.metrics.k8s.io. */
export function describeMetricsError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 404) return 'the server could not find the requested resource (get pods.metrics.k8s.io)';
    if (err.code === 503) return 'the server is currently unable to handle the request (get pods.metrics.k8s.io)';
    return err.message;
  }
  return (err as Error).message ?? String(err);
}

/** Sums container usage per pod; pods missing the resource in any container are left out (getPodMetrics). */
export function podMetricsInfo(items: readonly PodMetrics[], resource: string, container: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    let sum = 0;
    let missing = (m.containers ?? []).length === 0;
    let found = !container;
    for (const c of m.containers ?? []) {
      if (container && c.name !== container) continue;
      const v = c.usage?.[resource];
      if (v === undefined) { missing = true; break; }
      sum += milliValue(v);
      found = true;
    }
    if (container && !found) throw new Error(`container ${container} not present in metrics for pod ${m.metadata.namespace ?? ''}/${m.metadata.name}`);
    if (!missing) out.set(m.metadata.name, { timestampMs: Date.parse(m.timestamp ?? '') || 0, windowMs: parseGoDuration(m.window), value: sum });
  }
  return out;
}

export async function getResourceMetric(rest: RestClient, resource: string, namespace: string, selector: string, container: string): Promise<{ metrics: PodMetricsInfo; timestampMs: number }> {
  let list: { items?: PodMetrics[] };
  try {
    list = await rest.request({ path: `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`, query: { labelSelector: selector } });
  } catch (err) {
    throw new Error(`unable to fetch metrics from resource metrics API: ${describeMetricsError(err)}`);
  }
  const items = list?.items ?? [];
  if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
  let metrics: PodMetricsInfo;
  try {
    metrics = podMetricsInfo(items, resource, container);
  } catch (e) {
    throw new Error(`failed to get container metrics: ${(e as Error).message}`);
  }
  return { metrics, timestampMs: Date.parse(items[0]!.timestamp ?? '') || 0 };
}
