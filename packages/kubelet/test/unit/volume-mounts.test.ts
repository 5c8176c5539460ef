import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Container, Pod } from '@kube-ts/client';
import { expand, expandSubPathExpr, makeMounts, type PodVolume } from '../../src/volume/containermounts.js';

const pod: Pod = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { containers: [] } };

describe('expand', () => {
  const env: Record<string, string> = { A: 'x', B: 'y' };
  it.each([
    ['$(A)/$(B)', 'x/y'],
    ['$$(A)', '$(A)'],
    ['$(A', '$(A'],
    ['$A $', '$A $'],
    ['pre-$(A)-$(C)-post', 'pre-x-$(C)-post'],
  ])('%s', (input, want) => {
    expect(expand(input, (k) => env[k] ?? `$(${k})`)).toBe(want);
  });
  it('subPathExpr needs every variable set', () => {
    expect(expandSubPathExpr('logs/$(POD)', { POD: 'web-1' })).toBe('logs/web-1');
    expect(() => expandSubPathExpr('$(Z)/$(POD)/$(E)', { POD: 'p', E: '' })).toThrow('missing value for E, Z');
  });
});

describe('makeMounts', () => {
  let dir: string;
  let vols: Map<string, PodVolume>;
  beforeEach(() => {
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'kvol-mnt-')));
    mkdirSync(join(dir, 'data'));
    chmodSync(join(dir, 'data'), 0o2777);
    mkdirSync(join(dir, 'cfg'));
    mkdirSync(join(dir, 'outside'));
    writeFileSync(join(dir, 'cfg', 'real.conf'), 'x');
    symlinkSync('real.conf', join(dir, 'cfg', 'app.conf'));
    symlinkSync(join(dir, 'outside'), join(dir, 'data', 'escape'));
    vols = new Map([
      ['data', { name: 'data', hostPath: join(dir, 'data'), readOnly: false }],
      ['cfg', { name: 'cfg', hostPath: join(dir, 'cfg'), readOnly: true }],
    ]);
  });
  afterEach(() => { rmSync(dir, { recursive: true, force: true }); });

  const c = (volumeMounts: unknown[]): Container => ({ name: 'app', volumeMounts });

  it('maps mounts with read-only volumes and propagation', () => {
    const m = makeMounts(pod, c([
      { name: 'data', mountPath: '/data' },
      { name: 'data', mountPath: 'rel', readOnly: true, mountPropagation: 'HostToContainer' },
      { name: 'cfg', mountPath: '/etc/cfg', mountPropagation: 'None' },
      { name: 'data', mountPath: '/bi', mountPropagation: 'Bidirectional' },
    ]), vols, {});
    expect(m).toEqual([
      { containerPath: '/data', hostPath: join(dir, 'data'), readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/rel', hostPath: join(dir, 'data'), readonly: true, selinuxRelabel: false, propagation: 'PROPAGATION_HOST_TO_CONTAINER' },
      { containerPath: '/etc/cfg', hostPath: join(dir, 'cfg'), readonly: true, selinuxRelabel: false, propagation: 'PROPAGATION_PRIVATE' },
      { containerPath: '/bi', hostPath: join(dir, 'data'), readonly: false, selinuxRelabel: false, propagation: 'PROPAGATION_BIDIRECTIONAL' },
    ]);
  });

  it('creates a missing subPath directory with the volume root mode', () => {
    const old = process.umask(0o022);
    try {
      const [m] = makeMounts(pod, c([{ name: 'data', mountPath: '/x', subPathExpr: 'pods/$(POD_NAME)' }]), vols, { POD_NAME: 'web-0' });
      expect(m!.hostPath).toBe(join(dir, 'data', 'pods', 'web-0'));
      expect(statSync(join(dir, 'data', 'pods')).mode & 0o7777).toBe(0o2777);
      expect(statSync(m!.hostPath).isDirectory()).toBe(true);
    } finally { process.umask(old); }
  });

  it('resolves a file subPath through its symlinks inside the volume', () => {
    const [m] = makeMounts(pod, c([{ name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }]), vols, {});
    expect(m!.hostPath).toBe(join(dir, 'cfg', 'real.conf'));
    expect(m!.readonly).toBe(true);
  });

  it.each([
    [[{ name: 'nope', mountPath: '/x' }], 'cannot find volume "nope" to mount into container "app"'],
    [[{ name: 'data', mountPath: '/x', subPath: '/etc' }], 'error SubPath `/etc` must not be an absolute path'],
    [[{ name: 'data', mountPath: '/x', subPath: 'a/../../b' }], "unable to provision SubPath `a/../../b`: must not contain '..'"],
    [[{ name: 'data', mountPath: '/x', subPath: 'escape' }], 'failed to prepare subPath for volumeMount "data" of container "app"'],
    [[{ name: 'data', mountPath: '/x', subPath: 'escape/new' }], 'failed to create subPath directory for volumeMount "data" of container "app"'],
    [[{ name: 'data', mountPath: '/x', subPathExpr: '$(MISSING)' }], 'missing value for MISSING'],
    [[{ name: 'data', mountPath: '/x', mountPropagation: 'Sideways' }], 'invalid MountPropagation mode: "Sideways"'],
    [[{ name: 'data', mountPath: '/x', readOnly: true, recursiveReadOnly: 'Enabled' }], 'volume "data" requested recursive read-only mode, but it is not supported by the runtime'],
    [[{ name: 'data', mountPath: '/x', recursiveReadOnly: 'IfPossible' }], 'volume "data" requested recursive read-only mode, but it is not read-only'],
  ])('rejects %j', (mounts, msg) => {
    expect(() => makeMounts(pod, c(mounts), vols, {})).toThrow(msg);
  });

  it('did not create anything outside the volume', () => {
    expect(() => makeMounts(pod, c([{ name: 'data', mountPath: '/x', subPath: 'escape/new' }]), vols, {})).toThrow();
    expect(() => statSync(join(dir, 'outside', 'new'))).toThrow(/ENOENT/);
  });

  it('accepts recursiveReadOnly IfPossible on a read-only mount (runtime lacks it)', () => {
    const [m] = makeMounts(pod, c([{ name: 'data', mountPath: '/x', readOnly: true, recursiveReadOnly: 'IfPossible' }]), vols, {});
    expect(m!.readonly).toBe(true);
  });
});
