import { execFile } from 'node:child_process';

export class ExecError extends Error {
  constructor(
    readonly file: string,
    readonly args: readonly string[],
    readonly stderr: string,
    readonly stdout: string,
    readonly exitCode: number | null,
  ) {
    super(`${file} ${args.join(' ')}: ${stderr.trim() || `exit ${String(exitCode)}`}`);
    this.name = 'ExecError';
  }
}

export interface ExecOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** Runs a program without a shell; resolves with stdout, rejects with ExecError. */
export function run(file: string, args: readonly string[], opts: ExecOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024, env: opts.env ?? process.env },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
          reject(new ExecError(file, args, stderr, stdout, code));
        } else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}
