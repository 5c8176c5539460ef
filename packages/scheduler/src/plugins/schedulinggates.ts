// SchedulingGates: pods with spec.schedulingGates wait outside the active queue until the gates
// are removed. The queue applies the gate itself (backend/queue.ts); this plugin exists so the
// name can be enabled or disabled in a profile, and it registers the gate-removal event.
import type { EnqueueExtensions, Plugin, PluginFactory } from '../framework/interface.js';
import { ActionType, type ClusterEventWithHint } from '../framework/events.js';

export class SchedulingGates implements Plugin, EnqueueExtensions {
  readonly name = 'SchedulingGates';
  eventsToRegister(): ClusterEventWithHint[] {
    return [{ event: { resource: 'Pod', actionType: ActionType.UpdatePodSchedulingGatesEliminated } }];
  }
}

export const SchedulingGatesFactory: PluginFactory = () => new SchedulingGates();
