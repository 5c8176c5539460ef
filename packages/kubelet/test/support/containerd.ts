// Starts a private containerd for a test file: its own root, state, socket, CNI config (our bridge
// plugin on its own bridge and pod CIDR) and the project's pause/busybox images, via the same
// deploy/containerd scripts the local cluster uses. stop() removes every sandbox it ran, stops
// containerd and its shims, and deletes its bridge and directories; start() first clears what a
// crashed earlier run with the same name left behind.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CriClient } from '../../src/cri/client.js';

const pexec = promisify(execFile);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const TEST_ROOT = '/var/lib/kube-ts-test';
export const IMAGES_DIR = join(TEST_ROOT, 'images');
export const BUSYBOX_IMAGE = 'kube-ts.local/busybox:1.35';
export const PAUSE_IMAGE = 'kube-ts.local/pause:3.10';

export interface TestContainerd {
  name: string;
  dir: string;
  socket: string;
  /** unix:///... as --container-runtime-endpoint takes it. */
  endpoint: string;
  pid: number;
  cidr: string;
  bridge: string;
  cri: CriClient;
  stop(): Promise<void>;
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** True when containerd, runc and ctr are installed (the e2e suites skip otherwise). */
export function haveContainerd(): boolean {
  return isRoot() && ['/usr/bin/containerd', '/usr/sbin/runc', '/usr/bin/runc'].some((p) => existsSync(p)) && existsSync('/usr/bin/ctr');
}

async function sh(cmd: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return (await pexec(cmd, args, { maxBuffer: 32 << 20, env: env ?? process.env })).stdout;
}

/** Builds the images once per machine (atomic rename, so parallel test files never see half a tar). */
export async function ensureImages(): Promise<string> {
  if (existsSync(join(IMAGES_DIR, 'busybox.tar')) && existsSync(join(IMAGES_DIR, 'pause.tar'))) return IMAGES_DIR;
  const tmp = `${IMAGES_DIR}.tmp-${process.pid}`;
  await mkdir(tmp, { recursive: true });
  await sh(join(REPO, 'deploy/images/build-images.sh'), [tmp]);
  await rename(tmp, IMAGES_DIR).catch(async () => rm(tmp, { recursive: true, force: true }));
  return IMAGES_DIR;
}

/** Kills processes whose command line mentions `dir` (containerd, its shims), all started by us. */
async function killUnder(dir: string): Promise<void> {
  const out = await sh('ps', ['-eo', 'pid=,args=']).catch(() => '');
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (!m || !m[2]!.includes(dir) || Number(m[1]) === process.pid) continue;
    try {
      process.kill(Number(m[1]), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

async function unmountUnder(dir: string): Promise<void> {
  const mounts = (await readFile('/proc/self/mounts', 'utf8').catch(() => '')).split('\n');
  const targets = mounts
    .map((l) => l.split(' ')[1] ?? '')
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => p.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const t of targets) await sh('umount', ['-l', t]).catch(() => undefined);
}

/** Removes what a crashed run with this name left: processes, mounts, bridge, directory. */
export async function cleanupContainerd(name: string, bridge: string): Promise<void> {
  const dir = join(TEST_ROOT, name);
  await killUnder(dir);
  await unmountUnder(dir);
  await sh('ip', ['link', 'del', 'dev', bridge]).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}

/**
 * name: unique per test file (directory and process tag); cidr: the pod range of this node's bridge
 * (distinct per file so parallel files never clash); bridge: <= 15 chars, unique per file;
 * env: extra start-containerd.sh environment (REGISTRY_MIRRORS for a local plain-HTTP registry).
 */
export async function startContainerd(name: string, cidr: string, bridge: string, env: Record<string, string> = {}): Promise<TestContainerd> {
  await cleanupContainerd(name, bridge);
  const dir = join(TEST_ROOT, name);
  await mkdir(dir, { recursive: true });
  const images = await ensureImages();
  const out = await sh(join(REPO, 'deploy/containerd/start-containerd.sh'), [dir, cidr], {
    ...process.env,
    IMAGES_DIR: images,
    CNI_BRIDGE: bridge,
    ...env,
  });
  const pid = Number(out.trim().split('\n').pop());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`start-containerd printed no pid: ${out}`);
  const socket = join(dir, 'containerd.sock');
  const cri = new CriClient(`unix://${socket}`);
  const stop = async (): Promise<void> => {
    // Sandboxes first: StopPodSandbox runs CNI DEL (IP release, veth) and removes the netns.
    try {
      for (const c of await cri.listContainers()) {
        await cri.stopContainer(c.id, 0).catch(() => undefined);
        await cri.removeContainer(c.id).catch(() => undefined);
      }
      for (const s of await cri.listPodSandbox()) {
        await cri.stopPodSandbox(s.id).catch(() => undefined);
        await cri.removePodSandbox(s.id).catch(() => undefined);
      }
    } catch {
      /* containerd already gone: the kill below and the next start's cleanup handle it */
    }
    cri.close();
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* gone */
    }
    await new Promise((r) => setTimeout(r, 300));
    await cleanupContainerd(name, bridge);
  };
  return { name, dir, socket, endpoint: `unix://${socket}`, pid, cidr, bridge, cri, stop };
}
