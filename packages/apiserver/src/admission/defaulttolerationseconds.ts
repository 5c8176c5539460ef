// The DefaultTolerationSeconds admission plugin (upstream plugin/pkg/admission/defaulttolerationseconds):
// a pod (created or updated) that does not already tolerate the node.kubernetes.io/not-ready or unreachable
// NoExecute taints gets a toleration for each with tolerationSeconds 300, so taint-based eviction
// waits five minutes before evicting it from a failed node.
import type { AdmissionAttributes, AdmissionPlugin } from '../rest/context.js';

export const PLUGIN_NAME = 'DefaultTolerationSeconds';
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }

/** Does `t` tolerate the NoExecute taint `key` (any value)? Upstream checks exactly this shape. */
function tolerates(t: Toleration, key: string): boolean {
  const effectOk = !t.effect || t.effect === 'NoExecute';
  if (!effectOk) return false;
  if (!t.key) return t.operator === 'Exists';
  return t.key === key && (t.operator === 'Exists' || !t.operator || t.operator === 'Equal');
}

export function defaultTolerationSecondsAdmission(seconds = { notReady: 300, unreachable: 300 }): AdmissionPlugin {
  return {
    name: PLUGIN_NAME,
    mutate(attrs: AdmissionAttributes): void {
      if (attrs.def.group !== '' || attrs.def.plural !== 'pods' || attrs.subresource || (attrs.operation !== 'CREATE' && attrs.operation !== 'UPDATE') || !attrs.object) return;
      const spec = (attrs.object.spec ?? {}) as { tolerations?: Toleration[] };
      const list = Array.isArray(spec.tolerations) ? spec.tolerations : [];
      const add: Toleration[] = [];
      if (!list.some((t) => tolerates(t, NOT_READY))) add.push({ key: NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.notReady });
      if (!list.some((t) => tolerates(t, UNREACHABLE))) add.push({ key: UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds.unreachable });
      if (add.length === 0) return;
      spec.tolerations = [...list, ...add];
      attrs.object.spec = spec;
    },
  };
}
