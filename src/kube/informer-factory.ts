// Shared informers: one list+watch per (cluster, resource, namespace, selectors), however
// many controllers read it. Informers created after start() begin at once. When a
// member's client is rebuilt or the member leaves, stopCluster() drops its informers.
//
// Controllers acquire informers through a scope (one per controller, or per leadership
// term): the first acquisition starts the informer, the last release stops it and drops
// its cache, so a controller started again later lists afresh and sees every object as
// an add. A cluster is identified by its client object, not its name: a member whose
// client was rebuilt (new credentials or endpoint) gets new informers.
import type { KubeObject } from '../api/meta.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import type { ClusterClient } from './cluster-client.js';
import { childAbort, type ChildAbort } from '../runtime/clock.js';
import { Informer, type InformerOptions } from './informer.js';
import { resourceId, type ResourceRef } from './resource.js';
import { formatFieldSelector, formatLabelSelector, type FieldSelectorInput, type LabelSelectorInput } from './selectors.js';

export interface InformerSelector {
  namespace?: string;
  labelSelector?: LabelSelectorInput;
  fieldSelector?: FieldSelectorInput;
}

type Tuning = Pick<
  InformerOptions<KubeObject>,
  'resyncPeriodMs' | 'watchTimeoutSeconds' | 'silenceTimeoutMs' | 'allowWatchBookmarks' | 'backoffInitialMs' | 'backoffMaxMs' | 'pageSize' | 'transform'
>;

export interface InformerFactoryOptions extends Tuning {
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

interface Entry {
  key: string;
  cluster: string;
  informer: Informer<KubeObject>;
  done?: Promise<void> | undefined;
  abort?: ChildAbort | undefined;
  /** Made by informer(): lives as long as the factory, whatever the scopes do. */
  pinned: boolean;
  /** Acquisitions through scopes not yet released. */
  refs: number;
}

/** Informer options a scope may set when it creates an informer (the first creator's win). */
export type InformerTuning = Tuning;

/**
 * Informers one owner acquired from a factory. `informer()` acquires (the same instance
 * for the same cluster, resource and selector as every other scope), `release()` gives
 * one back, `close()` gives back all of them.
 */
export class InformerScope {
  private readonly held = new Map<Informer<KubeObject>, number>();
  private closed = false;

  constructor(private readonly factory: InformerFactory) {}

  informer<T extends KubeObject = KubeObject>(client: ClusterClient, resource: ResourceRef, selector: InformerSelector = {}, tuning: InformerTuning = {}): Informer<T> {
    if (this.closed) throw new Error('informer scope: closed');
    const informer = this.factory.acquire(client, resource, selector, tuning);
    this.held.set(informer, (this.held.get(informer) ?? 0) + 1);
    return informer as unknown as Informer<T>;
  }

  async release(informer: Informer<any>): Promise<void> {
    const n = this.held.get(informer);
    if (n === undefined) return;
    if (n <= 1) this.held.delete(informer);
    else this.held.set(informer, n - 1);
    await this.factory.release(informer);
  }

  async close(): Promise<void> {
    this.closed = true;
    const held = [...this.held];
    this.held.clear();
    await Promise.all(held.flatMap(([inf, n]) => Array.from({ length: n }, () => this.factory.release(inf))));
  }
}

const clientIds = new WeakMap<ClusterClient, number>();
let nextClientId = 0;

function clientId(client: ClusterClient): number {
  let id = clientIds.get(client);
  if (id === undefined) clientIds.set(client, (id = ++nextClientId));
  return id;
}

export class InformerFactory {
  readonly name = 'informer-factory';
  readonly needLeaderElection = false;
  private readonly entries = new Map<string, Entry>();
  private signal: AbortSignal | undefined;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: InformerFactoryOptions = {}) {}

  /** The shared informer for this cluster, resource and selector (created on first use), kept until the factory stops. */
  informer<T extends KubeObject = KubeObject>(client: ClusterClient, resource: ResourceRef, selector: InformerSelector = {}): Informer<T> {
    const entry = this.entry(client, resource, selector, {});
    if (!entry.pinned) {
      entry.pinned = true;
      // A scope started it on its own; from now on it runs until the factory stops.
      if (!entry.abort && this.signal && !this.signal.aborted) this.launch(entry, this.signal);
    }
    return entry.informer as unknown as Informer<T>;
  }

