// NodePorts (upstream plugins/nodeports): a pod asking for host ports only fits nodes where none
// of them (ip/protocol/port, 0.0.0.0 matching every IP) is already in use.
import type { ContainerPort, Pod } from '@kube-ts/client/types';
import type { CycleState, StateData } from '../framework/cyclestate.js';
import type { ClusterEventWithHint, QueueingHint } from '../framework/events.js';
import { ActionType } from '../framework/events.js';
import type { EnqueueExtensions, FilterPlugin, Handle, PluginFactory, PreFilterExtensions, PreFilterPlugin, PreFilterResult } from '../framework/interface.js';
import { HostPortInfo, type NodeInfo } from '../framework/nodeinfo.js';
import { Status, type MaybeStatus } from '../framework/status.js';

export const NAME = 'NodePorts';
const PRE_FILTER_KEY = `PreFilter${NAME}`;
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

class PreFilterState implements StateData {
  constructor(readonly ports: ContainerPort[]) {}
  clone(): StateData { return this; }
}

/** util.GetHostPorts: host ports of the containers and of sidecars (restartable init containers), which run alongside. */
export function getHostPorts(pod: Pod): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const c of pod.spec.initContainers ?? []) {
    if (c.restartPolicy !== 'Always') continue;
    for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) out.push(p);
  }
  for (const c of pod.spec.containers ?? []) for (const p of c.ports ?? []) if (p.hostPort && p.hostPort > 0) out.push(p);
  return out;
}

export function fitsPorts(want: readonly ContainerPort[], inUse: HostPortInfo): boolean {
  return !want.some((p) => inUse.checkConflict(p.hostIP, p.protocol, p.hostPort!));
}

export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(state: CycleState, pod: Pod): { result?: PreFilterResult; status: MaybeStatus } {
    const ports = getHostPorts(pod);
    if (ports.length === 0) return { status: Status.skip() };
    state.write(PRE_FILTER_KEY, new PreFilterState(ports));
    return { status: null };
  }

  preFilterExtensions(): PreFilterExtensions | null { return null; }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): MaybeStatus {
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    if (!s) return Status.error(`reading "${PRE_FILTER_KEY}" from cycleState: not found`);
    return fitsPorts(s.ports, nodeInfo.usedPorts) ? null : Status.unschedulable(ERR_REASON);
  }

  eventsToRegister(): ClusterEventWithHint[] {
    return [
      // Ports are immutable, so only deletions free them.
      { event: { resource: 'Pod', actionType: ActionType.Delete, label: 'PodDelete' }, hint: (pod, oldObj) => afterPodDeleted(pod, oldObj) },
      { event: { resource: 'Node', actionType: ActionType.Add, label: 'NodeAdd' } },
    ];
  }
}

/** Queue only when the deleted pod was (to be) on a node and held a port this pod wants. */
function afterPodDeleted(pod: Pod, oldObj: unknown): QueueingHint {
  const deleted = oldObj as Pod | undefined;
  if (!deleted) return 'Queue';
  if (!deleted.spec.nodeName && !deleted.status?.nominatedNodeName) return 'QueueSkip';
  const ports = getHostPorts(deleted);
  if (ports.length === 0) return 'QueueSkip';
  const freed = new HostPortInfo();
  for (const p of ports) freed.add(p.hostIP, p.protocol, p.hostPort!);
  return fitsPorts(getHostPorts(pod), freed) ? 'QueueSkip' : 'Queue';
}

export const NodePortsFactory: PluginFactory = (_args: Record<string, unknown> | undefined, _handle: Handle) => new NodePorts();
