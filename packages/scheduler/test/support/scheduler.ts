// Starts kube-scheduler processes against a test cluster (test/support/cluster.ts of the
// apiserver), and small kubectl helpers for nodes and pods. Only processes started here are killed.
import { writeFileSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify as stringifyYaml } from 'yaml';
import type { Cluster } from '../../../apiserver/test/support/cluster.js';
import { freePort, spawnDaemon, type Daemon } from '../../../raftkv/test/support/servers.js';

export const SCHEDULER_CLI = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/cli.js');

export interface SchedulerProc extends Daemon {
  port: number;
}

let n = 0;

export async function startScheduler(c: Cluster, o: { config?: string; args?: string[] } = {}): Promise<SchedulerProc> {
  const port = await freePort();
  const args = [SCHEDULER_CLI, '--kubeconfig', c.kubeconfig, '--secure-port', String(port), '--bind-address', '127.0.0.1'];
  if (o.config) {
    const f = join(c.dir, `scheduler-config-${++n}.yaml`);
    writeFileSync(f, o.config);
    args.push('--config', f);
  }
  if (!o.args?.some((a) => a.startsWith('--leader-elect'))) args.push('--leader-elect=false');
  args.push(...(o.args ?? []));
  return { ...(await spawnDaemon(args, port)), port };
}

export interface NodeSpecOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  extended?: Record<string, string>;
}

/** A Node object as a kubelet would register it (status included: nodes keep status on create). */
export function nodeManifest(name: string, o: NodeSpecOpts = {}): Record<string, unknown> {
  const res = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extended ?? {}) };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(o.labels ?? {}) } },
    spec: o.taints ? { taints: o.taints } : {},
    status: {
      capacity: res, allocatable: res,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z/, 'Z'), lastTransitionTime: new Date().toISOString().replace(/\.\d+Z/, 'Z') }],
    },
  };
}

export function podManifest(name: string, o: { labels?: Record<string, string>; cpu?: string; memory?: string; spec?: Record<string, unknown>; namespace?: string } = {}): Record<string, unknown> {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: o.namespace ?? 'default', labels: o.labels ?? {} },
    spec: { containers: [{ name: 'c', image: 'busybox', ...(o.cpu || o.memory ? { resources: { requests } } : {}) }], ...(o.spec ?? {}) },
  };
}

/** kubectl create -f - of several objects (a multi-document YAML stream). */
export async function kubectlCreate(c: Cluster, objs: Array<Record<string, unknown>>): Promise<string> {
  return c.kubectlOk(['create', '-f', '-'], objs.map((o) => stringifyYaml(o)).join('---\n'));
}

export async function nodeOf(c: Cluster, pod: string, ns = 'default'): Promise<string> {
  const r = await c.kubectl(['get', 'pod', pod, '-n', ns, '-o', 'jsonpath={.spec.nodeName}']);
  return r.code === 0 ? r.stdout.trim() : '';
}

/** Polls until every pod has a node (resolves to pod -> node), or throws with the pods still pending. */
export async function waitScheduled(c: Cluster, pods: string[], timeoutMs = 30_000, ns = 'default'): Promise<Record<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = await c.kubectlOk(['get', 'pods', '-n', ns, '-o', 'json']);
    const items = (JSON.parse(out) as { items: Array<{ metadata: { name: string }; spec: { nodeName?: string } }> }).items;
    const m: Record<string, string> = {};
    for (const p of items) if (p.spec.nodeName) m[p.metadata.name] = p.spec.nodeName;
    const missing = pods.filter((p) => !m[p]);
    if (missing.length === 0) return m;
    if (Date.now() > deadline) throw new Error(`pods not scheduled in time: ${missing.join(', ')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function podCondition(c: Cluster, pod: string, ns = 'default'): Promise<{ status?: string; reason?: string; message?: string }> {
  const out = await c.kubectlOk(['get', 'pod', pod, '-n', ns, '-o', 'json']);
  const p = JSON.parse(out) as { status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> } };
  return p.status?.conditions?.find((x) => x.type === 'PodScheduled') ?? {};
}
