// Filesystem figures for the summary: statfs for capacity/available/inodes of a filesystem, and a
// du-like walk (allocated blocks, inode count) for what a directory tree uses on it.
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

export interface FsInfo {
  capacityBytes: number;
  availableBytes: number;
  /** Bytes in use on the whole filesystem: (blocks - bfree) * bsize. */
  usedBytes: number;
  inodes: number;
  inodesFree: number;
}

export async function fsInfo(path: string): Promise<FsInfo | undefined> {
  try {
    const s = await statfs(path);
    return {
      capacityBytes: s.blocks * s.bsize,
      availableBytes: s.bavail * s.bsize,
      usedBytes: (s.blocks - s.bfree) * s.bsize,
      inodes: s.files,
      inodesFree: s.ffree,
    };
  } catch {
    return undefined;
  }
}

export interface DiskUsage { bytes: number; inodes: number }

/** Allocated bytes and inodes under `path` (symlinks not followed); undefined when it does not exist. */
export async function diskUsage(path: string): Promise<DiskUsage | undefined> {
  let root;
  try {
    root = await lstat(path);
  } catch {
    return undefined;
  }
  const total: DiskUsage = { bytes: root.blocks * 512, inodes: 1 };
  const seen = new Set<number>([root.ino]);
  const walk = async (dir: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      let st;
      try {
        st = await lstat(p);
      } catch {
        continue; // removed while walking
      }
      if (st.dev !== root.dev) continue;
      if (!seen.has(st.ino)) {
        seen.add(st.ino);
        total.bytes += st.blocks * 512;
        total.inodes++;
      }
      if (st.isDirectory()) await walk(p);
    }
  };
  if (root.isDirectory()) await walk(path);
  return total;
}
