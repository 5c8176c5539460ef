// TypeScript shapes of the CRI messages in proto/cri.proto as the client exchanges them:
// protobufjs camelCase field names, enums as their names, int64 as decimal strings on the way
// in (timestamps are nanoseconds, beyond 2^53) and number | string accepted on the way out.

export type Int64 = string;
export type Int64In = number | string;

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type NamespaceMode = 'POD' | 'CONTAINER' | 'NODE' | 'TARGET';
export type PodSandboxState = 'SANDBOX_READY' | 'SANDBOX_NOTREADY';
export type ContainerState = 'CONTAINER_CREATED' | 'CONTAINER_RUNNING' | 'CONTAINER_EXITED' | 'CONTAINER_UNKNOWN';
export type MountPropagation = 'PROPAGATION_PRIVATE' | 'PROPAGATION_HOST_TO_CONTAINER' | 'PROPAGATION_BIDIRECTIONAL';

export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface DNSConfig { servers?: string[]; searches?: string[]; options?: string[] }
export interface PortMapping { protocol?: Protocol; containerPort?: number; hostPort?: number; hostIp?: string }
export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
}
export interface NamespaceOption { network?: NamespaceMode; pid?: NamespaceMode; ipc?: NamespaceMode; targetId?: string }
export interface Int64Value { value: Int64In }

export interface LinuxContainerResources {
  cpuPeriod?: Int64In;
  cpuQuota?: Int64In;
  cpuShares?: Int64In;
  memoryLimitInBytes?: Int64In;
  oomScoreAdj?: Int64In;
  cpusetCpus?: string;
  cpusetMems?: string;
  unified?: Record<string, string>;
  memorySwapLimitInBytes?: Int64In;
}

export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOption;
  runAsUser?: Int64Value;
  runAsGroup?: Int64Value;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64In[];
  privileged?: boolean;
}
export interface LinuxPodSandboxConfig {
  cgroupParent?: string;
  securityContext?: LinuxSandboxSecurityContext;
  sysctls?: Record<string, string>;
  overhead?: LinuxContainerResources;
  resources?: LinuxContainerResources;
}
export interface PodSandboxMetadata { name: string; uid: string; namespace: string; attempt?: number }
export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  hostname?: string;
  logDirectory?: string;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  linux?: LinuxPodSandboxConfig;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Int64;
  network?: { ip: string; additionalIps: { ip: string }[] };
  linux?: { namespaces?: { options?: NamespaceOption } };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}
export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runtimeHandler: string;
}
export interface PodSandboxFilter {
  id?: string;
  state?: { state: PodSandboxState };
  labelSelector?: Record<string, string>;
}

export interface ImageSpec { image: string; annotations?: Record<string, string> }
export interface KeyValue { key: string; value: string }
export interface Capability { addCapabilities?: string[]; dropCapabilities?: string[] }
export interface LinuxContainerSecurityContext {
  capabilities?: Capability;
  privileged?: boolean;
  namespaceOptions?: NamespaceOption;
  runAsUser?: Int64Value;
  runAsUsername?: string;
  runAsGroup?: Int64Value;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64In[];
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
}
export interface Device { containerPath: string; hostPath: string; permissions: string }
export interface ContainerMetadata { name: string; attempt?: number }
export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: ImageSpec;
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  devices?: Device[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: { resources?: LinuxContainerResources; securityContext?: LinuxContainerSecurityContext };
}

export interface ContainerFilter {
  id?: string;
  state?: { state: ContainerState };
  podSandboxId?: string;
  labelSelector?: Record<string, string>;
}
export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: ImageSpec;
  imageRef: string;
  state: ContainerState;
  createdAt: Int64;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}
export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata;
  state: ContainerState;
  createdAt: Int64;
  startedAt: Int64;
  finishedAt: Int64;
  exitCode: number;
  image: ImageSpec;
  imageRef: string;
  reason: string;
  message: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  mounts: Mount[];
  logPath: string;
}

export interface ExecSyncResponse { stdout: Buffer; stderr: Buffer; exitCode: number }
export interface ExecRequest {
  containerId: string;
  cmd: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}
export interface AttachRequest {
  containerId: string;
  stdin?: boolean;
  tty?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}

export interface UInt64Value { value: Int64 }
export interface ContainerStats {
  attributes: { id: string; metadata: ContainerMetadata; labels: Record<string, string>; annotations: Record<string, string> };
  cpu?: { timestamp: Int64; usageCoreNanoSeconds?: UInt64Value; usageNanoCores?: UInt64Value };
  memory?: {
    timestamp: Int64;
    workingSetBytes?: UInt64Value;
    availableBytes?: UInt64Value;
    usageBytes?: UInt64Value;
    rssBytes?: UInt64Value;
    pageFaults?: UInt64Value;
    majorPageFaults?: UInt64Value;
  };
  writableLayer?: { timestamp: Int64; fsId?: { mountpoint: string }; usedBytes?: UInt64Value; inodesUsed?: UInt64Value };
}

export interface RuntimeCondition { type: string; status: boolean; reason: string; message: string }
export interface StatusResponse { status: { conditions: RuntimeCondition[] }; info: Record<string, string> }

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: Int64;
  uid?: { value: Int64 };
  username: string;
  pinned: boolean;
}
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

/** The runtime half of the CRI, as the kubelet's components use it. */
export interface RuntimeService {
  version(): Promise<VersionResponse>;
  status(): Promise<StatusResponse>;
  runPodSandbox(config: PodSandboxConfig, runtimeHandler?: string): Promise<string>;
  stopPodSandbox(id: string): Promise<void>;
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandbox(filter?: PodSandboxFilter): Promise<PodSandbox[]>;
  createContainer(podSandboxId: string, config: ContainerConfig, sandboxConfig: PodSandboxConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** timeoutSeconds: SIGTERM (or the image's stop signal), then SIGKILL after that many seconds. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;
  updateContainerResources(id: string, resources: LinuxContainerResources): Promise<void>;
  reopenContainerLog(id: string): Promise<void>;
  /** timeoutSeconds 0 = no timeout. */
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResponse>;
  /** The runtime's streaming URL (http://127.0.0.1:port/exec/<token>). */
  exec(req: ExecRequest): Promise<string>;
  attach(req: AttachRequest): Promise<string>;
  portForward(podSandboxId: string, ports: number[]): Promise<string>;
  containerStats(id: string): Promise<ContainerStats>;
  listContainerStats(filter?: { id?: string; podSandboxId?: string; labelSelector?: Record<string, string> }): Promise<ContainerStats[]>;
  updateRuntimeConfig(podCidr: string): Promise<void>;
}

/** The image half of the CRI. */
export interface ImageService {
  listImages(filter?: ImageSpec): Promise<Image[]>;
  /** undefined when the image is not present. */
  imageStatus(image: ImageSpec): Promise<Image | undefined>;
  pullImage(image: ImageSpec, auth?: AuthConfig, sandboxConfig?: PodSandboxConfig): Promise<string>;
  removeImage(image: ImageSpec): Promise<void>;
}
