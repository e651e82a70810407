// Drops the metric series of unjoined clusters. Any metric with a `cluster` label (health
// state, member informers, API requests) gets series per member; after an unjoin they
// stayed on /metrics forever, frozen at their last value, and dashboards kept showing the
// cluster. Components stop at different times (an informer may record once more while it
// winds down), so pruning is level-triggered: at the removal, then every interval, for
// every name that was removed and has not been joined again. Runs on every replica (each
// serves its own /metrics).
import type { MemberRegistry } from './member-registry.js';
import type { Registry } from '../observability/metrics.js';
import type { Runnable } from '../runtime/runnable.js';

type Labels = Record<string, string | number>;
interface PrunableMetric {
  labelNames?: readonly string[];
  get(): Promise<{ values: { labels: Labels }[] }> | { values: { labels: Labels }[] };
  remove(labels: Labels): void;
}

/** Removes every series whose `cluster` label is one of `clusters`; returns how many. */
export async function removeClusterSeries(registry: Registry, clusters: ReadonlySet<string>): Promise<number> {
  if (clusters.size === 0) return 0;
  let removed = 0;
  for (const metric of registry.getMetricsAsArray() as unknown as PrunableMetric[]) {
    const names = metric.labelNames ?? [];
    if (!names.includes('cluster')) continue;
    const seen = new Set<string>();
    for (const { labels } of (await metric.get()).values) {
      if (!clusters.has(String(labels.cluster))) continue;
      // Histogram buckets and summary quantiles carry labels of their own; a series is identified by the declared ones.
      const own = Object.fromEntries(names.filter((n) => labels[n] !== undefined).map((n) => [n, labels[n]!]));
      const key = JSON.stringify(own);
      if (seen.has(key)) continue;
      seen.add(key);
      metric.remove(own);
      removed++;
    }
  }
  return removed;
}

export interface ClusterSeriesPrunerOptions {
  members: MemberRegistry;
  registry: Registry;
  /** Default 5 s. */
  intervalMs?: number;
}

export class ClusterSeriesPruner implements Runnable {
  readonly name = 'cluster-series-pruner';
  readonly needLeaderElection = false;
  /** Unjoined names (bounded by how many clusters were ever unjoined and not joined again). */
  readonly gone = new Set<string>();

  constructor(private readonly o: ClusterSeriesPrunerOptions) {}

  async start(signal: AbortSignal): Promise<void> {
    const prune = (): void => void removeClusterSeries(this.o.registry, this.gone);
    const unsubscribe = this.o.members.subscribe((name, change) => {
      if (change === 'removed') {
        this.gone.add(name);
        prune();
      } else if (change === 'added') this.gone.delete(name);
    });
    const timer = setInterval(prune, this.o.intervalMs ?? 5_000);
    timer.unref();
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
    clearInterval(timer);
    unsubscribe();
  }
}
