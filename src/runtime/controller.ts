// Worker loop over a keyed work queue. Event handlers only enqueue keys; N workers
// take keys and call reconcile(key, signal). Outcome handling follows
// controller-runtime: success forgets the backoff, `requeueAfterMs` schedules a
// re-check, an error requeues with backoff, a TerminalError is reported and not
// retried until an event adds the key again.
import { silentLogger, type Logger } from '../observability/logger.js';
import { linkedSignal } from './clock.js';
import type { Registry } from '../observability/metrics.js';
import { controllerMetrics, queueMetricsHook, type ControllerMetrics, type ReconcileResultLabel } from './controller-metrics.js';
import { errorMessage, isConflictError, isTerminalError, oneLine, type TerminalError } from './errors.js';
import type { Runnable } from './runnable.js';
import { WorkQueue, type WorkQueueOptions } from './work-queue.js';

export interface ReconcileResult {
  /** Reconcile again after this many milliseconds (e.g. a periodic re-check). */
  requeueAfterMs?: number;
  /** Reconcile again with backoff, without treating it as an error. */
  requeue?: boolean;
}

export type ReconcileFn<K extends string> = (key: K, signal: AbortSignal) => Promise<ReconcileResult | void>;

export interface ControllerOptions<K extends string> {
  /** Bounded, stable name: metric label and log field. */
  name: string;
  reconcile: ReconcileFn<K>;
  /** Concurrent workers. Default 2. */
  workers?: number | undefined;
  /** Backoff, token bucket and clock for the queue. */
  queue?: Omit<WorkQueueOptions, 'name' | 'metrics'>;
  registry?: Registry | undefined;
  logger?: Logger | undefined;
  /** Each reconcile's signal aborts after this long. Default: no limit. */
  reconcileTimeoutMs?: number;
  /** Called when reconcile throws a TerminalError (e.g. to write a status condition). */
  onTerminalError?: (key: K, err: TerminalError) => void | Promise<void>;
  /** Called for every other failure, after the key was requeued with backoff. */
  onError?: (key: K, err: unknown, retries: number) => void;
  /** Only the leader runs it. Default true. */
  needLeaderElection?: boolean;
}

export class Controller<K extends string = string> implements Runnable {
  readonly name: string;
  readonly queue: WorkQueue<K>;
  readonly needLeaderElection: boolean;
  private readonly options: ControllerOptions<K>;
  private readonly workers: number;
  private readonly log: Logger;
  private readonly metrics: ControllerMetrics | undefined;
  private running = false;

  constructor(options: ControllerOptions<K>) {
    this.options = options;
    this.name = options.name;
    this.workers = Math.max(1, options.workers ?? 2);
    this.needLeaderElection = options.needLeaderElection ?? true;
    this.log = (options.logger ?? silentLogger()).child({ controller: options.name });
    this.metrics = options.registry ? controllerMetrics(options.registry) : undefined;
    this.queue = new WorkQueue<K>({
      ...options.queue,
      name: options.name,
      ...(this.metrics ? { metrics: queueMetricsHook(this.metrics, options.name) } : {}),
    });
    this.metrics?.maxConcurrentReconciles.labels(options.name).set(this.workers);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Event handlers call this; keys queue up even while the controller is not running. */
  enqueue(key: K): void {
    this.queue.add(key);
  }

  enqueueAfter(key: K, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /**
   * Runs the workers until `signal` aborts, then waits for in-flight reconciles
   * (which see the abort through their own signal). The queue survives a stop, so a
   * controller that lost leadership resumes with the keys that arrived meanwhile.
   */
  async start(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`controller ${this.name}: already running`);
    if (this.queue.shuttingDown) throw new Error(`controller ${this.name}: disposed`);
    this.running = true;
    this.log.info({ workers: this.workers }, 'controller started');
    try {
      await Promise.all(Array.from({ length: this.workers }, () => this.worker(signal)));
    } finally {
      this.running = false;
      this.log.info('controller stopped');
    }
  }

  /** Final shutdown: drops queued keys and wakes idle workers. */
  dispose(): void {
    this.queue.shutDown();
  }

  private async worker(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const key = await this.queue.get(signal);
      if (key === undefined) return;
      await this.process(key, signal);
    }
  }

  private async process(key: K, stop: AbortSignal): Promise<void> {
    const name = this.name;
    const linked = this.options.reconcileTimeoutMs !== undefined ? linkedSignal(stop, this.options.reconcileTimeoutMs) : undefined;
    const signal = linked?.signal ?? stop;
    const started = performance.now();
    this.metrics?.activeWorkers.labels(name).inc();
    let result: ReconcileResultLabel = 'success';
    try {
      const outcome = await this.options.reconcile(key, signal);
      if (outcome && outcome.requeueAfterMs !== undefined && outcome.requeueAfterMs > 0) {
        this.queue.forget(key);
        this.queue.addAfter(key, outcome.requeueAfterMs);
        result = 'requeue_after';
      } else if (outcome?.requeue) {
        this.queue.addRateLimited(key);
        result = 'requeue';
      } else {
        this.queue.forget(key);
      }
    } catch (err) {
      if (stop.aborted) {
        // Interrupted by shutdown or lost leadership, not a failure: run it again next time.
        this.queue.add(key);
        result = 'requeue';
      } else if (isTerminalError(err)) {
        result = 'terminal_error';
        this.queue.forget(key);
        this.metrics?.terminalErrors.labels(name).inc();
        this.log.warn({ key, reason: err.reason, err: errorMessage(err) }, 'reconcile failed permanently; waiting for a change');
        await this.report(key, err);
      } else {
        result = 'error';
        this.queue.addRateLimited(key);
        const retries = this.queue.numRequeues(key);
        this.metrics?.reconcileErrors.labels(name).inc();
        // A conflict is a stale read, retried as a matter of course: not worth a warning.
        if (isConflictError(err)) this.log.debug({ key, retries, err: oneLine(err) }, 'reconcile hit a write conflict; requeued with backoff');
        else this.log.warn({ key, retries, err: oneLine(err) }, 'reconcile failed; requeued with backoff');
        try {
          this.options.onError?.(key, err, retries);
        } catch (hookErr) {
          this.log.error({ key, err: errorMessage(hookErr) }, 'onError hook threw');
        }
      }
    } finally {
      linked?.dispose();
      this.queue.done(key);
      this.metrics?.activeWorkers.labels(name).dec();
      this.metrics?.reconcileTotal.labels(name, result).inc();
      this.metrics?.reconcileTime.labels(name).observe((performance.now() - started) / 1000);
    }
  }

  private async report(key: K, err: TerminalError): Promise<void> {
    try {
      await this.options.onTerminalError?.(key, err);
    } catch (hookErr) {
      this.log.error({ key, err: errorMessage(hookErr) }, 'onTerminalError hook failed');
    }
  }
}
