// Controller and work-queue metrics. Names follow controller-runtime and client-go's
// workqueue, which is what Kubefed exposed (Kubefed's own
// reconcile_federated_resources_duration_seconds was deprecated in favour of
// controller_runtime_reconcile_time_seconds). Labels are bounded: controller and
// queue names, result.
import { Counter, Gauge, Histogram, LATENCY_BUCKETS_SECONDS, registerOnce, type Registry } from '../observability/metrics.js';
import type { WorkQueueMetricsHook } from './work-queue.js';

export type ReconcileResultLabel = 'success' | 'error' | 'requeue' | 'requeue_after' | 'terminal_error';

export interface ControllerMetrics {
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  terminalErrors: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  activeWorkers: Gauge<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
  queueDepth: Gauge<'name'>;
  queueAdds: Counter<'name'>;
  queueRetries: Counter<'name'>;
  queueLatency: Histogram<'name'>;
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  return registerOnce(registry, 'runtime/controller', (r) => ({
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller and result.',
      labelNames: ['controller', 'result'],
      registers: [r],
    }),
    reconcileErrors: new Counter({
      name: 'controller_runtime_reconcile_errors_total',
      help: 'Total number of reconciliation errors per controller.',
      labelNames: ['controller'],
      registers: [r],
    }),
    terminalErrors: new Counter({
      name: 'controller_runtime_terminal_reconcile_errors_total',
      help: 'Total number of terminal (not retried) reconciliation errors per controller.',
      labelNames: ['controller'],
      registers: [r],
    }),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller.',
      labelNames: ['controller'],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers: [r],
    }),
    activeWorkers: new Gauge({
      name: 'controller_runtime_active_workers',
      help: 'Number of workers currently reconciling per controller.',
      labelNames: ['controller'],
      registers: [r],
    }),
    maxConcurrentReconciles: new Gauge({
      name: 'controller_runtime_max_concurrent_reconciles',
      help: 'Maximum number of concurrent reconciles per controller.',
      labelNames: ['controller'],
      registers: [r],
    }),
    queueDepth: new Gauge({
      name: 'workqueue_depth',
      help: 'Current depth of the work queue (ready keys).',
      labelNames: ['name'],
      registers: [r],
    }),
    queueAdds: new Counter({
      name: 'workqueue_adds_total',
      help: 'Total number of keys added to the work queue.',
      labelNames: ['name'],
      registers: [r],
    }),
    queueRetries: new Counter({
      name: 'workqueue_retries_total',
      help: 'Total number of rate-limited requeues handled by the work queue.',
      labelNames: ['name'],
      registers: [r],
    }),
    queueLatency: new Histogram({
      name: 'workqueue_queue_duration_seconds',
      help: 'How long a key stays in the work queue before a worker takes it.',
      labelNames: ['name'],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers: [r],
    }),
  }));
}

/** Adapts the prom-client metrics to the queue's observer interface. */
export function queueMetricsHook(metrics: ControllerMetrics, name: string): WorkQueueMetricsHook {
  const depth = metrics.queueDepth.labels(name);
  const adds = metrics.queueAdds.labels(name);
  const retries = metrics.queueRetries.labels(name);
  const latency = metrics.queueLatency.labels(name);
  depth.set(0);
  return {
    depth: (n) => depth.set(n),
    added: () => adds.inc(),
    retried: () => retries.inc(),
    queueLatency: (s) => latency.observe(s),
  };
}
