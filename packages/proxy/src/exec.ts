// The CommandRunner the daemon uses: spawns the command, optionally inside a named network
// namespace (`ip netns exec NAME ...`) so tests and the bench never touch the host's tables.
import { spawn } from 'node:child_process';
import type { CommandResult, CommandRunner } from './types.js';

export function execRunner(netns?: string): CommandRunner {
  return {
    run(cmd: string, args: string[], stdin?: string): Promise<CommandResult> {
      const [file, argv] = netns ? ['ip', ['netns', 'exec', netns, cmd, ...args]] : [cmd, args];
      return new Promise((resolve, reject) => {
        const child = spawn(file, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() }));
        // A command that exits before reading stdin must not crash us with EPIPE.
        child.stdin.on('error', () => undefined);
        child.stdin.end(stdin ?? '');
      });
    },
  };
}
