// kube-proxy end to end with real pods, in both proxy modes: a Deployment of two busybox httpd
// replicas behind a NodePort Service on a real node (containerd + kubelet), reached through the
// ClusterIP from the host and from another pod, through the NodePort on the node IP, with ClientIP
// affinity, fast rejects once scaled to zero, and `kube-proxy --cleanup` leaving no rule behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as stringifyYaml } from 'yaml';
import type { Cluster } from '../../apiserver/test/support/cluster.js';
import { BUSYBOX_IMAGE } from '../../kubelet/test/support/containerd.js';
import { waitKubectl } from '../../kubelet/test/support/node.js';
import {
  NODE_IP, SERVICE_CIDR, dropEmptyIptablesTables, getLocal, haveProxyE2E, holdHostProxyLock, hostRules, httpGet, kubeProxyCleanup, modeRules,
  presentIptablesTables, removeServiceRoute, routeServiceCIDR, startKubeProxy, startProxyCluster, tcpConnect,
  type KubeProxyProc, type ProxyCluster, type ProxyMode,
} from './support/cluster.js';

const MODES: ProxyMode[] = ['iptables', 'nftables'];

const webDeployment = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        // httpd is PID 1 and ignores SIGTERM: a short grace keeps scale-to-zero quick.
        terminationGracePeriodSeconds: 1,
        containers: [{
          name: 'web', image: BUSYBOX_IMAGE, imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'],
          ports: [{ containerPort: 80 }],
          readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 1 },
        }],
      },
    },
  },
};

interface SliceList {
  items: Array<{ endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { name?: string } }> }>;
}

/** The web Service's endpoints: ready pod names, and how many endpoints the slices list at all. */
async function webEndpoints(c: Cluster): Promise<{ ready: string[]; total: number }> {
  const out = await c.kubectlOk(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'json']);
  const eps = (JSON.parse(out) as SliceList).items.flatMap((s) => s.endpoints ?? []);
  const ready = eps.filter((e) => e.conditions?.ready !== false).map((e) => e.targetRef?.name ?? e.addresses[0] ?? '');
  return { ready: ready.sort(), total: eps.length };
}

/** Polls until probe yields a value; on timeout the error carries `explain()`'s account of the cluster. */
async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, explain?: () => Promise<string>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${(await explain?.().catch(String)) ?? ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Pods, slices and the kubelet's last log lines, for a failure message. */
async function diagnose(pc: ProxyCluster): Promise<string> {
  const pods = await pc.cluster.kubectl(['get', 'pods', '-o', 'wide']);
  const slices = await pc.cluster.kubectl(['get', 'endpointslices', '-o', 'yaml']);
  const k = pc.node.kubelet?.child;
  const kubelet = k ? `exit code ${k.exitCode}, signal ${k.signalCode}` : 'not running';
  return [pods.stdout, pods.stderr, slices.stdout, `--- kubelet (${kubelet}) log tail:`, (pc.node.kubelet?.log() ?? '').slice(-4000)].join('\n');
}

function counts(answers: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const a of answers) m.set(a, (m.get(a) ?? 0) + 1);
  return m;
}

