// API request metrics, named like client-go's rest_client_* so existing dashboards fit.
// Labels: cluster (bounded by joined clusters), HTTP method, status code.
import { Counter, Histogram, LATENCY_BUCKETS_SECONDS, registerOnce, type Registry } from '../observability/metrics.js';

export interface RequestMetrics {
  observe(cluster: string, method: string, code: string, seconds: number): void;
}

export function requestMetrics(registry: Registry): RequestMetrics {
  return registerOnce(registry, 'kube/requests', (r) => {
    const total = new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of Kubernetes API requests, by cluster, method and HTTP status code (0 = no response).',
      labelNames: ['cluster', 'method', 'code'],
      registers: [r],
    });
    const duration = new Histogram({
      name: 'rest_client_request_duration_seconds',
      help: 'Kubernetes API request latency by cluster and method.',
      labelNames: ['cluster', 'method'],
      buckets: [...LATENCY_BUCKETS_SECONDS],
      registers: [r],
    });
    return {
      observe(cluster, method, code, seconds) {
        total.labels(cluster, method, code).inc();
        duration.labels(cluster, method).observe(seconds);
      },
    };
  });
}
