#!/usr/bin/env node
// kube-proxy: upstream's flags and KubeProxyConfiguration file; --write-config-to writes the
// resolved configuration and exits; --cleanup removes what both modes installed and exits;
// otherwise the daemon runs until SIGTERM/SIGINT (leaving its rules in place, as upstream).
import { watch, writeFileSync } from 'node:fs';
import pino from 'pino';
import { Registry, collectDefaultMetrics } from 'prom-client';
import { buildConfig } from '@kube-ts/client/kubeconfig';
import { RestClient } from '@kube-ts/client/rest';
import { encodeConfiguration, loadProxySettings } from './config/load.js';
import { ConfigError } from './config/types.js';
import { execRunner } from './exec.js';
import { createProxiers, startProxy } from './proxy.js';

function fail(msg: string): never {
  process.stderr.write(`E kube-proxy: ${msg}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let settings;
  try {
    settings = loadProxySettings(process.argv.slice(2));
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  if (settings.help) { process.stdout.write(`${settings.help}\n`); process.exit(0); }
  const { config } = settings;
  const logger = pino({ level: config.logging.verbosity >= 4 ? 'debug' : 'info', base: { component: 'kube-proxy' } }, pino.destination(2));
  for (const w of settings.warnings) logger.info(w);

  if (settings.writeConfigTo) {
    try { writeFileSync(settings.writeConfigTo, encodeConfiguration(config)); } catch (e) { fail((e as Error).message); }
    logger.info({ file: settings.writeConfigTo }, 'Wrote configuration');
    process.exit(0);
  }

  if (settings.cleanup) {
    // platformCleanup(cleanupAndExit): both modes' rules, whichever mode is configured.
    const { proxier, other } = createProxiers(config, { runner: execRunner(), logger, clusterCIDRs: [], nodePortAddresses: [] });
    let failed = false;
    for (const p of [proxier, other]) {
      try { await p.cleanup(); } catch (err) { failed = true; logger.error({ err: (err as Error).message, mode: p.mode }, 'cleanup failed'); }
    }
    if (failed) fail('encountered an error while tearing down rules');
    process.exit(0);
  }

  if (settings.initOnly) {
    // Nothing here needs more privileges than the daemon itself has.
    logger.info('init-only: nothing to initialise; exiting');
    process.exit(0);
  }

  let clientCfg;
  try {
    clientCfg = buildConfig(config.clientConnection.kubeconfig || undefined, settings.master || undefined);
  } catch (e) { fail((e as Error).message); }
  clientCfg.qps = config.clientConnection.qps;
  clientCfg.burst = config.clientConnection.burst;
  clientCfg.userAgent = 'kube-proxy/v1.32.0 (linux/amd64) kube-ts';
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const rest = new RestClient(clientCfg, { registry });

  const stopCtl = new AbortController();
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    stopCtl.abort();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  let proxy;
  try {
    proxy = await startProxy({ config, rest, logger, registry, signal: stopCtl.signal });
  } catch (err) {
    logger.error({ err }, 'Error running ProxyServer');
    process.exit(1);
  }
  if (settings.configFile) {
    // Upstream exits when its configuration file changes, so a restart picks the new one up.
    watch(settings.configFile, () => {
      logger.error({ file: settings.configFile }, "content of the proxy server's configuration file was updated");
      process.exit(1);
    }).unref();
  }
  await new Promise<void>((r) => stopCtl.signal.addEventListener('abort', () => r(), { once: true }));
  await proxy.stop();
  process.exit(0);
}

main().catch((e: unknown) => fail((e as Error).stack ?? String(e)));
