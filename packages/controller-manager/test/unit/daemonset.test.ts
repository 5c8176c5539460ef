// DaemonSet pure logic: node eligibility (selectors, affinity, taints vs the default daemon
// tolerations), the pinning affinity, per-node actions, rolling-update selection, status, backoff.
import { describe, expect, it } from 'vitest';
import { FakeClock } from '@kube-ts/client/clock';
import type { Node, Pod, Taint } from '@kube-ts/client/types';
import type { DaemonSet } from '@kube-ts/client/workloads';
import { Backoff } from '../../src/controllers/daemonset/backoff.js';
import { computeStatus, planRollingUpdate, podsShouldBeOnNode, unscheduledPodsWithoutNode, type NodeActions } from '../../src/controllers/daemonset/decisions.js';
import { daemonPodTemplate, isPodUpdated, nodeShouldRunDaemonPod, replaceNodeNameAffinity, targetNodeName } from '../../src/controllers/daemonset/eligibility.js';

const NOW = Date.UTC(2026, 0, 1);
const HASH = 'newhash';

function mkDs(o: { maxUnavailable?: number | string; maxSurge?: number | string; nodeSelector?: Record<string, string>; tolerations?: Pod['spec']['tolerations']; hostNetwork?: boolean; onDelete?: boolean; nodeName?: string } = {}): DaemonSet {
  return {
    metadata: { name: 'ds', namespace: 'ns', uid: 'ds-uid', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      updateStrategy: o.onDelete ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: o.maxUnavailable ?? 1, maxSurge: o.maxSurge ?? 0 } },
      template: {
        metadata: { labels: { app: 'd' } },
        spec: {
          containers: [{ name: 'c', image: 'img' }],
          ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
          ...(o.tolerations ? { tolerations: o.tolerations } : {}),
          ...(o.hostNetwork ? { hostNetwork: true } : {}),
          ...(o.nodeName ? { nodeName: o.nodeName } : {}),
        },
      },
    },
    status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  };
}

const mkNode = (name: string, o: { labels?: Record<string, string>; taints?: Taint[] } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } }, spec: { taints: o.taints },
});

let seq = 0;
function mkPod(node: string, o: { hash?: string; ready?: boolean; phase?: Pod['status'] extends infer S ? S extends { phase?: infer P } ? P : never : never; ageMs?: number; deleting?: boolean; bound?: boolean } = {}): Pod {
  const t = new Date(NOW - (o.ageMs ?? 60_000)).toISOString();
  return {
    metadata: {
      name: `ds-${++seq}`, namespace: 'ns', uid: `u${seq}`, creationTimestamp: t, labels: { app: 'd', 'controller-revision-hash': o.hash ?? HASH },
      ...(o.deleting ? { deletionTimestamp: t } : {}),
    },
    spec: { containers: [], ...(o.bound === false ? {} : { nodeName: node }), affinity: replaceNodeNameAffinity(undefined, node) },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: t }] },
  };
}

const NS = (key: string, effect: Taint['effect'] = 'NoSchedule', value?: string): Taint => ({ key, effect, ...(value ? { value } : {}) });

describe('nodeShouldRunDaemonPod', () => {
  it.each([
    ['plain node', mkDs(), mkNode('n'), true, true],
    ['untolerated NoSchedule taint: no new pod, existing one stays', mkDs(), mkNode('n', { taints: [NS('dedicated', 'NoSchedule', 'x')] }), false, true],
    ['untolerated NoExecute taint: evicted', mkDs(), mkNode('n', { taints: [NS('dedicated', 'NoExecute', 'x')] }), false, false],
    ['PreferNoSchedule is ignored', mkDs(), mkNode('n', { taints: [NS('dedicated', 'PreferNoSchedule')] }), true, true],
    ['tolerated taint', mkDs({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'x', effect: 'NoSchedule' }] }), mkNode('n', { taints: [NS('dedicated', 'NoSchedule', 'x')] }), true, true],
    ['cordoned node (unschedulable taint) is tolerated by default', mkDs(), mkNode('n', { taints: [NS('node.kubernetes.io/unschedulable')] }), true, true],
    ['not-ready NoExecute is tolerated by default', mkDs(), mkNode('n', { taints: [NS('node.kubernetes.io/not-ready', 'NoExecute')] }), true, true],
    ['memory-pressure is tolerated by default', mkDs(), mkNode('n', { taints: [NS('node.kubernetes.io/memory-pressure')] }), true, true],
    ['network-unavailable is not tolerated without hostNetwork', mkDs(), mkNode('n', { taints: [NS('node.kubernetes.io/network-unavailable')] }), false, true],
    ['network-unavailable is tolerated with hostNetwork', mkDs({ hostNetwork: true }), mkNode('n', { taints: [NS('node.kubernetes.io/network-unavailable')] }), true, true],
    ['nodeSelector matches', mkDs({ nodeSelector: { disk: 'ssd' } }), mkNode('n', { labels: { disk: 'ssd' } }), true, true],
    ['nodeSelector does not match', mkDs({ nodeSelector: { disk: 'ssd' } }), mkNode('n'), false, false],
    ['template nodeName names another node', mkDs({ nodeName: 'other' }), mkNode('n'), false, false],
  ])('%s', (_name, ds, node, shouldRun, shouldContinueRunning) => {
    expect(nodeShouldRunDaemonPod(node, ds)).toEqual({ shouldRun, shouldContinueRunning });
  });

  it('honours required node affinity (matchExpressions and matchFields)', () => {
    const ds = mkDs();
    ds.spec.template.spec.affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }] } } };
    expect(nodeShouldRunDaemonPod(mkNode('a'), ds).shouldRun).toBe(true);
    expect(nodeShouldRunDaemonPod(mkNode('b'), ds)).toEqual({ shouldRun: false, shouldContinueRunning: false });
  });
});

