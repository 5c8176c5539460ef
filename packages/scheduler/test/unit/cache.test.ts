// SchedulerCache: ported from upstream internal/cache/cache_test.go (TestAssumePodScheduled,
// TestAddPodWillConfirm, TestForgetPod, TestUpdatePod, TestRemovePod, TestNodeOperators,
// TestSchedulerCache_UpdateSnapshot, image states) plus normalizeImage.
import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '@kube-ts/client/types';
import { normalizeImage, SchedulerCache } from '../../src/backend/cache.js';
import type { NodeInfo } from '../../src/framework/nodeinfo.js';
import { makeNode, makePod, type NodeOpts, type PodOpts } from './fixtures.js';

const GI = 1024 ** 3;

function podWithPort(name: string, hostPort: number, o: PodOpts = {}): Pod {
  const p = makePod(name, o);
  p.spec.containers[0]!.ports = [{ containerPort: 80, hostPort, protocol: 'TCP' }];
  return p;
}

const bound = (p: Pod, nodeName: string): Pod => ({ ...p, spec: { ...p.spec, nodeName } });

function snapNode(c: SchedulerCache, name: string): NodeInfo {
  const ni = c.updateSnapshot().get(name);
  if (!ni) throw new Error(`node ${name} not in snapshot`);
  return ni;
}

function cacheWith(nodes: Array<[string, NodeOpts?]>): SchedulerCache {
  const c = new SchedulerCache();
  for (const [n, o] of nodes) c.addOrUpdateNode(makeNode(n, o));
  return c;
}

describe('assume / confirm / forget', () => {
  it('an assumed pod shows up on its node with requests and host ports (TestAssumePodScheduled)', () => {
    const c = cacheWith([['n1']]);
    const p = podWithPort('p', 8080, { requests: { cpu: '500m', memory: '1Gi' } });
    c.assumePod(p, 'n1');
    expect(c.isAssumed(p)).toBe(true);
    expect(c.podCount()).toBe(1);
    const ni = snapNode(c, 'n1');
    expect(ni.pods.map((pi) => pi.pod.metadata.name)).toEqual(['p']);
    expect(ni.pods[0]!.pod.spec.nodeName).toBe('n1');
    expect(ni.requested.milliCPU).toBe(500);
    expect(ni.requested.memory).toBe(GI);
    expect(ni.usedPorts.checkConflict(undefined, 'TCP', 8080)).toBe(true);
    expect(ni.usedPorts.checkConflict(undefined, 'TCP', 8081)).toBe(false);
    // The caller's object is not modified.
    expect(p.spec.nodeName).toBeUndefined();
  });

  it('refuses to assume a pod already in the cache', () => {
    const c = cacheWith([['n1']]);
    const p = makePod('p', { namespace: 'ns' });
    c.assumePod(p, 'n1');
    expect(() => c.assumePod(p, 'n1')).toThrow("pod ns/p is in the cache, so can't be assumed");
  });

  it('addPod confirms an assumed pod without counting it twice (TestAddPodWillConfirm)', () => {
    const c = cacheWith([['n1']]);
    const p = podWithPort('p', 80, { requests: { cpu: '500m' } });
    c.assumePod(p, 'n1');
    c.finishBinding(p);
    expect(c.isAssumed(p)).toBe(true); // still assumed until the informer confirms it
    c.addPod(bound(p, 'n1'));
    expect(c.isAssumed(p)).toBe(false);
    expect(c.podCount()).toBe(1);
    const ni = snapNode(c, 'n1');
    expect(ni.pods).toHaveLength(1);
    expect(ni.requested.milliCPU).toBe(500);
    expect(ni.usedPorts.size).toBe(1);
    // A later forget is a no-op for a confirmed pod.
    c.forgetPod(p);
    expect(snapNode(c, 'n1').pods).toHaveLength(1);
  });

  it('addPod on another node than assumed moves the pod there', () => {
    const c = cacheWith([['n1'], ['n2']]);
    const p = makePod('p', { requests: { cpu: '1' } });
    c.assumePod(p, 'n1');
    c.addPod(bound(p, 'n2'));
    expect(snapNode(c, 'n1').requested.milliCPU).toBe(0);
    expect(snapNode(c, 'n1').pods).toHaveLength(0);
    expect(snapNode(c, 'n2').requested.milliCPU).toBe(1000);
  });

  it('forgetPod undoes an assume (TestForgetPod)', () => {
    const c = cacheWith([['n1']]);
    const p = podWithPort('p', 8080, { requests: { cpu: '500m', memory: '1Gi' } });
    c.assumePod(p, 'n1');
    expect(snapNode(c, 'n1').pods).toHaveLength(1);
    c.forgetPod(p);
    expect(c.isAssumed(p)).toBe(false);
    expect(c.podCount()).toBe(0);
    const ni = snapNode(c, 'n1');
    expect(ni.pods).toHaveLength(0);
    expect(ni.requested.milliCPU).toBe(0);
    expect(ni.requested.memory).toBe(0);
    expect(ni.usedPorts.size).toBe(0);
    // The pod can be assumed again (e.g. on another node after a failed bind).
    c.assumePod(p, 'n1');
    expect(c.isAssumed(p)).toBe(true);
  });
});

