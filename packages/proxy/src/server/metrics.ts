// The metrics port (upstream serveMetrics): /metrics, the generic /healthz ("ok"), /proxyMode
// and /configz.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { notFound } from './http.js';

export interface MetricsHandlerOptions {
  registry: Registry;
  mode: string;
  /** The running configuration, served under /configz. */
  configz: unknown;
}

export function metricsHandler(o: MetricsHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const text = (body: string): void => {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.end(body);
    };
    switch (path) {
      case '/metrics':
        o.registry.metrics().then((body) => {
          res.setHeader('Content-Type', o.registry.contentType);
          res.end(body);
        }, (e: unknown) => { res.statusCode = 500; res.end(String(e)); });
        return;
      case '/healthz':
        text('ok');
        return;
      case '/proxyMode':
        text(o.mode);
        return;
      case '/configz':
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ 'kubeproxy.config.k8s.io': o.configz }));
        return;
      default:
        notFound(res);
    }
  };
}
