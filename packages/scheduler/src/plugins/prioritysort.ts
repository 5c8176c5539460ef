// PrioritySort (upstream plugins/queuesort): the activeQ order — higher priority first, then the
// pod that entered the queue earlier.
import type { Handle, PluginFactory, QueueSortPlugin } from '../framework/interface.js';
import { priorityOf, type QueuedPodInfo } from '../framework/podinfo.js';

export const NAME = 'PrioritySort';

export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const p1 = priorityOf(a.podInfo.pod);
    const p2 = priorityOf(b.podInfo.pod);
    return p1 > p2 || (p1 === p2 && a.timestamp < b.timestamp);
  }
}

export const PrioritySortFactory: PluginFactory = (_args: Record<string, unknown> | undefined, _handle: Handle) => new PrioritySort();
