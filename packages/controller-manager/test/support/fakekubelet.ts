// A stand-in for kubelets until the real one lands: it "runs" pods bound to its nodes by writing
// the status a kubelet would (Running and Ready, or a terminal phase the pod's annotations ask
// for), finishes graceful deletions at once, and renews each node's Lease in kube-node-lease.
//
// Pod annotations it honours (set them in a template to script a workload):
//   kube-ts.test/phase: Succeeded | Failed   the container exits (after kube-ts.test/run-ms)
//   kube-ts.test/exit-code: "<n>"            exit code for Failed (default 1)
//   kube-ts.test/ready: "false"              Running but never Ready
import { SharedIndexInformer } from '@kube-ts/client/informer';
import { isAlreadyExists, isConflict, isNotFound } from '@kube-ts/client/errors';
import { R } from '@kube-ts/client/resources';
import type { RestClient } from '@kube-ts/client/rest';
import type { Lease, Node, Pod } from '@kube-ts/client/types';

const ts = (ms = Date.now()): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const micro = (ms = Date.now()): string => new Date(ms).toISOString().replace('Z', '000Z');

export interface FakeKubeletOptions {
  /** Node names this kubelet manages (pods bound elsewhere are ignored). */
  nodes: string[];
  /** Register the Node objects (Ready, 32 cpu / 64Gi / 250 pods) if missing. Default true. */
  register?: boolean;
  /** Lease renew interval (default 2 s; upstream's kubelet renews every 10 s). */
  leaseRenewMs?: number;
  /** Delay before a created pod is reported Running (default 0). */
  startDelayMs?: number;
}

export class FakeKubelet {
  private readonly informer: SharedIndexInformer<Pod>;
  private readonly ac = new AbortController();
  private readonly nodes: Set<string>;
  private readonly stoppedLeases = new Set<string>();
  private readonly inflight = new Set<string>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private ipSeq = 1;
  private run: Promise<void> | undefined;

  constructor(private readonly rest: RestClient, private readonly o: FakeKubeletOptions) {
    this.nodes = new Set(o.nodes);
    this.informer = new SharedIndexInformer<Pod>(rest.resource<Pod>(R.pods), {});
    const h = (p: Pod): void => this.onPod(p);
    this.informer.addEventHandler({ add: h, update: (_o, n) => h(n) });
  }

  async start(): Promise<void> {
    if (this.o.register !== false) for (const n of this.nodes) await this.registerNode(n);
    this.run = this.informer.run(this.ac.signal);
    await this.informer.waitForSync(this.ac.signal);
    for (const n of this.nodes) await this.renewLease(n);
    const t = setInterval(() => { for (const n of this.nodes) void this.renewLease(n).catch(() => {}); }, this.o.leaseRenewMs ?? 2000);
    this.timers.add(t);
  }

  async stop(): Promise<void> {
    this.ac.abort();
    for (const t of this.timers) { clearInterval(t); clearTimeout(t); }
    await this.run;
  }

  /** Stops renewing `node`'s Lease (a dead kubelet); its pods keep their last status. */
  stopLease(node: string): void { this.stoppedLeases.add(node); }

  /** Stops acting for `node` entirely (lease and pods). */
  killNode(node: string): void { this.stoppedLeases.add(node); this.nodes.delete(node); }

