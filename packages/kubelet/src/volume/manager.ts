// The kubelet's volume manager for the in-tree plugins it supports: emptyDir (disk or tmpfs),
// hostPath, configMap, secret, downwardAPI and projected (configMap, secret, downwardAPI,
// serviceAccountToken). Volumes live under <rootDir>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>
// as upstream lays them out; API-backed ones are written with the atomic writer and refreshed on
// every pod sync, as upstream's reconciler remounts them.
import { mkdir, readdir, realpath, rm, rmdir, stat, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { realClock, type Clock, type Container, type Pod, type RestClient } from '@kube-ts/client';
import type { Logger } from 'pino';
import type { Mount } from '../cri/types.js';
import { writeAtomic } from './atomicwriter.js';
import { makeMounts, type PodVolume } from './containermounts.js';
import { emptyDirMemorySize } from './emptydir.js';
import { checkHostPath } from './hostpath.js';
import { isMountPoint, mountTmpfs, mountsUnder, unmount } from './mounts.js';
import { setVolumeOwnership } from './ownership.js';
import { aggregate, configMapPayload, downwardAPIPayload, secretPayload } from './payload.js';
import { fsUserFrom, getConfigMap, getSecret } from './sources.js';
import { TokenManager } from './token.js';
import { DEFAULT_MODE, type Payload, type PodSecurityContext, type ProjectedVolumeSource, type Volume } from './types.js';

export type { PodVolume } from './containermounts.js';

/** A volume that could not be set up; `message` is the FailedMount event text. */
export class VolumeSetupError extends Error {
  readonly reason = 'FailedMount';
  /** The cause alone, e.g. `configmap "x" not found`. */
  readonly detail: string;
  /** Every volume of the pod that failed in the same call (this one first). */
  failures: VolumeSetupError[] = [];

  constructor(readonly volumeName: string, detail: string) {
    super(`MountVolume.SetUp failed for volume ${JSON.stringify(volumeName)} : ${detail}`);
    this.name = 'VolumeSetupError';
    this.detail = detail;
  }
}

export interface VolumeManagerDeps {
  rest: RestClient;
  rootDir: string;
  nodeName: string;
  logger: Logger;
  clock?: Clock;
  nodeAllocatable(): Record<string, string>;
  /** Told about each volume a refresh could not update (the kubelet records a FailedMount event). */
  onRefreshError?(pod: Pod, err: VolumeSetupError): void;
}

/** Upstream ServiceAccountTokenProjection default lifetime (admission's kube-api-access-* volumes ask for 3607). */
const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

const PLUGIN_DIRS = {
  emptyDir: 'kubernetes.io~empty-dir',
  configMap: 'kubernetes.io~configmap',
  secret: 'kubernetes.io~secret',
  downwardAPI: 'kubernetes.io~downward-api',
  projected: 'kubernetes.io~projected',
} as const;
type AtomicPlugin = 'configMap' | 'secret' | 'downwardAPI' | 'projected';
const ATOMIC_PLUGINS: readonly AtomicPlugin[] = ['configMap', 'secret', 'downwardAPI', 'projected'];

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function safeName(s: string | undefined, what: string): string {
  if (!s || s === '.' || s === '..' || s.includes('/') || s.includes('\0')) throw new Error(`invalid ${what} ${JSON.stringify(s ?? '')}`);
  return s;
}

export class VolumeManager {
  private readonly clock: Clock;
  private readonly tokens: TokenManager;
  private readonly locks = new Map<string, Promise<void>>();
  /** Set once a tmpfs mount for a secret/projected volume failed: they then live on disk. */
  private tmpfsUnavailable = false;

  constructor(private readonly deps: VolumeManagerDeps) {
    this.clock = deps.clock ?? realClock;
    this.tokens = new TokenManager(deps.rest, this.clock, deps.logger);
  }

  private podDir(uid: string): string {
    return join(this.deps.rootDir, 'pods', safeName(uid, 'pod UID'));
  }

  private volumeDir(uid: string, plugin: keyof typeof PLUGIN_DIRS, name: string): string {
    return join(this.podDir(uid), 'volumes', PLUGIN_DIRS[plugin], safeName(name, 'volume name'));
  }

  /** Runs fn after every earlier call for the same pod has finished. */
  private async serialize<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.then(() => undefined, () => undefined);
    this.locks.set(uid, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    }
  }

  /**
   * Makes every volume of the pod ready; idempotent. Volumes that can be set up are, even when
   * another fails; the first failure is thrown (with all of them in `failures`).
   */
  async setUpPod(pod: Pod): Promise<Map<string, PodVolume>> {
    const uid = safeName(pod.metadata.uid, 'pod UID');
    return this.serialize(uid, async () => {
      const out = new Map<string, PodVolume>();
      const failures: VolumeSetupError[] = [];
      for (const v of (pod.spec.volumes ?? []) as Volume[]) {
        try {
          out.set(v.name, await this.setUpVolume(pod, v));
        } catch (e) {
          const err = e instanceof VolumeSetupError ? e : new VolumeSetupError(v.name, message(e));
          this.deps.logger.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, volume: v.name, err: err.detail }, 'MountVolume.SetUp failed');
          failures.push(err);
        }
      }
      if (failures.length) {
        failures[0]!.failures = failures;
        throw failures[0];
      }
      return out;
    });
  }

  /** CRI mounts for one container (see makeMounts); throws Error with upstream's messages. */
  containerMounts(pod: Pod, container: Container, volumes: Map<string, PodVolume>, env: Record<string, string>): Mount[] {
    return makeMounts(pod, container, volumes, env);
  }

  /**
   * Rewrites configMap, secret, downwardAPI and projected volumes whose content changed (tokens
   * rotate once 80% of their lifetime passed). Volumes never set up are left alone. Failures are
   * logged and passed to onRefreshError; the current files stay.
   */
  async refreshPod(pod: Pod): Promise<void> {
    const uid = safeName(pod.metadata.uid, 'pod UID');
    this.tokens.cleanup();
    await this.serialize(uid, async () => {
      for (const v of (pod.spec.volumes ?? []) as Volume[]) {
        const plugin = ATOMIC_PLUGINS.find((p) => v[p] !== undefined && v[p] !== null);
        if (!plugin) continue;
        try {
          await stat(this.volumeDir(uid, plugin, v.name));
        } catch {
          continue;
        }
        try {
          await this.setUpVolume(pod, v);
        } catch (e) {
          const err = e instanceof VolumeSetupError ? e : new VolumeSetupError(v.name, message(e));
          this.deps.logger.warn({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, volume: v.name, err: err.detail }, 'volume refresh failed');
          this.deps.onRefreshError?.(pod, err);
        }
      }
    });
  }

  /** Unmounts the pod's tmpfs volumes and removes <rootDir>/pods/<uid>/volumes (and the pod dir once empty). */
  async tearDownPod(podUid: string): Promise<void> {
    const podDir = this.podDir(podUid);
    await this.serialize(podUid, async () => {
      this.tokens.deleteForPod(podUid);
      const volumesDir = join(podDir, 'volumes');
      let real: string;
      try { real = await realpath(volumesDir); } catch { real = ''; }
      if (real) {
        // Mounts stacked on one path come off one per round.
        for (let round = 0; round < 8; round++) {
          const mounted = await mountsUnder(real);
          if (!mounted.length) break;
          for (const m of mounted) await unmount(m);
        }
        const left = await mountsUnder(real);
        // Never recurse into something still mounted.
        if (left.length) throw new Error(`volumes of pod ${podUid} still mounted: ${left.join(', ')}`);
        await rm(volumesDir, { recursive: true, force: true });
      }
      try { await rmdir(podDir); } catch { /* other kubelet files remain (or already gone) */ }
    });
  }

  /** Pod UIDs that have a directory under <rootDir>/pods. */
  async listPodDirs(): Promise<string[]> {
    try {
      return (await readdir(join(this.deps.rootDir, 'pods'), { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
  }

  // ---- per plugin ------------------------------------------------------------------------------

  private async setUpVolume(pod: Pod, v: Volume): Promise<PodVolume> {
    const uid = pod.metadata.uid!;
    const sc = (pod.spec.securityContext ?? {}) as PodSecurityContext;
    if (v.hostPath) {
      checkHostPath(v.hostPath.path, v.hostPath.type);
      return { name: v.name, hostPath: v.hostPath.path, readOnly: false };
    }
    if (v.emptyDir) {
      const dir = this.volumeDir(uid, 'emptyDir', v.name);
      const medium = v.emptyDir.medium ?? '';
      if (medium !== '' && medium !== 'Memory') throw new VolumeSetupError(v.name, `unknown storage medium ${JSON.stringify(medium)}`);
      await this.setupDir(dir);
      if (medium === 'Memory' && !await isMountPoint(dir)) {
        await mountTmpfs(dir, emptyDirMemorySize(pod, v.emptyDir.sizeLimit, this.deps.nodeAllocatable().memory));
      }
      await setVolumeOwnership(dir, sc.fsGroup, false, sc.fsGroupChangePolicy);
      return { name: v.name, hostPath: dir, readOnly: false };
    }
    const plugin = ATOMIC_PLUGINS.find((p) => v[p] !== undefined && v[p] !== null);
    if (!plugin) throw new VolumeSetupError(v.name, 'no volume plugin matched');
    // The payload comes first: a missing source leaves no directory behind.
    const payload = await this.payloadFor(pod, v, plugin);
    const dir = this.volumeDir(uid, plugin, v.name);
    await this.setupDir(dir);
    if (plugin === 'secret' || plugin === 'projected') await this.memoryBacked(pod, dir);
    await writeAtomic(dir, payload, {
      now: () => this.clock.now(),
      setPerms: sc.fsGroup === undefined ? undefined : () => setVolumeOwnership(dir, sc.fsGroup, true),
    });
    return { name: v.name, hostPath: dir, readOnly: true };
  }

  /** emptyDir's setupDir: the directory exists with mode 0777. */
  private async setupDir(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true, mode: 0o777 });
    const st = await stat(dir);
    if ((st.mode & 0o777) !== 0o777 && !await isMountPoint(dir)) await chmod(dir, (st.mode & 0o7000) | 0o777);
  }

  /** Secrets and tokens stay off disk (tmpfs), unless this machine cannot mount one. */
  private async memoryBacked(pod: Pod, dir: string): Promise<void> {
    if (this.tmpfsUnavailable || await isMountPoint(dir)) return;
    try {
      await mountTmpfs(dir, emptyDirMemorySize(pod, undefined, this.deps.nodeAllocatable().memory));
    } catch (e) {
      this.tmpfsUnavailable = true;
      this.deps.logger.warn({ dir, err: message(e) }, 'cannot mount tmpfs; secret and projected volumes are kept on disk');
    }
  }

  private async payloadFor(pod: Pod, v: Volume, plugin: AtomicPlugin): Promise<Payload> {
    const ns = pod.metadata.namespace ?? 'default';
    switch (plugin) {
      case 'configMap': {
        const src = v.configMap!;
        const optional = src.optional === true;
        const cm = await getConfigMap(this.deps.rest, ns, src.name ?? '', optional);
        return configMapPayload(src.items, cm ?? { metadata: {} }, src.defaultMode ?? DEFAULT_MODE, optional);
      }
      case 'secret': {
        const src = v.secret!;
        const optional = src.optional === true;
        const secret = await getSecret(this.deps.rest, ns, src.secretName ?? '', optional);
        return secretPayload(src.items, secret ?? { metadata: {} }, src.defaultMode ?? DEFAULT_MODE, optional);
      }
      case 'downwardAPI':
        return downwardAPIPayload(v.downwardAPI!.items, pod, v.downwardAPI!.defaultMode ?? DEFAULT_MODE, () => this.deps.nodeAllocatable());
      case 'projected':
        return this.projectedPayload(pod, v.projected!);
    }
  }

  /** projected's collectData: every source merged; errors of all sources aggregated. */
  private async projectedPayload(pod: Pod, src: ProjectedVolumeSource): Promise<Payload> {
    const ns = pod.metadata.namespace ?? 'default';
    const defaultMode = src.defaultMode ?? DEFAULT_MODE;
    const sc = (pod.spec.securityContext ?? {}) as PodSecurityContext;
    const fsUser = fsUserFrom(pod);
    const payload: Payload = new Map();
    const errs: Error[] = [];
    const merge = (p: Payload): void => { for (const [k, f] of p) payload.set(k, f); };
    for (const s of src.sources ?? []) {
      try {
        if (s.secret) {
          const optional = s.secret.optional === true;
          const secret = await getSecret(this.deps.rest, ns, s.secret.name ?? '', optional);
          merge(secretPayload(s.secret.items, secret ?? { metadata: {} }, defaultMode, optional));
        } else if (s.configMap) {
          const optional = s.configMap.optional === true;
          const cm = await getConfigMap(this.deps.rest, ns, s.configMap.name ?? '', optional);
          merge(configMapPayload(s.configMap.items, cm ?? { metadata: {} }, defaultMode, optional));
        } else if (s.downwardAPI) {
          merge(downwardAPIPayload(s.downwardAPI.items, pod, defaultMode, () => this.deps.nodeAllocatable()));
        } else if (s.serviceAccountToken) {
          const tp = s.serviceAccountToken;
          const sa = pod.spec.serviceAccountName || (pod.spec.serviceAccount as string | undefined) || 'default';
          const token = await this.tokens.getToken(ns, sa, {
            ...(tp.audience ? { audiences: [tp.audience] } : {}),
            expirationSeconds: tp.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' },
          });
          // With an fsUser or fsGroup the token is 0600 (fsGroup ownership then makes it 0640).
          const mode = fsUser !== undefined || sc.fsGroup !== undefined ? 0o600 : defaultMode;
          payload.set(tp.path, { data: Buffer.from(token, 'utf8'), mode, ...(fsUser !== undefined ? { fsUser } : {}) });
        } else if (s.clusterTrustBundle) {
          errs.push(new Error('clusterTrustBundle projections are not supported'));
        }
      } catch (e) {
        errs.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    const err = aggregate(errs);
    if (err) throw err;
    return payload;
  }
}
