import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kube-ts/client/clock';
import { BoundedFrequencyRunner } from '../../src/runner.js';

function setup(min: number, max: number, burst: number, fnMs = 0) {
  const clock = new FakeClock(0);
  const runs: number[] = [];
  let failNext = false;
  const r = new BoundedFrequencyRunner({
    name: 't', minIntervalMs: min, maxIntervalMs: max, burstRuns: burst, clock,
    fn: async () => {
      runs.push(clock.now());
      if (fnMs) await clock.sleep(fnMs);
      if (failNext) { failNext = false; throw new Error('boom'); }
    },
  });
  return { clock, runs, r, failOnce: () => { failNext = true; } };
}

describe('BoundedFrequencyRunner', () => {
  it('does nothing before start, then runs at once on request', async () => {
    const { clock, runs, r } = setup(1000, 10_000, 1);
    r.run();
    await clock.step(0);
    expect(runs).toEqual([]);
    r.start();
    r.run();
    await clock.step(0);
    expect(runs).toEqual([0]);
  });

  it('runs at least once per maxInterval without requests', async () => {
    const { clock, runs, r } = setup(1000, 10_000, 1);
    r.start();
    await clock.step(25_000);
    expect(runs).toEqual([10_000, 20_000]);
  });

  it('coalesces requests into one run per minInterval after the burst', async () => {
    const { clock, runs, r } = setup(1000, 10_000, 2);
    r.start();
    r.run();
    await clock.step(0);
    r.run();
    await clock.step(0);
    expect(runs).toEqual([0, 0]); // the burst of two
    r.run(); r.run(); r.run();
    await clock.step(999);
    expect(runs).toEqual([0, 0]);
    await clock.step(1);
    expect(runs).toEqual([0, 0, 1000]);
    await clock.step(5000);
    expect(runs).toEqual([0, 0, 1000]);
  });

  it('minInterval 0 runs every request', async () => {
    const { clock, runs, r } = setup(0, 10_000, 2);
    r.start();
    for (let i = 0; i < 4; i++) { r.run(); await clock.step(10); }
    expect(runs).toEqual([0, 10, 20, 30]);
  });

  it('serialises runs: a request during a run runs right after it', async () => {
    const { clock, runs, r } = setup(0, 60_000, 1, 500);
    r.start();
    r.run();
    await clock.step(100);
    r.run();
    r.run();
    await clock.step(100);
    expect(runs).toEqual([0]);
    await clock.step(300);
    expect(runs).toEqual([0, 500]);
    await clock.step(2000);
    expect(runs).toEqual([0, 500]);
  });

  it('retryAfter brings the next run forward, never later', async () => {
    const { clock, runs, r } = setup(1000, 30_000, 1);
    r.start();
    r.run();
    await clock.step(0);
    r.retryAfter(5000);
    r.retryAfter(8000); // later than the pending retry: ignored
    await clock.step(5000);
    expect(runs).toEqual([0, 5000]);
    r.retryAfter(60_000); // later than the periodic run: the periodic one stands
    await clock.step(30_000);
    expect(runs).toEqual([0, 5000, 35_000]);
  });

  it('keeps running after fn throws', async () => {
    const { clock, runs, r, failOnce } = setup(0, 10_000, 1);
    r.start();
    failOnce();
    r.run();
    await clock.step(0);
    r.run();
    await clock.step(0);
    expect(runs).toEqual([0, 0]);
  });

  it('stops', async () => {
    const { clock, runs, r } = setup(0, 1000, 1);
    r.start();
    r.stop();
    r.run();
    await clock.step(5000);
    expect(runs).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('refuses maxInterval < minInterval', () => {
    expect(() => new BoundedFrequencyRunner({ name: 'x', fn: () => undefined, minIntervalMs: 2, maxIntervalMs: 1, burstRuns: 1 })).toThrow(/maxInterval/);
  });
});
