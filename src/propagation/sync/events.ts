// Kubernetes Events on federated objects, through the shared recorder (repeats aggregate
// into one Event's count, and a per-object rate limit stops a failure loop from flooding).
import type { ClusterClient } from '../../kube/cluster-client.js';
import { EventRecorder } from '../../kube/event-recorder.js';
import type { Logger } from '../../observability/logger.js';
import type { EventSink } from './sync-controller.js';

export const EVENT_COMPONENT = 'kfed-sync-controller';

export function syncEventSink(host: ClusterClient, logger?: Logger, instance?: string): EventSink & { flush(): Promise<void> } {
  const recorder = new EventRecorder({ client: host.dynamic, component: EVENT_COMPONENT, ...(logger ? { logger } : {}), ...(instance ? { instance } : {}) });
  return {
    record: (obj, type, reason, message) => recorder.event(obj, type, reason, message),
    flush: () => recorder.flush(),
  };
}
