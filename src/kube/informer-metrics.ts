// Informer health in metrics: restarts by reason are how an operator sees a flapping
// member or an API server that drops watches. Labels: cluster, resource (group/plural).
import { Counter, Gauge, registerOnce, type Registry } from '../observability/metrics.js';

export type InformerRestartReason = 'error' | 'gone' | 'silence' | 'closed';

export interface InformerMetrics {
  restarts: Counter<'cluster' | 'resource' | 'reason'>;
  relists: Counter<'cluster' | 'resource'>;
  events: Counter<'cluster' | 'resource' | 'type'>;
  synced: Gauge<'cluster' | 'resource'>;
  objects: Gauge<'cluster' | 'resource'>;
}

export function informerMetrics(registry: Registry): InformerMetrics {
  return registerOnce(registry, 'kube/informer', (r) => ({
    restarts: new Counter({
      name: 'kfed_informer_restarts_total',
      help: 'Informer list/watch restarts by reason (error, gone = 410 relist, silence = watchdog, closed = stream ended early).',
      labelNames: ['cluster', 'resource', 'reason'],
      registers: [r],
    }),
    relists: new Counter({
      name: 'kfed_informer_relists_total',
      help: 'Full lists performed by informers (initial sync included).',
      labelNames: ['cluster', 'resource'],
      registers: [r],
    }),
    events: new Counter({
      name: 'kfed_informer_events_total',
      help: 'Watch events received by informers, by type.',
      labelNames: ['cluster', 'resource', 'type'],
      registers: [r],
    }),
    synced: new Gauge({
      name: 'kfed_informer_synced',
      help: '1 when the informer completed its initial list.',
      labelNames: ['cluster', 'resource'],
      registers: [r],
    }),
    objects: new Gauge({
      name: 'kfed_informer_objects',
      help: 'Objects in the informer cache.',
      labelNames: ['cluster', 'resource'],
      registers: [r],
    }),
  }));
}
