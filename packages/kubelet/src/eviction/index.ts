// Node-pressure eviction: thresholds, signal observations, pod ranking, the manager and admission.
export { EvictionManager, evictionMessage, REASON, EVENT_THRESHOLD_MET, IMMEDIATE_EVICTION_GRACE_PERIOD_SECONDS, DEFAULT_MONITORING_INTERVAL_MS, type EvictionDeps, type AdmitResult } from './manager.js';
export {
  parseThresholds,
  parseGoDuration,
  thresholdQuantity,
  isHardThreshold,
  DEFAULT_EVICTION_HARD,
  DEFAULT_PRESSURE_TRANSITION_PERIOD_MS,
  SIGNAL_TO_RESOURCE,
  SIGNAL_TO_CONDITION,
  type EvictionConfig,
  type Threshold,
  type ThresholdValue,
  type Signal,
  type ResourceName,
  type PressureCondition,
} from './thresholds.js';
export { makeSignalObservations, thresholdsMet, type Observation, type Observations } from './observations.js';
export { rankMemoryPressure, rankPIDPressure, rankDiskPressureFunc, orderedBy, priority, exceedMemoryRequests, memory, disk, exceedDiskRequests, type StatsFunc, type RankFunc, type FsStatsType } from './rank.js';
export { computePodQOS, getPodQOS, isCriticalPod, podRequest, type QOSClass } from './pods.js';
export { parseQuantity, formatQuantity, newQuantity, type Quantity, type QuantityFormat } from './quantity.js';
