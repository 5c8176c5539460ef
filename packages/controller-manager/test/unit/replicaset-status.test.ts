// ReplicaSet status arithmetic (calculateStatus): counts, availability after minReadySeconds and
// the ReplicaFailure condition lifecycle.
import { describe, expect, it } from 'vitest';
import type { Pod } from '@kube-ts/client/types';
import type { ReplicaOwner } from '../../src/controllers/replicaset/kinds.js';
import { calculateStatus, statusUnchanged } from '../../src/controllers/replicaset/status.js';

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

function pod(labels: Record<string, string>, readySince?: number): Pod {
  return {
    metadata: { name: 'p', namespace: 'd', labels },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: readySince === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: iso(readySince) }] },
  };
}

const rs = (minReadySeconds = 0): ReplicaOwner => ({
  metadata: { name: 'rs', namespace: 'd', generation: 2 },
  spec: { replicas: 3, minReadySeconds, template: { metadata: { labels: { app: 'a', tier: 'web' } }, spec: { containers: [] } } },
  status: { replicas: 0, observedGeneration: 1 },
});

describe('calculateStatus', () => {
  it('counts fully labeled, ready and available pods', () => {
    const pods = [pod({ app: 'a', tier: 'web' }, NOW - 60_000), pod({ app: 'a' }, NOW - 5_000), pod({ app: 'a', tier: 'web' })];
    const s = calculateStatus(rs(10), pods, NOW);
    expect(s).toMatchObject({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 1 });
    expect(calculateStatus(rs(0), pods, NOW).availableReplicas).toBe(2);
  });

  it('sets ReplicaFailure once and clears it after a clean sync', () => {
    const owner = rs();
    const failed = calculateStatus(owner, [], NOW, { message: 'pods "x" is forbidden: exceeded quota', diff: -3 });
    expect(failed.conditions).toEqual([{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota', lastTransitionTime: iso(NOW) }]);
    owner.status = failed;
    const again = calculateStatus(owner, [], NOW + 5000, { message: 'other', diff: 2 });
    expect(again.conditions?.[0]).toMatchObject({ reason: 'FailedCreate', lastTransitionTime: iso(NOW) });
    expect(calculateStatus(owner, [], NOW).conditions).toBeUndefined();
    expect(calculateStatus(rs(), [], NOW, { message: 'x', diff: 1 }).conditions?.[0]?.reason).toBe('FailedDelete');
  });

  it('an unchanged status at an old generation still needs a write (observedGeneration)', () => {
    const owner = rs();
    const s = calculateStatus(owner, [], NOW);
    expect(statusUnchanged(owner, s)).toBe(false);
    owner.status = { ...s, observedGeneration: 2 };
    expect(statusUnchanged(owner, calculateStatus(owner, [], NOW))).toBe(true);
  });
});
