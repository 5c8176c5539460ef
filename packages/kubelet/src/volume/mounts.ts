// tmpfs mounts for memory-backed volumes (emptyDir medium Memory, secret and projected volumes),
// and the mount table reads that make setup idempotent and teardown complete.
import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Mount points from /proc/self/mountinfo (octal escapes such as \040 decoded). */
export async function listMountPoints(): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    out.push(f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))));
  }
  return out;
}

/** Whether path (symlinks resolved, as the mount table records it) is a mount point. */
export async function isMountPoint(path: string): Promise<boolean> {
  let real = path;
  try { real = await realpath(path); } catch { /* compare as given */ }
  return (await listMountPoints()).includes(real);
}

/** Mount points at or below dir, deepest first (the order to unmount them in). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const all = (await listMountPoints()).filter((m) => m === dir || m.startsWith(prefix));
  return [...new Set(all)].sort((a, b) => b.length - a.length);
}

/** mount -t tmpfs [-o size=N] tmpfs dir. */
export async function mountTmpfs(dir: string, sizeBytes: number | undefined): Promise<void> {
  const args = ['-t', 'tmpfs'];
  if (sizeBytes !== undefined && sizeBytes > 0) args.push('-o', `size=${sizeBytes}`);
  try {
    await run('mount', [...args, 'tmpfs', dir]);
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(`mount failed: ${err.message.split('\n')[0]}\nMounting command: mount\nMounting arguments: ${[...args, 'tmpfs', dir].join(' ')}\nOutput: ${(err.stderr ?? '').trim()}`);
  }
}

/** umount dir; a path that is no longer mounted is not an error. */
export async function unmount(dir: string): Promise<void> {
  try {
    await run('umount', [dir]);
  } catch (e) {
    if (!await isMountPoint(dir)) return;
    const err = e as { stderr?: string; message: string };
    throw new Error(`unmount ${dir} failed: ${(err.stderr ?? err.message).trim()}`);
  }
}
