// Informers on one target type (e.g. apps/v1 Deployments) in every Ready member, started
// when a member becomes Ready and stopped when it goes NotReady or leaves: a NotReady
// member is not acted on (ClusterNotReady), and its watches would only fail and retry.
// MemberLifecycle (src/clusters/member-lifecycle.ts) runs that start/restart/stop part.
//
// The informers select objects carrying the `kubefed.io/managed` label, whatever its
// value: `true` is what kfed manages, and `false` must be seen too, or kfed could not
// tell an object a user fenced off (ManagedLabelFalse) from an absent one. Objects with
// no label (pre-existing, or orphaned) stay out of the cache; the sync controller reads
// them directly when it has to decide about adoption.
import type { KubeObject } from '../api/meta.js';
import { MANAGED_LABEL } from '../api/federation.js';
import { MemberLifecycle, type MemberEvent, type MemberWork } from '../clusters/member-lifecycle.js';
import type { MemberRegistry } from '../clusters/member-registry.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import type { Informer } from '../kube/informer.js';
import type { InformerScope } from '../kube/informer-factory.js';
import type { ResourceRef } from '../kube/resource.js';
import { silentLogger, type Logger } from '../observability/logger.js';
import { errorMessage } from '../runtime/errors.js';
import type { Registry } from '../observability/metrics.js';

export type { MemberEvent };

export interface MemberInformerTuning {
  watchTimeoutSeconds?: number;
  silenceTimeoutMs?: number;
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  pageSize?: number;
}

export interface MemberInformersOptions {
  members: MemberRegistry;
  /** Where the member informers come from: one per (member, resource, selector), shared with other controllers. */
  informers: InformerScope;
  resource: ResourceRef;
  /** A member object changed; `deleted` when it left the cache. */
  onObject(cluster: string, obj: KubeObject, deleted: boolean): void;
  /** A member joined, left, changed readiness/labels/client, or its cache synced. */
  onMember(cluster: string, event: MemberEvent): void;
  tuning?: MemberInformerTuning;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
}

interface MemberCache extends MemberWork {
  informer: Informer;
}

export class MemberInformers {
  private readonly o: MemberInformersOptions;
  private readonly log: Logger;
  private readonly lifecycle: MemberLifecycle<MemberCache>;
  private readonly lastError = new Map<string, string>();

  constructor(options: MemberInformersOptions) {
    this.o = options;
    this.log = (options.logger ?? silentLogger()).child({ component: 'member-informers', resource: options.resource.resource });
    this.lifecycle = new MemberLifecycle({
      members: options.members,
      start: (name, client, signal) => this.startMember(name, client, signal),
      onMember: (name, event) => this.o.onMember(name, event),
    });
  }

  /** The member's cache holds a complete list. */
  synced(cluster: string): boolean {
    return this.lifecycle.synced(cluster);
  }

  /** Why the member's cache has not synced (its last list or watch error), if it failed at all. */
  syncProblem(cluster: string): string | undefined {
    return this.synced(cluster) ? undefined : this.lastError.get(cluster);
  }

  /** Cached member object by `ns/name` or `name` (never mutate it). */
  get(cluster: string, key: string): KubeObject | undefined {
    return this.lifecycle.handle(cluster)?.informer.get(key);
  }

  /** The client the cache was built with (writes go through the same client). */
  client(cluster: string): ClusterClient | undefined {
    return this.lifecycle.client(cluster);
  }

  start(): void {
    this.lifecycle.start();
  }

  stop(): Promise<void> {
    return this.lifecycle.stop();
  }

  /** Resolves once every Ready member with a client has synced, or after `timeoutMs`. */
  waitForReadyMembers(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.lifecycle.waitForReadyMembers(timeoutMs, signal, 10);
  }

  private startMember(name: string, client: ClusterClient, signal: AbortSignal): MemberCache {
    this.lastError.delete(name);
    const informer = this.o.informers.informer(client, this.o.resource, { labelSelector: MANAGED_LABEL }, this.o.tuning ?? {});
    const unsubscribe = [
      informer.addHandlers({
        onAdd: (obj) => this.o.onObject(name, obj, false),
        onUpdate: (_old, obj) => this.o.onObject(name, obj, false),
        onDelete: (obj) => this.o.onObject(name, obj, true),
      }),
      // The health controller's fast path: a failing watch asks for a probe now.
      informer.onError((err) => {
        this.lastError.set(name, errorMessage(err));
        this.o.members.reportConnectionFailure(name, err);
      }),
    ];
    const done = new Promise<void>((resolve) => {
      const release = (): void => {
        for (const u of unsubscribe) u();
        this.o.informers.release(informer).then(resolve, (err: unknown) => {
          this.log.warn({ cluster: name, err: String(err) }, 'member informer ended with an error');
          resolve();
        });
      };
      if (signal.aborted) release();
      else signal.addEventListener('abort', release, { once: true });
    });
    return { informer, done, synced: informer.waitForSync(signal) };
  }
}
