// Upstream's ProxyHealthServer (pkg/proxy/healthcheck/proxy_health.go, v1.32): the proxy is
// healthy unless an update was queued (queuedUpdate) and no sync has completed (updated) for
// longer than healthTimeout (2 × syncPeriod). /healthz also reports 503 when the Node is being
// deleted or carries the cluster autoscaler's ToBeDeletedByClusterAutoscaler taint; /livez
// ignores the Node. Bodies are upstream's JSON, byte for byte.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node } from '@kube-ts/client';
import { realClock, type Clock } from '@kube-ts/client/clock';
import { goTimeString } from './gotime.js';

export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

export interface HealthCounters { inc(code: string): void }

export class ProxyHealth {
  private lastUpdated: number | undefined;
  private oldestPendingQueued: number | undefined;
  private nodeEligible = true;
  private readonly clock: Clock;
  private readonly healthzCounter: HealthCounters | undefined;
  private readonly livezCounter: HealthCounters | undefined;

  constructor(private readonly healthTimeoutMs: number, opts: { clock?: Clock; healthz?: HealthCounters; livez?: HealthCounters } = {}) {
    this.clock = opts.clock ?? realClock;
    this.healthzCounter = opts.healthz;
    this.livezCounter = opts.livez;
  }

  /** The rules now reflect the state: healthy from here. */
  updated(): void {
    this.oldestPendingQueued = undefined;
    this.lastUpdated = this.clock.now();
  }

  /** A change arrived that needs a sync; keeps the oldest such time. */
  queuedUpdate(): void {
    this.oldestPendingQueued ??= this.clock.now();
  }

  /** SyncNode: ineligible while the Node is being deleted or tainted for deletion; undefined = the Node was deleted. */
  syncNode(node: Node | undefined): void {
    if (!node || node.metadata.deletionTimestamp) { this.nodeEligible = false; return; }
    this.nodeEligible = !(node.spec?.taints ?? []).some((t) => t.key === TO_BE_DELETED_TAINT);
  }

  isNodeEligible(): boolean { return this.nodeEligible; }

  /** [healthy, lastUpdated] as upstream's isHealthy. */
  isHealthy(): [boolean, number | undefined] {
    // Healthy while starting up (nothing synced yet) or fully synced.
    if (this.lastUpdated === undefined || this.oldestPendingQueued === undefined) return [true, this.lastUpdated];
    if (this.clock.now() - this.oldestPendingQueued < this.healthTimeoutMs) return [true, this.lastUpdated];
    return [false, this.lastUpdated];
  }

  /** Serves /healthz and /livez; answers false for other paths. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/healthz' && path !== '/livez') return false;
    const livez = path === '/livez';
    const eligible = this.nodeEligible;
    let [healthy, lastUpdated] = this.isHealthy();
    const now = this.clock.now();
    if (!livez) healthy = healthy && eligible;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const code = healthy ? 200 : 503;
    (livez ? this.livezCounter : this.healthzCounter)?.inc(String(code));
    res.statusCode = code;
    // Healthy answers report "now", as older releases whose lastUpdated was the last loop run.
    if (healthy) lastUpdated = now;
    res.end(livez
      ? `{"lastUpdated": ${JSON.stringify(goTimeString(lastUpdated))},"currentTime": ${JSON.stringify(goTimeString(now))}}`
      : `{"lastUpdated": ${JSON.stringify(goTimeString(lastUpdated))},"currentTime": ${JSON.stringify(goTimeString(now))}, "nodeEligible": ${eligible}}`);
    return true;
  }
}
