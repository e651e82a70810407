// Requeue delays for failed keys: per-key exponential backoff, never faster than a
// shared token bucket allows (client-go's default controller rate limiter is the max
// of the two). The bucket keeps a storm of failing keys from hammering an API server.
import { systemClock, type Clock } from './clock.js';

export interface RateLimiterOptions {
  /** First retry delay of a key; doubles per consecutive failure. Default 5 ms. */
  baseDelayMs?: number;
  /** Upper bound of a key's backoff. Default 1000 s. */
  maxDelayMs?: number;
  /** Sustained retries per second across all keys. Default 10. */
  qps?: number;
  /** Retries allowed at once before the bucket paces them. Default 100. */
  burst?: number;
  clock?: Clock | undefined;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly clock: Clock = systemClock,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new Error(`token bucket: qps must be > 0 and burst >= 1 (got qps=${qps}, burst=${burst})`);
    this.tokens = burst;
    this.last = clock.now();
  }

  /**
   * Takes one token and returns how long the caller must wait until that token
   * exists. Tokens may go negative: each reservation queues behind the previous ones.
   */
  reserve(): number {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.last);
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.qps) / 1000);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }
}

export class KeyRateLimiter<K> {
  private readonly failures = new Map<K, number>();
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly bucket: TokenBucket;

  constructor(options: RateLimiterOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
    this.bucket = new TokenBucket(options.qps ?? 10, options.burst ?? 100, options.clock ?? systemClock);
  }

  /** Delay before the next retry of `key`; counts one more failure. */
  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    // 2^n overflows to Infinity for large n; Math.min keeps the cap.
    const backoff = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** n);
    return Math.max(backoff, this.bucket.reserve());
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: K): void {
    this.failures.delete(key);
  }
}
