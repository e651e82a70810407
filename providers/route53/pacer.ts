// A token bucket for every request one adapter sends. Route53 allows five requests a
// second per account; the pipeline paces its apply() and records() calls, but one
// records() of a large zone is many ListResourceRecordSets pages, and one apply() may
// create health checks: pacing each request keeps those under the budget too.
export class Pacer {
  private tokens: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  async take(signal: AbortSignal): Promise<void> {
    if (this.perSecond <= 0) return;
    for (;;) {
      const t = this.now();
      this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond);
      this.last = t;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        }, waitMs);
        const onAbort = (): void => {
          clearTimeout(timer);
          reject(signal.reason);
        };
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
  }
}