describe('informer pod events', () => {
  it('updatePod replaces the old requests (TestUpdatePod)', () => {
    const c = cacheWith([['n1']]);
    const v1 = makePod('p', { nodeName: 'n1', requests: { cpu: '100m', memory: '500' } });
    const v2: Pod = { ...v1, spec: { ...v1.spec, containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '200m', memory: '1Ki' } } }] } };
    c.addPod(v1);
    c.updatePod(v1, v2);
    let ni = snapNode(c, 'n1');
    expect(ni.pods).toHaveLength(1);
    expect(ni.requested.milliCPU).toBe(200);
    expect(ni.requested.memory).toBe(1024);
    c.updatePod(v2, v1);
    ni = snapNode(c, 'n1');
    expect(ni.requested.milliCPU).toBe(100);
    expect(ni.requested.memory).toBe(500);
  });

  it('removePod frees the pod\'s resources (TestRemovePod)', () => {
    const c = cacheWith([['n1']]);
    const p = podWithPort('p', 80, { nodeName: 'n1', requests: { cpu: '100m' } });
    const q = makePod('q', { nodeName: 'n1', requests: { cpu: '300m' } });
    c.addPod(p);
    c.addPod(q);
    expect(snapNode(c, 'n1').requested.milliCPU).toBe(400);
    c.removePod(p);
    const ni = snapNode(c, 'n1');
    expect(ni.pods.map((pi) => pi.pod.metadata.name)).toEqual(['q']);
    expect(ni.requested.milliCPU).toBe(300);
    expect(ni.usedPorts.size).toBe(0);
    expect(c.podCount()).toBe(1);
    c.removePod(p); // unknown: no-op
    expect(c.podCount()).toBe(1);
  });

  it('counts pods with (anti-)affinity for the snapshot lists', () => {
    const c = cacheWith([['n1'], ['n2']]);
    const anti = makePod('anti', {
      nodeName: 'n2',
      spec: { affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { a: 'b' } } }] } } },
    });
    c.addPod(makePod('plain', { nodeName: 'n1' }));
    c.addPod(anti);
    let s = c.updateSnapshot();
    expect(s.havePodsWithAffinityList().map((n) => n.name)).toEqual(['n2']);
    expect(s.havePodsWithRequiredAntiAffinityList().map((n) => n.name)).toEqual(['n2']);
    c.removePod(anti);
    s = c.updateSnapshot();
    expect(s.havePodsWithAffinityList()).toEqual([]);
    expect(s.havePodsWithRequiredAntiAffinityList()).toEqual([]);
  });
});

