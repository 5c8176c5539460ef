// A local OCI registry for image-pull e2e tests: Debian's docker-registry (distribution v2.8) on
// 127.0.0.1:<free port> with filesystem storage in a temp dir, and the project's busybox image
// pushed to it with skopeo. stop() kills only the process started here (by PID) and removes the dir.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import http from 'node:http';
import { promisify } from 'node:util';
import { freePort } from '../../../raftkv/test/support/servers.js';
import { ensureImages, TEST_ROOT } from './containerd.js';

const pexec = promisify(execFile);
export const REGISTRY_BIN = '/usr/bin/docker-registry';
export const SKOPEO_BIN = '/usr/bin/skopeo';

export interface TestRegistry {
  /** 127.0.0.1:<port>, the image reference prefix and the REGISTRY_MIRRORS value. */
  host: string;
  port: number;
  dir: string;
  pid: number;
  /** `<host>/kube-ts/busybox:1.35`, pushed at start. */
  busybox: string;
  log(): string;
  stop(): Promise<void>;
}

/** True when docker-registry and skopeo are installed (apt: docker-registry skopeo). */
export function haveRegistryTools(): boolean {
  return existsSync(REGISTRY_BIN) && existsSync(SKOPEO_BIN);
}

function v2Status(port: number): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/v2/', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once('exit', () => r()));
}

export async function startRegistry(): Promise<TestRegistry> {
  const images = await ensureImages();
  const dir = mkdtempSync(join(TEST_ROOT, 'registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = join(dir, 'config.yml');
  // JSON is valid YAML; no auth, no TLS, storage under dir.
  writeFileSync(config, JSON.stringify({
    version: 0.1,
    log: { level: 'warn', accesslog: { disabled: true } },
    storage: { filesystem: { rootdirectory: join(dir, 'data') }, delete: { enabled: true } },
    http: { addr: host },
  }));
  let log = '';
  const child = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  const onData = (d: Buffer): void => { log = (log + d.toString()).slice(-200_000); };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited(child);
    clearTimeout(t);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 15_000;
    while ((await v2Status(port)) !== 200) {
      if (child.exitCode !== null) throw new Error(`docker-registry exited ${child.exitCode}: ${log}`);
      if (Date.now() > deadline) throw new Error(`docker-registry did not answer /v2/ on ${host}: ${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const busybox = `${host}/kube-ts/busybox:1.35`;
    await pexec(SKOPEO_BIN, ['copy', '--quiet', '--dest-tls-verify=false', `docker-archive:${join(images, 'busybox.tar')}`, `docker://${busybox}`], { maxBuffer: 8 << 20 });
    return { host, port, dir, pid: child.pid ?? 0, busybox, log: () => log, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