  /** A new scope: the unit in which a controller acquires and releases informers. */
  scope(): InformerScope {
    return new InformerScope(this);
  }

  /** Acquires the shared informer and makes sure it runs (scopes call this). */
  acquire(client: ClusterClient, resource: ResourceRef, selector: InformerSelector, tuning: InformerTuning): Informer<KubeObject> {
    const entry = this.entry(client, resource, selector, tuning);
    entry.refs++;
    if (!entry.abort) this.launch(entry, this.signal);
    return entry.informer;
  }

  /** Gives back one acquisition; the last one stops an informer nobody pinned and forgets its cache. */
  async release(informer: Informer<any>): Promise<void> {
    const entry = [...this.entries.values()].find((e) => e.informer === informer);
    if (!entry || entry.refs === 0) return;
    entry.refs--;
    if (entry.refs > 0 || entry.pinned) return;
    this.entries.delete(entry.key);
    entry.abort?.abort();
    await entry.done;
  }

  /** Informers running now (tests, diagnostics). */
  get size(): number {
    return this.entries.size;
  }

  private entry(client: ClusterClient, resource: ResourceRef, selector: InformerSelector, tuning: InformerTuning): Entry {
    const key = [
      clientId(client),
      resourceId(resource),
      selector.namespace ?? '',
      formatLabelSelector(selector.labelSelector) ?? '',
      formatFieldSelector(selector.fieldSelector) ?? '',
    ].join('|');
    const existing = this.entries.get(key);
    if (existing) return existing;
    const { logger, registry, ...defaults } = this.options;
    const informer = new Informer<KubeObject>({
      ...defaults,
      ...tuning,
      ...(logger ? { logger } : {}),
      ...(registry ? { registry } : {}),
      client: client.dynamic,
      resource,
      cluster: client.name,
      ...(selector.namespace ? { namespace: selector.namespace } : {}),
      ...(selector.labelSelector !== undefined ? { labelSelector: selector.labelSelector } : {}),
      ...(selector.fieldSelector !== undefined ? { fieldSelector: selector.fieldSelector } : {}),
    });
    const entry: Entry = { key, cluster: client.name, informer, pinned: false, refs: 0 };
    this.entries.set(key, entry);
    return entry;
  }

  /** Runnable: runs every informer, present and future, until `signal` aborts. */
  start(signal: AbortSignal): Promise<void> {
    if (this.signal) return Promise.reject(new Error('informer factory: already started'));
    this.signal = signal;
    for (const entry of this.entries.values()) if (entry.pinned && !entry.abort) this.launch(entry, signal);
    this.stopped = new Promise<void>((resolve) => {
      const finish = (): void => {
        void Promise.all([...this.entries.values()].map((e) => e.done)).then(() => resolve());
      };
      if (signal.aborted) finish();
      else signal.addEventListener('abort', finish, { once: true });
    });
    return this.stopped;
  }

  /** True when every informer created so far has synced. */
  hasSynced(): boolean {
    return [...this.entries.values()].every((e) => e.informer.hasSynced());
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.informer.waitForSync(signal)));
  }

  /** Stops and forgets every informer of a cluster. */
  async stopCluster(cluster: string): Promise<void> {
    const doomed = [...this.entries].filter(([, e]) => e.cluster === cluster);
    for (const [key] of doomed) this.entries.delete(key);
    await Promise.all(
      doomed.map(async ([, e]) => {
        e.abort?.abort();
        await e.done;
      }),
    );
  }

  /** Informers per cluster, for diagnostics. */
  clusters(): string[] {
    return [...new Set([...this.entries.values()].map((e) => e.cluster))];
  }

  private launch(entry: Entry, signal: AbortSignal | undefined): void {
    const abort = childAbort(signal);
    entry.abort = abort;
    // Informers never reject (they retry forever); the catch is for programming errors.
    // A released informer leaves no listener on the factory's signal.
    entry.done = entry.informer
      .start(abort.signal)
      .catch(() => undefined)
      .finally(() => abort.detach());
  }
}
