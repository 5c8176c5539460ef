// An nft transaction script (`nft -f -` input), written line by line in the syntax knftables
// produces, so the transaction reads like upstream's `--v=9` dump. Every command names the
// family and table explicitly.
import { FAMILY, TABLE } from './names.js';

const T = `${FAMILY} ${TABLE}`;

/** Go's %q for the ASCII strings we use as comments. */
function q(s: string): string {
  return JSON.stringify(s);
}

export interface SetOptions {
  flags?: string[];
  timeoutSeconds?: number;
  comment?: string;
}

export interface BaseChainSpec {
  type: 'filter' | 'nat';
  hook: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
  priority: number;
}

export class NftScript {
  private readonly lines: string[] = [];

  get length(): number {
    return this.lines.length;
  }

  text(): string {
    return this.lines.length === 0 ? '' : `${this.lines.join('\n')}\n`;
  }

  /** Lines, for tests. */
  commands(): readonly string[] {
    return this.lines;
  }

  raw(line: string): void {
    this.lines.push(line);
  }

  addTable(comment?: string): void {
    this.lines.push(comment === undefined ? `add table ${T}` : `add table ${T} { comment ${q(comment)} ; }`);
  }

  deleteTable(): void {
    this.lines.push(`delete table ${T}`);
  }

  addChain(name: string, base?: BaseChainSpec, comment?: string): void {
    const parts: string[] = [];
    if (base) parts.push(` type ${base.type} hook ${base.hook} priority ${base.priority} ;`);
    if (comment !== undefined) parts.push(` comment ${q(comment)} ;`);
    this.lines.push(parts.length === 0 ? `add chain ${T} ${name}` : `add chain ${T} ${name} {${parts.join('')} }`);
  }

  flushChain(name: string): void {
    this.lines.push(`flush chain ${T} ${name}`);
  }

  deleteChain(name: string): void {
    this.lines.push(`delete chain ${T} ${name}`);
  }

  /** `rule` already carries its trailing ` comment "..."` when it has one (see ruleText). */
  addRule(chain: string, rule: string): void {
    this.lines.push(`add rule ${T} ${chain} ${rule}`);
  }

  addSet(kind: 'set' | 'map', name: string, type: string, opts: SetOptions = {}): void {
    let body = ` type ${type} ;`;
    if (opts.flags && opts.flags.length > 0) body += ` flags ${opts.flags.join(',')} ;`;
    if (opts.timeoutSeconds !== undefined) body += ` timeout ${opts.timeoutSeconds}s ;`;
    if (opts.comment !== undefined) body += ` comment ${q(opts.comment)} ;`;
    this.lines.push(`add ${kind} ${T} ${name} {${body} }`);
  }

  flushSet(kind: 'set' | 'map', name: string): void {
    this.lines.push(`flush ${kind} ${T} ${name}`);
  }

  deleteSet(kind: 'set' | 'map', name: string): void {
    this.lines.push(`delete ${kind} ${T} ${name}`);
  }

  addElement(container: string, key: readonly string[], value?: readonly string[], comment?: string): void {
    let e = key.join(' . ');
    if (comment !== undefined) e += ` comment ${q(comment)}`;
    if (value && value.length > 0) e += ` : ${value.join(' . ')}`;
    this.lines.push(`add element ${T} ${container} { ${e} }`);
  }

  deleteElement(container: string, key: readonly string[]): void {
    this.lines.push(`delete element ${T} ${container} { ${key.join(' . ')} }`);
  }
}

/** A rule's text with its optional comment, as knftables writes it. */
export function ruleText(rule: string, comment?: string): string {
  return comment === undefined ? rule : `${rule} comment ${q(comment)}`;
}
