// Shared informers: one list+watch per (cluster, resource, namespace, selectors), however
// many controllers read it. Informers created after start() begin at once. When a
// member's client is rebuilt or the member leaves, stopCluster() drops its informers.
import type { KubeObject } from '../api/meta.js';
import type { Logger } from '../observability/logger.js';
import type { Registry } from '../observability/metrics.js';
import type { ClusterClient } from './cluster-client.js';
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
  logger?: Logger;
  registry?: Registry;
}

interface Entry {
  cluster: string;
  informer: Informer<KubeObject>;
  done?: Promise<void>;
  abort?: AbortController;
}

export class InformerFactory {
  readonly name = 'informer-factory';
  readonly needLeaderElection = false;
  private readonly entries = new Map<string, Entry>();
  private signal: AbortSignal | undefined;
  private stopped: Promise<void> | undefined;

  constructor(private readonly options: InformerFactoryOptions = {}) {}

  /** The shared informer for this cluster, resource and selector (created on first use). */
  informer<T extends KubeObject = KubeObject>(client: ClusterClient, resource: ResourceRef, selector: InformerSelector = {}): Informer<T> {
    const key = [
      client.name,
      resourceId(resource),
      selector.namespace ?? '',
      formatLabelSelector(selector.labelSelector) ?? '',
      formatFieldSelector(selector.fieldSelector) ?? '',
    ].join('|');
    const existing = this.entries.get(key);
    if (existing) return existing.informer as unknown as Informer<T>;
    const { logger, registry, ...tuning } = this.options;
    const informer = new Informer<KubeObject>({
      ...tuning,
      ...(logger ? { logger } : {}),
      ...(registry ? { registry } : {}),
      client: client.dynamic,
      resource,
      cluster: client.name,
      ...selector,
    });
    const entry: Entry = { cluster: client.name, informer };
    this.entries.set(key, entry);
    if (this.signal && !this.signal.aborted) this.launch(entry, this.signal);
    return informer as unknown as Informer<T>;
  }

  /** Runnable: runs every informer, present and future, until `signal` aborts. */
  start(signal: AbortSignal): Promise<void> {
    if (this.signal) return Promise.reject(new Error('informer factory: already started'));
    this.signal = signal;
    for (const entry of this.entries.values()) this.launch(entry, signal);
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

  private launch(entry: Entry, signal: AbortSignal): void {
    const abort = new AbortController();
    signal.addEventListener('abort', () => abort.abort(), { once: true });
    entry.abort = abort;
    // Informers never reject (they retry forever); the catch is for programming errors.
    entry.done = entry.informer.start(abort.signal).catch(() => undefined);
  }
}
