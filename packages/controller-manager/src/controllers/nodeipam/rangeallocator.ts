// kube-controller-manager's node-ipam-controller with the RangeAllocator (pkg/controller/nodeipam
// /ipam/range_allocator.go): every node gets spec.podCIDR/podCIDRs, one --node-cidr-mask-size
// subnet of each --cluster-cidr. Before the first allocation the subnets already on nodes (and
// the service range) are marked used, so a restart never hands a subnet out twice; a deleted
// node's subnets return to the pool.
import type { EventRecorder } from '@kube-ts/client/events';
import { isNotFound } from '@kube-ts/client/errors';
import { unwrapTombstone, type SharedIndexInformer } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import type { Node } from '@kube-ts/client/types';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import { CidrSet } from './cidrset.js';
import { formatCidr, parseCidr, type Cidr } from './ip.js';

/** cidrUpdateRetries. */
const CIDR_UPDATE_RETRIES = 3;
/** Upstream's default IPv6 node mask (--node-cidr-mask-size-ipv6). */
const DEFAULT_IPV6_MASK = 64;

export interface RangeAllocatorConfig {
  clusterCIDRs: Cidr[];
  /** Node mask per cluster CIDR. */
  nodeMaskSizes: number[];
  serviceCIDR?: Cidr;
}

/** Parses the options; a string says why the controller cannot run. */
export function rangeAllocatorConfig(o: { clusterCIDR?: string; nodeCIDRMaskSize: number; serviceClusterIPRange?: string }): RangeAllocatorConfig | string {
  if (!o.clusterCIDR) return 'kube-controller-manager missing --cluster-cidr';
  const parts = o.clusterCIDR.split(',').map((s) => s.trim()).filter(Boolean);
  const cidrs: Cidr[] = [];
  for (const p of parts) {
    const c = parseCidr(p);
    if (!c) return `invalid --cluster-cidr ${JSON.stringify(p)}`;
    cidrs.push(c);
  }
  if (cidrs.length > 2) return 'len of clusters cidrs is:' + cidrs.length + ', > max allowed of 2';
  if (cidrs.length === 2 && cidrs[0]!.family === cidrs[1]!.family) return 'cluster-cidr is dual-stack but both CIDRs are of the same IP family';
  // Single stack: --node-cidr-mask-size; dual stack: upstream's per-family defaults (24 and 64).
  const masks = cidrs.map((c) => (c.family === 4 ? (cidrs.length === 1 ? o.nodeCIDRMaskSize : 24) : (cidrs.length === 1 && o.nodeCIDRMaskSize > 32 ? o.nodeCIDRMaskSize : DEFAULT_IPV6_MASK)));
  const svc = o.serviceClusterIPRange ? parseCidr(o.serviceClusterIPRange.split(',')[0]!.trim()) : undefined;
  return { clusterCIDRs: cidrs, nodeMaskSizes: masks, serviceCIDR: svc };
}

