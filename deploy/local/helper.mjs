#!/usr/bin/env node
// Small tasks for deploy/local-up.sh and local-down.sh that shell does badly (no curl or crictl
// needed on the node):
//   wait-http URL [--timeout S] [--pid PID] [--ca FILE | --insecure] [--token T]
//       waits until URL answers 200; fails early when PID dies.
//   wait-node-ready SERVER NODE [--timeout S] [--pid PID] [--ca FILE] [--token T]
//       waits until the Node's Ready condition is True (prints the last reason otherwise).
//   cri-clean ENDPOINT     stops and removes every container and pod sandbox through CRI, so
//                          containerd runs CNI DEL (netns, IP, chains) for each.
//   cni-chains POD_CIDR    removes nat POSTROUTING jumps from addresses in POD_CIDR to CNI-*
//                          chains and those chains (what a sandbox lost without CNI DEL leaves).
//   kube-chains            fallback for `kube-proxy --cleanup`: removes every KUBE-* chain and the
//                          jumps to them (iptables and ip6tables: nat, filter, mangle).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const [cmd, ...rest] = process.argv.slice(2);

function parse(args) {
  const pos = [];
  const opt = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--insecure') opt.insecure = true;
    else if (a.startsWith('--')) opt[a.slice(2)] = args[++i];
    else pos.push(a);
  }
  return { pos, opt };
}

function get(url, opt) {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  const headers = opt.token ? { authorization: `Bearer ${opt.token}` } : {};
  const tls = u.protocol === 'https:' ? (opt.ca ? { ca: readFileSync(opt.ca) } : { rejectUnauthorized: !opt.insecure }) : {};
  return new Promise((resolve) => {
    const req = mod.get(u, { headers, timeout: 3000, ...tls }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, body: e.message }));
  });
}

function alive(pid) {
  if (!pid) return true;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls probe() until it returns {done: true}; exit 1 on timeout or when --pid dies. */
async function poll(opt, what, probe) {
  const deadline = Date.now() + Number(opt.timeout ?? 60) * 1000;
  let last = '';
  for (;;) {
    const r = await probe();
    if (r.done) return;
    last = r.why;
    if (!alive(opt.pid)) fail(`${what}: the process (pid ${opt.pid}) exited`);
    if (Date.now() > deadline) fail(`${what}: not ready after ${opt.timeout ?? 60}s (last: ${last})`);
    await new Promise((res) => setTimeout(res, 300));
  }
}

function fail(msg) {
  process.stderr.write(msg + '\n');
  process.exit(1);
}

async function waitHttp(args) {
  const { pos, opt } = parse(args);
  await poll(opt, pos[0], async () => {
    const r = await get(pos[0], opt);
    return { done: r.status === 200, why: r.status ? `HTTP ${r.status} ${r.body.slice(0, 200).trim()}` : r.body };
  });
}

async function waitNodeReady(args) {
  const { pos, opt } = parse(args);
  const [server, node] = pos;
  await poll(opt, `node ${node}`, async () => {
    const r = await get(`${server}/api/v1/nodes/${node}`, opt);
    if (r.status !== 200) return { done: false, why: r.status === 404 ? 'not registered yet' : `HTTP ${r.status} ${r.body.slice(0, 200)}` };
    const ready = (JSON.parse(r.body).status?.conditions ?? []).find((c) => c.type === 'Ready');
    if (ready?.status === 'True') return { done: true };
    return { done: false, why: ready ? `Ready=${ready.status} ${ready.reason ?? ''}: ${ready.message ?? ''}` : 'no Ready condition yet' };
  });
}

async function criClean(args) {
  const { CriClient } = await import(join(REPO, 'packages/kubelet/dist/cri/client.js'));
  const cri = new CriClient(args[0], { requestTimeoutMs: 60_000 });
  let pods = 0;
  let errors = 0;
  try {
    for (const c of await cri.listContainers()) {
      await cri.stopContainer(c.id, 0).catch(() => errors++);
      await cri.removeContainer(c.id).catch(() => errors++);
    }
    for (const s of await cri.listPodSandbox()) {
      // StopPodSandbox runs CNI DEL and removes the netns; retry once (a slow CNI DEL may time out).
      await cri.stopPodSandbox(s.id).catch(() => cri.stopPodSandbox(s.id)).catch((e) => {
        errors++;
        process.stderr.write(`StopPodSandbox ${s.id}: ${e.message}\n`);
      });
      await cri.removePodSandbox(s.id).catch(() => errors++);
      pods++;
    }
  } finally {
    cri.close();
  }
  console.log(`${pods} pod sandbox(es) removed${errors ? `, ${errors} error(s)` : ''}`);
  if (errors) process.exit(1);
}

function inCidr(ip, cidr) {
  const toInt = (a) => a.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const [net, bits] = cidr.split('/');
  const mask = Number(bits) === 0 ? 0 : (~0 << (32 - Number(bits))) >>> 0;
  return (toInt(ip) & mask) === (toInt(net) & mask);
}

function cniChains(args) {
  const cidr = args[0];
  let rules;
  try {
    rules = execFileSync('iptables', ['-w', '5', '-t', 'nat', '-S', 'POSTROUTING'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return; // no nat table: nothing to remove
  }
  const lines = [];
  const chains = new Set();
  for (const l of rules.split('\n')) {
    const m = /^-A POSTROUTING -s (\d+\.\d+\.\d+\.\d+)\/32 .*-j (CNI-[0-9a-f]+)$/.exec(l);
    if (!m || !inCidr(m[1], cidr)) continue;
    lines.push('-D' + l.slice(2));
    chains.add(m[2]);
  }
  for (const c of chains) lines.push(`-F ${c}`, `-X ${c}`);
  if (lines.length === 0) return;
  execFileSync('iptables-restore', ['-w', '5', '--noflush'], { input: ['*nat', ...lines, 'COMMIT', ''].join('\n') });
  console.log(`removed ${chains.size} CNI chain(s) left for ${cidr}`);
}

function kubeChains() {
  let removed = 0;
  for (const bin of ['iptables', 'ip6tables']) {
    for (const table of ['nat', 'filter', 'mangle']) {
      let dump;
      try {
        dump = execFileSync(`${bin}-save`, ['-t', table], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch {
        continue;
      }
      const jumps = [];
      const chains = [];
      for (const l of dump.split('\n')) {
        const chain = /^:(KUBE-\S+)/.exec(l);
        if (chain) chains.push(chain[1]);
        else if (/^-A (?!KUBE-)\S+ .*-j KUBE-/.test(l)) jumps.push('-D' + l.slice(2));
      }
      if (chains.length === 0 && jumps.length === 0) continue;
      const lines = [...jumps, ...chains.map((c) => `-F ${c}`), ...chains.map((c) => `-X ${c}`)];
      execFileSync(`${bin}-restore`, ['-w', '5', '--noflush'], { input: [`*${table}`, ...lines, 'COMMIT', ''].join('\n') });
      removed += chains.length;
    }
  }
  if (removed) console.log(`removed ${removed} KUBE-* chain(s)`);
}

const commands = { 'wait-http': waitHttp, 'wait-node-ready': waitNodeReady, 'cri-clean': criClean, 'cni-chains': cniChains, 'kube-chains': kubeChains };
const run = commands[cmd];
if (!run) fail(`usage: helper.mjs ${Object.keys(commands).join('|')} ...`);
await run(rest);
