// @kubernetes/client-node against kube-apiserver on raftkv and on a real etcd 3.4: KubeConfig from
// the generated kubeconfig, CoreV1Api list/create, and an informer on configmaps that sees
// kubectl's changes, keeps a cache equal to the server's list, and survives a watch restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api, KubeConfig, makeInformer, type Informer, type V1ConfigMap } from '@kubernetes/client-node';
import { startCluster, testKinds, waitUntil, type Cluster } from './support/cluster.js';

interface Seen { verb: 'add' | 'update' | 'delete'; name: string; rv: string; data?: Record<string, string> }

describe.each(testKinds())('@kubernetes/client-node against kube-apiserver on %s', (kind) => {
  let c: Cluster;
  let kc: KubeConfig;
  let core: CoreV1Api;

  beforeAll(async () => {
    // Two apiservers: the informer watches through #0, which the restart test takes down
    // while kubectl keeps writing through #1.
    c = await startCluster(kind, { apiservers: 2 });
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => { await c?.teardown(); });

  it('reads the generated kubeconfig', () => {
    expect(kc.getCurrentCluster()?.server).toBe(c.apiservers[0]!.url);
    expect(kc.getCurrentUser()?.token).toBe('e2e');
  });

  it('lists namespaces and creates, reads and lists configmaps with CoreV1Api', async () => {
    const nss = await core.listNamespace();
    expect(nss.items.map((n) => n.metadata?.name).sort()).toEqual(['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client', labels: { via: 'client-node' } }, data: { k: 'v' } } });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.data).toEqual({ k: 'v' });
    const read = await core.readNamespacedConfigMap({ name: 'from-client', namespace: 'default' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    const list = await core.listNamespacedConfigMap({ namespace: 'default', labelSelector: 'via=client-node' });
    expect(list.items.map((i) => i.metadata?.name)).toEqual(['from-client']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata?.resourceVersion));
    // Errors surface as ApiException with the Status body.
    await expect(core.readNamespacedConfigMap({ name: 'missing', namespace: 'default' })).rejects.toMatchObject({ code: 404 });
    await expect(core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'from-client' } } })).rejects.toMatchObject({ code: 409 });
  });

  describe('an informer on configmaps', () => {
    let informer: Informer<V1ConfigMap>;
    const seen: Seen[] = [];
    const errors: unknown[] = [];
    let connects = 0;

    beforeAll(async () => {
      const path = '/api/v1/namespaces/default/configmaps';
      informer = makeInformer(kc, path, () => core.listNamespacedConfigMap({ namespace: 'default' }));
      const rec = (verb: Seen['verb']) => (o: V1ConfigMap): void => {
        seen.push({ verb, name: o.metadata!.name!, rv: o.metadata!.resourceVersion!, ...(o.data ? { data: o.data } : {}) });
      };
      informer.on('add', rec('add'));
      informer.on('update', rec('update'));
      informer.on('delete', rec('delete'));
      informer.on('connect', () => { connects++; });
      // client-node's documented recovery: an informer stops on a watch error; start it again.
      informer.on('error', (err) => {
        errors.push(err);
        setTimeout(() => { void informer.start().catch((e: unknown) => errors.push(e)); }, 500);
      });
      await informer.start();
    });
    afterAll(async () => { await informer?.stop(); });

    const cacheNames = (): string[] => informer.list('default').map((o) => o.metadata!.name!).sort();
    const serverNames = async (): Promise<string[]> => (await core.listNamespacedConfigMap({ namespace: 'default' })).items.map((o) => o.metadata!.name!).sort();

    it('starts with the server list in its cache', async () => {
      await waitUntil(async () => JSON.stringify(cacheNames()) === JSON.stringify(await serverNames()), 20_000, 'the initial list');
      expect(cacheNames()).toEqual(await serverNames());
      expect(cacheNames()).toContain('from-client');
    });

    it('receives add, update and delete events for changes made through kubectl', async () => {
      await c.kubectlOk(['create', '-f', '-', '--validate=false'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'informed' }, data: { a: '1' } }));
      await waitUntil(() => seen.some((s) => s.verb === 'add' && s.name === 'informed'), 20_000, 'add');
      await c.kubectlOk(['patch', 'configmap', 'informed', '--type=merge', '-p', '{"data":{"a":"2"}}']);
      await waitUntil(() => seen.some((s) => s.verb === 'update' && s.name === 'informed' && s.data?.a === '2'), 20_000, 'update');
      await c.kubectlOk(['delete', 'configmap', 'informed']);
      await waitUntil(() => seen.some((s) => s.verb === 'delete' && s.name === 'informed'), 20_000, 'delete');
      const mine = seen.filter((s) => s.name === 'informed').map((s) => `${s.verb}:${s.data?.a ?? ''}`);
      expect(mine).toEqual(['add:1', 'update:2', 'delete:2']);
      expect(informer.get('informed', 'default')).toBeUndefined();
      expect(cacheNames()).toEqual(await serverNames());
      // Resource versions of one object's events increase.
      const rvs = seen.filter((s) => s.name === 'informed').map((s) => Number(s.rv));
      expect([...rvs].sort((a, b) => a - b)).toEqual(rvs);
    });

    it('survives a watch restart: changes made while its apiserver was down reach the cache', async () => {
      const connectsBefore = connects;
      // (SIGKILL after 5 s: the shutdown with open watches is checked in multi-apiserver.test.ts.)
      await c.restartApiServer(0, async () => {
        // Written through the other apiserver while the informer's one is down.
        await c.kubectlOk(['create', '-f', '-', '--validate=false'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-down' }, data: { d: '1' } }), 1);
        await c.kubectlOk(['delete', 'configmap', 'from-client'], undefined, 1);
      }, 5_000);
      await waitUntil(() => connects > connectsBefore, 30_000, 'the informer to reconnect');
      await waitUntil(() => informer.get('while-down', 'default') !== undefined && informer.get('from-client', 'default') === undefined, 30_000, 'the changes made while down');
      // And it keeps watching after the restart.
      await c.kubectlOk(['create', '-f', '-', '--validate=false'], JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after-restart' } }));
      await waitUntil(() => informer.get('after-restart', 'default') !== undefined, 20_000, 'an event after the restart');
      expect(cacheNames()).toEqual(await serverNames());
    }, 120_000);
  });
});
