// The event recorder against a real kube-apiserver: an event about a pod becomes a core/v1 Event
// kubectl shows; repeating it patches the same Event's count (kubectl describe: "(x2 over ...)").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Registry } from 'prom-client';
import { startCluster, waitUntil, type Cluster } from '../../apiserver/test/support/cluster.js';
import { EventBroadcaster, eventSinkFromRest } from '../src/events.js';
import { loadKubeconfig } from '../src/kubeconfig.js';
import { R } from '../src/resources.js';
import { RestClient } from '../src/rest.js';
import type { CoreEvent, KubeList, Pod } from '../src/types.js';

const NS = 'default';

describe('EventBroadcaster against kube-apiserver', () => {
  let c: Cluster;
  let rest: RestClient;
  let pod: Pod;

  beforeAll(async () => {
    c = await startCluster('raftkv');
    rest = new RestClient({ ...loadKubeconfig(c.kubeconfig), qps: 50, burst: 100 }, { registry: new Registry() });
    pod = await rest.resource<Pod>(R.pods).create({ metadata: { name: 'evented', namespace: NS }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });
  });
  afterAll(async () => { rest?.close(); await c?.teardown(); });

  async function eventsFor(name: string): Promise<CoreEvent[]> {
    const out = await c.kubectlOk(['get', 'events', '-n', NS, '--field-selector', `involvedObject.name=${name}`, '-o', 'json']);
    return (JSON.parse(out) as KubeList<CoreEvent>).items;
  }

  it('records an event kubectl shows, and a repeat bumps the count of the same Event', async () => {
    const b = new EventBroadcaster({ sink: eventSinkFromRest(rest), component: 'e2e-recorder', host: 'node-e2e' });
    const rec = b.newRecorder();
    try {
      rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app');
      await waitUntil(async () => (await eventsFor('evented')).length === 1, 15_000, 'the event');
      const [first] = await eventsFor('evented');
      expect(first).toMatchObject({
        type: 'Warning', reason: 'BackOff', message: 'Back-off restarting failed container app', count: 1,
        source: { component: 'e2e-recorder', host: 'node-e2e' },
        involvedObject: { kind: 'Pod', apiVersion: 'v1', name: 'evented', namespace: NS, uid: pod.metadata.uid },
        reportingComponent: 'e2e-recorder', reportingInstance: 'node-e2e',
      });
      expect(first!.metadata.name).toMatch(/^evented\.[0-9a-f]+$/);
      const table = await c.kubectlOk(['get', 'events', '-n', NS]);
      expect(table).toMatch(/Warning\s+BackOff\s+pod\/evented\s+Back-off restarting failed container app/);

      // A second later, so describe can show an interval.
      await new Promise((r) => setTimeout(r, 1_100));
      rec.event(pod, 'Warning', 'BackOff', 'Back-off restarting failed container app');
      await waitUntil(async () => (await eventsFor('evented'))[0]?.count === 2, 15_000, 'count 2');
      const after = await eventsFor('evented');
      expect(after).toHaveLength(1);
      expect(after[0]!.metadata.name).toBe(first!.metadata.name);
      expect(after[0]!.firstTimestamp).toBe(first!.firstTimestamp);
      expect(Date.parse(after[0]!.lastTimestamp!)).toBeGreaterThan(Date.parse(first!.lastTimestamp!));

      const described = await c.kubectlOk(['describe', 'pod', 'evented', '-n', NS]);
      expect(described).toMatch(/Warning\s+BackOff\s+\S+ \(x2 over \S+\)\s+e2e-recorder\s+Back-off restarting failed container app/);

      // A different reason is its own Event.
      rec.event(pod, 'Normal', 'Pulled', 'Container image "nginx" already present on machine');
      await waitUntil(async () => (await eventsFor('evented')).length === 2, 15_000, 'a second Event');
      expect((await eventsFor('evented')).map((e) => `${e.reason} x${e.count}`).sort()).toEqual(['BackOff x2', 'Pulled x1']);
    } finally {
      await b.shutdown();
    }
  });

  it('shutdown writes what was queued; events recorded afterwards are dropped', async () => {
    const target = await rest.resource<Pod>(R.pods).create({ metadata: { name: 'flushed', namespace: NS }, spec: { containers: [{ name: 'app', image: 'nginx' }] } });
    const b = new EventBroadcaster({ sink: eventSinkFromRest(rest), component: 'e2e-recorder' });
    const rec = b.newRecorder();
    for (let i = 0; i < 3; i++) rec.event(target, 'Normal', `Step${i}`, `step ${i}`);
    await b.shutdown();
    expect((await eventsFor('flushed')).map((e) => e.reason).sort()).toEqual(['Step0', 'Step1', 'Step2']);
    rec.event(target, 'Normal', 'Late', 'after shutdown');
    await new Promise((r) => setTimeout(r, 300));
    expect((await eventsFor('flushed')).map((e) => e.reason)).not.toContain('Late');
  });
});
