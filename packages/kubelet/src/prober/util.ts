// Helpers shared by the probe actions: port resolution (pkg/probe ResolveContainerPort) and
// $(VAR) expansion of exec commands (ExpandContainerCommandOnlyStatic).
import type { Container } from '@kube-ts/client';
import type { ContainerEnv, ContainerPortSpec, IntOrString } from './types.js';

export class ProbeError extends Error {}

/** strconv.Atoi: optional sign, decimal digits only. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new ProbeError(`strconv.Atoi: parsing "${s}": invalid syntax`);
  const n = Number(s);
  if (!Number.isSafeInteger(n) || Math.abs(n) > 2 ** 63 - 1) throw new ProbeError(`strconv.Atoi: parsing "${s}": value out of range`);
  return n;
}

/** A port number, or a named port of the container (a numeric string works as a last resort). */
export function resolveContainerPort(param: IntOrString | undefined, container: Container): number {
  let port: number;
  if (typeof param === 'number') {
    port = param;
  } else if (typeof param === 'string') {
    const named = ((container.ports ?? []) as ContainerPortSpec[]).find((p) => p.name === param);
    port = named ? named.containerPort : atoi(param);
  } else {
    throw new ProbeError(`intOrString had no kind: ${String(param)}`);
  }
  if (Number.isInteger(port) && port > 0 && port < 65536) return port;
  throw new ProbeError(`invalid port number: ${port}`);
}

/** third_party/forked/golang/expansion.Expand: $(VAR) from `env`, $$ escapes, unknown kept verbatim. */
export function expand(input: string, env: Map<string, string>): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const ch = input[i]!;
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      i++;
      continue;
    }
    const next = input[i + 1]!;
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '(') {
      const close = input.indexOf(')', i + 2);
      if (close < 0) {
        out += '$(';
        i += 2;
        continue;
      }
      const name = input.slice(i + 2, close);
      out += env.has(name) ? env.get(name)! : `$(${name})`;
      i = close + 1;
    } else {
      out += `$${next}`;
      i += 2;
    }
  }
  return out;
}

/** Exec probes see only the container's literal env values (no downward API or secrets). */
export function expandCommand(command: string[], container: Container): string[] {
  const env = new Map<string, string>();
  for (const e of (container.env ?? []) as ContainerEnv[]) env.set(e.name, e.value ?? '');
  return command.map((c) => expand(c, env));
}
