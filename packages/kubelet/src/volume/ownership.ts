// volume.SetVolumeOwnership: with a pod fsGroup, every file of the volume gets that group and
// group read (plus write unless the volume is read-only); directories also get group execute and
// the setgid bit so new files inherit the group. Symlinks only change group.
import { chmod, lchown, lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
const SETGID = 0o2000;

async function change(path: string, gid: number, readOnly: boolean): Promise<void> {
  await lchown(path, -1, gid);
  const st = await lstat(path);
  if (st.isSymbolicLink()) return;
  let mask = readOnly ? RO_MASK : RW_MASK;
  if (st.isDirectory()) mask |= SETGID | EXEC_MASK;
  await chmod(path, (st.mode & 0o7777) | mask);
}

async function walk(path: string, gid: number, readOnly: boolean): Promise<void> {
  await change(path, gid, readOnly);
  const st = await lstat(path);
  if (!st.isDirectory()) return;
  for (const name of await readdir(path)) await walk(join(path, name), gid, readOnly);
}

/**
 * Applies fsGroup to dir and everything below it. With policy OnRootMismatch a root that already
 * has the group, the group permissions and setgid is left alone (upstream's skip rule).
 */
export async function setVolumeOwnership(dir: string, fsGroup: number | undefined, readOnly: boolean, policy?: string): Promise<void> {
  if (fsGroup === undefined || fsGroup === null) return;
  if (policy === 'OnRootMismatch') {
    const st = await stat(dir);
    const mask = (readOnly ? RO_MASK : RW_MASK) | SETGID | EXEC_MASK;
    if (st.gid === fsGroup && (st.mode & mask) === mask) return;
  }
  await walk(dir, fsGroup, readOnly);
}
