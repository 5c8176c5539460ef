// A private network for the proxiers' kernel tests: a "client" namespace (where the proxy's
// rules go and clients run) holding a bridge at <subnet>.1 (the node IP), and N "server"
// namespaces on that bridge at <subnet>.10+i, each answering HTTP on TCP 8080 and UDP 8081 with
// its name. A long-lived agent process inside the client namespace makes the requests, so a test
// can time how fast a connection fails.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync } from 'node:fs';
import { execRunner } from '../../src/exec.js';
import type { CommandRunner } from '../../src/types.js';

export const SERVER_HTTP_PORT = 8080;
export const SERVER_UDP_PORT = 8081;

export function haveNetTools(): boolean {
  if (process.getuid?.() !== 0) return false;
  return ['/usr/sbin/ip', '/usr/sbin/nft', '/usr/sbin/iptables', '/usr/sbin/iptables-restore', '/usr/sbin/conntrack']
    .every((p) => existsSync(p) || existsSync(p.replace('/usr/sbin', '/sbin')));
}

export interface ProbeResult { ok: boolean; body?: string; code?: string; ms: number }

export interface TestNet {
  /** Namespace where the rules go and the clients run. */
  client: string;
  /** The bridge address inside the client namespace: a local address, used as the node IP. */
  nodeIP: string;
  servers: Array<{ ns: string; ip: string; name: string }>;
  /** Runs commands inside the client namespace. */
  runner: CommandRunner;
  /** GET http://ip:port/ from the client namespace; resolves the body (the server's name), rejects with err.code set. */
  httpGet(ip: string, port: number, timeoutMs?: number): Promise<string>;
  /** One UDP datagram to ip:port; resolves the reply (the server's name). */
  udpRequest(ip: string, port: number, timeoutMs?: number): Promise<string>;
  /** A TCP connect (then close) with its outcome and duration, for fail-fast checks. */
  tcpConnect(ip: string, port: number, timeoutMs?: number): Promise<ProbeResult>;
  cleanup(): Promise<void>;
}

function ip(args: string[]): void { execFileSync('ip', args, { stdio: 'pipe' }); }
function ipns(ns: string, args: string[]): void { ip(['netns', 'exec', ns, ...args]); }
function delNetns(ns: string): void { try { ip(['netns', 'del', ns]); } catch { /* absent */ } }

const SERVER_JS = `
const http = require('node:http'); const dgram = require('node:dgram');
const name = process.argv[1];
let up = 0; const ready = () => { if (++up === 2) console.log('ready'); };
http.createServer((req, res) => { res.end(name); }).listen(${SERVER_HTTP_PORT}, '0.0.0.0', ready);
const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(name, r.port, r.address)); u.bind(${SERVER_UDP_PORT}, '0.0.0.0', ready);
`;

// Reads JSON requests on stdin, answers one JSON line each.
const AGENT_JS = `
const http = require('node:http'); const net = require('node:net'); const dgram = require('node:dgram');
const rl = require('node:readline').createInterface({ input: process.stdin });
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n');
rl.on('line', (line) => {
  const q = JSON.parse(line); const t0 = Date.now(); let done = false;
  const fin = (o) => { if (done) return; done = true; out({ id: q.id, ms: Date.now() - t0, ...o }); };
  const timer = setTimeout(() => fin({ ok: false, code: 'ETIMEDOUT' }), q.timeoutMs);
  const end = (o) => { clearTimeout(timer); fin(o); };
  if (q.kind === 'http') {
    const req = http.get({ host: q.ip, port: q.port, path: '/', agent: false }, (res) => {
      let b = ''; res.on('data', (d) => { b += d; }); res.on('end', () => end({ ok: true, body: b }));
    });
    req.on('error', (e) => end({ ok: false, code: e.code }));
    setTimeout(() => req.destroy(), q.timeoutMs);
  } else if (q.kind === 'tcp') {
    const s = net.connect({ host: q.ip, port: q.port }, () => { s.destroy(); end({ ok: true }); });
    s.on('error', (e) => end({ ok: false, code: e.code }));
    setTimeout(() => s.destroy(), q.timeoutMs);
  } else {
    const s = dgram.createSocket('udp4');
    s.on('message', (m) => { s.close(); end({ ok: true, body: m.toString() }); });
    s.on('error', (e) => { s.close(); end({ ok: false, code: e.code }); });
    s.send('ping', q.port, q.ip);
    setTimeout(() => { try { s.close(); } catch {} }, q.timeoutMs);
  }
});
`;

