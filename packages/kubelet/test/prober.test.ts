// Probes against a real containerd: a busybox pod on its own pod network (CNI bridge) serving
// httpd, with a startup tcpSocket probe, a liveness httpGet probe on the pod IP and a readiness
// exec probe `cat /tmp/healthy` that flips when the test creates and removes the file over CRI.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventRecorder, Pod, PodStatus } from '@kube-ts/client';
import type { ContainerConfig, PodSandboxConfig } from '../src/cri/types.js';
import { ProbeManager } from '../src/prober/index.js';
import { BUSYBOX_IMAGE, haveContainerd, startContainerd, type TestContainerd } from './support/containerd.js';

interface CStatus { name: string; containerID: string; state: { running?: { startedAt: string } }; ready: boolean; started?: boolean }

/** CRI nanosecond timestamps -> metav1.Time (RFC 3339, seconds). */
const metaTime = (ns: string): string => new Date(Number(BigInt(ns) / 1_000_000n)).toISOString().replace(/\.\d+Z$/, 'Z');

describe.skipIf(!haveContainerd())('probes on containerd', () => {
  let cd: TestContainerd;
  let dir: string;
  let mgr: ProbeManager;
  let containerId = '';
  let status: PodStatus;
  const uid = randomUUID();
  const labels = { 'io.kubernetes.pod.name': 'web', 'io.kubernetes.pod.namespace': 'default', 'io.kubernetes.pod.uid': uid };
  const events: string[] = [];
  const resyncs: string[] = [];
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default', uid },
    spec: {
      containers: [{
        name: 'app',
        image: BUSYBOX_IMAGE,
        ports: [{ name: 'http', containerPort: 8080 }],
        startupProbe: { tcpSocket: { port: 'http' }, periodSeconds: 1, failureThreshold: 30 },
        livenessProbe: { httpGet: { port: 8080, path: '/index.html' }, periodSeconds: 1 },
        readinessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
      }],
    },
  };
  const computed = (): CStatus => {
    const s = structuredClone(status);
    mgr.updatePodStatus(pod, s);
    return (s['containerStatuses'] as CStatus[])[0]!;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kts-prober-e2e-'));
    cd = await startContainerd('prober', '10.201.14.0/24', 'ktsk-prober');
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: 'web', namespace: 'default', uid, attempt: 0 },
      hostname: 'web',
      logDirectory: join(dir, 'pods', `default_web_${uid}`),
      labels,
    };
    const sandboxId = await cd.cri.runPodSandbox(sandboxConfig);
    const podIP = (await cd.cri.podSandboxStatus(sandboxId)).network?.ip ?? '';
    const config: ContainerConfig = {
      metadata: { name: 'app', attempt: 0 },
      image: { image: BUSYBOX_IMAGE },
      // httpd comes up a moment after the container starts: the startup probe waits for it.
      command: ['sh', '-c', 'sleep 2; mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www'],
      logPath: 'app/0.log',
      labels: { ...labels, 'io.kubernetes.container.name': 'app' },
    };
    containerId = await cd.cri.createContainer(sandboxId, config, sandboxConfig);
    await cd.cri.startContainer(containerId);
    const cs = await cd.cri.containerStatus(containerId);
    status = {
      phase: 'Running',
      podIP,
      containerStatuses: [{ name: 'app', containerID: `containerd://${containerId}`, state: { running: { startedAt: metaTime(cs.startedAt) } }, ready: false }],
    };
    const recorder: EventRecorder = { event: (_ref, type, reason, message) => events.push(`${type} ${reason} ${message}`) };
    mgr = new ProbeManager({
      runtime: cd.cri,
      recorder,
      logger: pino({ level: 'silent' }),
      getPodStatus: (u) => (u === uid ? status : undefined),
      onResult: (u) => resyncs.push(u),
    });
  }, 120_000);

  afterAll(async () => {
    mgr?.stop();
    await cd?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('gates on startup, keeps liveness healthy over the pod IP, and flips readiness with the file', async () => {
    expect((status['podIP'] as string).startsWith('10.201.14.')).toBe(true);
    mgr.addPod(pod);
    expect(computed()).toMatchObject({ started: false, ready: false });

    await vi.waitFor(() => expect(mgr.result('startup', containerId)).toBe('Success'), { timeout: 15_000, interval: 100 });
    expect(computed()).toMatchObject({ started: true });

    // No /tmp/healthy yet: readiness fails with cat's own message.
    await vi.waitFor(() => expect(events).toContain("Warning Unhealthy Readiness probe failed: cat: can't open '/tmp/healthy': No such file or directory\n"), { timeout: 10_000, interval: 100 });
    expect(mgr.result('readiness', containerId)).toBe('Failure');
    expect(computed().ready).toBe(false);

    const before = resyncs.length;
    await cd.cri.execSync(containerId, ['touch', '/tmp/healthy'], 5);
    await vi.waitFor(() => expect(mgr.result('readiness', containerId)).toBe('Success'), { timeout: 10_000, interval: 100 });
    expect(resyncs.length).toBeGreaterThan(before);
    expect(resyncs.every((u) => u === uid)).toBe(true);
    expect(computed()).toMatchObject({ started: true, ready: true });

    await cd.cri.execSync(containerId, ['rm', '/tmp/healthy'], 5);
    await vi.waitFor(() => expect(mgr.result('readiness', containerId)).toBe('Failure'), { timeout: 10_000, interval: 100 });
    expect(computed().ready).toBe(false);

    // httpd answered every liveness probe on the pod IP.
    expect(mgr.result('liveness', containerId)).toBe('Success');
    expect(events.filter((e) => e.includes('Liveness'))).toEqual([]);
    // Before httpd listened, the startup probe (first run within a period of the start) was refused.
    const ip = status['podIP'] as string;
    expect(events).toContain(`Warning Unhealthy Startup probe failed: dial tcp ${ip}:8080: connect: connection refused`);
  }, 60_000);

  it('reports a refused liveness dial and an exec timeout as upstream does', async () => {
    const p2: Pod = structuredClone(pod);
    p2.metadata.uid = `${uid}-b`;
    p2.spec.containers = [{
      name: 'app',
      livenessProbe: { tcpSocket: { port: 8081 }, periodSeconds: 1, failureThreshold: 2 },
      readinessProbe: { exec: { command: ['sleep', '5'] }, timeoutSeconds: 1, periodSeconds: 1 },
    }];
    const s2 = structuredClone(status);
    const prev = status;
    // Same container, a second pod view: its liveness probe dials a port nobody listens on.
    const m2 = new ProbeManager({
      runtime: cd.cri,
      recorder: { event: (_r, type, reason, message) => events.push(`${type} ${reason} ${message}`) },
      logger: pino({ level: 'silent' }),
      getPodStatus: () => s2,
      onResult: (u) => resyncs.push(u),
    });
    try {
      m2.addPod(p2);
      await vi.waitFor(() => expect(m2.result('liveness', containerId)).toBe('Failure'), { timeout: 10_000, interval: 100 });
      expect(resyncs).toContain(`${uid}-b`);
      expect(events).toContain(`Warning Unhealthy Liveness probe failed: dial tcp ${prev['podIP'] as string}:8081: connect: connection refused`);
      // containerd kills the exec after timeoutSeconds and answers DeadlineExceeded.
      await vi.waitFor(() => expect(events).toContain('Warning Unhealthy Readiness probe failed: command "sleep 5" timed out'), { timeout: 10_000, interval: 100 });
    } finally {
      m2.stop();
    }
  }, 30_000);
});
