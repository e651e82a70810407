// One prom-client registry per process (tests create their own). Components ask for
// their metrics through `registerOnce`, so two controllers sharing a registry share the
// metric objects instead of failing on a duplicate name.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

export interface RegistryOptions {
  /** Node.js process metrics (CPU, memory, event loop lag). Default true. */
  defaultMetrics?: boolean;
  /** Labels on every series, e.g. `{ replica: podName }`. */
  defaultLabels?: Record<string, string>;
}

export function createRegistry(options: RegistryOptions = {}): Registry {
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels(options.defaultLabels);
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  return registry;
}

const groups = new WeakMap<Registry, Map<string, unknown>>();

/**
 * Creates a group of metrics the first time `id` is asked for on `registry` and
 * returns the same group afterwards.
 */
export function registerOnce<T>(registry: Registry, id: string, create: (registry: Registry) => T): T {
  let byId = groups.get(registry);
  if (!byId) {
    byId = new Map();
    groups.set(registry, byId);
  }
  if (byId.has(id)) return byId.get(id) as T;
  const group = create(registry);
  byId.set(id, group);
  return group;
}

/** Latency buckets in seconds, from 1 ms to 60 s, for API calls and reconciles. */
export const LATENCY_BUCKETS_SECONDS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
];

/** Starts a timer; the returned function records elapsed seconds into `histogram`. */
export function startTimer<L extends string>(
  histogram: Histogram<L>,
  labels: Partial<Record<L, string | number>> = {},
): () => number {
  const start = process.hrtime.bigint();
  return () => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    histogram.observe(labels, seconds);
    return seconds;
  };
}
