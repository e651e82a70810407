// Hardened informer: list, then watch from the list's resourceVersion, with a local
// cache and add/update/delete handlers. Unlike client-node's informer it
// - restarts after any error with jittered exponential backoff,
// - relists on 410 Gone and diffs the new list against the cache, so handlers see
//   deletes for objects that vanished during the gap and updates for changed ones,
// - restarts a watch that went silent (no event or bookmark) for too long,
// - counts restarts in metrics and reports failures to onError hooks (the cluster
//   health controller's fast path).
import type { KubeObject } from '../api/meta.js';
import type { Logger } from '../observability/logger.js';
import { silentLogger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import { childAbort, pause, type ChildAbort } from '../runtime/clock.js';
import type { ClusterClient } from './cluster-client.js';
import type { DynamicClient, ListOptions, ListResult, WatchEvent } from './dynamic-client.js';
import { errorFromWatchStatus, isGone, KubeApiError } from './errors.js';
import { informerMetrics, type InformerMetrics, type InformerRestartReason } from './informer-metrics.js';
import { objectKey, resourceId, resourcePath, type ResourceRef } from './resource.js';
import type { FieldSelectorInput, LabelSelectorInput } from './selectors.js';

export interface InformerHandlers<T extends KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  /** The last state seen; after a relist gap that is the cached one. */
  onDelete?(obj: T): void;
}

/** What an informer lists and watches; DynamicClient-backed by default, faked in tests. */
export interface ListWatchSource<T extends KubeObject> {
  list(opts: { limit?: number; continue?: string; signal: AbortSignal }): Promise<ListResult<T>>;
  watch(opts: { resourceVersion: string; allowWatchBookmarks: boolean; timeoutSeconds: number; signal: AbortSignal }, onEvent: (e: WatchEvent<T>) => void): Promise<void>;
}

export interface InformerOptions<T extends KubeObject> {
  /** Either client + resource (+ selectors), or a custom source. */
  client?: DynamicClient;
  resource: ResourceRef;
  namespace?: string;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
  source?: ListWatchSource<T>;
  /** Cluster name for logs and metrics. */
  cluster?: string;
  /** Re-deliver every cached object as onUpdate(obj, obj) this often. 0 = never (default). */
  resyncPeriodMs?: number;
  /** Server-side watch timeout; jittered by up to +25% so informers do not reconnect in step. Default 300. */
  watchTimeoutSeconds?: number;
  /** Restart a watch with no event or bookmark for this long. Default: watch timeout + 30 s. */
  silenceTimeoutMs?: number;
  allowWatchBookmarks?: boolean;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  pageSize?: number;
  /**
   * Applied to every object before it is cached, e.g. to drop managedFields and save
   * memory with thousands of objects per member. Must not return a shared object.
   */
  transform?: (obj: T) => T;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

/** Options of `clusterInformer`: optional ones may be passed through as `undefined`. */
export type ClusterInformerOptions<T extends KubeObject> = Omit<InformerOptions<T>, 'client' | 'resource' | 'cluster' | 'namespace' | 'logger' | 'registry'> & {
  namespace?: string | undefined;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
};

/** An informer on one resource of a cluster, named after the cluster in logs and metrics. */
export function clusterInformer<T extends KubeObject>(client: ClusterClient, resource: ResourceRef, opts: ClusterInformerOptions<T> = {}): Informer<T> {
  const { namespace, logger, registry, ...rest } = opts;
  return new Informer<T>({
    client: client.dynamic,
    resource,
    cluster: client.name,
    ...rest,
    ...(namespace ? { namespace } : {}),
    ...(logger ? { logger } : {}),
    ...(registry ? { registry } : {}),
  });
}

class SilenceError extends Error {
  override readonly name = 'SilenceError';
}

function dynamicSource<T extends KubeObject>(o: InformerOptions<T>): ListWatchSource<T> {
  const client = o.client;
  if (!client) throw new Error(`informer ${resourceId(o.resource)}: needs a client or a source`);
  const sel = {
    ...(o.namespace ? { namespace: o.namespace } : {}),
    ...(o.labelSelector !== undefined ? { labelSelector: o.labelSelector } : {}),
    ...(o.fieldSelector !== undefined ? { fieldSelector: o.fieldSelector } : {}),
  };
  return {
    list: (opts) => client.list<T>(o.resource, { ...sel, ...opts } as ListOptions),
    watch: (opts, onEvent) => client.watch<T>(o.resource, { ...sel, ...opts }, onEvent),
  };
}

export class Informer<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly needLeaderElection = false;
  private readonly o: InformerOptions<T>;
  private readonly source: ListWatchSource<T>;
  private readonly log: Logger;
  private readonly metrics: InformerMetrics | undefined;
  private readonly labels: { cluster: string; resource: string };
  private cache = new Map<string, T>();
  private readonly handlers = new Set<InformerHandlers<T>>();
  private readonly errorHooks = new Set<(err: unknown) => void>();
  private synced = false;
  private syncWaiters: { resolve(): void; reject(e: unknown): void }[] = [];
  private abort: ChildAbort | undefined;
  private loop: Promise<void> | undefined;
  private lastRv = '';
  private restartCount = 0;

