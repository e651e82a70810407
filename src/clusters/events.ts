// Kubernetes Events about host objects (`kubectl describe kubefedcluster x` shows them),
// through kfed's one event recorder (src/kube/event-recorder.ts: repeats aggregate into one
// Event's count, a per-object rate limit stops a loop from flooding). Recording is
// fire-and-forget: a failed Event write is logged, never fatal, and the caller does not
// wait for it. This file keeps the small interface controllers depend on.
import type { KubeObject } from '../api/meta.js';
import type { DynamicClient } from '../kube/dynamic-client.js';
import { EventRecorder as KubeEventRecorder } from '../kube/event-recorder.js';
import type { Logger } from '../observability/logger.js';

export type { EventType } from '../kube/event-recorder.js';

export interface EventRecorder {
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Resolves when the writes started so far have finished (tests, shutdown). */
  flush(): Promise<void>;
}

export function createEventRecorder(options: { client: DynamicClient; component: string; logger?: Logger; instance?: string }): EventRecorder {
  const recorder = new KubeEventRecorder({
    client: options.client,
    component: options.component,
    logger: options.logger,
    ...(options.instance ? { instance: options.instance } : {}),
  });
  return { record: (obj, type, reason, message) => recorder.event(obj, type, reason, message), flush: () => recorder.flush() };
}
