// The run loop shared by kube-scheduler and kube-controller-manager (upstream's
// leaderelection.RunOrDie plus the secure port): serve /healthz etc., stop on SIGTERM/SIGINT,
// and either run directly or only while holding the Lease. Losing the Lease exits 1 so a
// restart re-lists from scratch; a clean stop exits 0.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { EventBroadcaster, eventSinkFromRest, type ClientLogger } from './events.js';
import { LeaderElector, LeaseLock } from './leaderelection.js';
import type { RestClient } from './rest.js';
import { startSecureServing } from './serving.js';

export interface ComponentLeaderElection {
  namespace: string;
  name: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface ComponentServing {
  /** 0 disables the secure port. */
  port: number;
  bindAddress: string;
  certFile?: string;
  keyFile?: string;
}

export interface ComponentOptions {
  /** Component name: the elector's name and the self-signed certificate's CN. */
  name: string;
  /** Event source component; upstream's scheduler reports as 'default-scheduler'. Defaults to name. */
  eventComponent?: string;
  rest: RestClient;
  logger: ClientLogger;
  registry: Registry;
  /** undefined: run without leader election. */
  leaderElection: ComponentLeaderElection | undefined;
  serving: ComponentServing | undefined;
  /** Logged on gaining the Lease, e.g. 'became leader; starting controllers'. */
  startedLeadingMessage: string;
  /** Logged before exiting 1 when run() rejects while leading. */
  runFailedMessage: string;
  run(signal: AbortSignal): Promise<void>;
}

/** Runs the component until stopped; always ends the process. */
export async function runComponent(c: ComponentOptions): Promise<never> {
  const { logger } = c;
  const identity = `${hostname()}_${randomUUID()}`;
  let elector: LeaderElector | undefined;
  if (c.serving && c.serving.port > 0) {
    const { port } = c.serving;
    await startSecureServing({
      port, bindAddress: c.serving.bindAddress, certFile: c.serving.certFile, keyFile: c.serving.keyFile,
      selfSignedName: c.name, registry: c.registry,
      checks: [{ name: 'leaderElection', check: () => (elector && !elector.leaderHealthy(20_000) ? 'leader lease expired' : undefined) }],
    });
    logger.info({ port }, 'serving securely');
  }

  const stop = new AbortController();
  let shuttingDown = false;
  const shutdown = (sig: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal: sig }, 'shutting down');
    stop.abort();
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const le = c.leaderElection;
  if (!le) {
    await c.run(stop.signal);
    process.exit(0);
  }
  const broadcaster = new EventBroadcaster({ sink: eventSinkFromRest(c.rest), component: c.eventComponent ?? c.name, host: hostname(), logger });
  const lock = new LeaseLock({ namespace: le.namespace, name: le.name, identity, client: c.rest, eventRecorder: broadcaster.newRecorder() });
  let leading = false;
  elector = new LeaderElector({
    lock,
    leaseDurationMs: le.leaseDurationMs,
    renewDeadlineMs: le.renewDeadlineMs,
    retryPeriodMs: le.retryPeriodMs,
    releaseOnCancel: true,
    name: c.name,
    logger,
    callbacks: {
      onStartedLeading: (signal) => {
        leading = true;
        logger.info({ identity }, c.startedLeadingMessage);
        c.run(signal).catch((e: unknown) => { logger.error({ err: e }, c.runFailedMessage); process.exit(1); });
      },
      onStoppedLeading: () => {
        if (shuttingDown) return;
        if (leading) { logger.error({ identity }, 'leaderelection lost'); process.exit(1); }
      },
      onNewLeader: (id) => { if (id !== identity) logger.info({ leader: id }, 'new leader elected'); },
    },
  });
  await elector.run(stop.signal);
  await broadcaster.shutdown();
  process.exit(0);
}
