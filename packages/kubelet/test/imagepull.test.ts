// Real image pulls through CRI PullImage: a local docker-registry (plain HTTP, configured in
// containerd as a registry mirror) holding the busybox image pushed with skopeo, a kubelet on a
// private containerd, and the real kubectl reading pod STATUS and events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type Cluster } from '../../apiserver/test/support/cluster.js';
import { haveContainerd } from './support/containerd.js';
import { startNode, waitKubectl, type TestNode } from './support/node.js';
import { haveRegistryTools, startRegistry, type TestRegistry } from './support/registry.js';

const NODE = 'kl-pull';

function pod(name: string, image: string, imagePullPolicy: string): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      nodeName: NODE,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      containers: [{ name: 'c', image, imagePullPolicy, command: ['sleep', '3600'] }],
    },
  };
}

/** reason|type|message per event of the pod. */
async function events(c: Cluster, name: string): Promise<string[]> {
  const out = await c.kubectlOk(['get', 'events', '--field-selector', `involvedObject.name=${name}`, '-o', 'jsonpath={range .items[*]}{.reason}|{.type}|{.message}{"\\n"}{end}']);
  return out.split('\n').filter(Boolean);
}

async function waitEvents(c: Cluster, name: string, fn: (ev: string[]) => boolean, what: string, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ev = await events(c, name);
    if (fn(ev)) return ev;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; events:\n${ev.join('\n')}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * `kubectl get pod NAME -w`: ErrImagePull is shown only until the next sync (which is already in
 * back-off), shorter than a poll, so the STATUS sequence is read from the watch.
 */
function watchStatus(c: Cluster, name: string, home: string): { statuses: () => string[]; stop: () => void } {
  let out = '';
  const child = spawn('kubectl', ['get', 'pods', '--field-selector', `metadata.name=${name}`, '-w', '--no-headers'], { env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return {
    statuses: () => out.split('\n').filter((l) => l.startsWith(`${name} `)).map(statusCol),
    stop: () => void child.kill('SIGTERM'),
  };
}

async function waitFor(fn: () => boolean, what: string, detail: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${detail()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const status = (name: string) => ['get', 'pod', name, '--no-headers', '-o', 'custom-columns=S:.status.containerStatuses[0].state.waiting.reason,P:.status.phase'];
const kubectlStatus = (name: string) => ['get', 'pod', name, '--no-headers'];
const statusCol = (out: string): string => out.trim().split(/\s+/)[2] ?? '';

describe.skipIf(!haveContainerd() || !haveRegistryTools())('image pulls from a local registry (e2e)', () => {
  let c: Cluster;
  let reg: TestRegistry;
  let node: TestNode;
  const home = mkdtempSync(join(tmpdir(), 'kubelet-pull-'));

  beforeAll(async () => {
    reg = await startRegistry();
    c = await startCluster('raftkv', { extraArgs: ['--kubelet-preferred-address-types=InternalIP,Hostname'] });
    node = await startNode(c, { name: NODE, slot: 23, containerdEnv: { REGISTRY_MIRRORS: reg.host } });
    await waitKubectl(c, ['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'], (o) => o === 'True', 60_000, 'node Ready');
  }, 120_000);

  afterAll(async () => {
    await node?.stop();
    await c?.teardown();
    await reg?.stop();
    rmSync(home, { recursive: true, force: true });
  }, 60_000);

  it('imagePullPolicy Always pulls over CRI PullImage from the registry and runs', async () => {
    // Only the locally imported kube-ts.local images exist before: the pull must really happen.
    expect(await node.containerd.cri.imageStatus({ image: reg.busybox })).toBeUndefined();
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify(pod('pull-ok', reg.busybox, 'Always')));
    await waitKubectl(c, kubectlStatus('pull-ok'), (o) => statusCol(o) === 'Running', 30_000, 'pull-ok Running');
    const ev = await waitEvents(c, 'pull-ok', (e) => e.some((l) => l.startsWith('Pulled|')), 'Pulled event');
    expect(ev).toContain(`Pulling|Normal|Pulling image "${reg.busybox}"`);
    const pulled = ev.find((l) => l.startsWith('Pulled|')) ?? '';
    expect(pulled).toMatch(new RegExp(`^Pulled\\|Normal\\|Successfully pulled image "${reg.busybox.replace(/[.]/g, '\\.')}" in [0-9.]+m?s \\(`));
    const img = await node.containerd.cri.imageStatus({ image: reg.busybox });
    expect(img?.repoTags).toContain(reg.busybox);
    expect(Number(img?.size ?? 0)).toBeGreaterThan(0);
    expect(await c.kubectlOk(['get', 'pod', 'pull-ok', '-o', 'jsonpath={.status.containerStatuses[0].image}'])).toBe(reg.busybox);
  }, 45_000);

  it('a missing tag goes ErrImagePull then ImagePullBackOff with a Failed event', async () => {
    const image = `${reg.host}/kube-ts/busybox:no-such-tag`;
    const w = watchStatus(c, 'pull-missing', home);
    try {
      await new Promise((r) => setTimeout(r, 1000)); // the watch is open before the pod exists
      await c.kubectlOk(['apply', '-f', '-'], JSON.stringify(pod('pull-missing', image, 'IfNotPresent')));
      const seq = (): string[] => w.statuses();
      const backOffAfterErr = (): boolean => seq().indexOf('ImagePullBackOff') > seq().indexOf('ErrImagePull') && seq().includes('ErrImagePull');
      await waitFor(backOffAfterErr, 'ErrImagePull then ImagePullBackOff', () => seq().join(' -> '), 30_000);
    } finally {
      w.stop();
    }
    const ev = await waitEvents(c, 'pull-missing', (e) => e.some((l) => l.startsWith('Failed|')), 'Failed event');
    const failed = ev.filter((l) => l.startsWith('Failed|Warning|'));
    // The CRI error as the Go kubelet prints it (grpc status string).
    const pullErr = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}"`;
    expect(failed.some((l) => l.startsWith(`Failed|Warning|Failed to pull image "${image}": ${pullErr}`) && l.endsWith('not found'))).toBe(true);
    expect(failed).toContain('Failed|Warning|Error: ErrImagePull');
    expect(failed).toContain('Failed|Warning|Error: ImagePullBackOff');
    // The back-off waiting message carries the last pull error.
    const waiting = await c.kubectlOk(['get', 'pod', 'pull-missing', '-o', 'jsonpath={.status.containerStatuses[0].state.waiting.message}']);
    expect(waiting.startsWith(`Back-off pulling image "${image}": ErrImagePull: ${pullErr}`)).toBe(true);
    expect(ev.some((l) => l === `BackOff|Normal|Back-off pulling image "${image}"`)).toBe(true);
    expect(await c.kubectlOk(status('pull-missing'))).toMatch(/^ImagePullBackOff\s+Pending/);
  }, 60_000);

  it('imagePullPolicy Never with an absent image is ErrImageNeverPull', async () => {
    const image = `${reg.host}/kube-ts/busybox:never-pulled`;
    await c.kubectlOk(['apply', '-f', '-'], JSON.stringify(pod('pull-never', image, 'Never')));
    await waitKubectl(c, kubectlStatus('pull-never'), (o) => statusCol(o) === 'ErrImageNeverPull', 20_000, 'ErrImageNeverPull');
    const ev = await waitEvents(c, 'pull-never', (e) => e.some((l) => l.startsWith('ErrImageNeverPull|')), 'ErrImageNeverPull event');
    expect(ev).toContain(`ErrImageNeverPull|Warning|Container image "${image}" is not present with pull policy of Never`);
    expect(ev).toContain('Failed|Warning|Error: ErrImageNeverPull');
    expect(ev.some((l) => l.startsWith('Pulling|'))).toBe(false);
    expect(await node.containerd.cri.imageStatus({ image })).toBeUndefined();
  }, 30_000);
});
