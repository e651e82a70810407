// Keyed work queue with client-go semantics (see docs/contributing.md "Controllers"):
// - a key waiting in the queue is not added twice;
// - a key being processed is never handed to a second worker;
// - a key added while it is processed is queued again when the worker calls done();
// - addAfter keeps the earliest requested time;
// - addRateLimited delays by per-key backoff capped by a global token bucket.
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { KeyRateLimiter, type RateLimiterOptions } from './rate-limiter.js';

/** Observer for queue metrics; the controller wires it to prom-client. */
export interface WorkQueueMetricsHook {
  depth?(depth: number): void;
  added?(): void;
  retried?(): void;
  /** Seconds a key waited between becoming ready and a worker taking it. */
  queueLatency?(seconds: number): void;
}

export interface WorkQueueOptions extends RateLimiterOptions {
  name?: string;
  metrics?: WorkQueueMetricsHook;
}

interface Waiter<K> {
  resolve(key: K | undefined): void;
  cleanup(): void;
}

export class WorkQueue<K extends string = string> {
  readonly name: string;
  private readonly clock: Clock;
  private readonly limiter: KeyRateLimiter<K>;
  private readonly metrics: WorkQueueMetricsHook;
  /** Ready keys in FIFO order; every entry is also in `dirty`. */
  private queue: K[] = [];
  private head = 0;
  /** Keys that need processing, with the time they became ready (for latency). */
  private readonly dirty = new Map<K, number>();
  private readonly processing = new Set<K>();
  /** Delayed keys and the time each becomes ready. */
  private readonly waiting = new Map<K, number>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private waiters: Waiter<K>[] = [];
  private stopped = false;

  constructor(options: WorkQueueOptions = {}) {
    this.name = options.name ?? 'queue';
    this.clock = options.clock ?? systemClock;
    this.limiter = new KeyRateLimiter<K>(options);
    this.metrics = options.metrics ?? {};
  }

  /** Keys ready and not yet handed to a worker. */
  get length(): number {
    return this.queue.length - this.head;
  }

  /** Keys delayed by addAfter / addRateLimited. */
  get delayedLength(): number {
    return this.waiting.size;
  }

  get shuttingDown(): boolean {
    return this.stopped;
  }

  isProcessing(key: K): boolean {
    return this.processing.has(key);
  }

  add(key: K): void {
    if (this.stopped || this.dirty.has(key)) return;
    this.metrics.added?.();
    this.dirty.set(key, this.clock.now());
    // A key in flight is re-queued by done(); queuing it now could hand it to a second worker.
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.metrics.depth?.(this.length);
    this.dispatch();
  }

  /** Adds `key` after `ms`; of several pending requests for one key the earliest wins. */
  addAfter(key: K, ms: number): void {
    if (this.stopped) return;
    if (!(ms > 0)) {
      this.add(key);
      return;
    }
    const at = this.clock.now() + ms;
    const current = this.waiting.get(key);
    if (current !== undefined && current <= at) return;
    this.waiting.set(key, at);
    this.arm(at);
  }

  /** Requeues a failed key after its backoff (and the global bucket) allow. */
  addRateLimited(key: K): void {
    if (this.stopped) return;
    this.metrics.retried?.();
    this.addAfter(key, this.limiter.when(key));
  }

  /** Clears the backoff of `key`, e.g. after a successful reconcile. */
  forget(key: K): void {
    this.limiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.limiter.numRequeues(key);
  }

  /** Marks the end of processing; re-queues the key if it was added meanwhile. */
  done(key: K): void {
    if (!this.processing.delete(key)) return;
    if (this.dirty.has(key) && !this.stopped) {
      this.queue.push(key);
      this.metrics.depth?.(this.length);
      this.dispatch();
    }
  }

  /**
   * Waits for the next ready key and marks it as processing. Resolves `undefined`
   * when the queue shuts down or `signal` aborts; the caller then stops.
   */
  get(signal?: AbortSignal): Promise<K | undefined> {
    if (this.stopped || signal?.aborted) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise<K | undefined>((resolve) => {
      const onAbort = (): void => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      };
      const waiter: Waiter<K> = {
        resolve,
        cleanup: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Stops handing out keys; pending and delayed keys are dropped. */
  shutDown(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting.clear();
    this.queue = [];
    this.head = 0;
    this.dirty.clear();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      w.cleanup();
      w.resolve(undefined);
    }
    this.metrics.depth?.(0);
  }

  private take(): K | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head] as K;
    this.head++;
    // Compact occasionally so the array does not grow without bound.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    const readyAt = this.dirty.get(key) ?? this.clock.now();
    this.dirty.delete(key);
    this.processing.add(key);
    this.metrics.depth?.(this.length);
    this.metrics.queueLatency?.(Math.max(0, this.clock.now() - readyAt) / 1000);
    return key;
  }

  /** Pairs ready keys with waiting workers synchronously, so no two workers race for one key. */
  private dispatch(): void {
    while (this.waiters.length > 0 && this.head < this.queue.length) {
      const waiter = this.waiters.shift() as Waiter<K>;
      const key = this.take() as K;
      waiter.cleanup();
      waiter.resolve(key);
    }
  }

  private arm(at: number): void {
    if (at >= this.timerAt) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.clock.setTimeout(() => this.fire(), Math.max(0, at - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    let next = Infinity;
    const ready: K[] = [];
    for (const [key, at] of this.waiting) {
      if (at <= now) ready.push(key);
      else if (at < next) next = at;
    }
    for (const key of ready) {
      this.waiting.delete(key);
      this.add(key);
    }
    if (next !== Infinity) this.arm(next);
  }
}