  private async registerNode(name: string): Promise<void> {
    const res = { cpu: '32', memory: '64Gi', pods: '250' };
    const node: Node = {
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
      spec: {},
      status: {
        capacity: res, allocatable: res,
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: ts(), lastTransitionTime: ts() }],
        addresses: [{ type: 'InternalIP', address: `10.240.0.${10 + [...this.nodes].indexOf(name)}` }, { type: 'Hostname', address: name }],
      },
    };
    try { await this.rest.resource<Node>(R.nodes).create(node); } catch (e) { if (!isAlreadyExists(e)) throw e; }
  }

  private async renewLease(node: string): Promise<void> {
    if (this.stoppedLeases.has(node)) return;
    const leases = this.rest.resource<Lease>(R.leases);
    const spec = { holderIdentity: node, leaseDurationSeconds: 40, renewTime: micro() };
    try {
      const cur = await leases.get(node, 'kube-node-lease');
      await leases.update({ ...cur, spec: { ...cur.spec, ...spec } });
    } catch (e) {
      if (isNotFound(e)) {
        await leases.create({ metadata: { name: node, namespace: 'kube-node-lease' }, spec }).catch(() => {});
      } else if (!isConflict(e)) throw e;
    }
  }

  private onPod(p: Pod): void {
    const node = p.spec.nodeName;
    if (!node || !this.nodes.has(node)) return;
    const key = `${p.metadata.namespace}/${p.metadata.name}/${p.metadata.uid}`;
    if (this.inflight.has(key)) return;
    const act = this.next(p);
    if (!act) return;
    this.inflight.add(key);
    void act().catch(() => {}).finally(() => this.inflight.delete(key));
  }

  /** What the kubelet would do next for this pod, or undefined when it is settled. */
  private next(p: Pod): (() => Promise<void>) | undefined {
    const pods = this.rest.resource<Pod>(R.pods);
    const ns = p.metadata.namespace!; const name = p.metadata.name!;
    if (p.metadata.deletionTimestamp) {
      return async () => {
        try { await pods.delete(name, ns, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } }); } catch (e) { if (!isNotFound(e) && !isConflict(e)) throw e; }
      };
    }
    const a = p.metadata.annotations ?? {};
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return undefined;
    if (phase !== 'Running') {
      return async () => {
        await delay(this.o.startDelayMs ?? 0);
        await this.patchStatus(p, 'Running', a['kube-ts.test/ready'] !== 'false');
        const end = a['kube-ts.test/phase'];
        if (end === 'Succeeded' || end === 'Failed') {
          await delay(Number(a['kube-ts.test/run-ms'] ?? 0));
          await this.patchStatus(p, end, false, end === 'Failed' ? Number(a['kube-ts.test/exit-code'] ?? 1) : 0);
        }
      };
    }
    return undefined;
  }

  private async patchStatus(p: Pod, phase: 'Running' | 'Succeeded' | 'Failed', ready: boolean, exitCode?: number): Promise<void> {
    const now = ts();
    const cond = (type: string, ok: boolean, reason?: string) => ({ type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: now, ...(reason && !ok ? { reason } : {}) });
    const terminal = phase !== 'Running';
    const containerStatuses = p.spec.containers.map((c) => ({
      name: c.name, image: c.image, imageID: '', ready: ready && !terminal, restartCount: 0, started: !terminal,
      containerID: `containerd://${(p.metadata.uid ?? '').replace(/-/g, '')}${c.name}`,
      state: terminal
        ? { terminated: { exitCode: exitCode ?? 0, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: now, finishedAt: now } }
        : { running: { startedAt: now } },
    }));
    const ip = p.status?.podIP ?? `10.200.${(this.ipSeq >> 8) & 255}.${this.ipSeq++ & 255}`;
    const status = {
      phase,
      conditions: [
        cond('PodReadyToStartContainers', true), cond('Initialized', true),
        cond('Ready', ready && !terminal, terminal ? 'PodCompleted' : 'ContainersNotReady'),
        cond('ContainersReady', ready && !terminal, terminal ? 'PodCompleted' : 'ContainersNotReady'),
        cond('PodScheduled', true),
      ],
      hostIP: '10.240.0.10', podIP: ip, podIPs: [{ ip }], startTime: p.status?.startTime ?? now,
      containerStatuses,
    };
    await this.rest.resource<Pod>(R.pods).patch(p.metadata.name!, p.metadata.namespace, { status }, 'merge', { subresource: 'status' });
  }
}

function delay(ms: number): Promise<void> { return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve(); }
