import { execFile, spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { withLock } from '../src/ipam/lock.js';

const pexec = promisify(execFile);

export const PKG_DIR = new URL('..', import.meta.url).pathname;
export const BRIDGE_BIN = `${PKG_DIR}dist/bridge.js`;
export const HOSTLOCAL_BIN = `${PKG_DIR}dist/host-local.js`;
export const REF_DIR = '/usr/lib/cni';

export async function sh(file: string, args: string[]): Promise<string> {
  return (await pexec(file, args, { maxBuffer: 16 << 20 })).stdout;
}

/** Builds dist; serialized across test workers so two tsc runs never write dist at once. */
export async function build(): Promise<void> {
  await withLock(join(tmpdir(), 'ktscni-build.lock'), async () => {
    await pexec('npx', ['tsc', '-p', `${PKG_DIR}tsconfig.json`], { cwd: `${PKG_DIR}../..` });
    await pexec('chmod', ['+x', BRIDGE_BIN, HOSTLOCAL_BIN]);
  }, 120_000);
}

export interface PluginRun {
  code: number;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | undefined;
}

/** Execs a CNI plugin as a runtime would: env + config on stdin. */
export function runPlugin(bin: string, env: Record<string, string>, stdin: string): Promise<PluginRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [], { env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = stdout.trim() ? (JSON.parse(stdout) as Record<string, unknown>) : undefined;
      } catch {
        json = undefined;
      }
      resolve({ code: code ?? -1, stdout, stderr, json });
    });
    child.stdin.end(stdin);
  });
}

export function cniEnv(command: string, id: string, netns: string, ifname = 'eth0', path = REF_DIR): Record<string, string> {
  return { CNI_COMMAND: command, CNI_CONTAINERID: id, CNI_NETNS: netns, CNI_IFNAME: ifname, CNI_PATH: path };
}

export const isRoot = (): boolean => typeof process.getuid === 'function' && process.getuid() === 0;

/** Removes everything a (possibly crashed) run left: kts-cni-* netns, ktscni* links, iptables chains tagged ktscni. */
export async function cleanupKernel(dataDirs: string[]): Promise<void> {
  const ns = (await sh('ip', ['netns', 'list']).catch(() => ''))
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith('kts-cni-'));
  for (const n of ns) await sh('ip', ['netns', 'del', n]).catch(() => undefined);
  const links = JSON.parse((await sh('ip', ['-j', 'link', 'show']).catch(() => '[]')) || '[]') as { ifname: string }[];
  for (const l of links) {
    if (l.ifname.startsWith('ktscni')) await sh('ip', ['link', 'del', 'dev', l.ifname]).catch(() => undefined);
  }
  const rules = (await sh('iptables', ['-w', '5', '-t', 'nat', '-S']).catch(() => '')).split('\n');
  const chains = new Set<string>();
  const dels: string[] = [];
  for (const r of rules) {
    if (!r.includes('ktscni')) continue;
    const m = / -j (CNI-[0-9a-f]+)$/.exec(r);
    if (r.startsWith('-A POSTROUTING ') && m?.[1]) {
      chains.add(m[1]);
      dels.push('-D' + r.slice(2));
    } else if (r.startsWith('-A CNI-')) {
      chains.add(r.split(' ')[1] ?? '');
    }
  }
  for (const c of chains) dels.push(`-F ${c}`, `-X ${c}`);
  if (dels.length > 0) {
    await new Promise<void>((resolve) => {
      const p = spawn('iptables-restore', ['-w', '5', '--noflush']);
      p.on('close', () => resolve());
      p.stdin.end(['*nat', ...dels, 'COMMIT', ''].join('\n'));
    });
  }
  for (const d of dataDirs) await rm(d, { recursive: true, force: true });
}

/** Whether the nat table exists (iptables-nft creates `table ip nat` on first use). */
export async function natTableExists(table = 'nat'): Promise<boolean> {
  return sh('nft', ['list', 'table', 'ip', table]).then(() => true, () => false);
}

/**
 * Deletes the nat table when this run created it and it holds no rules any more (only the base
 * chains iptables made for our masquerade rules): a machine is left as the run found it.
 */
export async function dropNatTableIfCreated(existedBefore: boolean, table = 'nat'): Promise<void> {
  if (existedBefore) return;
  const rules = (await sh('iptables', ['-w', '5', '-t', table, '-S']).catch(() => '')).split('\n').filter(Boolean);
  if (rules.every((r) => r.startsWith('-P '))) await sh('nft', ['delete', 'table', 'ip', table]).catch(() => undefined);
}

export async function natRules(): Promise<string> {
  return sh('iptables', ['-w', '5', '-t', 'nat', '-S']);
}
