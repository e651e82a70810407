// The controller builder (controller-runtime's Controller.Watch(source, handler) idea).
// A controller declares what it watches, how events map to keys and how a key is
// reconciled; the builder owns the start-up sequence every controller needs and used to
// write by hand:
//
//   1. register the watch handlers (a shared informer delivers its cached objects as adds);
//   2. wait for the prerequisites (e.g. the member registry knows every joined cluster)
//      and for every required source to sync; past `syncTimeoutMs` it logs, sets the
//      CachesSynced condition to False, counts in kfed_controller_cache_sync_timeouts_total
//      and reports itself not live, and keeps waiting (working from a partial cache
//      would rewrite or delete what it cannot see);
//   3. start the per-member caches and wait, bounded, for every Ready member's to sync;
//   4. enqueue every key (each start is a cold start: nothing relies on add events that
//      a warm cache would not replay) and start the workers and side loops;
//   5. on abort: stop workers, loops and member caches, unregister handlers, drop the
//      queue and run the stop hooks (release the informers it acquired). A built
//      controller starts once; leadership terms and type configs build new ones.
//
// The builder knows nothing of Kubernetes: a source is anything with handlers and a sync
// state (src/kube's Informer is one), which keeps runtime below kube in the layering.
import { Counter, Gauge, registerOnce, type Registry } from '../observability/metrics.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { ownSignal, systemClock, type Clock } from './clock.js';
import { Controller, type ControllerOptions, type ReconcileFn } from './controller.js';
import { errorMessage } from './errors.js';
import type { Runnable } from './runnable.js';

export interface SourceHandlers<T> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** A cache a controller watches (an Informer satisfies it). */
export interface Source<T> {
  readonly name: string;
  addHandlers(h: SourceHandlers<T>): () => void;
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
}

export type SourceEvent<T> = { type: 'add'; obj: T } | { type: 'update'; obj: T; old: T } | { type: 'delete'; obj: T };

/** Maps an event to the keys to reconcile; may also note the event (expectations). */
export type EventMapper<T, K> = (event: SourceEvent<T>) => K | Iterable<K> | undefined | void;

/** Per-member caches that follow the member registry (start, bounded sync wait, stop). */
export interface MemberCaches {
  start(): void;
  stop(): Promise<void>;
  waitForReadyMembers(timeoutMs: number, signal: AbortSignal): Promise<void>;
}

/** A worker loop started with the controller (another queue's workers, a ticker). */
export interface SideRun {
  name: string;
  run(signal: AbortSignal): Promise<unknown>;
  /** Called before the workers start on every start (an enqueue-all of that queue). */
  prime?(): void;
}

export interface WatchOptions {
  /** Do not hold the workers back until it syncs (e.g. a type whose CRD may be missing); waited up to the sync timeout. */
  optional?: boolean;
}

export interface BuilderOptions<K extends string> extends Omit<ControllerOptions<K>, 'reconcile' | 'name'> {
  /** Longest wait for the caches before the controller says so (condition, log, metric). Default 60 s. */
  syncTimeoutMs?: number;
  /** Longest wait for Ready members' caches before the workers start anyway. Default 30 s. */
  memberSyncTimeoutMs?: number;
  clock?: Clock | undefined;
}

/** `CachesSynced`, as a controller reports it in logs, metrics and /healthz. */
export interface CacheCondition {
  type: 'CachesSynced';
  status: 'True' | 'False' | 'Unknown';
  reason: 'Synced' | 'Syncing' | 'SyncTimeout' | 'Stopped';
  message: string;
}

interface WatchEntry<K> {
  source: Source<any>;
  map: EventMapper<any, K> | undefined;
  optional: boolean;
}

type Phase = 'stopped' | 'syncing' | 'running';

export class ControllerBuilder<K extends string = string> {
  private readonly watches: WatchEntry<K>[] = [];
  private readonly members: MemberCaches[] = [];
  private readonly prerequisites: { name: string; wait: (signal: AbortSignal) => Promise<unknown> }[] = [];
  private readonly sides: SideRun[] = [];
  private readonly stops: (() => Promise<unknown> | void)[] = [];
  private keys: (() => Iterable<K>) | undefined;

  constructor(
    readonly name: string,
    private readonly options: BuilderOptions<K> = {},
  ) {}

  /** Watches a source; `map` turns its events into keys of this controller. */
  watch<T>(source: Source<T>, map?: EventMapper<T, K>, opts: WatchOptions = {}): this {
    this.watches.push({ source, map, optional: opts.optional ?? false });
    return this;
  }

  /** Per-member caches, started after the host caches synced. */
  watchMembers(caches: MemberCaches): this {
    this.members.push(caches);
    return this;
  }

