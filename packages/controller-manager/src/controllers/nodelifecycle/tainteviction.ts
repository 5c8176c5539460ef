// kube-controller-manager's taint-eviction-controller (pkg/controller/tainteviction): pods on
// nodes with NoExecute taints they do not tolerate are deleted, at once or when their
// tolerationSeconds run out; a removed taint (or a changed toleration) cancels the pending
// deletion. Before deleting, the pod gets the DisruptionTarget condition so its owner (a Job's
// pod failure policy, for one) can tell a disruption from a failure.
import type { EventRecorder } from '@kube-ts/client/events';
import { isNotFound } from '@kube-ts/client/errors';
import { isTombstone, type SharedIndexInformer } from '@kube-ts/client/informer';
import { R } from '@kube-ts/client/resources';
import { objectKey, type Node, type Pod, type Taint, type Toleration } from '@kube-ts/client/types';
import type { Controller, ControllerContext } from '../../context.js';
import { QueueController } from '../../controller.js';
import { decideEviction, noExecuteTaints, taintAddedMs } from './eviction.js';
import { ensureNodeNameIndex, podsOnNode } from './podindex.js';
import { updatePodCondition } from './podstatus.js';
import { TimedWorkerQueue } from './timedworkers.js';

const DELETE_RETRIES = 5;
const RETRY_SLEEP_MS = 10;
const FAILED_DELETE_REQUEUE_MS = 1000;
const NODE = 'node:';
const POD = 'pod:';

export const DISRUPTION_TARGET = {
  type: 'DisruptionTarget', status: 'True' as const,
  reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
};

