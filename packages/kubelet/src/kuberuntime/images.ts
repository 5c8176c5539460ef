// Image pulls by policy (pkg/kubelet/images/image_manager.go): Always / IfNotPresent / Never, a
// default of Always for :latest or untagged images, back-off between failed pulls, and the events
// and waiting reasons kubectl shows (ErrImagePull, ImagePullBackOff, ErrImageNeverPull).
import type { Container, Pod } from '@kube-ts/client';
import type { ImageService } from '../cri/types.js';
import type { Backoff } from './backoff.js';

export class ImagePullError extends Error {
  constructor(
    readonly reason: 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull' | 'InvalidImageName',
    message: string,
  ) {
    super(message);
  }
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
      throw new ImagePullError('ErrImageNeverPull', msg);
    }
    const key = `${p.metadata.uid ?? ''}_${image}`;
    const last = this.lastFailure.get(key);
    if (last !== undefined && this.backoff.isInBackOffSince(key, last)) {
      const msg = `Back-off pulling image "${image}"`;
      event('Normal', 'BackOff', msg);
      throw new ImagePullError('ImagePullBackOff', msg);
    }
    event('Normal', 'Pulling', `Pulling image "${image}"`);
    const t0 = this.now();
    try {
      const ref = await this.images.pullImage({ image });
      const secs = ((this.now() - t0) / 1000).toFixed(3);
      const st = await this.images.imageStatus({ image }).catch(() => undefined);
      event('Normal', 'Pulled', `Successfully pulled image "${image}" in ${secs}s (${secs}s including waiting). Image size: ${st?.size ?? 0} bytes.`);
      this.lastFailure.delete(key);
      return st?.id ?? ref;
    } catch (err) {
      const detail = (err as { details?: string }).details ?? (err as Error).message;
      const msg = `Failed to pull image "${image}": ${detail}`;
      event('Warning', 'Failed', msg);
      event('Warning', 'Failed', 'Error: ErrImagePull');
      this.backoff.next(key, this.now());
      this.lastFailure.set(key, this.now());
      throw new ImagePullError('ErrImagePull', msg);
    }
  }

  private readonly lastFailure = new Map<string, number>();
}