  /** Something that must be true before the workers start (e.g. the registry listed every member). */
  waitFor(name: string, wait: (signal: AbortSignal) => Promise<unknown>): this {
    this.prerequisites.push({ name, wait });
    return this;
  }

  /** The keys of the enqueue-all done on every start and by `enqueueAll()`. */
  enqueueAllFrom(keys: () => Iterable<K>): this {
    this.keys = keys;
    return this;
  }

  /** Called when the controller stopped (e.g. to release the informers it acquired). */
  onStop(fn: () => Promise<unknown> | void): this {
    this.stops.push(fn);
    return this;
  }

  /** A loop that runs with the workers, after the caches synced. */
  run(side: SideRun): this {
    this.sides.push(side);
    return this;
  }

  /** The controller, reconciling keys with `reconcile`. */
  reconcile(reconcile: ReconcileFn<K>): ManagedController<K> {
    return new ManagedController<K>(this.name, this.options, this.parts(), reconcile);
  }

  private parts(): Parts<K> {
    return { watches: this.watches, members: this.members, prerequisites: this.prerequisites, sides: this.sides, stops: this.stops, keys: this.keys };
  }

  /** A controller without a queue of its own: only side runs (several queues composed, a prober). */
  build(): ManagedController<K> {
    return new ManagedController<K>(this.name, this.options, this.parts(), undefined);
  }
}

interface Parts<K> {
  watches: WatchEntry<K>[];
  members: MemberCaches[];
  prerequisites: { name: string; wait: (signal: AbortSignal) => Promise<unknown> }[];
  sides: SideRun[];
  stops: (() => Promise<unknown> | void)[];
  keys: (() => Iterable<K>) | undefined;
}

interface BuilderMetrics {
  synced: Gauge<'controller'>;
  timeouts: Counter<'controller'>;
}

function builderMetrics(registry: Registry): BuilderMetrics {
  return registerOnce(registry, 'runtime/builder', (r) => ({
    synced: new Gauge({ name: 'kfed_controller_caches_synced', help: '1 once a running controller\'s caches synced, 0 while it waits for them.', labelNames: ['controller'], registers: [r] }),
    timeouts: new Counter({ name: 'kfed_controller_cache_sync_timeouts_total', help: 'Starts whose caches did not sync within the sync timeout.', labelNames: ['controller'], registers: [r] }),
  }));
}

/** A built controller: a Runnable with a keyed queue whose start-up the builder owns. */
export class ManagedController<K extends string = string> implements Runnable {
  readonly needLeaderElection: boolean;
  /** The queue and workers; absent for a controller built without `reconcile`. */
  readonly controller: Controller<K> | undefined;
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly metrics: BuilderMetrics | undefined;
  private phase: Phase = 'stopped';
  private syncTimedOut = false;
  private starts = 0;

  constructor(
    readonly name: string,
    private readonly options: BuilderOptions<K>,
    private readonly parts: Parts<K>,
    reconcile: ReconcileFn<K> | undefined,
  ) {
    this.needLeaderElection = options.needLeaderElection ?? true;
    this.log = (options.logger ?? silentLogger()).child({ controller: name });
    this.clock = options.clock ?? systemClock;
    this.metrics = options.registry ? builderMetrics(options.registry) : undefined;
    const { syncTimeoutMs: _s, memberSyncTimeoutMs: _m, clock: _c, ...controllerOptions } = options;
    this.controller = reconcile ? new Controller<K>({ ...controllerOptions, name, reconcile, needLeaderElection: this.needLeaderElection }) : undefined;
  }

  /** How many times it started (tests, diagnostics). */
  get startCount(): number {
    return this.starts;
  }

  get isRunning(): boolean {
    return this.phase === 'running';
  }

  enqueue(key: K): void {
    this.controller?.enqueue(key);
  }

  enqueueAfter(key: K, ms: number): void {
    this.controller?.enqueueAfter(key, ms);
  }

  /** Enqueues every key and primes every side run's queue. */
  enqueueAll(): void {
    if (this.controller && this.parts.keys) for (const k of this.parts.keys()) this.controller.enqueue(k);
    for (const s of this.parts.sides) s.prime?.();
  }

  condition(): CacheCondition {
    if (this.phase === 'running') return { type: 'CachesSynced', status: 'True', reason: 'Synced', message: 'caches synced' };
    if (this.phase === 'stopped') return { type: 'CachesSynced', status: 'Unknown', reason: 'Stopped', message: 'not running' };
    const waiting = this.parts.watches.filter((w) => !w.optional && !w.source.hasSynced()).map((w) => w.source.name);
    const message = `waiting for ${waiting.length > 0 ? waiting.join(', ') : 'prerequisites'}`;
    return this.syncTimedOut
      ? { type: 'CachesSynced', status: 'False', reason: 'SyncTimeout', message }
      : { type: 'CachesSynced', status: 'Unknown', reason: 'Syncing', message };
  }