describe('nodes', () => {
  it('add, update and remove nodes (TestNodeOperators)', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(makeNode('n1', { allocatable: { cpu: '2', memory: '4Gi', pods: '10' } }));
    expect(c.nodeCount()).toBe(1);
    let ni = snapNode(c, 'n1');
    expect(ni.allocatable.milliCPU).toBe(2000);
    expect(ni.allocatable.allowedPodNumber).toBe(10);

    c.addOrUpdateNode(makeNode('n1', { allocatable: { cpu: '8', memory: '16Gi', pods: '110' }, labels: { zone: 'a' } }));
    ni = snapNode(c, 'n1');
    expect(ni.allocatable.milliCPU).toBe(8000);
    expect(ni.allocatable.memory).toBe(16 * GI);
    expect(ni.node?.metadata.labels?.zone).toBe('a');
    expect(c.nodeCount()).toBe(1);

    c.removeNode(makeNode('n1'));
    expect(c.nodeCount()).toBe(0);
    const s = c.updateSnapshot();
    expect(s.get('n1')).toBeUndefined();
    expect(s.list()).toEqual([]);
    c.removeNode(makeNode('n1')); // unknown: no-op
  });

  it('a removed node with pods stays as a ghost outside the snapshot until its pods go', () => {
    const c = cacheWith([['n1'], ['n2']]);
    const p = makePod('p', { nodeName: 'n1', requests: { cpu: '1' } });
    c.addPod(p);
    c.removeNode(makeNode('n1'));
    expect(c.updateSnapshot().list().map((n) => n.name)).toEqual(['n2']);
    expect(c.nodeCount()).toBe(1);
    expect(c.podCount()).toBe(1);
    c.removePod(p);
    expect(c.podCount()).toBe(0);
    // Re-adding the node starts from a clean NodeInfo.
    c.addOrUpdateNode(makeNode('n1'));
    const ni = snapNode(c, 'n1');
    expect(ni.pods).toHaveLength(0);
    expect(ni.requested.milliCPU).toBe(0);
  });

  it('a pod seen before its node is counted once the node arrives', () => {
    const c = new SchedulerCache();
    c.addPod(makePod('early', { nodeName: 'late', requests: { cpu: '250m' } }));
    expect(c.updateSnapshot().list()).toEqual([]);
    c.addOrUpdateNode(makeNode('late'));
    const ni = snapNode(c, 'late');
    expect(ni.pods.map((pi) => pi.pod.metadata.name)).toEqual(['early']);
    expect(ni.requested.milliCPU).toBe(250);
  });
});

describe('updateSnapshot (TestSchedulerCache_UpdateSnapshot)', () => {
  it('returns the same snapshot when nothing changed', () => {
    const c = cacheWith([['n1']]);
    const s1 = c.updateSnapshot();
    expect(c.updateSnapshot()).toBe(s1);
  });

  it('re-copies only the NodeInfos touched since the last snapshot', () => {
    const c = cacheWith([['n1'], ['n2'], ['n3']]);
    const s1 = c.updateSnapshot();
    const [n1, n2, n3] = ['n1', 'n2', 'n3'].map((n) => s1.get(n)!);
    expect(s1.list().map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);

    c.addPod(makePod('p', { nodeName: 'n2', requests: { cpu: '1' } }));
    const s2 = c.updateSnapshot();
    expect(s2.get('n1')).toBe(n1);
    expect(s2.get('n3')).toBe(n3);
    expect(s2.get('n2')).not.toBe(n2);
    expect(s2.get('n2')!.requested.milliCPU).toBe(1000);
    expect(s2.list().map((n) => n.name)).toEqual(['n1', 'n2', 'n3']);
    expect(s2.list()[1]).toBe(s2.get('n2'));
    // The old copy was not mutated by the cache: snapshots are clones.
    expect(n2!.requested.milliCPU).toBe(0);
    expect(n2!.pods).toHaveLength(0);

    // A node update touches only that node.
    c.addOrUpdateNode(makeNode('n3', { labels: { zone: 'b' } }));
    const s3 = c.updateSnapshot();
    expect(s3.get('n1')).toBe(n1);
    expect(s3.get('n2')).toBe(s2.get('n2'));
    expect(s3.get('n3')).not.toBe(n3);
    expect(s3.get('n3')!.node?.metadata.labels?.zone).toBe('b');
  });

  it('adds and removes nodes in the list', () => {
    const c = cacheWith([['n1'], ['n2']]);
    const s1 = c.updateSnapshot();
    const n1 = s1.get('n1');
    c.addOrUpdateNode(makeNode('n3'));
    c.removeNode(makeNode('n2'));
    const s2 = c.updateSnapshot();
    expect(s2.list().map((n) => n.name)).toEqual(['n1', 'n3']);
    expect(s2.get('n2')).toBeUndefined();
    expect(s2.get('n1')).toBe(n1);
  });
});

