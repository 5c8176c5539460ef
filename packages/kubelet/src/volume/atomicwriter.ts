// Upstream's AtomicWriter (pkg/volume/util/atomic_writer.go): a volume's files live in a
// timestamped directory `..2026_01_02_15_04_05.xxxx`; `..data` is a symlink to it and every
// user-visible top-level name is a symlink `name -> ..data/name`. An update writes a whole new
// timestamped directory and swaps `..data` with one rename, so a reader sees either all old or all
// new files, never a half-written one.
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { basename, join, normalize, posix } from 'node:path';
import type { Payload } from './types.js';

export const DATA_DIR_NAME = '..data';
export const NEW_DATA_DIR_NAME = '..data_tmp';
const MAX_FILE_NAME_LENGTH = 255;
const MAX_PATH_LENGTH = 4096;

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** validatePath: relative, no '..' element, no leading '..name', bounded lengths. */
export function validatePath(p: string): void {
  if (p === '') throw new Error('invalid path: must not be empty: ""');
  if (posix.isAbsolute(p)) throw new Error(`invalid path: must be relative path: ${p}`);
  if (p.length > MAX_PATH_LENGTH) throw new Error(`invalid path: must be less than or equal to ${MAX_PATH_LENGTH} characters`);
  const items = p.split('/');
  for (const item of items) {
    if (item === '..') throw new Error(`invalid path: must not contain '..': ${p}`);
    if (item.length > MAX_FILE_NAME_LENGTH) throw new Error(`invalid path: filenames must be less than or equal to ${MAX_FILE_NAME_LENGTH} characters`);
  }
  if (items[0]!.startsWith('..') && items[0]!.length > 2) throw new Error(`invalid path: must not start with '..': ${p}`);
}

function cleanPayload(payload: Payload): Payload {
  const out: Payload = new Map();
  for (const [p, f] of payload) {
    validatePath(p);
    out.set(posix.normalize(p).replace(/\/$/, ''), f);
  }
  return out;
}

/** Every path (files and directories) under dir, relative to it. */
async function walk(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    out.push(rel);
    if (e.isDirectory()) out.push(...await walk(join(dir, e.name), rel));
  }
  return out;
}

async function pathsToRemove(payload: Payload, oldTsPath: string): Promise<Set<string>> {
  let current: string[];
  try { current = await walk(oldTsPath); } catch (e) { if (errno(e) === 'ENOENT') return new Set(); throw e; }
  const keep = new Set<string>();
  for (const file of payload.keys()) {
    for (let sub = file; sub !== '' && sub !== '.'; sub = posix.dirname(sub)) keep.add(sub);
  }
  return new Set(current.filter((p) => !keep.has(p)));
}

async function shouldWritePayload(payload: Payload, oldTsPath: string): Promise<boolean> {
  for (const [p, f] of payload) {
    let onDisk: Buffer;
    try { onDisk = await readFile(join(oldTsPath, p)); } catch (e) { if (errno(e) === 'ENOENT') return true; throw e; }
    if (!onDisk.equals(f.data)) return true;
  }
  return false;
}

function tsDirPrefix(nowMs: number): string {
  const d = new Date(nowMs);
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `..${d.getUTCFullYear()}_${p2(d.getUTCMonth() + 1)}_${p2(d.getUTCDate())}_${p2(d.getUTCHours())}_${p2(d.getUTCMinutes())}_${p2(d.getUTCSeconds())}.`;
}

async function writePayloadToDir(payload: Payload, dir: string): Promise<void> {
  for (const [p, f] of payload) {
    const full = join(dir, p);
    await mkdir(join(full, '..'), { recursive: true, mode: 0o777 });
    await writeFile(full, f.data, { mode: f.mode });
    // writeFile's mode is masked by the umask: set it exactly.
    await chmod(full, f.mode);
    if (f.fsUser !== undefined) await chown(full, f.fsUser, -1);
  }
}

async function createUserVisibleFiles(targetDir: string, payload: Payload): Promise<void> {
  for (const p of payload.keys()) {
    const top = p.split('/')[0]!;
    try {
      await readlink(join(targetDir, top));
    } catch (e) {
      if (errno(e) !== 'ENOENT') throw e;
      await symlink(join(DATA_DIR_NAME, top), join(targetDir, top));
    }
  }
}

export interface AtomicWriteOptions {
  /** Milliseconds since the epoch, for the timestamped directory's name. */
  now: () => number;
  /** Runs on the new timestamped directory's name before it becomes visible (fsGroup ownership). */
  setPerms?: (tsDirName: string) => Promise<void>;
}

/**
 * Makes targetDir hold exactly `payload` (paths relative to it). Resolves to whether anything
 * was written (false when the current files already have this content).
 */
export async function writeAtomic(targetDir: string, payload: Payload, opts: AtomicWriteOptions): Promise<boolean> {
  const clean = cleanPayload(payload);
  const dataDirPath = join(targetDir, DATA_DIR_NAME);
  let oldTsDir = '';
  try { oldTsDir = await readlink(dataDirPath); } catch (e) { if (errno(e) !== 'ENOENT') throw e; }
  const oldTsPath = oldTsDir ? join(targetDir, oldTsDir) : '';
  let toRemove = new Set<string>();
  if (oldTsDir) {
    toRemove = await pathsToRemove(clean, oldTsPath);
    if (toRemove.size === 0 && !await shouldWritePayload(clean, oldTsPath)) return false;
  }
  const tsDir = await mkdtemp(join(targetDir, tsDirPrefix(opts.now())));
  const tsDirName = basename(tsDir);
  try {
    // mkdtemp creates 0700: group and other must be able to traverse it.
    await chmod(tsDir, 0o755);
    await writePayloadToDir(clean, tsDir);
    await opts.setPerms?.(tsDirName);
    const newDataDirPath = join(targetDir, NEW_DATA_DIR_NAME);
    await rm(newDataDirPath, { force: true });
    await symlink(tsDirName, newDataDirPath);
    await rename(newDataDirPath, dataDirPath);
  } catch (e) {
    await rm(tsDir, { recursive: true, force: true });
    throw e;
  }
  await createUserVisibleFiles(targetDir, clean);
  // Only the volume root holds symlinks; deeper stale paths go with the old directory.
  for (const p of toRemove) {
    if (p.includes('/')) continue;
    try { await unlink(join(targetDir, p)); } catch (e) { if (errno(e) !== 'ENOENT') throw e; }
  }
  if (oldTsPath && normalize(oldTsPath) !== normalize(tsDir)) await rm(oldTsPath, { recursive: true, force: true });
  return true;
}

/** Whether dir already holds an atomic writer's data (a `..data` symlink). */
export async function hasData(dir: string): Promise<boolean> {
  try { return (await lstat(join(dir, DATA_DIR_NAME))).isSymbolicLink(); } catch { return false; }
}