describe('daemon pod template', () => {
  it('pins the pod to its node by replacing only the required node affinity', () => {
    const a = replaceNodeNameAffinity({
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'y', operator: 'Exists' }] } }],
      },
    }, 'node-1');
    expect(a.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({ nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }] });
    expect(a.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(replaceNodeNameAffinity(undefined, 'n').nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toHaveLength(1);
  });

  it('finds the target node from nodeName or the pinning affinity', () => {
    const p = mkPod('n1', { bound: false });
    expect(targetNodeName(p)).toBe('n1');
    expect(targetNodeName({ ...p, spec: { ...p.spec, nodeName: 'n2' } })).toBe('n2');
    expect(targetNodeName({ ...p, spec: { containers: [] } })).toBeUndefined();
  });

  it('adds the default tolerations and the hash/generation labels', () => {
    const t = daemonPodTemplate(mkDs(), HASH);
    expect(t.metadata?.labels).toEqual({ app: 'd', 'controller-revision-hash': HASH, 'pod-template-generation': '2' });
    expect(t.spec.tolerations?.map((x) => `${x.key}:${x.effect}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule',
      'node.kubernetes.io/memory-pressure:NoSchedule', 'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
    ]);
    expect(isPodUpdated({ metadata: { labels: { 'pod-template-generation': '2' } }, spec: { containers: [] } }, 'other', 2)).toBe(true);
    expect(isPodUpdated({ metadata: { labels: { 'controller-revision-hash': 'old' } }, spec: { containers: [] } }, HASH, 2)).toBe(false);
  });
});

describe('podsShouldBeOnNode', () => {
  const act = (node: Node, pods: Pod[] | undefined, ds = mkDs(), backoff = new Backoff(new FakeClock(NOW)), now = NOW): NodeActions => {
    const out: NodeActions = { nodesNeedingPods: [], podsToDelete: [], events: [] };
    podsShouldBeOnNode(node, pods, ds, HASH, backoff, now, out);
    return out;
  };

  it('creates a pod where one is missing, nothing where one runs', () => {
    expect(act(mkNode('n'), undefined).nodesNeedingPods).toEqual(['n']);
    expect(act(mkNode('n'), [mkPod('n')])).toMatchObject({ nodesNeedingPods: [], podsToDelete: [] });
  });

  it('keeps only the oldest of several running pods', () => {
    const old = mkPod('n', { ageMs: 100_000 }); const young = mkPod('n', { ageMs: 1000 });
    expect(act(mkNode('n'), [young, old]).podsToDelete).toEqual([young.metadata.name]);
  });

  it('deletes misscheduled pods', () => {
    const p = mkPod('n');
    expect(act(mkNode('n', { taints: [NS('x', 'NoExecute')] }), [p]).podsToDelete).toEqual([p.metadata.name]);
    // NoSchedule only: the running pod stays, no new one comes.
    expect(act(mkNode('n', { taints: [NS('x')] }), [p])).toMatchObject({ podsToDelete: [], nodesNeedingPods: [] });
    expect(act(mkNode('n', { taints: [NS('x')] }), undefined).nodesNeedingPods).toEqual([]);
  });

  it('deletes failed pods with an event, then backs off on that node', () => {
    const clock = new FakeClock(NOW);
    const backoff = new Backoff(clock);
    const f1 = mkPod('n', { phase: 'Failed' });
    const first = act(mkNode('n'), [f1], mkDs(), backoff, clock.now());
    expect(first.podsToDelete).toEqual([f1.metadata.name]);
    expect(first.events[0]).toEqual({ type: 'Warning', reason: 'FailedDaemonPod', message: `Found failed daemon pod ns/${f1.metadata.name} on node n, will try to kill it` });
    const f2 = mkPod('n', { phase: 'Failed' });
    const second = act(mkNode('n'), [f2], mkDs(), backoff, clock.now() + 500);
    expect(second.podsToDelete).toEqual([]);
    expect(second.requeueAfterMs).toBe(1000);
    const third = act(mkNode('n'), [f2], mkDs(), backoff, clock.now() + 1000);
    expect(third.podsToDelete).toEqual([f2.metadata.name]);
    expect(backoff.get(`ds-uid/n`)).toBe(2000);
  });

  it('deletes succeeded pods with an event', () => {
    const p = mkPod('n', { phase: 'Succeeded' });
    const out = act(mkNode('n'), [p]);
    expect(out.podsToDelete).toEqual([p.metadata.name]);
    expect(out.events[0]?.reason).toBe('SucceededDaemonPod');
  });

  it('with surge keeps an old ready pod until the new one is available', () => {
    const ds = mkDs({ maxUnavailable: 0, maxSurge: 1 });
    const oldP = mkPod('n', { hash: 'old', ageMs: 100_000 }); const newP = mkPod('n', { ready: false });
    expect(act(mkNode('n'), [oldP, newP], ds).podsToDelete).toEqual([]);
    const newReady = mkPod('n');
    expect(act(mkNode('n'), [oldP, newReady], ds).podsToDelete).toEqual([oldP.metadata.name]);
  });

  it('deletes unbound pods aimed at vanished nodes', () => {
    const p = mkPod('gone', { bound: false });
    expect(unscheduledPodsWithoutNode([mkNode('n')], new Map([['gone', [p]]]))).toEqual([p.metadata.name]);
  });
});

describe('planRollingUpdate', () => {
  const nodes = ['a', 'b', 'c'].map((n) => mkNode(n));

  it('deletes at most maxUnavailable old available pods', () => {
    const m = new Map(nodes.map((n) => [n.metadata.name!, [mkPod(n.metadata.name!, { hash: 'old' })]]));
    const plan = planRollingUpdate(mkDs({ maxUnavailable: 1 }), nodes, m, HASH, NOW);
    expect(plan.podsToDelete).toEqual([m.get('a')![0]!.metadata.name]);
    expect(plan.nodesToCreate).toEqual([]);
    expect(planRollingUpdate(mkDs({ maxUnavailable: 2 }), nodes, m, HASH, NOW).podsToDelete).toHaveLength(2);
    expect(planRollingUpdate(mkDs({ maxUnavailable: '50%' }), nodes, m, HASH, NOW).podsToDelete).toHaveLength(2);
  });

  it('counts a new unavailable pod and a node with no pod against maxUnavailable', () => {
    const m = new Map([['a', [mkPod('a', { ready: false })]], ['b', [mkPod('b', { hash: 'old' })]], ['c', [mkPod('c', { hash: 'old' })]]]);
    expect(planRollingUpdate(mkDs(), nodes, m, HASH, NOW).podsToDelete).toEqual([]);
    const missing = new Map([['b', [mkPod('b', { hash: 'old' })]]]);
    expect(planRollingUpdate(mkDs(), nodes, missing, HASH, NOW).podsToDelete).toEqual([]);
  });

  it('always replaces old pods that are not available', () => {
    const bad = mkPod('b', { hash: 'old', ready: false });
    const m = new Map([['a', [mkPod('a', { ready: false })]], ['b', [bad]], ['c', [mkPod('c', { hash: 'old' })]]]);
    expect(planRollingUpdate(mkDs(), nodes, m, HASH, NOW).podsToDelete).toEqual([bad.metadata.name]);
  });

  it('surges new pods beside old ones up to maxSurge, then deletes old ones once new ones are available', () => {
    const ds = mkDs({ maxUnavailable: 0, maxSurge: 1 });
    const m = new Map(nodes.map((n) => [n.metadata.name!, [mkPod(n.metadata.name!, { hash: 'old' })]]));
    expect(planRollingUpdate(ds, nodes, m, HASH, NOW)).toEqual({ podsToDelete: [], nodesToCreate: ['a'] });
    const oldA = m.get('a')![0]!;
    m.set('a', [oldA, mkPod('a', { ready: false })]);
    expect(planRollingUpdate(ds, nodes, m, HASH, NOW)).toEqual({ podsToDelete: [], nodesToCreate: [] });
    m.set('a', [oldA, mkPod('a')]);
    expect(planRollingUpdate(ds, nodes, m, HASH, NOW)).toEqual({ podsToDelete: [oldA.metadata.name], nodesToCreate: ['b'] });
  });
});

describe('daemonset status', () => {
  it('counts desired, current, misscheduled, ready, updated and available', () => {
    const nodes = [mkNode('a'), mkNode('b'), mkNode('c'), mkNode('t', { taints: [NS('x')] })];
    const m = new Map([['a', [mkPod('a')]], ['b', [mkPod('b', { hash: 'old', ready: false })]], ['t', [mkPod('t')]]]);
    expect(computeStatus(mkDs(), nodes, m, HASH, NOW)).toEqual({
      desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1,
      updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2,
    });
  });

  it('backoff doubles to its cap and forgets after a quiet period', () => {
    const clock = new FakeClock(NOW);
    const b = new Backoff(clock, 1000, 4000);
    b.next('k', NOW); expect(b.get('k')).toBe(1000);
    b.next('k', NOW); b.next('k', NOW); b.next('k', NOW); expect(b.get('k')).toBe(4000);
    expect(b.inBackoffSinceUpdate('k', NOW + 3999)).toBe(true);
    expect(b.inBackoffSinceUpdate('k', NOW + 4000)).toBe(false);
    b.next('k', NOW + 9000); expect(b.get('k')).toBe(1000);
  });
});
