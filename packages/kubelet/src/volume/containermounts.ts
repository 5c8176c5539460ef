// A container's CRI mounts from its volumeMounts (the kubelet's makeMounts): subPath and
// subPathExpr ($(VAR) from the container's env), read-only volumes, mount propagation.
import { chmodSync, lstatSync, mkdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import type { Container, Pod } from '@kube-ts/client';
import type { Mount, MountPropagation } from '../cri/types.js';
import type { VolumeMount } from './types.js';

/** One ready volume of a pod: where it is on the host and whether containers must mount it read-only. */
export interface PodVolume { name: string; hostPath: string; readOnly: boolean }

/**
 * expansion.Expand: `$(VAR)` is replaced through mapping, `$$` is a literal `$`, an unterminated
 * `$(` and any other `$x` stay as they are.
 */
export function expand(input: string, mapping: (name: string) => string): string {
  let out = '';
  let checkpoint = 0;
  for (let cursor = 0; cursor < input.length; cursor++) {
    if (input[cursor] !== '$' || cursor + 1 >= input.length) continue;
    out += input.slice(checkpoint, cursor);
    const rest = input.slice(cursor + 1);
    let advance = 1;
    if (rest[0] === '$') out += '$';
    else if (rest[0] === '(') {
      const close = rest.indexOf(')', 1);
      if (close >= 0) { out += mapping(rest.slice(1, close)); advance = close + 1; } else out += '$(';
    } else out += `$${rest[0]}`;
    cursor += advance;
    checkpoint = cursor + 1;
  }
  return out + input.slice(checkpoint);
}

/** kubecontainer.ExpandContainerVolumeMounts: subPathExpr with every variable set and non-empty. */
export function expandSubPathExpr(expr: string, env: Record<string, string>): string {
  const missing = new Set<string>();
  const out = expand(expr, (k) => {
    const v = env[k];
    if (v === undefined || v === '') missing.add(k);
    return v ?? '';
  });
  if (missing.size) throw new Error(`missing value for ${[...missing].sort().join(', ')}`);
  return out;
}

function within(path: string, base: string): boolean {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** subpath.SafeMakeDir: creates the missing parts of subPath inside the volume with the volume root's mode, never through a symlink leading outside it. */
function safeMakeDir(subPath: string, volumePath: string, mode: number): void {
  const base = realpathSync(volumePath);
  let cur = base;
  for (const comp of subPath.split('/').filter((c) => c !== '' && c !== '.')) {
    const next = join(cur, comp);
    let st;
    try { st = lstatSync(next); } catch { st = undefined; }
    if (!st) {
      mkdirSync(next, { mode });
      chmodSync(next, mode);
      cur = next;
    } else if (st.isSymbolicLink()) {
      const target = realpathSync(next);
      if (!within(target, base)) throw new Error(`subpath ${JSON.stringify(next)} not within volume path ${JSON.stringify(base)}`);
      cur = target;
    } else cur = next;
  }
}

function translatePropagation(mode: string | undefined): MountPropagation {
  switch (mode) {
    case undefined: case null: case 'None': return 'PROPAGATION_PRIVATE';
    case 'HostToContainer': return 'PROPAGATION_HOST_TO_CONTAINER';
    case 'Bidirectional': return 'PROPAGATION_BIDIRECTIONAL';
    default: throw new Error(`invalid MountPropagation mode: ${JSON.stringify(mode)}`);
  }
}

/** resolveRecursiveReadOnly for a runtime without recursive read-only mounts (containerd 1.6). */
function checkRecursiveReadOnly(m: VolumeMount): void {
  const rro = m.recursiveReadOnly;
  if (rro === undefined || rro === null || rro === 'Disabled') return;
  if (!m.readOnly) throw new Error(`volume ${JSON.stringify(m.name)} requested recursive read-only mode, but it is not read-only`);
  if (m.mountPropagation && m.mountPropagation !== 'None') {
    throw new Error(`volume ${JSON.stringify(m.name)} requested recursive read-only mode, but it is not compatible with propagation ${JSON.stringify(m.mountPropagation)}`);
  }
  if (rro === 'IfPossible') return;
  if (rro === 'Enabled') throw new Error(`volume ${JSON.stringify(m.name)} requested recursive read-only mode, but it is not supported by the runtime`);
  throw new Error(`unknown recursive read-only mode ${JSON.stringify(rro)}`);
}

/** The CRI mounts for one container; throws (upstream's messages) when a mount cannot be made. */
export function makeMounts(_pod: Pod, container: Container, volumes: Map<string, PodVolume>, env: Record<string, string>): Mount[] {
  const mounts: Mount[] = [];
  const volumeMounts = (container.volumeMounts ?? []) as VolumeMount[];
  for (const m of volumeMounts) {
    const vol = volumes.get(m.name);
    if (!vol) throw new Error(`cannot find volume ${JSON.stringify(m.name)} to mount into container ${JSON.stringify(container.name)}`);
    let hostPath = vol.hostPath;
    let subPath = m.subPath ?? '';
    if (m.subPathExpr) subPath = expandSubPathExpr(m.subPathExpr, env);
    if (subPath !== '') {
      if (posix.isAbsolute(subPath)) throw new Error(`error SubPath \`${subPath}\` must not be an absolute path`);
      if (subPath.split('/').includes('..')) throw new Error(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
      const volumePath = hostPath;
      hostPath = join(volumePath, subPath);
      let exists = true;
      try { lstatSync(hostPath); } catch { exists = false; }
      if (!exists) {
        try {
          safeMakeDir(subPath, volumePath, statSync(volumePath).mode & 0o7777);
        } catch {
          throw new Error(`failed to create subPath directory for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(container.name)}`);
        }
      }
      // Resolve now and refuse a subPath that leads outside its volume (upstream bind-mounts the
      // checked path for the same reason).
      try {
        const real = realpathSync(hostPath);
        if (!within(real, realpathSync(volumePath))) throw new Error('outside the volume');
        hostPath = real;
      } catch {
        throw new Error(`failed to prepare subPath for volumeMount ${JSON.stringify(m.name)} of container ${JSON.stringify(container.name)}`);
      }
    }
    const containerPath = m.mountPath.startsWith('/') ? m.mountPath : `/${m.mountPath}`;
    const propagation = translatePropagation(m.mountPropagation);
    checkRecursiveReadOnly(m);
    mounts.push({ containerPath, hostPath, readonly: Boolean(m.readOnly) || vol.readOnly, selinuxRelabel: false, propagation });
  }
  return mounts;
}