  liveness(): true | string {
    return this.syncTimedOut && this.phase === 'syncing' ? `caches not synced: ${this.condition().message}` : true;
  }

  /**
   * Runs until `signal` aborts. A controller starts once: its caches are released when
   * it stops, and the next term (or the next type config) builds a new one.
   */
  async start(outer: AbortSignal): Promise<void> {
    if (this.starts > 0) throw new Error(`controller ${this.name}: already started once; build a new one`);
    // Our own signal: every informer wait, worker and member operation listens on it.
    const own = ownSignal(outer);
    try {
      await this.runOnce(own.signal);
    } finally {
      own.dispose();
    }
  }

  private async runOnce(signal: AbortSignal): Promise<void> {
    this.phase = 'syncing';
    this.syncTimedOut = false;
    this.starts++;
    this.metrics?.synced.labels(this.name).set(0);
    const unsubscribe = this.parts.watches.map((w) => this.register(w));
    const runs: Promise<unknown>[] = [];
    let membersStarted = false;
    try {
      await this.sync(signal);
      for (const m of this.parts.members) m.start();
      membersStarted = true;
      const memberTimeout = this.options.memberSyncTimeoutMs ?? 30_000;
      await Promise.all(this.parts.members.map((m) => m.waitForReadyMembers(memberTimeout, signal)));
      if (signal.aborted) return;
      this.phase = 'running';
      this.metrics?.synced.labels(this.name).set(1);
      this.log.info({ sources: this.parts.watches.length }, 'caches synced; starting workers');
      this.enqueueAll();
      if (this.controller) runs.push(this.controller.start(signal));
      for (const s of this.parts.sides) runs.push(s.run(signal));
      await Promise.all(runs);
    } catch (err) {
      if (!signal.aborted) throw new Error(`${this.name}: start`, { cause: err });
    } finally {
      for (const u of unsubscribe) u();
      if (membersStarted) await Promise.all(this.parts.members.map((m) => m.stop()));
      await Promise.allSettled(runs);
      this.controller?.dispose();
      for (const stop of this.parts.stops) {
        try {
          await stop();
        } catch (err) {
          this.log.warn({ err: errorMessage(err) }, 'stop hook failed');
        }
      }
      this.phase = 'stopped';
      this.metrics?.synced.remove(this.name);
    }
  }

  private register(w: WatchEntry<K>): () => void {
    const map = w.map;
    if (!map) return w.source.addHandlers({});
    const push = (event: SourceEvent<unknown>): void => {
      const keys = map(event);
      if (keys === undefined || !this.controller) return;
      if (typeof keys === 'string') this.controller.enqueue(keys);
      else for (const k of keys as Iterable<K>) this.controller.enqueue(k);
    };
    return w.source.addHandlers({
      onAdd: (obj) => push({ type: 'add', obj }),
      onUpdate: (old, obj) => push({ type: 'update', obj, old }),
      onDelete: (obj) => push({ type: 'delete', obj }),
    });
  }

  private async sync(signal: AbortSignal): Promise<void> {
    const timeoutMs = this.options.syncTimeoutMs ?? 60_000;
    const timer = this.clock.setTimeout(() => {
      if (this.phase !== 'syncing' || signal.aborted) return;
      this.syncTimedOut = true;
      this.metrics?.timeouts.labels(this.name).inc();
      this.log.warn({ timeoutMs, waiting: this.condition().message }, 'caches did not sync in time; still waiting');
    }, timeoutMs);
    try {
      const required = this.parts.watches.filter((w) => !w.optional);
      await Promise.all([
        ...required.map((w) => w.source.waitForSync(signal)),
        ...this.parts.prerequisites.map((p) => p.wait(signal).catch((err: unknown) => {
          throw new Error(`${p.name}: ${errorMessage(err)}`, { cause: err });
        })),
      ]);
      const optional = this.parts.watches.filter((w) => w.optional);
      if (optional.length > 0) await this.bounded(Promise.all(optional.map((w) => w.source.waitForSync(signal))), timeoutMs, signal);
    } finally {
      this.clock.clearTimeout(timer);
    }
  }

  /** Waits for `p` at most `ms`; a rejection after the abort is not a failure. */
  private bounded(p: Promise<unknown>, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = this.clock.setTimeout(resolve, ms);
      const done = (): void => {
        this.clock.clearTimeout(timer);
        resolve();
      };
      p.then(done, done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
