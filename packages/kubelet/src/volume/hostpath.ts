// hostPath volumes: the path is used as it is; its `type` is checked (and created for the
// ...OrCreate types) as upstream's hostpath plugin does, with its error texts.
import { closeSync, mkdirSync, openSync, statSync, constants } from 'node:fs';

const STRERROR: Record<string, string> = {
  ENOENT: 'no such file or directory', EACCES: 'permission denied', ENOTDIR: 'not a directory',
  EEXIST: 'file exists', EROFS: 'read-only file system', EPERM: 'operation not permitted',
};

/** A Go-style "op path: strerror" message for a failed syscall. */
function goError(op: string, path: string, e: unknown): Error {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return new Error(`${op} ${path}: ${STRERROR[code] ?? (e as Error).message}`);
}

function kind(path: string): 'dir' | 'file' | 'socket' | 'char' | 'block' | 'other' | undefined {
  let st;
  try { st = statSync(path); } catch { return undefined; }
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'other';
}

/** validation.ValidatePathNoBacksteps. */
export function validatePathNoBacksteps(p: string): void {
  if (p.split('/').includes('..')) throw new Error("must not contain '..'");
}

/** hostPath SetUp: path validation and the type check. */
export function checkHostPath(path: string, type: string | undefined): void {
  try { validatePathNoBacksteps(path); } catch (e) { throw new Error(`invalid HostPath \`${path}\`: ${(e as Error).message}`); }
  const t = type ?? '';
  let k = kind(path);
  if (t === 'DirectoryOrCreate' && k === undefined) {
    try { mkdirSync(path, { recursive: true, mode: 0o755 }); } catch (e) { throw goError('mkdir', path, e); }
    return;
  }
  if (t === 'FileOrCreate' && k === undefined) {
    try { closeSync(openSync(path, constants.O_CREAT | constants.O_RDONLY, 0o644)); } catch (e) { throw goError('open', path, e); }
    k = 'file';
  }
  switch (t) {
    case '':
      return;
    case 'DirectoryOrCreate':
    case 'Directory':
      if (k !== 'dir') throw new Error(`hostPath type check failed: ${path} is not a directory`);
      return;
    case 'FileOrCreate':
    case 'File':
      if (k !== 'file') throw new Error(`hostPath type check failed: ${path} is not a file`);
      return;
    case 'Socket':
      if (k !== 'socket') throw new Error(`hostPath type check failed: ${path} is not a socket file`);
      return;
    case 'CharDevice':
      if (k !== 'char') throw new Error(`hostPath type check failed: ${path} is not a character device`);
      return;
    case 'BlockDevice':
      if (k !== 'block') throw new Error(`hostPath type check failed: ${path} is not a block device`);
      return;
    default:
      throw new Error(`${t} is an invalid volume type`);
  }
}
