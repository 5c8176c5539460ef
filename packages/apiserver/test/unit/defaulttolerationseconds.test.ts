import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { defaultTolerationSecondsAdmission } from '../../src/admission/defaulttolerationseconds.js';
import { podResource } from '../../src/registry/pod.js';
import type { AdmissionAttributes, Operation } from '../../src/rest/context.js';

const user = { username: 'admin', groups: ['system:masters'] };
const NR = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
const UR = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };

function run(tolerations: unknown[] | undefined, op: Operation = 'CREATE', subresource?: string): unknown {
  const pod: KubeObject = { kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [], ...(tolerations ? { tolerations } : {}) } };
  const a: AdmissionAttributes = { operation: op, def: podResource, subresource, namespace: 'default', name: 'p', object: pod, user, dryRun: false } as AdmissionAttributes;
  void defaultTolerationSecondsAdmission().mutate!(a);
  return (pod.spec as { tolerations?: unknown }).tolerations;
}

describe('DefaultTolerationSeconds admission', () => {
  it.each([
    ['no tolerations', undefined, [NR, UR]],
    ['not-ready already tolerated', [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }], [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }, UR]],
    ['tolerate-everything', [{ operator: 'Exists' }], [{ operator: 'Exists' }]],
    ['unreachable with no effect', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }], [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }, NR]],
    ['a NoSchedule toleration does not count', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }], [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule' }, NR, UR]],
  ])('%s', (_n, given, want) => {
    expect(run(given)).toEqual(want);
  });

  it('runs on update too (a replace without tolerations keeps them) but not on subresources', () => {
    expect(run(undefined, 'UPDATE')).toEqual([NR, UR]);
    expect(run(undefined, 'UPDATE', 'status')).toBeUndefined();
  });
});
