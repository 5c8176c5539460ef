// ValidateKubeletConfiguration (pkg/kubelet/apis/config/validation) for the fields this kubelet
// supports, with upstream's messages; the errors are aggregated as utilerrors.NewAggregate prints.
import { isAbsolute, normalize } from 'node:path';
import { parseDuration } from './duration.js';
import { taintValid } from './labels.js';
import type { KubeletConfiguration } from './types.js';

const inRange = (v: number, lo: number, hi: number): boolean => v >= lo && v <= hi;
const validPort = (p: number): boolean => inRange(p, 1, 65535);

/** Feature gates on by default in v1.32 that change validation. */
function gate(cfg: KubeletConfiguration, name: string, dflt: boolean): boolean {
  return cfg.featureGates[name] ?? dflt;
}

/** All violations, each `invalid configuration: ...`. */
export function validateKubeletConfiguration(kc: KubeletConfiguration): string[] {
  const errs: string[] = [];
  const e = (m: string): void => { errs.push(`invalid configuration: ${m}`); };
  if (kc.nodeLeaseDurationSeconds <= 0) e('nodeLeaseDurationSeconds must be greater than 0');
  if (kc.eventBurst < 0) e(`eventBurst (--event-burst) ${kc.eventBurst} must not be a negative number`);
  if (kc.eventRecordQPS < 0) e(`eventRecordQPS (--event-qps) ${kc.eventRecordQPS} must not be a negative number`);
  if (kc.healthzPort !== 0 && !validPort(kc.healthzPort)) e(`healthzPort (--healthz-port) ${kc.healthzPort} must be between 1 and 65535, inclusive`);
  if (!gate(kc, 'CustomCPUCFSQuotaPeriod', false) && parseDuration(kc.cpuCFSQuotaPeriod) !== 100) {
    e(`cpuCFSQuotaPeriod (--cpu-cfs-quota-period) ${kc.cpuCFSQuotaPeriod} requires feature gate CustomCPUCFSQuotaPeriod`);
  }
  if (!inRange(kc.imageGCHighThresholdPercent, 0, 100)) e(`imageGCHighThresholdPercent (--image-gc-high-threshold) ${kc.imageGCHighThresholdPercent} must be between 0 and 100, inclusive`);
  if (!inRange(kc.imageGCLowThresholdPercent, 0, 100)) e(`imageGCLowThresholdPercent (--image-gc-low-threshold) ${kc.imageGCLowThresholdPercent} must be between 0 and 100, inclusive`);
  if (kc.imageGCLowThresholdPercent >= kc.imageGCHighThresholdPercent) {
    e(`imageGCLowThresholdPercent (--image-gc-low-threshold) ${kc.imageGCLowThresholdPercent} must be less than imageGCHighThresholdPercent (--image-gc-high-threshold) ${kc.imageGCHighThresholdPercent}`);
  }
  if (parseDuration(kc.imageMinimumGCAge) < 0) e(`imageMinimumGCAge ${kc.imageMinimumGCAge} must not be negative`);
  if (!inRange(kc.iptablesDropBit, 0, 31)) e(`iptablesDropBit (--iptables-drop-bit) ${kc.iptablesDropBit} must be between 0 and 31, inclusive`);
  if (!inRange(kc.iptablesMasqueradeBit, 0, 31)) e(`iptablesMasqueradeBit (--iptables-masquerade-bit) ${kc.iptablesMasqueradeBit} must be between 0 and 31, inclusive`);
  if (kc.kubeAPIBurst < 0) e(`kubeAPIBurst (--kube-api-burst) ${kc.kubeAPIBurst} must not be a negative number`);
  if (kc.kubeAPIQPS < 0) e(`kubeAPIQPS (--kube-api-qps) ${kc.kubeAPIQPS} must not be a negative number`);
  if (kc.nodeStatusMaxImages < -1) e(`nodeStatusMaxImages (--node-status-max-images) ${kc.nodeStatusMaxImages} must be -1 or greater`);
  if (kc.maxOpenFiles < 0) e(`maxOpenFiles (--max-open-files) ${kc.maxOpenFiles} must not be a negative number`);
  if (kc.maxPods < 0) e(`maxPods (--max-pods) ${kc.maxPods} must not be a negative number`);
  if (!inRange(kc.oomScoreAdj, -1000, 1000)) e(`oomScoreAdj (--oom-score-adj) ${kc.oomScoreAdj} must be between -1000 and 1000, inclusive`);
  if (kc.podsPerCore < 0) e(`podsPerCore (--pods-per-core) ${kc.podsPerCore} must not be a negative number`);
  if (!validPort(kc.port)) e(`port (--port) ${kc.port} must be between 1 and 65535, inclusive`);
  if (kc.readOnlyPort !== 0 && !validPort(kc.readOnlyPort)) e(`readOnlyPort (--read-only-port) ${kc.readOnlyPort} must be between 0 and 65535, inclusive`);
  if (kc.registryBurst < 0) e(`registryBurst (--registry-burst) ${kc.registryBurst} must not be a negative number`);
  if (kc.registryPullQPS < 0) e(`registryPullQPS (--registry-qps) ${kc.registryPullQPS} must not be a negative number`);
  if (kc.maxParallelImagePulls !== undefined && kc.maxParallelImagePulls < 1) e(`maxParallelImagePulls ${kc.maxParallelImagePulls} must be a positive number`);
  if (kc.serializeImagePulls && kc.maxParallelImagePulls !== undefined && kc.maxParallelImagePulls > 1) {
    e('maxParallelImagePulls cannot be larger than 1 unless SerializeImagePulls (--serialize-image-pulls) is set to false');
  }
  for (const t of kc.registerWithTaints) {
    if (!taintValid(t)) errs.push(`invalid taint: ${JSON.stringify(t)}`);
    if (t.timeAdded) e('taint.TimeAdded is not nil');
  }
  const tmPolicies = ['none', 'best-effort', 'restricted', 'single-numa-node'];
  if (!tmPolicies.includes(kc.topologyManagerPolicy)) {
    e(`topologyManagerPolicy (--topology-manager-policy) ${JSON.stringify(kc.topologyManagerPolicy)} must be one of: [${tmPolicies.map((p) => JSON.stringify(p)).join(' ')}]`);
  }
  if (kc.topologyManagerScope !== 'container' && kc.topologyManagerScope !== 'pod') {
    e(`topologyManagerScope (--topology-manager-scope) ${JSON.stringify(kc.topologyManagerScope)} must be one of: "container", or "pod"`);
  }
  const shutdown = parseDuration(kc.shutdownGracePeriod);
  const shutdownCritical = parseDuration(kc.shutdownGracePeriodCriticalPods);
  if (gate(kc, 'GracefulNodeShutdown', true)) {
    if (shutdownCritical > shutdown) e(`shutdownGracePeriodCriticalPods ${kc.shutdownGracePeriodCriticalPods} must be <= shutdownGracePeriod ${kc.shutdownGracePeriod}`);
    if (shutdown < 0 || (shutdown > 0 && shutdown < 1000)) e(`shutdownGracePeriod ${kc.shutdownGracePeriod} must be either zero or otherwise >= 1 sec`);
    if (shutdownCritical < 0 || (shutdownCritical > 0 && shutdownCritical < 1000)) e(`shutdownGracePeriodCriticalPods ${kc.shutdownGracePeriodCriticalPods} must be either zero or otherwise >= 1 sec`);
  } else if (shutdown > 0 || shutdownCritical > 0) {
    e('specifying shutdownGracePeriod or shutdownGracePeriodCriticalPods requires feature gate GracefulNodeShutdown');
  }
  validateEnforceNodeAllocatable(kc, e);
  if (!['none', 'hairpin-veth', 'promiscuous-bridge'].includes(kc.hairpinMode)) {
    e(`option ${JSON.stringify(kc.hairpinMode)} specified for hairpinMode (--hairpin-mode). Valid options are "none", "hairpin-veth" or "promiscuous-bridge"`);
  }
  if (kc.memoryThrottlingFactor <= 0 || kc.memoryThrottlingFactor > 1) e(`memoryThrottlingFactor ${kc.memoryThrottlingFactor} must be greater than 0 and less than or equal to 1.0`);
  if (kc.containerRuntimeEndpoint === '') e('the containerRuntimeEndpoint was not specified or empty');
  if (kc.containerLogMaxWorkers < 1) e('containerLogMaxWorkers must be greater than or equal to 1');
  if (parseDuration(kc.containerLogMonitorInterval) < 3000) e('containerLogMonitorInterval must be a positive time duration greater than or equal to 3s');
  if (kc.containerLogMaxFiles <= 1) e('containerLogMaxFiles must be greater than 1');
  if (kc.podLogsDir === '') e('podLogsDir was not specified');
  if (!isAbsolute(kc.podLogsDir)) e(`pod logs path ${JSON.stringify(kc.podLogsDir)} must be absolute path`);
  else if (normalize(kc.podLogsDir).replace(/\/$/, '') !== kc.podLogsDir && kc.podLogsDir !== '/') e(`pod logs path ${JSON.stringify(kc.podLogsDir)} must be normalized`);
  if (kc.cgroupDriver !== 'cgroupfs' && kc.cgroupDriver !== 'systemd') {
    e(`cgroupDriver (--cgroup-driver) ${JSON.stringify(kc.cgroupDriver)} must be one of "cgroupfs" or "systemd"`);
  }
  if (kc.authorization.mode !== 'AlwaysAllow' && kc.authorization.mode !== 'Webhook') {
    errs.push(`unknown authorization mode ${kc.authorization.mode}`);
  }
  if (kc.logging.format !== 'text' && kc.logging.format !== 'json') errs.push(`logging.format: Unsupported value: ${JSON.stringify(kc.logging.format)}: supported values: "json", "text"`);
  return errs;
}

