// The ttl-after-finished controller's clock (ttlafterfinished_controller.go needsCleanup, timeLeft).
import { describe, expect, it } from 'vitest';
import type { Job } from '@kube-ts/client/workloads';
import { needsCleanup, timeLeft } from '../../src/controllers/ttlafterfinished/ttl.js';

describe('ttl-after-finished clock', () => {
  const job = (ttl: number | undefined, cond?: { type: string; at: string }): Job => ({
    metadata: { name: 'j', namespace: 'default' },
    spec: { template: { spec: { containers: [] } }, ...(ttl !== undefined ? { ttlSecondsAfterFinished: ttl } : {}) },
    status: cond ? { conditions: [{ type: cond.type, status: 'True', lastTransitionTime: cond.at }] } : {},
  });
  it('needs cleanup only with a TTL and a Complete/Failed condition', () => {
    expect(needsCleanup(job(10))).toBe(false);
    expect(needsCleanup(job(undefined, { type: 'Complete', at: '2020-01-01T00:00:00Z' }))).toBe(false);
    expect(needsCleanup(job(0, { type: 'Failed', at: '2020-01-01T00:00:00Z' }))).toBe(true);
    expect(needsCleanup(job(5, { type: 'SuccessCriteriaMet', at: '2020-01-01T00:00:00Z' }))).toBe(false);
  });
  it('expires ttlSecondsAfterFinished after the finish transition', () => {
    const at = Date.parse('2020-01-01T00:00:00Z');
    const j = job(100, { type: 'Complete', at: '2020-01-01T00:00:00Z' });
    expect(timeLeft(j, at + 30_000)).toEqual({ leftMs: 70_000, expireAtMs: at + 100_000, finishedInFuture: false });
    expect(timeLeft(j, at + 100_000).leftMs).toBe(0);
    expect(timeLeft(j, at - 1000).finishedInFuture).toBe(true);
    expect(() => timeLeft(job(1, { type: 'Complete', at: '' }), at)).toThrow('unable to find the time when the Job default/j finished');
  });
});
