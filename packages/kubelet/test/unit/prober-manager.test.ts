// ProbeManager with a fake runtime (exec probes answered by the test) on a FakeClock: thresholds,
// initial delay, startup gating, readiness defaults, container restarts, events, no overlap.
import { FakeClock, type Container, type EventRecorder, type ObjectReference, type Pod, type PodStatus } from '@kube-ts/client';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ExecSyncResponse, RuntimeService } from '../../src/cri/types.js';
import { ProbeManager, type Probe } from '../../src/prober/index.js';

type ExecReply = ExecSyncResponse | Error | Promise<ExecSyncResponse>;

/** A RuntimeService whose execSync answers from a per-container script; everything else is unused. */
class FakeRuntime {
  readonly calls: { id: string; cmd: string[]; timeout: number }[] = [];
  /** Next replies per container ID; when empty, `fallback` answers. */
  readonly replies = new Map<string, ExecReply[]>();
  fallback: (id: string, cmd: string[]) => ExecReply = () => ok();

  asRuntime(): RuntimeService {
    const unused = (): never => { throw new Error('not used by the prober'); };
    const execSync = async (id: string, cmd: string[], timeout: number): Promise<ExecSyncResponse> => {
      this.calls.push({ id, cmd, timeout });
      const r = this.replies.get(id)?.shift() ?? this.fallback(id, cmd);
      if (r instanceof Error) throw r;
      return r;
    };
    return new Proxy({ execSync } as unknown as RuntimeService, { get: (t, p) => (p in t ? t[p as keyof RuntimeService] : unused) });
  }
  callsFor(id: string): number {
    return this.calls.filter((c) => c.id === id).length;
  }
}

const ok = (out = ''): ExecSyncResponse => ({ stdout: Buffer.from(out), stderr: Buffer.alloc(0), exitCode: 0 });
const fail = (stderr: string, code = 1): ExecSyncResponse => ({ stdout: Buffer.alloc(0), stderr: Buffer.from(stderr), exitCode: code });
const grpcError = (code: number, details: string): Error => Object.assign(new Error(`${code} X: ${details}`), { code, details });

interface Recorded { ref: ObjectReference; type: string; reason: string; message: string }

const execProbe = (extra: Partial<Probe> = {}): Probe => ({ exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 10, ...extra });

function makePod(containers: Container[], uid = 'uid-1'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'ns1', uid, resourceVersion: '7' }, spec: { containers } };
}

interface CStatus { name: string; containerID?: string; state: Record<string, object>; ready: boolean; started?: boolean }