function validateEnforceNodeAllocatable(kc: KubeletConfiguration, e: (m: string) => void): void {
  const list = kc.enforceNodeAllocatable;
  const has = (k: string): boolean => list.includes(k);
  if (has('system-reserved') && has('system-reserved-compressible')) e('both "system-reserved" and "system-reserved-compressible" cannot be specified together in enforceNodeAllocatable (--enforce-node-allocatable)');
  if (has('kube-reserved') && has('kube-reserved-compressible')) e('both "kube-reserved" and "kube-reserved-compressible" cannot be specified together in enforceNodeAllocatable (--enforce-node-allocatable)');
  const seen = new Set<string>();
  for (const val of list) {
    if (seen.has(val)) { e(`duplicated enforcements ${JSON.stringify(val)} in enforceNodeAllocatable (--enforce-node-allocatable)`); continue; }
    seen.add(val);
    switch (val) {
      case 'pods': break;
      case 'system-reserved': case 'system-reserved-compressible':
        if (!kc.systemReservedCgroup) e('systemReservedCgroup (--system-reserved-cgroup) must be specified when "system-reserved" or "system-reserved-compressible" included in enforceNodeAllocatable (--enforce-node-allocatable)');
        break;
      case 'kube-reserved': case 'kube-reserved-compressible':
        if (!kc.kubeReservedCgroup) e('kubeReservedCgroup (--kube-reserved-cgroup) must be specified when "kube-reserved" or "kube-reserved-compressible" included in enforceNodeAllocatable (--enforce-node-allocatable)');
        break;
      case 'none':
        if (list.length > 1) e('enforceNodeAllocatable (--enforce-node-allocatable) may not contain additional enforcements when "none" is specified');
        continue;
      default:
        e(`option ${JSON.stringify(val)} specified for enforceNodeAllocatable (--enforce-node-allocatable). Valid options are "pods", "system-reserved", "system-reserved-compressible", "kube-reserved", "kube-reserved-compressible" or "none"`);
        continue;
    }
    if (!kc.cgroupsPerQOS) e(`cgroupsPerQOS (--cgroups-per-qos) must be set to true when ${JSON.stringify(val)} contained in enforceNodeAllocatable (--enforce-node-allocatable)`);
  }
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several as "[a, b]". */
export function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`;
}
