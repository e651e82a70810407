// Kubernetes Events (core/v1) for state transitions, as `kubectl describe` shows them.
// Like client-go's recorder: a repeat of the same event on the same object bumps
// `count` and `lastTimestamp` instead of creating a new Event, a per-object token
// bucket stops a hot loop from flooding the API, and recording never blocks or fails
// the caller (errors are logged).
import { randomBytes } from 'node:crypto';
import { kubeTime } from '../api/conditions.js';
import { EVENTS } from '../api/kubernetes.js';
import type { KubeObject } from '../api/meta.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { TokenBucket } from '../runtime/rate-limiter.js';
import type { DynamicClient } from './dynamic-client.js';
import { isNotFound } from './errors.js';


export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  client: DynamicClient;
  /** `source.component`, e.g. `kfed-cluster-controller`. */
  component: string;
  /** Replica identity for `reportingInstance`. */
  instance?: string;
  logger?: Logger | undefined;
  /** Events allowed at once per object. Default 25. */
  burst?: number;
  /** Sustained events per second per object after the burst. Default 1/300 (client-go). */
  qps?: number;
  /** A repeat within this window is aggregated into the earlier Event. Default 10 min. */
  aggregateWindowMs?: number;
}

interface Seen {
  name: string;
  namespace: string;
  count: number;
  first: string;
  at: number;
}

export class EventRecorder {
  private readonly log: Logger;
  private readonly seen = new Map<string, Seen>();
  private readonly buckets = new Map<string, TokenBucket>();
  private pending = new Set<Promise<void>>();

  constructor(private readonly o: EventRecorderOptions) {
    this.log = (o.logger ?? silentLogger()).child({ component: 'events' });
  }

  /** Records an event about `obj`; returns at once. */
  event(obj: KubeObject, type: EventType, reason: string, message: string): void {
    const uid = obj.metadata.uid ?? `${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
    let bucket = this.buckets.get(uid);
    if (!bucket) {
      bucket = new TokenBucket(this.o.qps ?? 1 / 300, this.o.burst ?? 25);
      this.buckets.set(uid, bucket);
      if (this.buckets.size > 10_000) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    if (bucket.reserve() > 0) {
      this.log.debug({ reason, object: obj.metadata.name }, 'event dropped by rate limit');
      return;
    }
    const p = this.write(obj, uid, type, reason, message)
      .catch((err: unknown) => {
        this.log.warn({ reason, object: obj.metadata.name, err: err instanceof Error ? err.message : String(err) }, 'failed to record event');
      })
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for events in flight (tests, graceful shutdown). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private async write(obj: KubeObject, uid: string, type: EventType, reason: string, message: string): Promise<void> {
    const now = kubeTime(Date.now());
    const key = `${uid}|${type}|${reason}|${message}`;
    const prior = this.seen.get(key);
    const window = this.o.aggregateWindowMs ?? 600_000;
    if (prior && Date.now() - prior.at < window) {
      prior.count++;
      prior.at = Date.now();
      try {
        await this.o.client.patch(EVENTS, prior.name, { count: prior.count, lastTimestamp: now }, { namespace: prior.namespace, type: 'merge' });
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        // The Event expired on the server: start a new one.
      }
    }
    const namespace = obj.metadata.namespace || 'default';
    const name = `${obj.metadata.name ?? 'object'}.${randomBytes(8).toString('hex')}`;
    await this.o.client.create(EVENTS, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
        ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
      },
      type,
      reason,
      message,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: this.o.component },
      reportingComponent: this.o.component,
      reportingInstance: this.o.instance ?? '',
    });
    this.seen.set(key, { name, namespace, count: 1, first: now, at: Date.now() });
    if (this.seen.size > 10_000) this.seen.delete(this.seen.keys().next().value as string);
  }
}