function taintsEqual(a: readonly Taint[], b: readonly Taint[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function tolerationsEqual(a: readonly Toleration[] | undefined, b: readonly Toleration[] | undefined): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}

export class TaintEvictionController implements Controller {
  readonly name = 'taint-eviction-controller';
  readonly queue: QueueController;
  readonly evictions: TimedWorkerQueue;
  private readonly nodes: SharedIndexInformer<Node>;
  private readonly pods: SharedIndexInformer<Pod>;
  private readonly recorder: EventRecorder;
  /** Node name -> its NoExecute taints (taintedNodes). */
  private readonly tainted = new Map<string, Taint[]>();
  /** When taints without timeAdded were first seen, by node|key|effect. */
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.recorder = ctx.recorder('taint-eviction-controller');
    this.nodes = ctx.informers.informerFor<Node>(R.nodes);
    this.pods = ctx.informers.informerFor<Pod>(R.pods);
    ensureNodeNameIndex(this.pods);
    this.evictions = new TimedWorkerQueue(ctx.clock, (key, fireAt) => this.deletePod(key, fireAt));
    this.queue = new QueueController({ name: this.name, ctx, caches: [this.nodes, this.pods], sync: (k) => this.sync(k) });

    this.pods.addEventHandler({
      add: (p) => this.queue.enqueueKey(POD + objectKey(p)),
      update: (o, p) => {
        if (o.spec.nodeName === p.spec.nodeName && tolerationsEqual(o.spec.tolerations, p.spec.tolerations)) return;
        this.queue.enqueueKey(POD + objectKey(p));
      },
      delete: (p) => this.queue.enqueueKey(POD + (isTombstone(p) ? p.key : objectKey(p))),
    });
    this.nodes.addEventHandler({
      add: (n) => this.queue.enqueueKey(NODE + n.metadata.name!),
      update: (o, n) => {
        if (taintsEqual(noExecuteTaints(o.spec?.taints), noExecuteTaints(n.spec?.taints))) return;
        this.queue.enqueueKey(NODE + n.metadata.name!);
      },
      delete: (n) => this.queue.enqueueKey(NODE + (isTombstone(n) ? n.key : n.metadata.name!)),
    });
  }

  run(workers: number, signal: AbortSignal): Promise<void> { return this.queue.run(workers, signal); }

  async sync(key: string): Promise<void> {
    if (key.startsWith(NODE)) this.handleNodeUpdate(key.slice(NODE.length));
    else if (key.startsWith(POD)) this.handlePodUpdate(key.slice(POD.length));
  }

  /** The node's pending evictions by pod key (for tests and debugging). */
  pending(): Array<{ pod: string; fireAt: number }> {
    return this.evictions.keys().flatMap((k) => {
      const w = this.evictions.get(k);
      return w?.pending ? [{ pod: k, fireAt: w.fireAt }] : [];
    });
  }

  private handleNodeUpdate(name: string): void {
    const node = this.nodes.store.get(name);
    if (!node) { this.tainted.delete(name); this.forgetFirstSeen(name, []); return; }
    const taints = noExecuteTaints(node.spec?.taints);
    if (taints.length === 0) this.tainted.delete(name);
    else this.tainted.set(name, taints);
    this.forgetFirstSeen(name, taints);
    const pods = podsOnNode(this.pods, name);
    if (taints.length === 0) {
      for (const p of pods) this.cancelWithEvent(objectKey(p));
      return;
    }
    const now = this.ctx.clock.now();
    for (const p of pods) this.processPodOnNode(objectKey(p), name, p.spec.tolerations, taints, now);
  }

  private handlePodUpdate(key: string): void {
    const pod = this.pods.store.get(key);
    if (!pod) { this.cancelWithEvent(key); return; }
    const nodeName = pod.spec.nodeName;
    if (!nodeName) return;
    const taints = this.tainted.get(nodeName);
    if (!taints) return;
    this.processPodOnNode(key, nodeName, pod.spec.tolerations, taints, this.ctx.clock.now());
  }

  private processPodOnNode(key: string, nodeName: string, tolerations: Toleration[] | undefined, taints: Taint[], now: number): void {
    const d = decideEviction(taints, tolerations, now, (t) => this.since(nodeName, t, now));
    if (d.kind === 'cancel') { this.cancelWithEvent(key); return; }
    const cur = this.evictions.get(key);
    if (cur) {
      // Done already (waiting for the deletion to show), or an earlier deadline is pending.
      if (!cur.pending || cur.fireAt <= d.atMs) return;
      this.cancelWithEvent(key);
    }
    this.evictions.addWork(key, now, d.atMs);
  }

  private since(nodeName: string, t: Taint, now: number): number {
    const added = taintAddedMs(t);
    if (added !== undefined) return added;
    const k = `${nodeName}|${t.key}|${t.effect}`;
    let seen = this.firstSeen.get(k);
    if (seen === undefined) { seen = now; this.firstSeen.set(k, seen); }
    return seen;
  }

  private forgetFirstSeen(nodeName: string, keep: readonly Taint[]): void {
    for (const k of [...this.firstSeen.keys()]) {
      const [n, key, effect] = k.split('|');
      if (n === nodeName && !keep.some((t) => t.key === key && t.effect === effect)) this.firstSeen.delete(k);
    }
  }

  private podRef(key: string): { kind: string; apiVersion: string; namespace: string; name: string } {
    const [namespace, name] = key.split('/') as [string, string];
    return { kind: 'Pod', apiVersion: 'v1', namespace, name };
  }

  private cancelWithEvent(key: string): void {
    if (this.evictions.cancelWork(key)) {
      this.recorder.event(this.podRef(key), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
    }
  }

  /** deletePodHandler: event, then DisruptionTarget and delete, retried a few times. */
  private async deletePod(key: string, _fireAt: number): Promise<void> {
    this.ctx.logger.info({ controller: this.name, pod: key }, 'Deleting pod');
    this.recorder.event(this.podRef(key), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    let last: unknown;
    for (let i = 0; i < DELETE_RETRIES; i++) {
      try {
        await this.addConditionAndDeletePod(key);
        return;
      } catch (err) {
        last = err;
        await this.ctx.clock.sleep(RETRY_SLEEP_MS);
      }
    }
    this.ctx.logger.warn({ controller: this.name, pod: key, err: String(last) }, 'Failed to delete pod');
    this.queue.enqueueAfter(POD + key, FAILED_DELETE_REQUEUE_MS);
    throw last;
  }

  private async addConditionAndDeletePod(key: string): Promise<void> {
    const { namespace, name } = this.podRef(key);
    const client = this.ctx.rest.resource<Pod>(R.pods);
    let pod: Pod;
    try {
      pod = await client.get(name, namespace);
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    const status = structuredClone(pod.status ?? {});
    if (updatePodCondition(status, DISRUPTION_TARGET, this.ctx.clock.now())) {
      const cond = status.conditions!.find((c) => c.type === DISRUPTION_TARGET.type)!;
      await client.patch(name, namespace, { metadata: { uid: pod.metadata.uid }, status: { conditions: [cond] } }, 'strategic', { subresource: 'status' });
    }
    try {
      await client.delete(name, namespace);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
