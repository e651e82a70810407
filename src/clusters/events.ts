// Kubernetes Events about host objects (`kubectl describe kubefedcluster x` shows them).
// Recording is fire-and-forget: a failed Event write is logged, never fatal, and the
// caller does not wait for it.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../api/meta.js';
import type { DynamicClient } from '../kube/dynamic-client.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { kubeTime } from '../api/conditions.js';
import { EVENTS } from './resources.js';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorder {
  record(obj: KubeObject, type: EventType, reason: string, message: string): void;
  /** Resolves when the writes started so far have finished (tests, shutdown). */
  flush(): Promise<void>;
}

export function createEventRecorder(options: { client: DynamicClient; component: string; logger?: Logger }): EventRecorder {
  const log = (options.logger ?? silentLogger()).child({ component: 'events' });
  const pending = new Set<Promise<unknown>>();
  return {
    record(obj, type, reason, message) {
      const ns = obj.metadata.namespace ?? 'default';
      const now = Date.now();
      const event: KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${obj.metadata.name ?? 'object'}.${now.toString(16)}${randomBytes(2).toString('hex')}`, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion,
          kind: obj.kind,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          uid: obj.metadata.uid,
          resourceVersion: obj.metadata.resourceVersion,
        },
        reason,
        message,
        type,
        source: { component: options.component },
        reportingComponent: options.component,
        firstTimestamp: kubeTime(now),
        lastTimestamp: kubeTime(now),
        count: 1,
      } as KubeObject;
      const p = options.client
        .create(EVENTS, event, { timeoutMs: 10_000 })
        .catch((err: unknown) => log.warn({ reason, object: obj.metadata.name, err: err instanceof Error ? err.message : String(err) }, 'failed to record event'))
        .finally(() => pending.delete(p));
      pending.add(p);
    },
    async flush() {
      await Promise.all([...pending]);
    },
  };
}
