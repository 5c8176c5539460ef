#!/usr/bin/env node
// raftkv: etcd-compatible flags (and ETCD_* environment variables), so a Hard-Way guide's etcd
// unit works with the binary name changed.
import { Command, Option } from 'commander';
import pino from 'pino';
import { EtcdServer } from './server/etcdserver.js';
import { startGrpc } from './grpc/server.js';
import { startMetrics } from './metrics.js';
import { parseSnapshot, restoreSnapshot } from './storage/snapshot.js';
import { readFileSync } from 'node:fs';
import { VERSION } from './version.js';
import { ETCD_VERSION } from './server/etcdserver.js';

/** Go-style durations: 10m, 5s, 100ms, 1h30m. */
export function parseDuration(s: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let matched = '';
  for (const m of s.matchAll(re)) {
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    matched += m[0];
  }
  if (matched !== s || s === '') throw new Error(`invalid duration "${s}"`);
  return total;
}

const list = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
const opt = (flags: string, desc: string, def?: string): Option => {
  const name = flags.replace(/^--([a-z0-9-]+).*$/, '$1');
  const o = new Option(flags, desc).env(`ETCD_${name.toUpperCase().replace(/-/g, '_')}`);
  return def === undefined ? o : o.default(def);
};

const program = new Command('raftkv')
  .description('etcd v3 API compatible key-value store on LevelDB')
  // Server flags belong to the root; `snapshot restore --data-dir` must reach the subcommand.
  .enablePositionalOptions()
  .version(`raftkv Version: ${VERSION}\nAPI version: 3.5 (reports etcd ${ETCD_VERSION})`, '--version')
  .addOption(opt('--name <name>', 'human-readable name for this member', 'default'))
  .addOption(opt('--data-dir <dir>', 'path to the data directory (default "${name}.etcd")'))
  .addOption(opt('--listen-client-urls <urls>', 'URLs to listen on for client traffic', 'http://localhost:2379'))
  .addOption(opt('--advertise-client-urls <urls>', 'client URLs advertised to the cluster', 'http://localhost:2379'))
  .addOption(opt('--listen-peer-urls <urls>', 'URLs to listen on for peer traffic (reserved for replication)', 'http://localhost:2380'))
  .addOption(opt('--initial-advertise-peer-urls <urls>', 'peer URLs advertised to the cluster', 'http://localhost:2380'))
  .addOption(opt('--initial-cluster <members>', 'initial cluster configuration (name=peerURL,...)'))
  .addOption(opt('--initial-cluster-state <state>', 'new or existing', 'new'))
  .addOption(opt('--initial-cluster-token <token>', 'initial cluster token', 'etcd-cluster'))
  .addOption(opt('--cert-file <file>', 'client server TLS cert file'))
  .addOption(opt('--key-file <file>', 'client server TLS key file'))
  .addOption(opt('--trusted-ca-file <file>', 'client server TLS trusted CA file'))
  .addOption(opt('--client-cert-auth', 'require client certificates signed by --trusted-ca-file'))
  .addOption(opt('--peer-cert-file <file>', 'peer TLS cert file (reserved)'))
  .addOption(opt('--peer-key-file <file>', 'peer TLS key file (reserved)'))
  .addOption(opt('--peer-trusted-ca-file <file>', 'peer TLS trusted CA file (reserved)'))
  .addOption(opt('--peer-client-cert-auth', 'peer client cert auth (reserved)'))
  .addOption(opt('--heartbeat-interval <ms>', 'heartbeat interval in ms (reserved)', '100'))
  .addOption(opt('--election-timeout <ms>', 'election timeout in ms (reserved)', '1000'))
  .addOption(opt('--snapshot-count <n>', 'log entries kept behind the applied index', '10000'))
  .addOption(opt('--max-request-bytes <n>', 'maximum client request size in bytes', '1572864'))
  .addOption(opt('--max-txn-ops <n>', 'maximum operations per txn', '128'))
  .addOption(opt('--quota-backend-bytes <n>', 'backend size above which writes fail with NOSPACE', String(2 * 1024 ** 3)))
  .addOption(opt('--listen-metrics-urls <urls>', 'URLs serving /metrics and /health over HTTP'))
  .addOption(opt('--experimental-watch-progress-notify-interval <d>', 'progress notification interval', '10m'))
  .addOption(opt('--log-level <level>', 'debug, info, warn, error', 'info'))
  .addOption(opt('--logger <logger>', 'accepted for compatibility (always structured JSON)', 'zap'))
  .addOption(opt('--enable-v2', 'accepted for compatibility; the v2 API is not served'))
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const str = (k: string): string => String(o[k] ?? '');
    const name = str('name');
    const logger = pino({ level: str('logLevel'), base: { member: name } }, pino.destination(2));
    const initialCluster = o.initialCluster ? list(str('initialCluster')) : [];
    if (initialCluster.length > 1) {
      logger.fatal({ initialCluster }, 'multi-member clusters are not supported yet: raftkv runs single-member until replication lands');
      process.exit(1);
    }
    const clientUrls = list(str('listenClientUrls'));
    const tls = o.certFile && o.keyFile
      ? { certFile: str('certFile'), keyFile: str('keyFile'), clientCertAuth: o.clientCertAuth === true || o.clientCertAuth === 'true',
        ...(o.trustedCaFile ? { trustedCaFile: str('trustedCaFile') } : {}) }
      : undefined;
    let server: EtcdServer;
    try {
      server = await EtcdServer.start({
        name,
        dataDir: o.dataDir ? str('dataDir') : `${name}.etcd`,
        advertiseClientUrls: list(str('advertiseClientUrls')),
        initialAdvertisePeerUrls: list(str('initialAdvertisePeerUrls')),
        initialClusterToken: str('initialClusterToken'),
        maxRequestBytes: Number(o.maxRequestBytes),
        maxTxnOps: Number(o.maxTxnOps),
        quotaBackendBytes: Number(o.quotaBackendBytes),
        progressNotifyMs: parseDuration(str('experimentalWatchProgressNotifyInterval')),
        logRetention: Number(o.snapshotCount),
        logger,
      });
    } catch (err) {
      logger.fatal({ err }, 'cannot open the data dir');
      process.exit(1);
    }
    let grpc;
    try {
      grpc = await startGrpc(server, clientUrls, tls, logger);
      if (o.listenMetricsUrls) await startMetrics(server, list(str('listenMetricsUrls')));
    } catch (err) {
      logger.fatal({ err }, 'cannot serve');
      await server.stop();
      process.exit(1);
    }
    logger.info({ name, memberId: server.identity.memberId, revision: server.store.currentRev }, 'ready to serve client requests');
    let stopping = false;
    const shutdown = (sig: string): void => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal: sig }, 'shutting down');
      grpc.forceShutdown();
      server.stop().then(() => process.exit(0), () => process.exit(1));
    };
    process.on('SIGTERM', () => shutdown('SIGTERM'));
    process.on('SIGINT', () => shutdown('SIGINT'));
    process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  });

const snapshot = program.command('snapshot').description('snapshot files made by `etcdctl snapshot save` against raftkv');
snapshot.command('restore <file>')
  .description('rebuild a data dir from a snapshot file')
  .requiredOption('--data-dir <dir>', 'data directory to create')
  .action(async (file: string, o: { dataDir: string }) => {
    try {
      const r = await restoreSnapshot(file, o.dataDir);
      process.stdout.write(`restored ${r.entries} entries at revision ${r.revision} into ${o.dataDir}\n`);
    } catch (err) {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });
snapshot.command('status <file>')
  .description('check a snapshot file')
  .action((file: string) => {
    try {
      const entries = parseSnapshot(readFileSync(file));
      process.stdout.write(`${JSON.stringify({ entries: entries.length, records: entries.filter((e) => e.key[0] === 0x72).length })}\n`);
    } catch (err) {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      process.exit(1);
    }
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`Error: ${(err as Error).message}\n`);
  process.exit(1);
});
