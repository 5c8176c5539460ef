// computePodActions, podPhase and QoS as upstream's tables describe them.
import { describe, expect, it } from 'vitest';
import pino from 'pino';
import { FakeClock, type Pod } from '@kube-ts/client';
import { RuntimeManager } from '../../src/kuberuntime/manager.js';
import { containerHash } from '../../src/kuberuntime/labels.js';
import type { RuntimeContainer, RuntimePod } from '../../src/kuberuntime/status.js';
import type { PodSandboxStatus, RuntimeService, ImageService } from '../../src/cri/types.js';
import { podPhase } from '../../src/status/generate.js';
import { qosClass, podCgroupName } from '../../src/cm/qos.js';
import { Backoff, goDuration } from '../../src/kuberuntime/backoff.js';
import { expand } from '../../src/kuberuntime/env.js';
import type { ContainerStatus } from '../../src/api.js';

const pod = (over: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1' },
  spec: { containers: [{ name: 'a', image: 'img:1' }, { name: 'b', image: 'img:1' }], ...over },
});

const sandbox = (ready: boolean, attempt = 0): PodSandboxStatus => ({
  id: `sb${attempt}`,
  metadata: { name: 'p', uid: 'u1', namespace: 'default', attempt },
  state: ready ? 'SANDBOX_READY' : 'SANDBOX_NOTREADY',
  createdAt: String(attempt + 1),
  network: { ip: '10.0.0.2', additionalIps: [] },
  labels: {},
  annotations: {},
  runtimeHandler: '',
});

let seq = 0;
const rc = (name: string, state: RuntimeContainer['state'], exitCode = 0, image = 'img:1'): RuntimeContainer => ({
  id: `c${++seq}`,
  name,
  type: 'regular',
  state,
  createdAt: seq,
  startedAt: seq,
  finishedAt: state === 'exited' ? seq : 0,
  exitCode,
  image,
  imageRef: 'sha',
  reason: '',
  message: '',
  hash: containerHash({ name, image }),
  restartCount: 0,
  logPath: '',
  annotations: {},
});

const rpOf = (sbs: PodSandboxStatus[], cs: RuntimeContainer[]): RuntimePod => ({ uid: 'u1', sandboxes: sbs, containers: cs, ips: ['10.0.0.2'] });

function manager(failed: Set<string> = new Set()): RuntimeManager {
  return new RuntimeManager({
    runtime: {} as RuntimeService,
    images: {} as ImageService,
    clock: new FakeClock(0),
    logger: pino({ level: 'silent' }),
    event: () => undefined,
    env: { rest: {} as never, nodeAllocatable: () => ({}), serviceEnv: () => ({}) },
    sandbox: { podLogsDir: '/tmp', clusterDNS: [], clusterDomain: 'cluster.local', resolvConf: '/nonexistent' },
    rootDir: '/tmp',
    memoryCapacity: () => 1 << 30,
    probeFailed: (type, id) => failed.has(`${type}:${id}`),
    containerMounts: () => [],
  });
}

describe('computeActions', () => {
  it('creates the sandbox and starts all containers for a new pod', () => {
    const a = manager().computeActions(pod(), rpOf([], []));
    expect(a.createSandbox).toBe(true);
    expect(a.attempt).toBe(0);
    expect(a.start.map((s) => s.c.name)).toEqual(['a', 'b']);
  });
  it('recreates a dead sandbox with attempt+1 and kills running containers', () => {
    const running = rc('a', 'running');
    const a = manager().computeActions(pod(), rpOf([sandbox(false, 2)], [running]));
    expect(a.createSandbox).toBe(true);
    expect(a.attempt).toBe(3);
    expect(a.kill.map((k) => k.rc.id)).toEqual([running.id]);
  });
  it('does not recreate the sandbox of a finished restartPolicy Never pod', () => {
    const a = manager().computeActions(pod({ restartPolicy: 'Never' }), rpOf([sandbox(false)], [rc('a', 'exited', 0)]));
    expect(a.killPod).toBe(true);
    expect(a.createSandbox).toBe(false);
  });
  it('starts init containers one at a time, then the regular ones', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'img:1' }, { name: 'i2', image: 'img:1' }] });
    const m = manager();
    expect(m.computeActions(p, rpOf([sandbox(true)], [])).start.map((s) => s.c.name)).toEqual(['i1']);
    expect(m.computeActions(p, rpOf([sandbox(true)], [rc('i1', 'running')])).start).toEqual([]);
    expect(m.computeActions(p, rpOf([sandbox(true)], [rc('i1', 'exited', 0)])).start.map((s) => s.c.name)).toEqual(['i2']);
    expect(m.computeActions(p, rpOf([sandbox(true)], [rc('i2', 'exited', 0), rc('i1', 'exited', 0)])).start.map((s) => s.c.name)).toEqual(['a', 'b']);
  });
  it('fails the pod when an init container fails under restartPolicy Never, restarts it otherwise', () => {
    const p = pod({ initContainers: [{ name: 'i1', image: 'img:1' }], restartPolicy: 'Never' });
    const a = manager().computeActions(p, rpOf([sandbox(true)], [rc('i1', 'exited', 1)]));
    expect(a.podFailed).toBe(true);
    const b = manager().computeActions({ ...p, spec: { ...p.spec, restartPolicy: 'OnFailure' } }, rpOf([sandbox(true)], [rc('i1', 'exited', 1)]));
    expect(b.start.map((s) => s.c.name)).toEqual(['i1']);
  });
  it('restarts exited containers by restart policy', () => {
    const cs = (): RuntimeContainer[] => [rc('a', 'exited', 0), rc('b', 'exited', 2)];
    expect(manager().computeActions(pod(), rpOf([sandbox(true)], cs())).start.map((s) => s.c.name)).toEqual(['a', 'b']);
    expect(manager().computeActions(pod({ restartPolicy: 'OnFailure' }), rpOf([sandbox(true)], cs())).start.map((s) => s.c.name)).toEqual(['b']);
    expect(manager().computeActions(pod({ restartPolicy: 'Never' }), rpOf([sandbox(true)], cs())).start).toEqual([]);
  });
  it('kills a running container whose liveness or startup probe failed, or whose image changed', () => {
    const a = rc('a', 'running');
    const b = rc('b', 'running', 0, 'img:0');
    const m = manager(new Set([`liveness:${a.id}`]));
    const act = m.computeActions(pod(), rpOf([sandbox(true)], [a, b]));
    expect(act.kill.map((k) => k.message)).toEqual([
      'Container a failed liveness probe, will be restarted',
      'Container b definition changed, will be restarted',
    ]);
  });
  it('leaves healthy running containers alone (adoption after a kubelet restart)', () => {
    const act = manager().computeActions(pod(), rpOf([sandbox(true)], [rc('a', 'running'), rc('b', 'running')]));
    expect(act.kill).toEqual([]);
    expect(act.start).toEqual([]);
    expect(act.createSandbox).toBe(false);
  });
});

