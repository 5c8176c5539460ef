// PrioritySort: ported from upstream priority_sort_test.go (TestLess).
import { describe, expect, it } from 'vitest';
import type { QueuedPodInfo } from '../../../src/framework/podinfo.js';
import { PodInfo } from '../../../src/framework/podinfo.js';
import { PrioritySort, PrioritySortFactory } from '../../../src/plugins/prioritysort.js';
import { fakeHandle, makePod } from '../fixtures.js';

const qp = (priority: number | undefined, timestamp: number): QueuedPodInfo => ({
  podInfo: new PodInfo(makePod('p', priority === undefined ? {} : { priority })),
  timestamp, attempts: 0, unschedulablePlugins: new Set(), pendingPlugins: new Set(),
});

describe('PrioritySort.less', () => {
  const p = PrioritySortFactory(undefined, fakeHandle()) as PrioritySort;
  it.each([
    { name: 'p1.priority less than p2.priority', a: qp(10, 1), b: qp(20, 1), want: false },
    { name: 'p1.priority greater than p2.priority', a: qp(20, 1), b: qp(10, 1), want: true },
    { name: 'equal priority. p1 is added to schedulingQ earlier than p2', a: qp(10, 1), b: qp(10, 2), want: true },
    { name: 'equal priority. p2 is added to schedulingQ earlier than p1', a: qp(10, 2), b: qp(10, 1), want: false },
    { name: 'equal priority and timestamp', a: qp(10, 1), b: qp(10, 1), want: false },
    { name: 'unset priority counts as 0', a: qp(undefined, 1), b: qp(-1, 0), want: true },
  ])('$name', ({ a, b, want }) => expect(p.less(a, b)).toBe(want));
});
