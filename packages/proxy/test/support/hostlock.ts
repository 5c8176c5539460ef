// kube-proxy programs the host's own tables, so at most one test file may run one on the host at
// a time (vitest runs files in parallel). A lock directory holding the owner's PID serialises
// them across worker processes; a lock whose owner died is taken over.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';

const LOCK_DIR = '/run/kube-ts-test-host-proxy.lock';

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(`${LOCK_DIR}/pid`, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: alive but not ours; anything else (ENOENT, ESRCH): gone or half-written.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryTake(): boolean {
  // Built aside and renamed into place, so a lock never exists without its PID.
  const mine = `${LOCK_DIR}.${process.pid}`;
  rmSync(mine, { recursive: true, force: true });
  mkdirSync(mine);
  writeFileSync(`${mine}/pid`, String(process.pid));
  try {
    renameSync(mine, LOCK_DIR);
    return true;
  } catch {
    rmSync(mine, { recursive: true, force: true });
    if (!ownerAlive()) rmSync(LOCK_DIR, { recursive: true, force: true });
    return false;
  }
}

export async function withHostProxyLock<T>(fn: () => Promise<T>, timeoutMs = 15 * 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (!tryTake()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK_DIR}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  try {
    return await fn();
  } finally {
    rmSync(LOCK_DIR, { recursive: true, force: true });
  }
}
