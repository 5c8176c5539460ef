#!/usr/bin/env node
// kube-apiserver with upstream's flag names, so a Hard-Way unit file maps one to one.
import { Command, Option } from 'commander';
import { readFileSync } from 'node:fs';
import pino from 'pino';
import { builtinResources } from './registry/index.js';
import { EtcdClient } from './storage/etcd.js';
import { ObjectStore } from './storage/objects.js';
import { WatchCaches } from './storage/watchcache.js';
import { ResourceSet } from './rest/resources.js';
import { SchemaRegistry } from './schema/registry.js';
import { builtinTypes } from './schema/defs/index.js';
import type { Api } from './rest/context.js';
import { cidrRange, portRange, RangeAllocator } from './storage/allocator.js';
import { serviceAllocationHook } from './rest/services.js';
import { registerOpenApi } from './http/openapi.js';
import { Compactor } from './storage/compactor.js';
import { ApiMetrics } from './metrics.js';
import { TokenIssuer } from './auth/tokens.js';
import { parseGoDuration } from './schema/decode.js';
import { join } from 'node:path';
import { buildServer } from './http/server.js';
import { servingCert } from './tls.js';
import { bootstrap } from './bootstrap.js';
import { EtcdMasterLeases, KubernetesEndpointsController, LeaseEndpointReconciler, parseEndpointReconcilerType, storeEndpointsTarget, type EndpointReconcilerType } from './endpointsreconciler.js';
import { priorityAdmission, storePriorityClasses } from './admission/priority.js';
import { defaultTolerationSecondsAdmission } from './admission/defaulttolerationseconds.js';
import { VERSION_INFO } from './version.js';
import { DEFAULT_PREFERRED_ADDRESS_TYPES, parsePreferredAddressTypes, type KubeletClientConfig } from './kubelet/client.js';

