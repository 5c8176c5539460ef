// Liveness, readiness and startup probes for the kubelet (pkg/kubelet/prober, pkg/probe/...).
export type { ProbeType, ProbeResult, Probe, HTTPGetAction, TCPSocketAction, GRPCAction, ExecAction } from './types.js';
export { ProbeManager, type ProberDeps } from './manager.js';
export { healthServiceDefinition, type HealthCheckRequest, type HealthCheckResponse } from './grpc.js';
