// CRI client over grpc-js: RuntimeService and ImageService on one channel to the runtime's
// socket (--container-runtime-endpoint unix:///run/containerd/containerd.sock).
import grpc from '@grpc/grpc-js';
import { serviceClient } from './proto.js';
import type * as T from './types.js';

const RuntimeClient = serviceClient('RuntimeService');
const ImageClient = serviceClient('ImageService');

/** Per-call deadline, as the kubelet's --runtime-request-timeout (default 2m). */
export interface CriClientOptions {
  requestTimeoutMs?: number;
}

type Unary = (req: unknown, meta: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => void;

export function normalizeEndpoint(endpoint: string): string {
  if (endpoint.startsWith('unix://')) return `unix:${endpoint.slice('unix://'.length)}`;
  if (endpoint.startsWith('/')) return `unix:${endpoint}`;
  return endpoint;
}

class Caller {
  constructor(
    private readonly client: grpc.Client,
    private readonly timeoutMs: number,
  ) {}

  call<R>(method: string, req: object, timeoutMs = this.timeoutMs): Promise<R> {
    const fn = (this.client as unknown as Record<string, Unary>)[method];
    if (!fn) return Promise.reject(new Error(`CRI method ${method} missing`));
    return new Promise<R>((resolve, reject) => {
      const opts: grpc.CallOptions = timeoutMs > 0 ? { deadline: Date.now() + timeoutMs } : {};
      fn.call(this.client, req, new grpc.Metadata(), opts, (err, res) => (err ? reject(err) : resolve(res as R)));
    });
  }
}

export class CriClient implements T.RuntimeService, T.ImageService {
  private readonly rt: Caller;
  private readonly img: Caller;
  private readonly clients: grpc.Client[];

  constructor(endpoint: string, opts: CriClientOptions = {}) {
    const target = normalizeEndpoint(endpoint);
    const options = { 'grpc.max_receive_message_length': 16 * 1024 * 1024 };
    const rc = new RuntimeClient(target, grpc.credentials.createInsecure(), options);
    // Share the channel: one connection to the runtime for both services.
    const ic = new ImageClient(target, grpc.credentials.createInsecure(), { ...options, channelOverride: rc.getChannel() });
    this.clients = [rc, ic];
    const timeout = opts.requestTimeoutMs ?? 120_000;
    this.rt = new Caller(rc, timeout);
    this.img = new Caller(ic, timeout);
  }

  close(): void {
    for (const c of this.clients) c.close();
  }

  version(): Promise<T.VersionResponse> {
    return this.rt.call('Version', { version: 'v1' });
  }
  status(): Promise<T.StatusResponse> {
    return this.rt.call('Status', {});
  }
  async runPodSandbox(config: T.PodSandboxConfig, runtimeHandler = ''): Promise<string> {
    // Sandbox creation includes CNI ADD and can take long on a busy node: no short deadline.
    const r = await this.rt.call<{ podSandboxId: string }>('RunPodSandbox', { config, runtimeHandler }, 0);
    return r.podSandboxId;
  }
  async stopPodSandbox(id: string): Promise<void> {
    await this.rt.call('StopPodSandbox', { podSandboxId: id }, 0);
  }
  async removePodSandbox(id: string): Promise<void> {
    await this.rt.call('RemovePodSandbox', { podSandboxId: id }, 0);
  }
  async podSandboxStatus(id: string): Promise<T.PodSandboxStatus> {
    const r = await this.rt.call<{ status: T.PodSandboxStatus }>('PodSandboxStatus', { podSandboxId: id });
    return r.status;
  }
  /** Verbose runtime info (containerd: JSON under "info", with netNamespacePath, pid...). */
  async podSandboxInfo(id: string): Promise<Record<string, string>> {
    const r = await this.rt.call<{ info: Record<string, string> }>('PodSandboxStatus', { podSandboxId: id, verbose: true });
    return r.info;
  }
  async listPodSandbox(filter?: T.PodSandboxFilter): Promise<T.PodSandbox[]> {
    const r = await this.rt.call<{ items: T.PodSandbox[] }>('ListPodSandbox', filter ? { filter } : {});
    return r.items;
  }
  async createContainer(podSandboxId: string, config: T.ContainerConfig, sandboxConfig: T.PodSandboxConfig): Promise<string> {
    const r = await this.rt.call<{ containerId: string }>('CreateContainer', { podSandboxId, config, sandboxConfig });
    return r.containerId;
  }
  async startContainer(id: string): Promise<void> {
    await this.rt.call('StartContainer', { containerId: id });
  }
  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    // The runtime waits up to `timeout` before SIGKILL: give the call that long plus slack.
    await this.rt.call('StopContainer', { containerId: id, timeout: timeoutSeconds }, 0);
  }
  async removeContainer(id: string): Promise<void> {
    await this.rt.call('RemoveContainer', { containerId: id });
  }
  async listContainers(filter?: T.ContainerFilter): Promise<T.Container[]> {
    const r = await this.rt.call<{ containers: T.Container[] }>('ListContainers', filter ? { filter } : {});
    return r.containers;
  }
  async containerStatus(id: string): Promise<T.ContainerStatus> {
    const r = await this.rt.call<{ status: T.ContainerStatus }>('ContainerStatus', { containerId: id });
    return r.status;
  }
  async updateContainerResources(id: string, linux: T.LinuxContainerResources): Promise<void> {
    await this.rt.call('UpdateContainerResources', { containerId: id, linux });
  }
  async reopenContainerLog(id: string): Promise<void> {
    await this.rt.call('ReopenContainerLog', { containerId: id });
  }
  execSync(containerId: string, cmd: string[], timeoutSeconds: number): Promise<T.ExecSyncResponse> {
    const deadline = timeoutSeconds > 0 ? timeoutSeconds * 1000 + 5000 : 0;
    return this.rt.call('ExecSync', { containerId, cmd, timeout: timeoutSeconds }, deadline);
  }
  async exec(req: T.ExecRequest): Promise<string> {
    return (await this.rt.call<{ url: string }>('Exec', req)).url;
  }
  async attach(req: T.AttachRequest): Promise<string> {
    return (await this.rt.call<{ url: string }>('Attach', req)).url;
  }
  async portForward(podSandboxId: string, port: number[]): Promise<string> {
    return (await this.rt.call<{ url: string }>('PortForward', { podSandboxId, port })).url;
  }
  async containerStats(id: string): Promise<T.ContainerStats> {
    return (await this.rt.call<{ stats: T.ContainerStats }>('ContainerStats', { containerId: id })).stats;
  }
  async listContainerStats(filter?: { id?: string; podSandboxId?: string; labelSelector?: Record<string, string> }): Promise<T.ContainerStats[]> {
    return (await this.rt.call<{ stats: T.ContainerStats[] }>('ListContainerStats', filter ? { filter } : {})).stats;
  }
  async updateRuntimeConfig(podCidr: string): Promise<void> {
    await this.rt.call('UpdateRuntimeConfig', { runtimeConfig: { networkConfig: { podCidr } } });
  }

  async listImages(filter?: T.ImageSpec): Promise<T.Image[]> {
    return (await this.img.call<{ images: T.Image[] }>('ListImages', filter ? { filter: { image: filter } } : {})).images;
  }
  async imageStatus(image: T.ImageSpec): Promise<T.Image | undefined> {
    const r = await this.img.call<{ image: T.Image | null }>('ImageStatus', { image });
    return r.image && r.image.id ? r.image : undefined;
  }
  async pullImage(image: T.ImageSpec, auth?: T.AuthConfig, sandboxConfig?: T.PodSandboxConfig): Promise<string> {
    const r = await this.img.call<{ imageRef: string }>('PullImage', { image, auth, sandboxConfig }, 0);
    return r.imageRef;
  }
  async removeImage(image: T.ImageSpec): Promise<void> {
    await this.img.call('RemoveImage', { image });
  }
}

/** gRPC status code of a failed CRI call (5 = NotFound), or undefined. */
export function grpcCode(err: unknown): number | undefined {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'number' ? c : undefined;
}

export function isCriNotFound(err: unknown): boolean {
  return grpcCode(err) === grpc.status.NOT_FOUND;
}