describe.skipIf(!haveProxyE2E())('kube-proxy with real pods (e2e)', () => {
  let pc: ProxyCluster | undefined;
  let c: Cluster;
  let vip = '';
  let nodePort = 0;

  beforeAll(async () => {
    // Before any traffic to a VIP: packets to VIPs without rules stay on this machine.
    await routeServiceCIDR();
    pc = await startProxyCluster();
    c = pc.cluster;
    await c.kubectlOk(['create', '-f', '-'], stringifyYaml(webDeployment));
    await c.kubectlOk(['expose', 'deployment', 'web', '--port', '80', '--type', 'NodePort']);
    await c.kubectlOk(['run', 'client', `--image=${BUSYBOX_IMAGE}`, '--image-pull-policy=IfNotPresent', '--restart=Never', '--', 'sleep', '3600']);
    vip = (await c.kubectlOk(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    nodePort = Number(await c.kubectlOk(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    await c.kubectlOk(['rollout', 'status', 'deployment/web', '--timeout=120s']);
    await waitKubectl(c, ['get', 'pod', 'client', '-o', 'jsonpath={.status.phase}'], (o) => o === 'Running', 60_000, 'client Running');
  }, 300_000);

  afterAll(async () => {
    await pc?.stop();
    await removeServiceRoute();
  }, 120_000);

  it('allocates the ClusterIP from the service CIDR and a NodePort', () => {
    expect(vip.startsWith(SERVICE_CIDR.replace(/0\/24$/, ''))).toBe(true);
    expect(nodePort).toBeGreaterThanOrEqual(30000);
    expect(nodePort).toBeLessThanOrEqual(32767);
  });

  it('each web pod serves its own name on its pod IP, to the host and to the client pod', async () => {
    const out = await c.kubectlOk(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.podIP}{"\\n"}{end}']);
    const rows = out.trim().split('\n').map((l) => l.split(' ') as [string, string]);
    expect(rows).toHaveLength(2);
    for (const [name, podIP] of rows) {
      expect(podIP.startsWith(NODE_IP.replace(/1$/, ''))).toBe(true);
      expect((await httpGet(`http://${podIP}/`)).body.trim()).toBe(name);
      expect((await c.kubectlOk(['exec', 'client', '--', 'sh', '-c', `timeout 3 wget -qO- http://${podIP}/`])).trim()).toBe(name);
    }
  }, 60_000);

  for (const mode of MODES) {
    describe(`${mode} mode`, () => {
      let release: (() => Promise<void>) | undefined;
      let proxy: KubeProxyProc | undefined;
      let pods: string[] = [];
      let tablesBefore: string[] = [];

      beforeAll(async () => {
        release = await holdHostProxyLock();
        tablesBefore = await presentIptablesTables();
        // A crashed earlier run may have left rules; nobody else runs a kube-proxy on the host now.
        await kubeProxyCleanup();
        // The previous mode scaled to zero and turned affinity on: back to the plain service.
        await c.kubectlOk(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"None"}}']);
        await c.kubectlOk(['scale', 'deployment', 'web', '--replicas=2']);
        pods = await waitFor('2 ready endpoints', 120_000, async () => {
          const e = await webEndpoints(c);
          return e.ready.length === 2 && e.total === 2 ? e.ready : undefined;
        }, () => diagnose(pc!));
        proxy = await startKubeProxy(c, mode);
        // Rules programmed: the VIP answers from the host.
        await waitFor(`${vip}:80 to answer`, 30_000, async () => ((await httpGet(`http://${vip}/`, 1000)).status === 200 ? true : undefined));
      }, 16 * 60_000);

      afterAll(async () => {
        try {
          await proxy?.stop();
          await kubeProxyCleanup();
          await dropEmptyIptablesTables(tablesBefore);
        } finally {
          await release?.();
        }
      }, 60_000);

      it('serves /healthz and the sync metrics', async () => {
        const h = await getLocal(proxy!.healthzPort, '/healthz');
        expect(h.status).toBe(200);
        const m = await getLocal(proxy!.metricsPort, '/metrics');
        expect(m.status).toBe(200);
        const count = /^kubeproxy_sync_proxy_rules_duration_seconds_count (\d+)/m.exec(m.body);
        expect(count, m.body.slice(0, 2000)).not.toBeNull();
        expect(Number(count![1])).toBeGreaterThanOrEqual(1);
        expect(m.body).toMatch(/^kubeproxy_sync_proxy_rules_duration_seconds_bucket\{le="/m);
      });

      it('balances ClusterIP connections from the host across both pods', async () => {
        const answers: string[] = [];
        for (let i = 0; i < 20; i++) {
          const r = await httpGet(`http://${vip}/`);
          expect(r.status).toBe(200);
          answers.push(r.body.trim());
        }
        const n = counts(answers);
        expect([...n.keys()].sort()).toEqual(pods);
        for (const p of pods) expect(n.get(p), `answers: ${answers.join(' ')}`).toBeGreaterThanOrEqual(3);
      }, 60_000);

      it('balances ClusterIP connections from another pod across both pods', async () => {
        const out = await c.kubectlOk(['exec', 'client', '--', 'sh', '-c', `for i in $(seq 20); do timeout 3 wget -qO- http://${vip}/; done`]);
        const answers = out.split('\n').map((l) => l.trim()).filter(Boolean);
        expect(answers).toHaveLength(20);
        expect([...counts(answers).keys()].sort()).toEqual(pods);
      }, 60_000);

      it('serves the NodePort on the node IP from the host', async () => {
        const answers: string[] = [];
        for (let i = 0; i < 4; i++) {
          const r = await httpGet(`http://${NODE_IP}:${nodePort}/`);
          expect(r.status).toBe(200);
          answers.push(r.body.trim());
        }
        for (const a of answers) expect(pods).toContain(a);
      }, 60_000);

      it('keeps a client on one pod with sessionAffinity ClientIP', async () => {
        await c.kubectlOk(['patch', 'svc', 'web', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}']);
        // Upstream's affinity layout: `-m recent --rcheck --seconds 10800` / per-endpoint `affinity-` sets.
        const marker = mode === 'iptables' ? /--rcheck --seconds 10800/ : /affinity-/;
        await waitFor('affinity rules', 30_000, async () => (marker.test(await modeRules(mode)) ? true : undefined));
        const answers: string[] = [];
        for (let i = 0; i < 10; i++) {
          const r = await httpGet(`http://${vip}/`);
          expect(r.status).toBe(200);
          answers.push(r.body.trim());
        }
        expect(new Set(answers).size, `answers: ${answers.join(' ')}`).toBe(1);
        expect(pods).toContain(answers[0]);
      }, 60_000);

      it('rejects connections at once when scaled to zero', async () => {
        await c.kubectlOk(['scale', 'deployment', 'web', '--replicas=0']);
        await waitFor('no endpoints', 90_000, async () => ((await webEndpoints(c)).total === 0 ? true : undefined), () => diagnose(pc!));
        // Wait until kube-proxy programmed the reject (until then a SYN vanishes into the empty bridge).
        await waitFor('the VIP to refuse', 30_000, async () => ((await tcpConnect(vip, 80, 1500)).code === 'ECONNREFUSED' ? true : undefined));
        const r = await tcpConnect(vip, 80, 3000);
        expect(r.connected).toBe(false);
        expect(r.code).toBe('ECONNREFUSED');
        expect(r.ms).toBeLessThan(1500);

        const t0 = Date.now();
        const p = await c.kubectl(['exec', 'client', '--', 'sh', '-c', `timeout 3 wget -qO- http://${vip}/ 2>&1; echo rc=$?`]);
        const elapsed = Date.now() - t0;
        const why = /Connection refused/.test(p.stdout) ? '' : `exec: ${p.code} ${p.stderr}\n${await diagnose(pc!)}`;
        expect(p.stdout, why).toMatch(/Connection refused/);
        // Non-zero, and not timeout(1)'s 143: wget itself gave up.
        expect(p.stdout).toMatch(/rc=1\b/);
        expect(elapsed).toBeLessThan(3000);
      }, 180_000);

      it('leaves no rule behind after SIGTERM and --cleanup', async () => {
        const before = await hostRules();
        if (mode === 'iptables') expect(before.kubeLines.length).toBeGreaterThan(0);
        else expect(before.kubeProxyTables.length).toBeGreaterThan(0);
        await proxy!.stop();
        proxy = undefined;
        const r = await kubeProxyCleanup();
        expect(r.code, r.stderr).toBe(0);
        const after = await hostRules();
        expect(after.kubeLines).toEqual([]);
        expect(after.kubeProxyTables).toEqual([]);
      }, 90_000);
    });
  }
});
