// ImageLocality (upstream plugins/imagelocality): favours nodes that already hold the pod's
// images, weighted by image size and damped by how few nodes have them (so one node with the
// image does not attract every replica: the "node heating" problem).
import type { Pod } from '@kube-ts/client/types';
import type { CycleState } from '../framework/cyclestate.js';
import type { Handle, PluginFactory, ScoreExtensions, ScorePlugin } from '../framework/interface.js';
import type { ImageStateSummary, NodeInfo } from '../framework/nodeinfo.js';
import { MAX_NODE_SCORE, type MaybeStatus } from '../framework/status.js';
import { fullyQualifiedImageName, normalizedImageName } from '../framework/images.js';

export const NAME = 'ImageLocality';

const MB = 1024 * 1024;
/** Bounds of the score range: typical compressed image sizes (per container for the upper one). */
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

export { normalizedImageName, fullyQualifiedImageName };

/** The node's state for an image as the pod names it: exact (tagged) name first, then the qualified form. */
export function imageStateFor(states: ReadonlyMap<string, ImageStateSummary>, image: string | undefined): ImageStateSummary | undefined {
  if (!image) return undefined;
  return states.get(normalizedImageName(image)) ?? states.get(fullyQualifiedImageName(image));
}

/** The image size scaled by the fraction of nodes that have it. */
export function scaledImageScore(s: ImageStateSummary, totalNumNodes: number): number {
  const spread = s.numNodes / totalNumNodes;
  return Math.trunc(s.size * spread);
}

/** Init containers count too: their images are pulled before the pod starts. */
export function sumImageScores(nodeInfo: NodeInfo, pod: Pod, totalNumNodes: number): number {
  let sum = 0;
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    const s = imageStateFor(nodeInfo.imageStates, c.image);
    if (s) sum += scaledImageScore(s, totalNumNodes);
  }
  return sum;
}

/** Clamps the sum into [23Mi, 1000Mi x containers] and maps it linearly onto [0, 100]. */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const clamped = Math.min(Math.max(sumScores, MIN_THRESHOLD), maxThreshold);
  if (maxThreshold <= MIN_THRESHOLD) return 0;
  // Integer arithmetic as upstream's int64 (exact where a float quotient could round up).
  return Number((BigInt(MAX_NODE_SCORE) * BigInt(clamped - MIN_THRESHOLD)) / BigInt(maxThreshold - MIN_THRESHOLD));
}

export class ImageLocality implements ScorePlugin {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  score(_state: CycleState, pod: Pod, nodeInfo: NodeInfo): { score: number; status: MaybeStatus } {
    const totalNumNodes = this.handle.snapshot().list().length;
    if (totalNumNodes === 0) return { score: 0, status: null };
    const numContainers = (pod.spec.initContainers?.length ?? 0) + (pod.spec.containers?.length ?? 0);
    return { score: calculatePriority(sumImageScores(nodeInfo, pod, totalNumNodes), numContainers), status: null };
  }

  scoreExtensions(): ScoreExtensions | null { return null; }
}

export const ImageLocalityFactory: PluginFactory = (_args: Record<string, unknown> | undefined, handle: Handle) => new ImageLocality(handle);
