// Pod lifecycle event generator (pleg/generic.go): relists the runtime every period and reports
// pods whose sandboxes or containers changed state, so pod workers react to container exits
// without waiting for the periodic resync.
import type { Logger } from 'pino';
import type { RuntimeService } from '../cri/types.js';
import { L_POD_UID } from '../kuberuntime/labels.js';

export class GenericPLEG {
  private last = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private relisting = false;
  private lastRelist = 0;
  /** UIDs the runtime has sandboxes or containers for, as of the last relist. */
  runtimeUids = new Set<string>();

  constructor(
    private readonly runtime: RuntimeService,
    private readonly onChange: (uid: string) => void,
    private readonly logger: Logger,
    private readonly periodMs = 1_000,
  ) {}

  start(): void {
    const tick = (): void => {
      void this.relist().finally(() => {
        if (this.timer !== undefined) this.timer = setTimeout(tick, this.periodMs).unref();
      });
    };
    this.timer = setTimeout(tick, 0).unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Healthy while relists keep completing (upstream: within 3 minutes). */
  healthy(now = Date.now()): boolean {
    return this.lastRelist === 0 || now - this.lastRelist < 3 * 60_000;
  }

  async relist(): Promise<void> {
    if (this.relisting) return;
    this.relisting = true;
    try {
      const [sbs, cs] = await Promise.all([this.runtime.listPodSandbox(), this.runtime.listContainers()]);
      const sig = new Map<string, string[]>();
      for (const s of sbs) {
        const uid = s.labels[L_POD_UID];
        if (!uid) continue;
        (sig.get(uid) ?? sig.set(uid, []).get(uid)!).push(`s:${s.id}:${s.state}`);
      }
      for (const c of cs) {
        const uid = c.labels[L_POD_UID];
        if (!uid) continue;
        (sig.get(uid) ?? sig.set(uid, []).get(uid)!).push(`c:${c.id}:${c.state}`);
      }
      const next = new Map<string, string>();
      for (const [uid, parts] of sig) next.set(uid, parts.sort().join(','));
      for (const [uid, s] of next) if (this.last.get(uid) !== s) this.onChange(uid);
      for (const uid of this.last.keys()) if (!next.has(uid)) this.onChange(uid);
      this.last = next;
      this.runtimeUids = new Set(next.keys());
      this.lastRelist = Date.now();
    } catch (err) {
      this.logger.warn({ err }, 'PLEG relist failed');
    } finally {
      this.relisting = false;
    }
  }
}
