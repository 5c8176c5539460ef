// Server-side apply on the /status subresource: the applied status lands, the spec is untouched,
// managedFields record the subresource, and a missing object is not created.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster } from './support/cluster.js';

let c: Cluster;
beforeAll(async () => { c = await startCluster('raftkv'); });
afterAll(async () => { await c?.teardown(); });

const PODS = '/api/v1/namespaces/default/pods';
const applyHeaders = { 'content-type': 'application/apply-patch+yaml' };

describe('server-side apply of pods/status', () => {
  it('applies status fields, owns them under subresource status, and leaves spec alone', async () => {
    const created = await c.request(PODS, { method: 'POST', body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ssa' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } });
    expect(created.status).toBe(201);
    const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'ssa' }, spec: { containers: [{ name: 'c', image: 'changed' }] }, status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'Test', message: 'm' }] } };
    const r = await c.request(`${PODS}/ssa/status?fieldManager=tester&force=true`, { method: 'PATCH', headers: applyHeaders, body: JSON.stringify(body) });
    expect(r.status).toBe(200);
    expect(r.body.status.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'DisruptionTarget', status: 'True', reason: 'Test' })]));
    expect(r.body.spec.containers[0].image).toBe('busybox');
    const mf = (r.body.metadata.managedFields as Array<{ manager: string; operation: string; subresource?: string }>).find((m) => m.manager === 'tester');
    expect(mf).toMatchObject({ operation: 'Apply', subresource: 'status' });
  });

  it('does not create a missing object through the subresource', async () => {
    const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nope' }, status: { phase: 'Running' } };
    const r = await c.request(`${PODS}/nope/status?fieldManager=tester`, { method: 'PATCH', headers: applyHeaders, body: JSON.stringify(body) });
    expect(r.status).toBe(404);
    expect((await c.request(`${PODS}/nope`)).status).toBe(404);
  });
});