const program = new Command('kube-apiserver')
  .description('The Kubernetes API server, over the etcd v3 API (raftkv or etcd)')
  .requiredOption('--etcd-servers <urls>', 'etcd servers to connect to (scheme://ip:port), comma separated')
  .option('--etcd-cafile <file>', 'SSL Certificate Authority file used to secure etcd communication')
  .option('--etcd-certfile <file>', 'SSL certification file used to secure etcd communication')
  .option('--etcd-keyfile <file>', 'SSL key file used to secure etcd communication')
  .option('--etcd-prefix <prefix>', 'the prefix to prepend to all resource paths in etcd', '/registry')
  .option('--secure-port <port>', 'the port on which to serve HTTPS', '6443')
  .option('--bind-address <ip>', 'the IP address on which to listen for the --secure-port port', '0.0.0.0')
  .option('--advertise-address <ip>', 'the IP address on which to advertise the apiserver to members of the cluster')
  .option('--tls-cert-file <file>', 'file containing the default x509 certificate for HTTPS')
  .option('--tls-private-key-file <file>', 'file containing the default x509 private key matching --tls-cert-file')
  .option('--cert-dir <dir>', 'directory where generated TLS certs are kept (ignored with --tls-cert-file)', '/var/run/kubernetes')
  .option('--service-cluster-ip-range <cidr>', 'a CIDR notation IP range from which to assign service cluster IPs', '10.0.0.0/24')
  .option('--service-node-port-range <range>', 'a port range to reserve for services with NodePort visibility', '30000-32767')
  .option('--service-account-issuer <url>', 'identifier of the service account token issuer (the iss claim)', 'https://kubernetes.default.svc.cluster.local')
  .option('--service-account-signing-key-file <file>', 'private key used to sign service account tokens (generated into --cert-dir when not given)')
  .option('--api-audiences <list>', 'identifiers of the API; default: the issuer')
  .option('--default-not-ready-toleration-seconds <n>', 'the tolerationSeconds of the not-ready:NoExecute toleration added to every pod that lacks one', '300')
  .option('--default-unreachable-toleration-seconds <n>', 'the tolerationSeconds of the unreachable:NoExecute toleration added to every pod that lacks one', '300')
  .option('--etcd-compaction-interval <duration>', 'the interval of compaction requests (0 disables)', '5m')
  .option('--kubelet-client-certificate <file>', 'path to a client cert file for TLS to kubelets')
  .option('--kubelet-client-key <file>', 'path to a client key file for TLS to kubelets')
  .option('--kubelet-certificate-authority <file>', 'path to a cert file for the certificate authority of kubelets\' serving certificates (absent: not verified)')
  .option('--kubelet-preferred-address-types <types>', 'list of the preferred NodeAddressTypes to use for kubelet connections', DEFAULT_PREFERRED_ADDRESS_TYPES.join(','))
  .option('--kubelet-timeout <duration>', 'timeout for kubelet operations', '5s')
  .option('--endpoint-reconciler-type <type>', 'Use an endpoint reconciler (master-count, lease, none) master-count is deprecated, and will be removed in a future version.', 'lease')
  .addOption(new Option('--v <level>', 'log level number (0-10)').default('0'))
  .action(async (o: Record<string, string | undefined>) => {
    const verbose = Number(o.v ?? 0);
    const logger = pino({ level: verbose >= 4 ? 'debug' : 'info', base: { component: 'kube-apiserver' } }, pino.destination(2));
    const etcdServers = (o.etcdServers ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const tls = {
      ...(o.etcdCafile ? { caFile: readFileSync(o.etcdCafile) } : {}),
      ...(o.etcdCertfile ? { certFile: readFileSync(o.etcdCertfile) } : {}),
      ...(o.etcdKeyfile ? { keyFile: readFileSync(o.etcdKeyfile) } : {}),
    };
    const etcd = new EtcdClient(etcdServers[0]!, tls);
    const store = new ObjectStore(etcd, (o.etcdPrefix ?? '/registry').replace(/\/$/, ''));
    const port = Number(o.securePort);
    const host = o.bindAddress ?? '0.0.0.0';
    const advertise = o.advertiseAddress ?? (host === '0.0.0.0' ? '127.0.0.1' : host);
    let ipRange, nodePorts, kubelet: KubeletClientConfig, reconcilerType: EndpointReconcilerType;
    try {
      reconcilerType = parseEndpointReconcilerType(o.endpointReconcilerType ?? 'lease');
      ipRange = cidrRange(o.serviceClusterIpRange ?? '10.0.0.0/24');
      nodePorts = portRange(o.serviceNodePortRange ?? '30000-32767');
      kubelet = {
        preferredAddressTypes: parsePreferredAddressTypes(o.kubeletPreferredAddressTypes ?? DEFAULT_PREFERRED_ADDRESS_TYPES.join(',')),
        timeoutMs: parseDuration(o.kubeletTimeout ?? '5s'),
        ...(o.kubeletClientCertificate ? { cert: readFileSync(o.kubeletClientCertificate) } : {}),
        ...(o.kubeletClientKey ? { key: readFileSync(o.kubeletClientKey) } : {}),
        ...(o.kubeletCertificateAuthority ? { ca: readFileSync(o.kubeletCertificateAuthority) } : {}),
      };
    } catch (err) {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      process.exit(1);
    }
    const serving = o.tlsCertFile && o.tlsPrivateKeyFile
      ? { cert: readFileSync(o.tlsCertFile, 'utf8'), key: readFileSync(o.tlsPrivateKeyFile, 'utf8') }
      : servingCert(o.certDir ?? '/var/run/kubernetes', { dns: [], ips: [advertise, ipRange.at(0)] });
    const ips = new RangeAllocator(etcd, `${store.prefix}/ranges/serviceips`, ipRange);
    const ports = new RangeAllocator(etcd, `${store.prefix}/ranges/servicenodeports`, nodePorts);
    const resources = new ResourceSet(builtinResources);
    try {
      await bootstrap({ store, resources, ips, logger, advertise: { ip: advertise, port } });
    } catch (err) {
      logger.fatal({ err, etcdServers }, 'cannot reach the storage backend');
      process.exit(1);
    }
    const api: Api = {
      resources,
      store,
      caches: new WatchCaches(etcd, logger),
      schemas: new SchemaRegistry(builtinTypes),
      admission: [priorityAdmission(storePriorityClasses(store)), defaultTolerationSecondsAdmission({ notReady: Number(o.defaultNotReadyTolerationSeconds ?? 300), unreachable: Number(o.defaultUnreachableTolerationSeconds ?? 300) })],
      hooks: [serviceAllocationHook(ips, ports)],
      tokens: new TokenIssuer(
        TokenIssuer.keyFrom(o.serviceAccountSigningKeyFile ?? join(o.certDir ?? '/var/run/kubernetes', 'service-account.key')),
        o.serviceAccountIssuer ?? 'https://kubernetes.default.svc.cluster.local',
        (o.apiAudiences ?? o.serviceAccountIssuer ?? 'https://kubernetes.default.svc.cluster.local').split(',').map((a) => a.trim()).filter(Boolean),
      ),
      logger,
    };
    const metrics = new ApiMetrics(api.caches);
    etcd.observe = (method, seconds) => metrics.etcdLatency.observe({ operation: method.toLowerCase(), type: '' }, seconds);
    const app = await buildServer({
      api, tls: serving, logger, advertiseAddress: `${advertise}:${port}`, version: VERSION_INFO, kubelet,
      extraRoutes: [
        (a) => { registerOpenApi(a, () => ({ resources: api.resources.all(), reg: api.schemas })); },
        (a) => metrics.register(a),
      ],
      onRequest: (info) => metrics.observe(info),
    });
    const compactor = new Compactor(etcd, parseDuration(o.etcdCompactionInterval ?? '5m'), logger);
    compactor.start();
    await app.listen({ port, host });
    logger.info({ port, host, etcdServers }, 'serving securely');
    // The kubernetes Service's endpoints: this apiserver joins once it serves and leaves first on shutdown.
    let endpoints: KubernetesEndpointsController | undefined;
    if (reconcilerType !== 'none') {
      if (reconcilerType === 'master-count') logger.info('--endpoint-reconciler-type=master-count is not supported; using the lease reconciler');
      const leases = new EtcdMasterLeases(etcd, `${store.prefix}/masterleases/`);
      endpoints = new KubernetesEndpointsController({
        ip: advertise, port, logger,
        reconciler: new LeaseEndpointReconciler(leases, storeEndpointsTarget(store, resources, logger)),
        watchDeletes: (f) => leases.watchDeletes(f),
      });
    }
    let stopping = false;
    const stop = (): void => {
      if (stopping) return;
      stopping = true;
      void (endpoints?.stop() ?? Promise.resolve()).finally(() => {
        compactor.stop(); api.caches.stop();
        void app.close().finally(() => { etcd.close(); process.exit(0); });
      });
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
    await endpoints?.start();
  });

/** A Go duration flag (5m, 30s, 1h30m, 0) in milliseconds; upstream's flags use time.ParseDuration. */
function parseDuration(s: string): number {
  const d = parseGoDuration(s);
  if (typeof d === 'string') throw new Error(d);
  return Number(d / 1_000_000n);
}

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`Error: ${(err as Error).message}\n`);
  process.exit(1);
});
