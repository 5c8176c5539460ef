// Image pulls by policy (pkg/kubelet/images/image_manager.go): Always / IfNotPresent / Never, a
// default of Always for :latest or untagged images, back-off between failed pulls, and the events
// and waiting reasons kubectl shows (ErrImagePull, ImagePullBackOff, ErrImageNeverPull).
import type { Container, Pod } from '@kube-ts/client';
import type { ImageService } from '../cri/types.js';
import { formatDuration } from '../config/duration.js';
import type { Backoff } from './backoff.js';

export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
  ) {
    super(message);
  }
}

// Go's codes.Code names: upstream formats a CRI error as grpc-go's status error string.
const GRPC_CODES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied',
  'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

/** `rpc error: code = NotFound desc = ...` as the Go kubelet prints a failed CRI call (%v). */
export function criErrorString(err: unknown): string {
  const e = err as { code?: unknown; details?: unknown; message?: unknown };
  if (typeof e.code === 'number' && typeof e.details === 'string') return `rpc error: code = ${GRPC_CODES[e.code] ?? `Code(${e.code})`} desc = ${e.details}`;
  return typeof e.message === 'string' ? e.message : String(err);
}

/** time.Duration.Truncate(time.Millisecond).String(): 523ms, 1.5s, 1m2.25s. */
export function goDurationMs(ms: number): string {
  return formatDuration(Math.max(0, Math.trunc(ms)));
}

export type EventFn = (type: 'Normal' | 'Warning', reason: string, message: string) => void;

export function pullPolicy(c: Container): 'Always' | 'IfNotPresent' | 'Never' {
  const p = c.imagePullPolicy as 'Always' | 'IfNotPresent' | 'Never' | undefined;
  if (p) return p;
  const image = c.image ?? '';
  const last = image.split('/').pop() ?? '';
  const tagged = last.includes(':') || image.includes('@');
  return !tagged || last.endsWith(':latest') ? 'Always' : 'IfNotPresent';
}

export class ImageManager {
  constructor(
    private readonly images: ImageService,
    private readonly backoff: Backoff,
    private readonly now: () => number,
  ) {}

  /** Returns the image reference to create the container from. */
  async ensure(p: Pod, c: Container, event: EventFn): Promise<string> {
    const image = c.image ?? '';
    if (!image) throw new ImagePullError('InvalidImageName', `Failed to apply default image tag "": couldn't parse image name "": invalid reference format`);
    const policy = pullPolicy(c);
    const present = await this.images.imageStatus({ image });
    if (present && policy !== 'Always') {
      event('Normal', 'Pulled', `Container image "${image}" already present on machine`);
      return present.id;
    }
    if (policy === 'Never') {
      const msg = `Container image "${image}" is not present with pull policy of Never`;
      event('Warning', 'ErrImageNeverPull', msg);
      event('Warning', 'Failed', 'Error: ErrImageNeverPull');
      throw new ImagePullError('ErrImageNeverPull', msg);
    }
    const key = `${p.metadata.uid ?? ''}_${image}`;
    const last = this.lastFailure.get(key);
    if (last !== undefined && this.backoff.isInBackOffSince(key, last)) {
      const msg = `Back-off pulling image "${image}"`;
      event('Normal', 'BackOff', msg);
      event('Warning', 'Failed', 'Error: ImagePullBackOff');
      // The waiting message carries the last pull error (upstream prevPullErrMsg).
      const prev = this.lastError.get(key);
      throw new ImagePullError('ImagePullBackOff', prev ? `${msg}: ${prev}` : msg);
    }
    event('Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = this.now();
    try {
      const ref = await this.images.pullImage({ image });
      const took = goDurationMs(this.now() - t0);
      const st = await this.images.imageStatus({ image }).catch(() => undefined);
      event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${took} (${took} including waiting). Image size: ${st?.size ?? 0} bytes.`);
      this.lastFailure.delete(key);
      this.lastError.delete(key);
      return st?.id ?? ref;
    } catch (err) {
      const detail = criErrorString(err);
      event('Warning', 'Failed', `Failed to pull image "${image}": ${detail}`);
      event('Warning', 'Failed', 'Error: ErrImagePull');
      this.backoff.next(key, this.now());
      this.lastFailure.set(key, this.now());
      this.lastError.set(key, `ErrImagePull: ${detail}`);
      // Upstream's waiting message is the CRI error itself (evalCRIPullErr's fallback).
      throw new ImagePullError('ErrImagePull', detail);
    }
  }

  private readonly lastFailure = new Map<string, number>();
  private readonly lastError = new Map<string, string>();
}
