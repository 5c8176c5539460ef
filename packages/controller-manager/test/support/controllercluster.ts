// The usual controller e2e setup: a raftkv-backed test cluster, a FakeKubelet for its nodes,
// and the given controllers in-process; teardown stops them in reverse order.
import { startCluster, type Cluster } from '../../../apiserver/test/support/cluster.js';
import type { ControllerInit } from '../../src/context.js';
import { FakeKubelet, type FakeKubeletOptions } from './fakekubelet.js';
import { restFor, runControllers, type Harness, type RunControllersOptions } from './harness.js';

export interface ControllerTestCluster {
  cluster: Cluster;
  harness: Harness;
  kubelet: FakeKubelet;
  /** Stops controllers, kubelet and cluster; safe after a partial start. */
  teardown(): Promise<void>;
}

export async function startControllerTestCluster(
  inits: ControllerInit[],
  o: RunControllersOptions & { nodes: string[]; kubelet?: Omit<FakeKubeletOptions, 'nodes'> },
): Promise<ControllerTestCluster> {
  let kubelet: FakeKubelet | undefined;
  let harness: Harness | undefined;
  const cluster = await startCluster('raftkv');
  const teardown = async (): Promise<void> => {
    await harness?.stop();
    await kubelet?.stop();
    await cluster.teardown();
  };
  try {
    kubelet = new FakeKubelet(restFor(cluster), { ...o.kubelet, nodes: o.nodes });
    await kubelet.start();
    harness = await runControllers(cluster, inits, o);
  } catch (e) {
    await teardown();
    throw e;
  }
  return { cluster, harness, kubelet, teardown };
}