export class RangeAllocator implements Controller {
  readonly name = 'node-ipam-controller';
  readonly sets: CidrSet[];
  readonly queue: QueueController;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext, cfg: RangeAllocatorConfig) {
    this.sets = cfg.clusterCIDRs.map((c, i) => new CidrSet(c, cfg.nodeMaskSizes[i]!));
    const svc = cfg.serviceCIDR;
    if (svc) {
      // filterOutServiceRange: subnets overlapping the service range are never handed out.
      for (const s of this.sets) {
        try { s.occupy(svc); } catch { /* the service range is elsewhere */ }
      }
    }
    this.recorder = ctx.recorder('cidrAllocator');
    this.nodes = ctx.informers.informerFor<Node>(R.nodes);
    this.queue = new QueueController({ name: this.name, queueName: 'cidrallocator_node', ctx, caches: [this.nodes], sync: (k) => this.syncNode(k) });
    this.nodes.addEventHandler({
      add: (n) => this.queue.enqueue(n),
      update: (_o, n) => this.queue.enqueue(n),
      delete: (n) => {
        try { this.releaseCIDRs(unwrapTombstone(n)); } catch (err) { ctx.logger.warn({ err: String(err) }, 'error while processing CIDR Release'); }
        this.queue.enqueue(n);
      },
    });
  }

  async run(workers: number, signal: AbortSignal): Promise<void> {
    if (!(await this.nodes.waitForSync(signal))) return;
    // Everything already assigned is marked used before anything new is handed out.
    for (const n of this.nodes.store.list()) {
      try { this.occupyCIDRs(n); } catch (err) { this.ctx.logger.error({ node: n.metadata.name, err: String(err) }, 'Node CIDR error'); }
    }
    await this.queue.run(workers, signal);
  }

  async syncNode(name: string): Promise<void> {
    const node = this.nodes.store.get(name);
    if (!node) return;
    if (node.metadata.deletionTimestamp) { this.releaseCIDRs(node); return; }
    await this.allocateOrOccupy(node);
  }

  private nodeRef(n: Node): { kind: string; apiVersion: string; name: string; uid?: string } {
    return { kind: 'Node', apiVersion: 'v1', name: n.metadata.name!, uid: n.metadata.uid };
  }

  private parsePodCIDRs(node: Node): Cidr[] {
    return (node.spec?.podCIDRs ?? []).map((s, idx) => {
      const c = parseCidr(s);
      if (!c) throw new Error(`failed to parse node ${node.metadata.name!}, CIDR ${s}`);
      if (idx >= this.sets.length) throw new Error(`node:${node.metadata.name!} has an allocated cidr: ${s} at index:${idx} that does not exist in cluster cidrs configuration`);
      return c;
    });
  }

  occupyCIDRs(node: Node): void {
    this.parsePodCIDRs(node).forEach((c, idx) => {
      try { this.sets[idx]!.occupy(c); } catch (err) { throw new Error(`failed to mark cidr[${formatCidr(c)}] at idx [${idx}] as occupied for node: ${node.metadata.name!}: ${(err as Error).message}`); }
    });
  }

  releaseCIDRs(node: Node): void {
    this.parsePodCIDRs(node).forEach((c, idx) => this.sets[idx]!.release(c));
  }

  private async allocateOrOccupy(node: Node): Promise<void> {
    if ((node.spec?.podCIDRs ?? []).length > 0) { this.occupyCIDRs(node); return; }
    const allocated: Cidr[] = [];
    for (let idx = 0; idx < this.sets.length; idx++) {
      try {
        allocated.push(this.sets[idx]!.allocateNext());
      } catch (err) {
        allocated.forEach((c, i) => this.sets[i]!.release(c));
        this.recorder.event(this.nodeRef(node), 'Normal', 'CIDRNotAvailable', `Node ${node.metadata.name!} status is now: CIDRNotAvailable`);
        throw new Error(`failed to allocate cidr from cluster cidr at idx:${idx}: ${(err as Error).message}`);
      }
    }
    await this.updateCIDRsAllocation(node, allocated);
  }

  private async updateCIDRsAllocation(cached: Node, allocated: Cidr[]): Promise<void> {
    const client = this.ctx.rest.resource<Node>(R.nodes);
    const name = cached.metadata.name!;
    const cidrs = allocated.map(formatCidr);
    const release = (): void => allocated.forEach((c, i) => this.sets[i]!.release(c));
    let node: Node;
    try {
      // A fresh read: the cache may not show an assignment this controller just made.
      node = await client.get(name);
    } catch (err) {
      release();
      if (isNotFound(err)) return;
      throw err;
    }
    const current = node.spec?.podCIDRs ?? [];
    if (current.length === cidrs.length && current.every((c, i) => c === cidrs[i])) return;
    if (current.length > 0) {
      this.ctx.logger.error({ node: name, podCIDRs: current }, 'Node already has a CIDR allocated. Releasing the new one');
      release();
      return;
    }
    let last: unknown;
    for (let i = 0; i < CIDR_UPDATE_RETRIES; i++) {
      try {
        await client.patch(name, undefined, { spec: { podCIDR: cidrs[0], podCIDRs: cidrs } }, 'merge');
        this.ctx.logger.info({ node: name, podCIDRs: cidrs }, 'Set node PodCIDR');
        return;
      } catch (err) {
        last = err;
        if (isNotFound(err)) { release(); return; }
      }
    }
    this.recorder.event(this.nodeRef(node), 'Normal', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
    release();
    throw last;
  }
}
