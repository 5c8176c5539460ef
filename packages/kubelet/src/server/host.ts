// What the kubelet's HTTPS server needs from the kubelet (upstream server.HostInterface, trimmed).
import type { Pod } from '@kube-ts/client/types';
import type { Registry } from 'prom-client';
import type { RuntimeService } from '../cri/types.js';

export interface KubeletServerHost {
  nodeName: string;
  runtime: RuntimeService;
  /** Pods this kubelet runs (API pods bound here and static pods), by namespace/name; undefined if unknown. */
  getPodByName(namespace: string, name: string): Pod | undefined;
  listPods(): Pod[];
  /** /stats/summary body (another engineer builds it); absent -> 503. */
  statsSummary?(): Promise<unknown>;
  /** Extra /healthz checks: name -> error message or undefined when healthy. */
  healthChecks?(): Record<string, string | undefined>;
  metricsRegistry: Registry;
}