const cs = (state: ContainerStatus['state'], lastState: ContainerStatus['lastState'] = {}, name = 'a'): ContainerStatus => ({
  name,
  state,
  lastState,
  ready: false,
  restartCount: 0,
  image: '',
  imageID: '',
});

describe('podPhase (upstream getPhase)', () => {
  const p = (restartPolicy: string, inits = false): Pod => pod({ restartPolicy, ...(inits ? { initContainers: [{ name: 'i', image: 'x' }] } : {}) });
  it.each([
    ['Always', [cs({ running: {} })], 'Running'],
    ['Always', [cs({ waiting: { reason: 'ContainerCreating' } })], 'Pending'],
    ['Always', [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1 } })], 'Running'],
    ['Never', [cs({ terminated: { exitCode: 0 } })], 'Succeeded'],
    ['Never', [cs({ terminated: { exitCode: 0 } }), cs({ terminated: { exitCode: 3 } }, {}, 'b')], 'Failed'],
    ['OnFailure', [cs({ terminated: { exitCode: 3 } })], 'Running'],
    ['OnFailure', [cs({ terminated: { exitCode: 0 } })], 'Succeeded'],
    ['Never', [cs({ running: {} }), cs({ terminated: { exitCode: 1 } }, {}, 'b')], 'Running'],
  ] as const)('%s %j -> %s', (policy, regular, phase) => {
    expect(podPhase(p(policy), [], [...regular])).toBe(phase);
  });
  it('init containers: pending while running, failed under Never', () => {
    expect(podPhase(p('Always', true), [cs({ running: {} }, {}, 'i')], [cs({ waiting: { reason: 'PodInitializing' } })])).toBe('Pending');
    expect(podPhase(p('Never', true), [cs({ terminated: { exitCode: 1 } }, {}, 'i')], [cs({ waiting: { reason: 'PodInitializing' } })])).toBe('Failed');
    expect(podPhase(p('Always', true), [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { terminated: { exitCode: 1 } }, 'i')], [cs({ waiting: {} })])).toBe('Pending');
  });
});

describe('QoS and cgroups', () => {
  it('classifies as upstream', () => {
    expect(qosClass(pod())).toBe('BestEffort');
    expect(qosClass(pod({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }))).toBe('Guaranteed');
    expect(qosClass(pod({ containers: [{ name: 'a', resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] }))).toBe('Guaranteed');
    expect(qosClass(pod({ containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }] }))).toBe('Burstable');
    expect(qosClass(pod({ containers: [{ name: 'a', resources: { requests: { cpu: '500m', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] }))).toBe('Burstable');
  });
  it('names pod cgroups per QoS class', () => {
    expect(podCgroupName(pod())).toBe('/kubepods/besteffort/podu1');
    expect(podCgroupName(pod({ containers: [{ name: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }))).toBe('/kubepods/podu1');
  });
});

describe('crash-loop back-off', () => {
  it('doubles from 10s to 5m and reports the window', () => {
    const clock = new FakeClock(1_000_000);
    const b = new Backoff(clock);
    expect(b.isInBackOffSince('k', clock.now())).toBe(false);
    expect(b.next('k', clock.now())).toBe(10_000);
    expect(b.isInBackOffSince('k', clock.now())).toBe(true);
    clock.step(10_001);
    expect(b.isInBackOffSince('k', clock.now() - 10_001)).toBe(false);
    expect(b.next('k', clock.now())).toBe(20_000);
    for (let i = 0; i < 10; i++) b.next('k', clock.now());
    expect(b.get('k')).toBe(300_000);
    expect(goDuration(b.get('k'))).toBe('5m0s');
    expect(goDuration(20_000)).toBe('20s');
  });
});

describe('$(VAR) expansion', () => {
  it('expands, escapes and keeps unknown references', () => {
    expect(expand('$(A)-$(B)-$$(A)-$(MISSING)', { A: '1', B: '2' })).toBe('1-2-$(A)-$(MISSING)');
  });
});
