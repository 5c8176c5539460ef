import { asCniError } from './errors.js';
import { SUPPORTED_VERSIONS } from './types.js';

export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return '';
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** cniVersion to echo in errors/VERSION: the config's when it is readable, else 1.0.0. */
export function guessVersion(stdin: string): string {
  try {
    const v = (JSON.parse(stdin) as { cniVersion?: unknown }).cniVersion;
    return typeof v === 'string' && v !== '' ? v : '1.0.0';
  } catch {
    return '1.0.0';
  }
}

export function versionInfo(stdin: string): Record<string, unknown> {
  return { cniVersion: guessVersion(stdin), supportedVersions: [...SUPPORTED_VERSIONS] };
}

/** Runs a plugin main: stdout gets the result JSON, or the error JSON with exit code 1. */
export async function pluginMain(body: (stdin: string) => Promise<unknown>): Promise<void> {
  const stdin = await readStdin();
  try {
    const out = await body(stdin);
    if (out !== undefined) process.stdout.write(JSON.stringify(out) + '\n');
    process.exitCode = 0;
  } catch (e) {
    process.stdout.write(JSON.stringify(asCniError(e).toJSON(guessVersion(stdin))) + '\n');
    process.exitCode = 1;
  }
}