export async function makeTestNet(prefix: string, subnet: string, servers: number): Promise<TestNet> {
  const client = `${prefix}-c`;
  const serverNs = Array.from({ length: servers }, (_, i) => `${prefix}-s${i}`);
  // Leftovers of a crashed run go first (their processes die with nothing left to serve).
  for (const ns of [client, ...serverNs]) delNetns(ns);

  const procs: ChildProcess[] = [];
  const cleanup = async (): Promise<void> => {
    for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    for (const ns of [client, ...serverNs]) delNetns(ns);
  };

  try {
    ip(['netns', 'add', client]);
    ipns(client, ['ip', 'link', 'set', 'lo', 'up']);
    ipns(client, ['ip', 'link', 'add', 'br0', 'type', 'bridge']);
    ipns(client, ['ip', 'addr', 'add', `${subnet}.1/24`, 'dev', 'br0']);
    ipns(client, ['ip', 'link', 'set', 'br0', 'up']);
    // Every other destination (service VIPs before DNAT) is routed onto the bridge, inside the namespace.
    ipns(client, ['ip', 'route', 'add', 'default', 'dev', 'br0']);
    const list: TestNet['servers'] = [];
    for (const [i, ns] of serverNs.entries()) {
      const addr = `${subnet}.${10 + i}`;
      ip(['netns', 'add', ns]);
      ipns(client, ['ip', 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      ipns(client, ['ip', 'link', 'set', `v${i}`, 'master', 'br0', 'up']);
      ipns(ns, ['ip', 'link', 'set', 'lo', 'up']);
      ipns(ns, ['ip', 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
      ipns(ns, ['ip', 'link', 'set', 'eth0', 'up']);
      ipns(ns, ['ip', 'route', 'add', 'default', 'via', `${subnet}.1`]);
      const name = `server-${i}`;
      const p = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER_JS, name], { stdio: ['ignore', 'pipe', 'inherit'] });
      procs.push(p);
      await new Promise<void>((resolve, reject) => {
        p.stdout?.once('data', () => resolve());
        p.once('exit', (c) => reject(new Error(`server ${name} exited ${c}`)));
      });
      list.push({ ns, ip: addr, name });
    }

    const agent = spawn('ip', ['netns', 'exec', client, process.execPath, '-e', AGENT_JS], { stdio: ['pipe', 'pipe', 'inherit'] });
    procs.push(agent);
    const pending = new Map<number, (r: ProbeResult) => void>();
    createInterface({ input: agent.stdout! }).on('line', (line) => {
      const r = JSON.parse(line) as ProbeResult & { id: number };
      pending.get(r.id)?.(r);
      pending.delete(r.id);
    });
    let nextId = 1;
    const ask = (kind: 'http' | 'tcp' | 'udp', addr: string, port: number, timeoutMs: number): Promise<ProbeResult> => {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        agent.stdin!.write(`${JSON.stringify({ id, kind, ip: addr, port, timeoutMs })}\n`);
      });
    };
    const fail = (r: ProbeResult, what: string): never => {
      const e = new Error(`${what}: ${r.code ?? 'failed'} after ${r.ms} ms`) as Error & { code?: string };
      e.code = r.code;
      throw e;
    };

    return {
      client,
      nodeIP: `${subnet}.1`,
      servers: list,
      runner: execRunner(client),
      async httpGet(addr, port, timeoutMs = 3000) {
        const r = await ask('http', addr, port, timeoutMs);
        return r.ok ? r.body ?? '' : fail(r, `GET http://${addr}:${port}/`);
      },
      async udpRequest(addr, port, timeoutMs = 2000) {
        const r = await ask('udp', addr, port, timeoutMs);
        return r.ok ? r.body ?? '' : fail(r, `UDP ${addr}:${port}`);
      },
      tcpConnect: (addr, port, timeoutMs = 3000) => ask('tcp', addr, port, timeoutMs),
      cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
