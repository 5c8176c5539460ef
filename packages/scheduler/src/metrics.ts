// kube-scheduler's Prometheus metrics (upstream names): pending pods per queue, attempts and their
// duration by result, the pod scheduling SLI, incoming pods per queue and event, preemption.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { QueueMetricsSink, QueueName } from './backend/queue.js';

export interface SchedulerMetrics extends QueueMetricsSink {
  attempt(result: 'scheduled' | 'unschedulable' | 'error', profile: string, seconds: number): void;
  podScheduled(attempts: number, secondsSinceFirstAttempt: number): void;
  preemption(victims: number): void;
  frameworkPoint(point: string, status: string, profile: string, seconds: number): void;
}

export function newSchedulerMetrics(reg: Registry): SchedulerMetrics {
  const pending = new Gauge({ name: 'scheduler_pending_pods', help: 'Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; \'gated\' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.', labelNames: ['queue'], registers: [reg] });
  const incoming = new Counter({ name: 'scheduler_queue_incoming_pods_total', help: 'Number of pods added to scheduling queues by event and queue type.', labelNames: ['queue', 'event'], registers: [reg] });
  const attempts = new Counter({ name: 'scheduler_schedule_attempts_total', help: 'Number of attempts to schedule pods, by the result. \'unschedulable\' means a pod could not be scheduled, while \'error\' means an internal scheduler problem.', labelNames: ['result', 'profile'], registers: [reg] });
  const attemptDuration = new Histogram({ name: 'scheduler_scheduling_attempt_duration_seconds', help: 'Scheduling attempt latency in seconds (scheduling algorithm + binding)', labelNames: ['result', 'profile'], buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384], registers: [reg] });
  const sli = new Histogram({ name: 'scheduler_pod_scheduling_sli_duration_seconds', help: 'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.', labelNames: ['attempts'], buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36, 1310.72, 2621.44, 5242.88], registers: [reg] });
  const preemptionAttempts = new Counter({ name: 'scheduler_preemption_attempts_total', help: 'Total preemption attempts in the cluster till now', registers: [reg] });
  const preemptionVictims = new Histogram({ name: 'scheduler_preemption_victims', help: 'Number of selected preemption victims', buckets: [1, 2, 4, 8, 16, 32, 64], registers: [reg] });
  const points = new Histogram({ name: 'scheduler_framework_extension_point_duration_seconds', help: 'Latency for running all plugins of a specific extension point.', labelNames: ['extension_point', 'status', 'profile'], buckets: [0.0001, 0.0002, 0.0004, 0.0008, 0.0016, 0.0032, 0.0064, 0.0128, 0.0256, 0.0512, 0.1024, 0.2048], registers: [reg] });
  return {
    incoming: (queue: QueueName, event: string) => incoming.inc({ queue, event }),
    pending: (c) => { for (const [k, v] of Object.entries(c)) pending.set({ queue: k }, v); },
    attempt: (result, profile, seconds) => { attempts.inc({ result, profile }); attemptDuration.observe({ result, profile }, seconds); },
    podScheduled: (n, s) => sli.observe({ attempts: String(Math.min(n, 15)) }, s),
    preemption: (victims) => { preemptionAttempts.inc(); if (victims > 0) preemptionVictims.observe(victims); },
    frameworkPoint: (point, status, profile, seconds) => points.observe({ extension_point: point, status, profile }, seconds),
  };
}
