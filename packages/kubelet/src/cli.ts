#!/usr/bin/env node
// kubelet: upstream's flags and KubeletConfiguration file; runs the pods bound to this node on
// the CRI runtime at --container-runtime-endpoint until SIGTERM/SIGINT.
import pino from 'pino';
import { loadKubeletSettings, UsageError } from './config/index.js';
import { Kubelet } from './kubelet.js';

async function main(): Promise<void> {
  let settings;
  try {
    settings = await loadKubeletSettings(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError && err.help) {
      process.stdout.write(`${err.message}\n`);
      process.exit(0);
    }
    process.stderr.write(`E ${(err as Error).message}\n`);
    process.exit(1);
  }
  const verbosity = Number(settings.config.logging?.verbosity ?? 0);
  const logger = pino({ level: verbosity >= 4 ? 'debug' : 'info', base: { component: 'kubelet', node: settings.nodeName } }, pino.destination(2));
  const kubelet = new Kubelet({ settings, logger });
  let stopping = false;
  const stop = (sig: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal: sig }, 'shutting down');
    // Pods keep running: the runtime owns them, and the next kubelet adopts them.
    void kubelet.stop().finally(() => process.exit(0));
    // A stop stuck on an in-flight request (an apiserver or runtime that does not answer) must
    // not keep the process alive: nothing is lost by leaving, the next kubelet adopts the pods.
    setTimeout(() => {
      logger.warn('shutdown took more than 5s; exiting');
      process.exit(0);
    }, 5000).unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  try {
    await kubelet.start();
  } catch (err) {
    logger.error({ err }, 'kubelet failed to start');
    process.exit(1);
  }
}

void main();