describe('image states', () => {
  const img = (names: string[], sizeBytes: number): { names: string[]; sizeBytes: number } => ({ names, sizeBytes });
  const nodeWithImages = (name: string, images: Array<{ names: string[]; sizeBytes: number }>): Node => makeNode(name, { images });

  it('summarizes images by normalized name with the number of nodes holding them', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(nodeWithImages('n1', [img(['docker.io/library/nginx:1.25', 'nginx:1.25'], 100), img(['redis'], 50)]));
    c.addOrUpdateNode(nodeWithImages('n2', [img(['nginx:1.25'], 100)]));
    const n1 = snapNode(c, 'n1');
    const n2 = snapNode(c, 'n2');
    expect([...n1.imageStates.keys()].sort()).toEqual(['docker.io/library/nginx:1.25', 'docker.io/library/redis:latest']);
    expect(n1.imageStates.get('docker.io/library/redis:latest')).toEqual({ size: 50, numNodes: 1 });
    expect(n2.imageStates.get('docker.io/library/nginx:1.25')).toEqual({ size: 100, numNodes: 2 });
  });

  it('a node update drops the node from images it no longer has', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(nodeWithImages('n1', [img(['nginx:1.25'], 100)]));
    c.addOrUpdateNode(nodeWithImages('n2', [img(['nginx:1.25'], 100)]));
    c.addOrUpdateNode(nodeWithImages('n2', [img(['busybox:1'], 10)]));
    c.addOrUpdateNode(nodeWithImages('n1', [img(['nginx:1.25'], 100)])); // refresh n1's summary
    expect(snapNode(c, 'n1').imageStates.get('docker.io/library/nginx:1.25')).toEqual({ size: 100, numNodes: 1 });
    expect([...snapNode(c, 'n2').imageStates.keys()]).toEqual(['docker.io/library/busybox:1']);
  });

  // Upstream shares one ImageStateSummary per image between all nodes' NodeInfos
  // (cache.addNodeImageStates) and counts its nodes when a NodeInfo is snapshotted, so after
  // n1 and n2 are both added with the same image, the snapshot of either says numNodes 2.
  it('numNodes counts nodes added after this one (upstream: shared summaries)', () => {
    const c = new SchedulerCache();
    c.addOrUpdateNode(nodeWithImages('n1', [img(['nginx:1.25'], 100)]));
    c.addOrUpdateNode(nodeWithImages('n2', [img(['nginx:1.25'], 100)]));
    c.addPod(makePod('p', { nodeName: 'n1' })); // n1 is re-snapshotted
    expect(snapNode(c, 'n1').imageStates.get('docker.io/library/nginx:1.25')?.numNodes).toBe(2);
  });
});

describe('normalizeImage', () => {
  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['library/nginx', 'docker.io/library/nginx:latest'],
    ['user/app:v1', 'docker.io/user/app:v1'],
    ['docker.io/library/nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['registry.k8s.io/pause:3.9', 'registry.k8s.io/pause:3.9'],
    ['registry.k8s.io/pause', 'registry.k8s.io/pause:latest'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['myregistry:5000/team/app:2', 'myregistry:5000/team/app:2'],
    ['nginx@sha256:abcd', 'docker.io/library/nginx@sha256:abcd'],
  ])('%s -> %s', (input, want) => expect(normalizeImage(input)).toBe(want));
});
