// The scheduler cache: nodes and the pods on them, including pods the scheduler has assumed
// (decided, binding in flight) before the apiserver confirms them. Each cycle takes a snapshot
// that copies only NodeInfos changed since the last one, so a 5,000-node cluster costs
// O(changed nodes) per pod rather than O(nodes).
import type { Node, Pod } from '@kube-ts/client/types';
import { NodeInfo, type ImageStateSummary } from '../framework/nodeinfo.js';
import { PodInfo } from '../framework/podinfo.js';
import { Snapshot } from '../framework/snapshot.js';
import { fullyQualifiedImageName } from '../framework/images.js';

interface PodState { info: PodInfo; nodeName: string; assumed: boolean; bindingFinished: boolean }

/** Node images are keyed by their fully qualified reference (docker.io/library/x:latest), as ImageLocality looks them up. */
export const normalizeImage = fullyQualifiedImageName;

export class SchedulerCache {
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  /** image -> nodes that have it */
  /** image -> the nodes that have it, and the summary object every NodeInfo with it shares (so numNodes stays current). */
  private readonly imageNodes = new Map<string, { summary: ImageStateSummary; nodes: Set<string> }>();
  /** Nodes whose NodeInfo changed since the last snapshot. */
  private readonly dirty = new Set<string>();
  private snapNodes = new Map<string, NodeInfo>();
  private snapList: NodeInfo[] = [];
  private snapIndex = new Map<string, number>();
  private snapshotObj = new Snapshot([]);
  private listChanged = true;

  private nodeInfo(name: string): NodeInfo {
    let ni = this.nodes.get(name);
    if (!ni) { ni = new NodeInfo(); this.nodes.set(name, ni); }
    return ni;
  }

  private touch(name: string): void { this.dirty.add(name); }

  // ---- nodes -------------------------------------------------------------------------------

  addOrUpdateNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const ni = this.nodeInfo(name);
    const isNew = ni.node === undefined;
    this.setImages(name, ni.node, node);
    ni.setNode(node);
    if (isNew) this.listChanged = true;
    this.touch(name);
    this.refreshImageStates(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const ni = this.nodes.get(name);
    if (!ni) return;
    this.setImages(name, ni.node, undefined);
    // Pods still bound to a deleted node stay until their deletion arrives (upstream keeps a "ghost" node).
    if (ni.pods.length === 0) this.nodes.delete(name);
    else ni.node = undefined;
    this.listChanged = true;
    this.touch(name);
  }

  private setImages(nodeName: string, oldNode: Node | undefined, newNode: Node | undefined): void {
    for (const img of oldNode?.status?.images ?? []) for (const n of img.names ?? []) {
      const e = this.imageNodes.get(normalizeImage(n));
      e?.nodes.delete(nodeName);
      if (e) e.summary.numNodes = e.nodes.size;
      if (e && e.nodes.size === 0) this.imageNodes.delete(normalizeImage(n));
    }
    for (const img of newNode?.status?.images ?? []) for (const n of img.names ?? []) {
      const k = normalizeImage(n);
      let e = this.imageNodes.get(k);
      if (!e) this.imageNodes.set(k, (e = { summary: { size: img.sizeBytes ?? 0, numNodes: 0 }, nodes: new Set() }));
      e.nodes.add(nodeName);
      e.summary.numNodes = e.nodes.size;
    }
  }

  private refreshImageStates(node: Node): void {
    const ni = this.nodes.get(node.metadata.name ?? '')!;
    ni.imageStates = new Map();
    for (const img of node.status?.images ?? []) for (const n of img.names ?? []) {
      const k = normalizeImage(n);
      const e = this.imageNodes.get(k);
      if (e) ni.imageStates.set(k, e.summary);
    }
  }

  nodeCount(): number { let n = 0; for (const ni of this.nodes.values()) if (ni.node) n++; return n; }

  // ---- pods --------------------------------------------------------------------------------

  private place(info: PodInfo, nodeName: string): void {
    this.nodeInfo(nodeName).addPod(info);
    this.touch(nodeName);
  }

  private unplace(st: PodState): void {
    const ni = this.nodes.get(st.nodeName);
    if (!ni) return;
    ni.removePod(st.info);
    this.touch(st.nodeName);
    if (!ni.node && ni.pods.length === 0) { this.nodes.delete(st.nodeName); this.listChanged = true; }
  }

  /** The scheduler decided: account for the pod on `nodeName` before the binding is confirmed. */
  assumePod(pod: Pod, nodeName: string): void {
    const uid = pod.metadata.uid ?? '';
    if (this.pods.has(uid)) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} is in the cache, so can't be assumed`);
    const bound: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    const st: PodState = { info: new PodInfo(bound), nodeName, assumed: true, bindingFinished: false };
    this.pods.set(uid, st);
    this.place(st.info, nodeName);
  }

  finishBinding(pod: Pod): void {
    const st = this.pods.get(pod.metadata.uid ?? '');
    if (st?.assumed) st.bindingFinished = true;
  }

  /** Undoes an assume (binding failed). */
  forgetPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const st = this.pods.get(uid);
    if (!st || !st.assumed) return;
    this.unplace(st);
    this.pods.delete(uid);
  }

  isAssumed(pod: Pod): boolean { return this.pods.get(pod.metadata.uid ?? '')?.assumed ?? false; }

  /** An assigned pod seen by the informer (confirms an assumed one). */
  addPod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const nodeName = pod.spec.nodeName ?? '';
    const st = this.pods.get(uid);
    if (st) {
      // Confirmation of an assumed pod, or a duplicate add: replace with the apiserver's copy.
      this.unplace(st);
    }
    const info = new PodInfo(pod);
    this.pods.set(uid, { info, nodeName, assumed: false, bindingFinished: true });
    this.place(info, nodeName);
  }

  updatePod(_old: Pod, pod: Pod): void { this.addPod(pod); }

  removePod(pod: Pod): void {
    const uid = pod.metadata.uid ?? '';
    const st = this.pods.get(uid);
    if (!st) return;
    this.unplace(st);
    this.pods.delete(uid);
  }

  podCount(): number { return this.pods.size; }

  // ---- snapshot ----------------------------------------------------------------------------

  /** The current view for a scheduling cycle (cost proportional to the nodes changed since the last one). */
  updateSnapshot(): Snapshot {
    if (this.dirty.size === 0 && !this.listChanged) return this.snapshotObj;
    for (const name of this.dirty) {
      const ni = this.nodes.get(name);
      if (ni && ni.node) {
        const i = this.snapIndex.get(name);
        const c = ni.clone();
        this.snapNodes.set(name, c);
        if (i === undefined) this.listChanged = true;
        else this.snapList[i] = c;
      } else if (this.snapNodes.delete(name)) this.listChanged = true;
    }
    this.dirty.clear();
    if (this.listChanged) {
      this.snapList = [...this.snapNodes.values()];
      this.snapIndex = new Map(this.snapList.map((n, i) => [n.name, i]));
      this.listChanged = false;
    }
    this.snapshotObj = new Snapshot(this.snapList, this.snapNodes);
    return this.snapshotObj;
  }
}
