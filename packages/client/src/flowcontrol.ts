// Client-side throttling as client-go's flowcontrol token bucket: `qps` tokens per second, up to
// `burst` saved; each request waits for a token. Waiters are served in arrival order.
import { realClock, type Clock } from './clock.js';

export class TokenBucket {
  private tokens: number;
  private last: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly qps: number, readonly burst: number, private readonly clock: Clock = realClock) {
    this.tokens = burst;
    this.last = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  /** Takes a token if one is available now. */
  tryAccept(): boolean {
    this.refill();
    if (this.tokens >= 1) { this.tokens -= 1; return true; }
    return false;
  }

  /** How long until a token is free if one is reserved now (the reservation is kept). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Waits for a token. */
  accept(): Promise<void> {
    if (this.qps <= 0) return Promise.resolve();
    const next = this.queue.then(async () => {
      const wait = this.reserve();
      if (wait > 0) await this.clock.sleep(wait);
    });
    this.queue = next;
    return next;
  }
}
