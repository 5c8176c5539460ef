// ServiceAccounts and root CA publisher end to end: every namespace gets the `default`
// ServiceAccount and the kube-root-ca.crt ConfigMap (with --root-ca-file's content and upstream's
// description), and both come back after deletion or edits.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { initRootCACertPublisher } from '../src/controllers/rootcacert/index.js';
import { initServiceAccount } from '../src/controllers/serviceaccount/index.js';
import { eventually, runControllers, type Harness } from './support/harness.js';

const DESCRIPTION = 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

describe('serviceaccount and root-ca-cert-publisher controllers', () => {
  let c: Cluster;
  let h: Harness;
  let ca: string;
  beforeAll(async () => {
    c = await startCluster('raftkv');
    ca = readFileSync(c.caFile, 'utf8');
    h = await runControllers(c, [initServiceAccount, initRootCACertPublisher], { options: { rootCAFile: c.caFile } });
  });
  afterAll(async () => { await h?.stop(); await c?.teardown(); });

  const get = async (args: string[]): Promise<Record<string, unknown> | undefined> => {
    const r = await c.kubectl(['get', ...args, '-o', 'json']);
    return r.code === 0 ? JSON.parse(r.stdout) : undefined;
  };

  it('a new namespace gets the default ServiceAccount and kube-root-ca.crt', async () => {
    await c.kubectlOk(['create', 'namespace', 'team-a']);
    await eventually(() => get(['serviceaccount', 'default', '-n', 'team-a']), 10_000, 'default SA');
    const cm = await eventually(() => get(['configmap', 'kube-root-ca.crt', '-n', 'team-a']), 10_000, 'root CA configmap') as { data: Record<string, string>; metadata: { annotations: Record<string, string> } };
    expect(cm.data).toEqual({ 'ca.crt': ca });
    expect(cm.metadata.annotations['kubernetes.io/description']).toBe(DESCRIPTION);
    // Existing namespaces are covered too.
    await eventually(() => get(['configmap', 'kube-root-ca.crt', '-n', 'default']), 10_000, 'root CA in default');
    await eventually(() => get(['serviceaccount', 'default', '-n', 'kube-system']), 10_000, 'default SA in kube-system');
  });

  it('restores a deleted ServiceAccount and a deleted or edited ConfigMap', async () => {
    const before = await get(['serviceaccount', 'default', '-n', 'team-a']) as { metadata: { uid: string } };
    await c.kubectlOk(['delete', 'serviceaccount', 'default', '-n', 'team-a']);
    await eventually(async () => {
      const sa = await get(['serviceaccount', 'default', '-n', 'team-a']) as { metadata: { uid: string } } | undefined;
      return sa && sa.metadata.uid !== before.metadata.uid;
    }, 10_000, 'recreated SA');

    await c.kubectlOk(['patch', 'configmap', 'kube-root-ca.crt', '-n', 'team-a', '--type=merge', '-p', '{"data":{"ca.crt":"tampered","extra":"x"},"metadata":{"annotations":{"kubernetes.io/description":null}}}']);
    await eventually(async () => {
      const cm = await get(['configmap', 'kube-root-ca.crt', '-n', 'team-a']) as { data: Record<string, string>; metadata: { annotations?: Record<string, string> } };
      return JSON.stringify(cm.data) === JSON.stringify({ 'ca.crt': ca }) && cm.metadata.annotations?.['kubernetes.io/description'] === DESCRIPTION;
    }, 10_000, 'restored configmap');

    await c.kubectlOk(['delete', 'configmap', 'kube-root-ca.crt', '-n', 'team-a']);
    await eventually(() => get(['configmap', 'kube-root-ca.crt', '-n', 'team-a']), 10_000, 'recreated configmap');
  });
});
