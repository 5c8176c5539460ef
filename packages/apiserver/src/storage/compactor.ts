// The apiserver's periodic compaction (upstream storage/etcd3/compact.go): every interval, the
// apiservers race on compact_rev_key's version; the winner compacts to the revision recorded
// one interval earlier, so history stays available for at least one interval.
import type { Logger } from 'pino';
import type { EtcdClient } from './etcd.js';

export const COMPACT_REV_KEY = 'compact_rev_key';

export class Compactor {
  private timer?: NodeJS.Timeout;
  /** compact_rev_key's version as last seen, and the revision to compact to next round. */
  private version = 0;
  private rev = 0;

  constructor(private readonly etcd: EtcdClient, private readonly intervalMs: number, private readonly log: Logger) {}

  start(): void {
    if (this.intervalMs <= 0) return;
    const tick = (): void => {
      void this.round().finally(() => { this.timer = setTimeout(tick, this.intervalMs); this.timer.unref(); });
    };
    this.timer = setTimeout(tick, this.intervalMs);
    this.timer.unref();
  }

  /** One round; exported for tests. */
  async round(): Promise<void> {
    try {
      const r = await this.etcd.claimCompaction(COMPACT_REV_KEY, this.version, this.rev);
      const target = this.rev;
      this.version = r.version;
      this.rev = r.revision;
      // Lost the race (another apiserver compacts), or the first round (nothing recorded yet).
      if (!r.won || target === 0) return;
      await this.etcd.compact(target);
      this.log.info({ revision: target }, 'compacted the store');
    } catch (err) {
      const msg = (err as Error).message;
      if (msg.includes('required revision has been compacted')) return; // someone compacted further already
      this.log.warn({ err: msg }, 'compaction failed');
    }
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }
}
