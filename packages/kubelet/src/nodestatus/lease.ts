// The node Lease heartbeat (component-helpers lease controller as the kubelet configures it):
// Lease <node> in kube-node-lease, holderIdentity = node, leaseDurationSeconds, renewTime
// refreshed every renew interval (jittered 4%) with PUTs on the last written copy; on failure
// GET/create with backoff (100ms doubling to 7s); an ownerReference to the Node once it exists.
import type { Logger } from 'pino';
import { isConflict, isNotFound, microTime, R, realClock, type Clock, type Lease, type Node, type RestClient, type Timer } from '@kube-ts/client';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const MAX_UPDATE_RETRIES = 5;
const MAX_BACKOFF_MS = 7000;

export interface NodeLeaseOptions {
  rest: RestClient;
  nodeName: string;
  leaseDurationSeconds: number;
  /** Default: leaseDurationSeconds * 0.25 (NodeLeaseRenewIntervalFraction). */
  renewIntervalMs?: number;
  clock?: Clock;
  logger: Logger;
  /** Called after repeated renew failures (upstream closes the heartbeat client's connections). */
  onRepeatedHeartbeatFailure?(): void;
  random?: () => number;
}

export class NodeLeaseController {
  private readonly clock: Clock;
  private readonly renewIntervalMs: number;
  private latest: Lease | undefined;
  private timer: Timer | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly abort = new AbortController();

  constructor(private readonly o: NodeLeaseOptions) {
    this.clock = o.clock ?? realClock;
    this.renewIntervalMs = o.renewIntervalMs ?? o.leaseDurationSeconds * 1000 * 0.25;
  }

  private leases() { return this.o.rest.resource<Lease>(R.leases); }

  /** wait.JitterUntil(sync, renewInterval, 0.04, sliding=true). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const loop = (): void => {
      if (this.stopped) return;
      this.running = this.sync().catch((err: unknown) => this.o.logger.error({ err }, 'node lease sync failed')).finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        const jitter = 1 + (this.o.random ?? Math.random)() * 0.04;
        this.timer = this.clock.after(this.renewIntervalMs * jitter, loop);
      });
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.timer?.cancel();
    await this.running;
  }

  /** One renewal: update the copy last written, else ensure the lease exists and update it. */
  async sync(): Promise<void> {
    if (this.latest) {
      try { await this.retryUpdate(this.latest); return; } catch (err) {
        this.o.logger.info({ err: String(err) }, 'failed to update lease using latest lease, fallback to ensure lease');
      }
    }
    const { lease, created } = await this.backoffEnsure();
    this.latest = lease;
    if (!created && lease) {
      try { await this.retryUpdate(lease); } catch (err) {
        this.o.logger.error({ err: String(err), interval: this.renewIntervalMs }, 'Will retry updating lease');
      }
    }
  }

  /** The last Lease written or read. */
  lease(): Lease | undefined { return this.latest; }

  private async backoffEnsure(): Promise<{ lease: Lease | undefined; created: boolean }> {
    let sleep = 100;
    for (;;) {
      try { return await this.ensure(); } catch (err) {
        sleep = Math.min(2 * sleep, MAX_BACKOFF_MS);
        this.o.logger.error({ err: String(err), interval: sleep }, 'Failed to ensure lease exists, will retry');
        if (this.abort.signal.aborted) return { lease: undefined, created: false };
        await this.clock.sleep(sleep, this.abort.signal);
        if (this.abort.signal.aborted) return { lease: undefined, created: false };
      }
    }
  }

  private async ensure(): Promise<{ lease: Lease | undefined; created: boolean }> {
    try {
      return { lease: await this.leases().get(this.o.nodeName, NODE_LEASE_NAMESPACE), created: false };
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const fresh = await this.newLease(undefined);
    // Without the owner reference the lease is not created this round (setNodeOwnerFunc failed).
    if (!fresh) return { lease: undefined, created: false };
    return { lease: await this.leases().create(fresh), created: true };
  }

  private async retryUpdate(base: Lease): Promise<void> {
    let cur: Lease | undefined = base;
    for (let i = 0; i < MAX_UPDATE_RETRIES; i++) {
      const next = (await this.newLease(cur)) ?? this.renewed(cur);
      try {
        this.latest = await this.leases().update(next);
        return;
      } catch (err) {
        this.o.logger.error({ err: String(err) }, 'Failed to update lease');
        if (isConflict(err)) {
          cur = (await this.backoffEnsure()).lease;
          if (this.abort.signal.aborted) break;
          continue;
        }
        if (i > 0) this.o.onRepeatedHeartbeatFailure?.();
      }
    }
    throw new Error(`failed ${MAX_UPDATE_RETRIES} attempts to update lease`);
  }

  private renewed(base: Lease | undefined): Lease {
    const lease: Lease = base
      ? structuredClone(base)
      : { metadata: { name: this.o.nodeName, namespace: NODE_LEASE_NAMESPACE }, spec: { holderIdentity: this.o.nodeName, leaseDurationSeconds: this.o.leaseDurationSeconds } };
    lease.spec = { ...lease.spec, renewTime: microTime(this.clock.now()) };
    return lease;
  }

  /** newLease + the kubelet's setNodeOwnerFunc; undefined when the owner could not be set. */
  private async newLease(base: Lease | undefined): Promise<Lease | undefined> {
    const lease = this.renewed(base);
    if (lease.metadata.ownerReferences?.length) return lease;
    try {
      const node = await this.o.rest.resource<Node>(R.nodes).get(this.o.nodeName);
      lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: this.o.nodeName, uid: node.metadata.uid ?? '' }];
      return lease;
    } catch (err) {
      this.o.logger.error({ err: String(err), node: this.o.nodeName }, 'failed to get node when trying to set owner ref to the node lease');
      return undefined;
    }
  }
}