  constructor(options: InformerOptions<T>) {
    this.o = options;
    this.source = options.source ?? dynamicSource(options);
    const resource = options.resource.group ? `${options.resource.group}/${options.resource.resource}` : options.resource.resource;
    this.labels = { cluster: options.cluster ?? '', resource };
    this.name = `informer ${options.cluster ? `${options.cluster}:` : ''}${resourcePath(options.resource, options.namespace)}`;
    this.log = (options.logger ?? silentLogger()).child({ component: 'informer', cluster: options.cluster, resource });
    this.metrics = options.registry ? informerMetrics(options.registry) : undefined;
  }

  /** Restarts so far (any reason). */
  get restarts(): number {
    return this.restartCount;
  }

  get resourceVersion(): string {
    return this.lastRv;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      // The abort listener goes when the wait ends, so a long-lived signal keeps none.
      const onAbort = (): void => {
        this.syncWaiters = this.syncWaiters.filter((w) => w !== waiter);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const waiter = {
        resolve: (): void => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (e: unknown): void => {
          signal?.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      this.syncWaiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  getByName(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  keys(): string[] {
    return [...this.cache.keys()];
  }

  get size(): number {
    return this.cache.size;
  }

  /** Registers handlers; objects already cached are delivered as adds first. */
  addHandlers(h: InformerHandlers<T>): () => void {
    this.handlers.add(h);
    for (const obj of this.cache.values()) this.call(() => h.onAdd?.(obj));
    return () => this.handlers.delete(h);
  }

  /** Called on every list/watch failure except a routine 410 relist. */
  onError(hook: (err: unknown) => void): () => void {
    this.errorHooks.add(hook);
    return () => this.errorHooks.delete(hook);
  }

  /** Runnable: runs until `signal` aborts. */
  start(signal: AbortSignal): Promise<void> {
    if (this.loop) return Promise.reject(new Error(`${this.name}: already started`));
    const stop = childAbort(signal);
    this.abort = stop;
    this.loop = this.run(stop.signal).finally(() => {
      stop.detach();
      this.loop = undefined;
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w.reject(new Error(`${this.name}: stopped before sync`));
    });
    return this.loop;
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    const resync = this.o.resyncPeriodMs ? setInterval(() => this.resync(), this.o.resyncPeriodMs) : undefined;
    resync?.unref();
    let needList = true;
    let failures = 0;
    try {
      while (!signal.aborted) {
        let reason: InformerRestartReason;
        let lastError: unknown;
        try {
          if (needList) {
            await this.relist(signal);
            needList = false;
          }
          const started = Date.now();
          const events = await this.watchOnce(signal);
          if (signal.aborted) break;
          // A stream the server ends after a while is routine; one that ends at once is not.
          if (events > 0 || Date.now() - started > 1000) {
            failures = 0;
            continue;
          }
          reason = 'closed';
        } catch (err) {
          if (signal.aborted) break;
          lastError = err;
          if (isGone(err)) {
            reason = 'gone';
            needList = true;
            this.log.info({ rv: this.lastRv }, 'watch expired (410 Gone); relisting');
          } else if (err instanceof SilenceError) {
            reason = 'silence';
            this.log.warn({ err: err.message }, 'watch silent too long; restarting');
            this.emitError(err);
          } else {
            reason = 'error';
            this.log.warn({ err: err instanceof Error ? err.message : String(err), relist: needList }, 'list/watch failed; retrying with backoff');
            this.emitError(err);
          }
        }
        this.restartCount++;
        this.metrics?.restarts.labels(this.labels.cluster, this.labels.resource, reason).inc();
        // The first 410 relists at once; anything repeated backs off.
        if (reason === 'gone' && failures === 0) {
          failures++;
          continue;
        }
        failures++;
        await this.backoff(failures, signal, lastError);
      }
    } finally {
      if (resync) clearInterval(resync);
    }
  }

  private async backoff(failures: number, signal: AbortSignal, err: unknown): Promise<void> {
    const initial = this.o.backoffInitialMs ?? 250;
    const max = this.o.backoffMaxMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** Math.min(failures - 1, 30));
    // A throttling server's Retry-After is a floor, not a suggestion.
    const retryAfterMs = err instanceof KubeApiError && err.retryAfterSeconds !== undefined ? err.retryAfterSeconds * 1000 : 0;
    const delay = Math.max(retryAfterMs, base / 2 + Math.random() * (base / 2));
    if (signal.aborted) return;
    // pause() drops its abort listener when the timer fires: no leak per retry on a long-lived signal
    await pause(delay, signal);
  }

  private async listAll(signal: AbortSignal): Promise<ListResult<T>> {
    const limit = this.o.pageSize ?? 500;
    try {
      let page = await this.source.list({ limit, signal });
      const items = [...page.items];
      while (page.metadata.continue) {
        page = await this.source.list({ limit, continue: page.metadata.continue, signal });
        items.push(...page.items);
      }
      return { ...page, items };
    } catch (err) {
      // An expired continue token: fall back to one unpaginated list.
      if (isGone(err)) return this.source.list({ signal });
      throw err;
    }
  }

  private async relist(signal: AbortSignal): Promise<void> {
    const list = await this.listAll(signal);
    this.metrics?.relists.labels(this.labels.cluster, this.labels.resource).inc();
    const fresh = new Map<string, T>();
    const transform = this.o.transform;
    for (const item of list.items) fresh.set(objectKey(item), transform ? transform(item) : item);
    const old = this.cache;
    this.cache = fresh;
    this.lastRv = list.metadata.resourceVersion;
    for (const [key, obj] of fresh) {
      const prev = old.get(key);
      if (!prev) this.dispatch((h) => h.onAdd?.(obj));
      else if (prev.metadata.resourceVersion !== obj.metadata.resourceVersion) this.dispatch((h) => h.onUpdate?.(prev, obj));
    }
    for (const [key, prev] of old) {
      if (!fresh.has(key)) this.dispatch((h) => h.onDelete?.(prev));
    }
    this.metrics?.objects.labels(this.labels.cluster, this.labels.resource).set(this.cache.size);
    if (!this.synced) {
      this.synced = true;
      this.metrics?.synced.labels(this.labels.cluster, this.labels.resource).set(1);
      this.log.debug({ objects: fresh.size, rv: this.lastRv }, 'synced');
      const waiters = this.syncWaiters;
      this.syncWaiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  /** One watch stream; resolves with the number of events when the server ends it. */
  private async watchOnce(signal: AbortSignal): Promise<number> {
    const timeoutBase = this.o.watchTimeoutSeconds ?? 300;
    const timeoutSeconds = Math.round(timeoutBase * (1 + Math.random() * 0.25));
    const silenceMs = this.o.silenceTimeoutMs ?? (timeoutSeconds + 30) * 1000;
    if (signal.aborted) return 0;
    const watchAbort = new AbortController();
    const onStop = (): void => watchAbort.abort();
    signal.addEventListener('abort', onStop, { once: true });
    let lastEvent = Date.now();
    let silent = false;
    const watchdog = setInterval(() => {
      if (Date.now() - lastEvent >= silenceMs) {
        silent = true;
        watchAbort.abort();
      }
    }, Math.max(10, Math.min(1000, silenceMs / 4)));
    let events = 0;
    try {
      await this.source.watch(
        { resourceVersion: this.lastRv, allowWatchBookmarks: this.o.allowWatchBookmarks ?? true, timeoutSeconds, signal: watchAbort.signal },
        (event) => {
          lastEvent = Date.now();
          events++;
          this.handleEvent(event);
        },
      );
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', onStop);
    }
    if (silent && !signal.aborted) throw new SilenceError(`no watch event for ${silenceMs} ms on ${this.name}`);
    return events;
  }

  private handleEvent(event: WatchEvent<T>): void {
    this.metrics?.events.labels(this.labels.cluster, this.labels.resource, event.type).inc();
    if (event.type === 'ERROR') {
      throw errorFromWatchStatus(event.object as never, { verb: 'WATCH', path: resourcePath(this.o.resource, this.o.namespace), ...(this.o.cluster ? { cluster: this.o.cluster } : {}) });
    }
    const raw = event.object as T;
    const rv = raw?.metadata?.resourceVersion;
    if (event.type === 'BOOKMARK') {
      if (rv) this.lastRv = rv;
      return;
    }
    if (!raw?.metadata) {
      throw new KubeApiError(`${this.name}: watch event ${event.type} without an object`, { code: 0, reason: 'Unknown', context: { verb: 'WATCH', path: this.name } });
    }
    const obj = this.o.transform ? this.o.transform(raw) : raw;
    const key = objectKey(obj);
    if (rv) this.lastRv = rv;
    if (event.type === 'DELETED') {
      const prev = this.cache.get(key);
      this.cache.delete(key);
      this.dispatch((h) => h.onDelete?.(obj ?? prev));
    } else {
      const prev = this.cache.get(key);
      this.cache.set(key, obj);
      if (prev) this.dispatch((h) => h.onUpdate?.(prev, obj));
      else this.dispatch((h) => h.onAdd?.(obj));
    }
    this.metrics?.objects.labels(this.labels.cluster, this.labels.resource).set(this.cache.size);
  }

  private resync(): void {
    if (!this.synced) return;
    for (const obj of this.cache.values()) this.dispatch((h) => h.onUpdate?.(obj, obj));
  }

  private dispatch(fn: (h: InformerHandlers<T>) => void): void {
    for (const h of this.handlers) this.call(() => fn(h));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // A broken handler must not stop the informer or starve the other handlers.
      this.log.error({ err: err instanceof Error ? err.message : String(err) }, 'informer handler threw');
    }
  }

  private emitError(err: unknown): void {
    for (const hook of this.errorHooks) this.call(() => hook(err));
  }
}

/** A transform that drops managedFields, the bulk of most objects' metadata. */
export function dropManagedFields<T extends KubeObject>(obj: T): T {
  if (!obj.metadata.managedFields) return obj;
  const { managedFields: _drop, ...metadata } = obj.metadata;
  return { ...obj, metadata };
}
