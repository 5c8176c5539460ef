// ImageLocality: ported from upstream image_locality_test.go (1.32 thresholds: 23Mi..1000Mi per
// container, init containers counted), plus image name normalization.
import { describe, expect, it } from 'vitest';
import type { Container, Node, Pod } from '@kube-ts/client/types';
import type { NodeInfo } from '../../../src/framework/nodeinfo.js';
import { fullyQualifiedImageName, ImageLocality, ImageLocalityFactory, normalizedImageName } from '../../../src/plugins/imagelocality.js';
import { fakeHandle, makeNode, makeNodeInfo, newState } from '../fixtures.js';

const MB = 1024 * 1024;

type Images = Array<{ names: string[]; sizeBytes: number }>;

/** NodeInfos with imageStates filled as the cache does: every reported name -> size and how many nodes have it. */
function imageNodes(spec: Array<[string, Images]>): NodeInfo[] {
  const nodes: Node[] = spec.map(([name, images]) => makeNode(name, { images }));
  const count = new Map<string, number>();
  for (const [, images] of spec) for (const n of new Set(images.flatMap((i) => i.names))) count.set(n, (count.get(n) ?? 0) + 1);
  return nodes.map((n, i) => {
    const ni = makeNodeInfo(n);
    for (const img of spec[i]![1]) for (const name of img.names) ni.imageStates.set(name, { size: img.sizeBytes, numNodes: count.get(name)! });
    return ni;
  });
}

const pod = (images: string[], init: string[] = []): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: {
    containers: images.map((image, i): Container => ({ name: `c${i}`, image })),
    ...(init.length ? { initContainers: init.map((image, i): Container => ({ name: `i${i}`, image })) } : {}),
  },
});

const node403002000: Images = [
  { names: ['gcr.io/40:latest', 'gcr.io/40:v1', 'gcr.io/40:v1'], sizeBytes: 40 * MB },
  { names: ['gcr.io/300:latest', 'gcr.io/300:v1'], sizeBytes: 300 * MB },
  { names: ['gcr.io/2000:latest'], sizeBytes: 2000 * MB },
];
const node25010: Images = [
  { names: ['gcr.io/250:latest'], sizeBytes: 250 * MB },
  { names: ['gcr.io/10:latest', 'gcr.io/10:v1'], sizeBytes: 10 * MB },
];
const node60040: Images = [
  { names: ['gcr.io/600:latest'], sizeBytes: 600 * MB },
  { names: ['gcr.io/40:latest'], sizeBytes: 40 * MB },
];

function scores(p: Pod, infos: NodeInfo[]): number[] {
  const pl = ImageLocalityFactory(undefined, fakeHandle({ nodes: infos })) as ImageLocality;
  expect(pl.scoreExtensions()).toBeNull();
  return infos.map((ni) => {
    const r = pl.score(newState(), p, ni);
    expect(r.status).toBeNull();
    return r.score;
  });
}

describe('ImageLocality Score (TestImageLocalityPriority)', () => {
  it.each([
    // node1: 40M/2 < 23M -> 0; node2: 100 * (250M/2 - 23M) / (1000M*2 - 23M) = 5
    { name: 'two images spread on two nodes, prefer the larger image one', pod: pod(['gcr.io/40', 'gcr.io/250']), nodes: [['machine1', node403002000], ['machine2', node25010]], want: [0, 5] },
    // node1: 100 * ((40M + 300M)/2 - 23M) / (2000M - 23M) = 7
    { name: 'two images on one node, prefer this node', pod: pod(['gcr.io/40', 'gcr.io/300']), nodes: [['machine1', node403002000], ['machine2', node25010]], want: [7, 0] },
    // node1: 100 * (2000M/2 - 23M) / (2000M - 23M) = 49
    { name: 'if exceed limit, use limit', pod: pod(['gcr.io/10', 'gcr.io/2000']), nodes: [['machine1', node403002000], ['machine2', node25010]], want: [49, 0] },
    // node1: 100 * (2000M/3 - 23M) / (2000M - 23M) = 32
    { name: 'if exceed limit, use limit (with node which has no images present)', pod: pod(['gcr.io/10', 'gcr.io/2000']), nodes: [['machine1', node403002000], ['machine2', node25010], ['machine3', []]], want: [32, 0, 0] },
    // gcr.io/40 is on two of three nodes: node1 40M*2/3 + 300M/3 = 126.67M -> 100 * (126.67M - 23M) / (3000M - 23M) = 3;
    // node3: 40M*2/3 + 600M/3 = 226.67M -> 6
    { name: 'spread images across nodes', pod: pod(['gcr.io/40', 'gcr.io/300', 'gcr.io/600']), nodes: [['machine1', node403002000], ['machine2', node25010], ['machine3', node60040]], want: [3, 0, 6] },
    // init containers count: 2000M/2 over two containers' threshold -> 49
    { name: 'init container images count', pod: pod(['gcr.io/10'], ['gcr.io/2000']), nodes: [['machine1', node403002000], ['machine2', node25010]], want: [49, 0] },
    { name: 'one container, max threshold', pod: pod(['gcr.io/2000']), nodes: [['machine1', node403002000]], want: [100] },
  ] as Array<{ name: string; pod: Pod; nodes: Array<[string, Images]>; want: number[] }>)('$name', ({ pod: p, nodes, want }) => {
    expect(scores(p, imageNodes(nodes))).toEqual(want);
  });

  it('matches the short name in the pod against the qualified name the runtime reports', () => {
    const infos = imageNodes([['a', [{ names: ['docker.io/library/nginx:latest'], sizeBytes: 500 * MB }]], ['b', []]]);
    // 500M / 2 = 250M -> 100 * (250M - 23M) / (1000M - 23M) = 23
    expect(scores(pod(['nginx']), infos)).toEqual([23, 0]);
    expect(scores(pod(['docker.io/library/nginx']), infos)).toEqual([23, 0]);
    expect(scores(pod(['nginx:1.25']), infos)).toEqual([0, 0]);
  });
});

describe('image names', () => {
  it.each([
    ['gcr.io/40', 'gcr.io/40:latest'],
    ['gcr.io/40:v1', 'gcr.io/40:v1'],
    ['localhost:5000/app', 'localhost:5000/app:latest'],
    ['nginx@sha256:abc', 'nginx@sha256:abc'],
  ])('normalizedImageName(%s) = %s', (i, want) => expect(normalizedImageName(i)).toBe(want));

  it.each([
    ['nginx', 'docker.io/library/nginx:latest'],
    ['nginx:1.25', 'docker.io/library/nginx:1.25'],
    ['user/app', 'docker.io/user/app:latest'],
    ['docker.io/nginx', 'docker.io/library/nginx:latest'],
    ['index.docker.io/user/app:2', 'docker.io/user/app:2'],
    ['gcr.io/x/y:1', 'gcr.io/x/y:1'],
    ['localhost/app', 'localhost/app:latest'],
    ['registry:5000/app', 'registry:5000/app:latest'],
    ['nginx@sha256:abc', 'docker.io/library/nginx@sha256:abc'],
  ])('fullyQualifiedImageName(%s) = %s', (i, want) => expect(fullyQualifiedImageName(i)).toBe(want));
});
