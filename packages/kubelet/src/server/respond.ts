// Small response helpers: upstream writes plain-text errors (go-restful WriteError) and JSON bodies.
import type { ServerResponse } from 'node:http';

export function writeText(res: ServerResponse, code: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers });
  res.end(body);
}

export function writeJSON(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** A Go-style %q: a double-quoted string with JSON escapes (the same for the names we print). */
export function q(s: string): string {
  return JSON.stringify(s);
}
