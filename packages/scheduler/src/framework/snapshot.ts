// The per-cycle view of the cache: NodeInfos in a stable order plus the lists InterPodAffinity
// needs. Built by the cache at the start of each cycle; tests build one from NodeInfos directly.
import type { NodeInfoLister } from './interface.js';
import type { NodeInfo } from './nodeinfo.js';

export class Snapshot implements NodeInfoLister {
  private readonly byName: Map<string, NodeInfo>;
  private affinity: NodeInfo[] | undefined;
  private antiAffinity: NodeInfo[] | undefined;

  /** `byName` may be passed when the caller already keeps one (the cache does). */
  constructor(private readonly nodes: NodeInfo[] = [], byName?: Map<string, NodeInfo>) {
    this.byName = byName ?? new Map(nodes.map((n) => [n.name, n]));
  }

  list(): NodeInfo[] { return this.nodes; }
  get(nodeName: string): NodeInfo | undefined { return this.byName.get(nodeName); }
  havePodsWithAffinityList(): NodeInfo[] { return (this.affinity ??= this.nodes.filter((n) => n.podsWithAffinity.length > 0)); }
  havePodsWithRequiredAntiAffinityList(): NodeInfo[] { return (this.antiAffinity ??= this.nodes.filter((n) => n.podsWithRequiredAntiAffinity.length > 0)); }
}
