// ResourceQuota controller end to end: status.hard mirrors spec.hard and status.used follows the
// namespace's pods, services, configmaps and deployments (count/deployments.apps), with scopes,
// as `kubectl describe quota` shows it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { initResourceQuota } from '../src/controllers/resourcequota/index.js';
import { eventually, runControllers, type Harness } from './support/harness.js';

const pod = (name: string, res: string | undefined, extra = ''): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: q}
spec:
${extra}  containers:
  - name: c
    image: nginx
${res ? `    resources: ${res}\n` : ''}`;

describe('resourcequota controller', () => {
  let c: Cluster;
  let h: Harness;
  beforeAll(async () => {
    c = await startCluster('raftkv');
    h = await runControllers(c, [initResourceQuota]);
    await c.kubectlOk(['create', 'namespace', 'q']);
  });
  afterAll(async () => { await h?.stop(); await c?.teardown(); });

  const used = async (name: string): Promise<Record<string, string>> => {
    const q = JSON.parse(await c.kubectlOk(['get', 'quota', name, '-n', 'q', '-o', 'json'])) as { status?: { used?: Record<string, string> } };
    return q.status?.used ?? {};
  };
  const usedIs = (name: string, want: Record<string, string>): Promise<unknown> => eventually(async () => {
    const u = await used(name);
    return Object.entries(want).every(([k, v]) => u[k] === v);
  }, 10_000, `${name} used ${JSON.stringify(want)}`).catch(async (e: unknown) => { throw new Error(`${String(e)}; last: ${JSON.stringify(await used(name))}`); });

  it('reports usage of pods, services, configmaps and deployments; describe shows it', async () => {
    await c.kubectlOk(['create', 'quota', 'compute', '-n', 'q', '--hard=pods=10,requests.cpu=4,requests.memory=8Gi,limits.cpu=8,limits.memory=16Gi,services=5,services.nodeports=2,configmaps=10,count/deployments.apps=3']);
    await usedIs('compute', { pods: '0', 'requests.cpu': '0', services: '0', 'count/deployments.apps': '0' });
    await c.kubectlOk(['apply', '-f', '-'], [
      pod('a', '{requests: {cpu: 500m, memory: 256Mi}, limits: {cpu: "1", memory: 512Mi}}'),
      pod('b', '{requests: {cpu: 250m, memory: 256Mi}, limits: {cpu: 500m, memory: 512Mi}}'),
    ].join('---\n'));
    await c.kubectlOk(['create', 'service', 'nodeport', 'web', '-n', 'q', '--tcp=80:80']);
    await c.kubectlOk(['create', 'configmap', 'cfg', '-n', 'q', '--from-literal=a=b']);
    await c.kubectlOk(['create', 'deployment', 'd1', '-n', 'q', '--image=nginx']);
    await usedIs('compute', {
      pods: '2', 'requests.cpu': '750m', 'requests.memory': '512Mi', 'limits.cpu': '1500m', 'limits.memory': '1Gi',
      services: '1', 'services.nodeports': '1', configmaps: '1', 'count/deployments.apps': '1',
    });
    const out = await c.kubectlOk(['describe', 'quota', 'compute', '-n', 'q']);
    expect(out).toMatch(/requests\.cpu\s+750m\s+4/);
    expect(out).toMatch(/pods\s+2\s+10/);
    expect(out).toMatch(/count\/deployments\.apps\s+1\s+3/);
    expect(out).toMatch(/limits\.memory\s+1Gi\s+16Gi/);
  });

  it('releases usage when pods finish or go away, and follows spec.hard edits', async () => {
    await c.kubectlOk(['delete', 'pod', 'b', '-n', 'q', '--wait=false']);
    await usedIs('compute', { pods: '1', 'requests.cpu': '500m' });
    // A terminal pod stops counting toward compute resources.
    const rest = h.rest;
    const p = await rest.request<{ status?: Record<string, unknown> } & Record<string, unknown>>({ path: '/api/v1/namespaces/q/pods/a' });
    await rest.request({ method: 'PUT', path: '/api/v1/namespaces/q/pods/a/status', body: { ...p, status: { ...(p.status ?? {}), phase: 'Succeeded' } } });
    await usedIs('compute', { pods: '0', 'requests.cpu': '0' });
    await c.kubectlOk(['patch', 'quota', 'compute', '-n', 'q', '--type=merge', '-p', '{"spec":{"hard":{"secrets":"3"}}}']);
    await usedIs('compute', { secrets: '0' });
    const q = JSON.parse(await c.kubectlOk(['get', 'quota', 'compute', '-n', 'q', '-o', 'json'])) as { spec: { hard: Record<string, string> }; status: { hard: Record<string, string> } };
    expect(q.status.hard).toEqual(q.spec.hard);
  });

  it('applies scopes to pods', async () => {
    await c.kubectlOk(['create', 'quota', 'besteffort', '-n', 'q', '--hard=pods=5', '--scopes=BestEffort']);
    await c.kubectlOk(['create', 'quota', 'high', '-n', 'q', '--hard=pods=5,requests.cpu=2'], undefined);
    await c.kubectlOk(['patch', 'quota', 'high', '-n', 'q', '--type=merge', '-p', '{"spec":{"scopeSelector":{"matchExpressions":[{"scopeName":"PriorityClass","operator":"In","values":["high"]}]}}}']);
    await c.kubectlOk(['create', 'priorityclass', 'high', '--value=1000']);
    await c.kubectlOk(['apply', '-f', '-'], [
      pod('be', undefined),
      pod('prio', '{requests: {cpu: 100m}}', '  priorityClassName: high\n'),
    ].join('---\n'));
    await usedIs('besteffort', { pods: '1' });
    await usedIs('high', { pods: '1', 'requests.cpu': '100m' });
  });
});