describe('ProbeManager', () => {
  let clock: FakeClock;
  let rt: FakeRuntime;
  let events: Recorded[];
  let statuses: Map<string, PodStatus>;
  let resyncs: string[];
  let mgr: ProbeManager;

  const running = (name: string, id: string, startedAtMs = clock.now()): CStatus => ({
    name,
    containerID: `containerd://${id}`,
    state: { running: { startedAt: new Date(startedAtMs).toISOString().replace(/\.\d+Z$/, 'Z') } },
    ready: false,
  });
  const setStatus = (uid: string, cs: CStatus[], extra: Partial<PodStatus> = {}): void => {
    statuses.set(uid, { phase: 'Running', podIP: '10.201.14.5', containerStatuses: cs, ...extra });
  };
  /** The kubelet's view after updatePodStatus, for assertions. */
  const computed = (pod: Pod): CStatus[] => {
    const s = structuredClone(statuses.get(pod.metadata.uid!)!);
    mgr.updatePodStatus(pod, s);
    return s['containerStatuses'] as CStatus[];
  };
  const periods = async (n: number, periodS = 10): Promise<void> => {
    for (let i = 0; i < n; i++) await clock.step(periodS * 1000);
  };

  beforeEach(() => {
    // First probes start at once (the start-up jitter is random * period).
    vi.spyOn(Math, 'random').mockReturnValue(0);
    clock = new FakeClock();
    rt = new FakeRuntime();
    events = [];
    statuses = new Map();
    resyncs = [];
    const recorder: EventRecorder = { event: (ref, type, reason, message) => events.push({ ref: ref as ObjectReference, type, reason, message }) };
    mgr = new ProbeManager({
      runtime: rt.asRuntime(),
      recorder,
      clock,
      logger: pino({ level: 'silent' }),
      getPodStatus: (uid) => statuses.get(uid),
      onResult: (uid) => resyncs.push(uid),
    });
  });
  afterEach(() => {
    mgr.stop();
    vi.restoreAllMocks();
  });

  it('reports ready for a running container without a readiness probe, and not before it runs', async () => {
    const pod = makePod([{ name: 'app' }]);
    mgr.addPod(pod);
    expect(mgr.workerCount()).toBe(0);
    setStatus('uid-1', [{ name: 'app', containerID: 'containerd://c1', state: { waiting: {} }, ready: false }]);
    expect(computed(pod)[0]).toMatchObject({ ready: false, started: false });
    setStatus('uid-1', [running('app', 'c1')]);
    expect(computed(pod)[0]).toMatchObject({ ready: true, started: true });
  });

  it('starts readiness at false and flips with the success and failure thresholds', async () => {
    const pod = makePod([{ name: 'app', readinessProbe: execProbe({ successThreshold: 2, failureThreshold: 2 }) }]);
    setStatus('uid-1', [running('app', 'c1')]);
    rt.replies.set('c1', [ok(), ok(), fail('boom\n'), fail('boom\n'), ok()]);
    mgr.addPod(pod);
    await clock.step(0);
    // First success is below successThreshold 2: still the initial Failure.
    expect(rt.callsFor('c1')).toBe(1);
    expect(mgr.result('readiness', 'c1')).toBe('Failure');
    expect(computed(pod)[0]!.ready).toBe(false);
    expect(resyncs).toEqual(['uid-1']); // the initial Failure was stored
    // computed() triggered an immediate extra run (upstream's manual trigger while not ready).
    await clock.step(0);
    expect(rt.callsFor('c1')).toBe(2);
    expect(mgr.result('readiness', 'c1')).toBe('Success');
    expect(resyncs).toEqual(['uid-1', 'uid-1']);
    expect(computed(pod)[0]!.ready).toBe(true);
    await periods(1);
    expect(mgr.result('readiness', 'c1')).toBe('Success'); // one failure < failureThreshold 2
    await periods(1);
    expect(mgr.result('readiness', 'c1')).toBe('Failure');
    expect(computed(pod)[0]!.ready).toBe(false);
    expect(events.map((e) => e.message)).toEqual(['Readiness probe failed: boom\n', 'Readiness probe failed: boom\n']);
    expect(events[0]).toMatchObject({
      type: 'Warning',
      reason: 'Unhealthy',
      ref: { kind: 'Pod', apiVersion: 'v1', name: 'web', namespace: 'ns1', uid: 'uid-1', fieldPath: 'spec.containers{app}' },
    });
    expect(rt.calls[0]).toEqual({ id: 'c1', cmd: ['cat', '/tmp/healthy'], timeout: 1 });
  });

  it('waits initialDelaySeconds after the container started before probing', async () => {
    const pod = makePod([{ name: 'app', livenessProbe: execProbe({ initialDelaySeconds: 25 }) }]);
    setStatus('uid-1', [running('app', 'c1')]);
    mgr.addPod(pod);
    await clock.step(0);
    await periods(2); // t = 20 s
    expect(rt.callsFor('c1')).toBe(0);
    expect(mgr.result('liveness', 'c1')).toBe('Success'); // liveness starts out Success
    await periods(1); // t = 30 s
    expect(rt.callsFor('c1')).toBe(1);
  });

  it('gates liveness and readiness on the startup probe and reports started', async () => {
    const pod = makePod([{
      name: 'app',
      startupProbe: execProbe({ exec: { command: ['startup'] }, periodSeconds: 5, failureThreshold: 10 }),
      livenessProbe: execProbe({ exec: { command: ['live'] } }),
      readinessProbe: execProbe({ exec: { command: ['ready'] } }),
    }]);
    setStatus('uid-1', [running('app', 'c1')]);
    let startupOk = false;
    // Only the startup command consults `startupOk`; liveness and readiness always pass.
    rt.fallback = (_id, cmd) => (cmd[0] !== 'startup' || startupOk ? ok() : fail('not yet'));
    const cmds = (): string[] => rt.calls.map((c) => c.cmd[0]!);
    mgr.addPod(pod);
    await clock.step(0);
    expect(cmds()).toEqual(['startup']);
    expect(mgr.result('startup', 'c1')).toBe('Unknown');
    expect(computed(pod)[0]).toMatchObject({ started: false, ready: false });
    await clock.step(5000);
    await clock.step(5000);
    expect(cmds().every((c) => c === 'startup')).toBe(true);
    startupOk = true;
    await clock.step(5000);
    expect(mgr.result('startup', 'c1')).toBe('Success');
    expect(resyncs.length).toBeGreaterThan(0);
    const n = rt.calls.length;
    await periods(1);
    const after = rt.calls.slice(n).map((c) => c.cmd[0]);
    // Startup stops once started; liveness and readiness run now.
    expect(after).not.toContain('startup');
    expect(after).toEqual(expect.arrayContaining(['live', 'ready']));
    expect(computed(pod)[0]).toMatchObject({ started: true, ready: true });
  });

  it('fails startup after failureThreshold, holds, and starts over for a new container', async () => {
    const pod = makePod([{ name: 'app', startupProbe: execProbe({ failureThreshold: 2 }) }]);
    setStatus('uid-1', [running('app', 'c1')]);
    rt.fallback = () => fail("cat: can't open '/tmp/healthy': No such file or directory\n");
    mgr.addPod(pod);
    await clock.step(0);
    await periods(1);
    expect(mgr.result('startup', 'c1')).toBe('Failure');
    expect(events.at(-1)!.message).toBe("Startup probe failed: cat: can't open '/tmp/healthy': No such file or directory\n");
    await periods(3);
    expect(rt.callsFor('c1')).toBe(2); // on hold until the kubelet replaces the container
    setStatus('uid-1', [running('app', 'c2')]);
    rt.fallback = () => ok();
    await periods(1);
    expect(mgr.result('startup', 'c1')).toBeUndefined();
    expect(mgr.result('startup', 'c2')).toBe('Success');
    expect(computed(pod)[0]!.started).toBe(true);
  });

  it('fails liveness after failureThreshold, asks for a resync, and resets on a new container ID', async () => {
    const pod = makePod([{ name: 'app', livenessProbe: execProbe() }]);
    setStatus('uid-1', [running('app', 'c1')]);
    rt.fallback = () => fail('dead\n', 2);
    mgr.addPod(pod);
    await clock.step(0);
    await periods(1);
    expect(mgr.result('liveness', 'c1')).toBe('Success');
    expect(resyncs).toEqual([]); // liveness Success never triggers a resync
    await periods(1);
    expect(mgr.result('liveness', 'c1')).toBe('Failure');
    expect(resyncs).toEqual(['uid-1']);
    expect(events.map((e) => e.message)).toEqual(Array(3).fill('Liveness probe failed: dead\n'));
    await periods(2);
    expect(rt.callsFor('c1')).toBe(3);
    // The kubelet restarted it: the new container starts from Success with a fresh failure count.
    setStatus('uid-1', [running('app', 'c2')]);
    rt.fallback = (id) => (id === 'c2' ? fail('dead\n') : ok());
    await periods(1);
    expect(mgr.result('liveness', 'c1')).toBeUndefined();
    expect(mgr.result('liveness', 'c2')).toBe('Success');
    await periods(1);
    expect(mgr.result('liveness', 'c2')).toBe('Success');
    await periods(1);
    expect(mgr.result('liveness', 'c2')).toBe('Failure');
  });

  it('reports errored probes after three tries and leaves the result alone', async () => {
    const pod = makePod([{ name: 'app', readinessProbe: execProbe({ failureThreshold: 1 }) }]);
    setStatus('uid-1', [running('app', 'c1')]);
    rt.fallback = () => grpcError(5, 'container "c1" in pod sandbox not found');
    mgr.addPod(pod);
    await clock.step(0);
    expect(rt.callsFor('c1')).toBe(3);
    expect(events).toHaveLength(1);
    expect(events[0]!.message).toBe('Readiness probe errored and resulted in unknown state: rpc error: code = NotFound desc = container "c1" in pod sandbox not found');
    expect(mgr.result('readiness', 'c1')).toBe('Failure'); // still the initial value
  });

  it('turns an exec deadline into a timeout failure', async () => {
    const pod = makePod([{ name: 'app', livenessProbe: execProbe({ exec: { command: ['sleep', '5'] }, timeoutSeconds: 2, failureThreshold: 1 }) }]);
    setStatus('uid-1', [running('app', 'c1')]);
    rt.fallback = () => grpcError(4, 'timeout 2s exceeded: context deadline exceeded');
    mgr.addPod(pod);
    await clock.step(0);
    expect(rt.calls[0]!.timeout).toBe(2);
    expect(events.map((e) => e.message)).toEqual(['Liveness probe failed: command "sleep 5" timed out']);
    expect(mgr.result('liveness', 'c1')).toBe('Failure');
  });

  it('expands $(VAR) in exec commands from literal env values', async () => {
    const pod = makePod([{ name: 'app', env: [{ name: 'F', value: '/tmp/x' }], readinessProbe: execProbe({ exec: { command: ['cat', '$(F)', '$(NOPE)', '$$(F)'] } }) }]);
    setStatus('uid-1', [running('app', 'c1')]);
    mgr.addPod(pod);
    await clock.step(0);
    expect(rt.calls[0]!.cmd).toEqual(['cat', '/tmp/x', '$(NOPE)', '$(F)']);
  });

  it('never overlaps probes of one worker, ticks or manual triggers', async () => {
    const pod = makePod([{ name: 'app', readinessProbe: execProbe({ periodSeconds: 1 }) }]);
    setStatus('uid-1', [running('app', 'c1')]);
    let release: (r: ExecSyncResponse) => void = () => undefined;
    rt.replies.set('c1', [new Promise<ExecSyncResponse>((r) => { release = r; })]);
    mgr.addPod(pod);
    await clock.step(0);
    await periods(5, 1);
    // updatePodStatus asks for a run while not ready: queued behind the running probe.
    for (let i = 0; i < 3; i++) computed(pod);
    await clock.step(0);
    expect(rt.callsFor('c1')).toBe(1);
    release(ok());
    await clock.step(0);
    // As upstream's buffered channels: the queued trigger and one missed tick run at once, one
    // after the other; then the period grid resumes.
    expect(rt.callsFor('c1')).toBe(3);
    await clock.step(999);
    expect(rt.callsFor('c1')).toBe(3);
    await clock.step(1);
    expect(rt.callsFor('c1')).toBe(4);
  });

  it('stops workers on removePod and when the pod is finished', async () => {
    const pod = makePod([{ name: 'app', livenessProbe: execProbe(), readinessProbe: execProbe() }]);
    const other = makePod([{ name: 'db', readinessProbe: execProbe() }], 'uid-2');
    setStatus('uid-1', [running('app', 'c1')]);
    setStatus('uid-2', [running('db', 'd1')]);
    mgr.addPod(pod);
    mgr.addPod(other);
    mgr.addPod(pod); // idempotent
    expect(mgr.workerCount()).toBe(3);
    await clock.step(0);
    expect(mgr.result('readiness', 'c1')).toBe('Success');
    mgr.removePod('uid-1');
    expect(mgr.workerCount()).toBe(1);
    expect(mgr.result('readiness', 'c1')).toBeUndefined();
    const n = rt.callsFor('c1');
    await periods(2);
    expect(rt.callsFor('c1')).toBe(n);
    setStatus('uid-2', [{ name: 'db', containerID: 'containerd://d1', state: { terminated: { exitCode: 0 } }, ready: false }], { phase: 'Succeeded' });
    await periods(1);
    expect(mgr.workerCount()).toBe(0);
    expect(clock.pending()).toBe(0);
  });

  it('marks a non-running container failed and keeps waiting unless it will not restart', async () => {
    const pod = makePod([{ name: 'app', livenessProbe: execProbe() }]);
    pod.spec.restartPolicy = 'Never';
    setStatus('uid-1', [{ name: 'app', containerID: 'containerd://c1', state: { terminated: { exitCode: 1 } }, ready: false }]);
    mgr.addPod(pod);
    await clock.step(0);
    expect(mgr.result('liveness', 'c1')).toBeUndefined(); // worker ended and dropped its result
    expect(mgr.workerCount()).toBe(0);
    expect(rt.calls).toHaveLength(0);
  });
});
