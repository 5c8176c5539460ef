// DefaultBinder (upstream plugins/defaultbinder): binds through the pods/binding subresource.
import type { Pod } from '@kube-ts/client/types';
import type { CycleState } from '../framework/cyclestate.js';
import type { BindPlugin, Handle, PluginFactory } from '../framework/interface.js';
import { Status, type MaybeStatus } from '../framework/status.js';

export const NAME = 'DefaultBinder';

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<MaybeStatus> {
    try {
      await this.handle.api.bind(pod, nodeName);
      return null;
    } catch (e) {
      // Error (not Unschedulable): the pod is retried with backoff and the assumption is forgotten.
      return Status.error(e instanceof Error ? e : String(e));
    }
  }
}

export const DefaultBinderFactory: PluginFactory = (_args: Record<string, unknown> | undefined, handle: Handle) => new DefaultBinder(handle);
