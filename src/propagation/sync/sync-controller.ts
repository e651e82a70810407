// The sync controller of one federated type: keeps every member object of every
// Federated<Kind> equal to its template plus that cluster's overrides, in the clusters
// its placement selects, and reports per cluster in status. Event-driven: the federated
// objects, the version records and FederatedNamespaces on the host, the managed objects
// in each member, and member readiness all enqueue the affected keys.
//
// Start order is part of correctness: workers start only once the host caches and every
// Ready member's cache have synced, so a restarted controller compares against complete
// caches and writes nothing when nothing changed. The controller builder
// (src/runtime/controller-builder.ts) runs that sequence; this file declares the watches.
import type { FederatedTypeConfig, PropagatedVersion } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import { SYNC_FINALIZER, type FederatedObject } from '../../api/federation.js';
import type { Informer } from '../../kube/informer.js';
import { InformerFactory, type InformerScope } from '../../kube/informer-factory.js';
import { objectKey, type ResourceRef } from '../../kube/resource.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import { Counter, registerOnce, type Registry } from '../../observability/metrics.js';
import type { Controller, ReconcileResult } from '../../runtime/controller.js';
import { ControllerBuilder, type ManagedController } from '../../runtime/controller-builder.js';
import type { Runnable } from '../../runtime/runnable.js';
import { targetTypeInfo, type TargetTypeInfo } from './desired.js';
import { Expectations } from '../../runtime/expectations.js';
import { federatedKeyForMember, keysInNamespace, memberKeyForFederated, versionRecordKey, type KeyScope } from './keys.js';
import { MemberInformers } from '../member-informers.js';
import { syncSettings, type EventSink, type SyncContext, type SyncControllerOptions, type SyncSettings } from './sync-context.js';
import type { HostCaches } from './host-caches.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { reconcileDeletion } from './deletion.js';
import { cleanLeftovers, leftBehindClusters, leftBehindKeys } from './leftovers.js';
import { removeStrays } from './strays.js';
import { isProtectedNamespace, misplacedFederatedNamespace, refuseMisplacedNamespace } from './namespace-guard.js';
import { reconcilePropagation } from './propagate.js';
import { federatedRef, isNamespaceTarget, targetRef } from '../resources.js';
import { setFinalizers } from './status-writer.js';

export type { EventSink, SyncContext, SyncControllerOptions } from './sync-context.js';

/**
 * How long workers wait for Ready members' caches. Short: reconciles skip (and report) a
 * member whose cache has not synced, so one member that cannot list a newly enabled type
 * must not hold up every object of it; the wait only spares transient statuses at start.
 */
export const DEFAULT_MEMBER_SYNC_TIMEOUT_MS = 5_000;

export class SyncController implements Runnable, SyncContext {
  readonly name: string;
  readonly needLeaderElection = true;
  readonly host: ClusterClient;
  readonly clusters: MemberRegistry;
  readonly hostCaches: HostCaches;
  readonly events: EventSink | undefined;
  readonly driftCorrections: Counter<'type' | 'cluster'> | undefined;
  readonly settings: SyncSettings;
  readonly ftc: FederatedTypeConfig;
  readonly target: TargetTypeInfo;
  readonly targetRef: ResourceRef;
  readonly fedRef: ResourceRef;
  readonly scope: KeyScope;
  readonly log: Logger;
  readonly federated: Informer<FederatedObject>;
  readonly members: MemberInformers;
  readonly managed: ManagedController;
  readonly controller: Controller;
  readonly memberExpect = new Expectations<KubeObject>();
  readonly recordExpect = new Expectations<PropagatedVersion>();
  readonly fedExpect = new Expectations<FederatedObject>();
  readonly statusWrittenAt = new Map<string, number>();
  private readonly informers: InformerScope;

  private readonly clock: () => Date;

  constructor(o: SyncControllerOptions) {
    this.host = o.host;
    this.clusters = o.members;
    this.hostCaches = o.caches;
    this.events = o.events;
    this.driftCorrections = o.registry ? driftMetric(o.registry) : undefined;
    this.settings = syncSettings(o);
    this.clock = o.now ?? (() => new Date());
    this.ftc = o.ftc;
    this.name = `sync-controller/${o.ftc.metadata.name ?? ''}`;
    this.target = targetTypeInfo(o.ftc);
    this.targetRef = targetRef(o.ftc);
    this.fedRef = federatedRef(o.ftc);
    this.scope = { targetNamespaced: this.target.namespaced, namespaceTarget: isNamespaceTarget(o.ftc) };
    this.log = (o.logger ?? silentLogger()).child({ component: 'sync-controller', type: o.ftc.metadata.name });
    const common = { logger: o.logger, registry: o.registry };
    this.informers = (o.informers ?? new InformerFactory(common)).scope();
    this.federated = this.informers.informer<FederatedObject>(o.host, this.fedRef, o.limitedScope && o.kubefedNamespace ? { namespace: o.kubefedNamespace } : {});
    this.members = new MemberInformers({
      members: o.members,
      informers: this.informers,
      resource: this.targetRef,
      onObject: (cluster, obj, deleted) => {
        const fedKey = federatedKeyForMember(obj, this.scope);
        this.memberExpect.observe(`${cluster}|${this.memberKey(fedKey)}`, obj, deleted);
        this.controller.enqueue(fedKey);
      },
      onMember: (cluster, event) => {
        this.enqueueAll();
        if (event === 'ready' || event === 'synced') this.enqueueLeftBehind(cluster);
      },
      ...(o.memberInformer ? { tuning: o.memberInformer } : {}),
      ...common,
    });
    const observeRecord = (r: PropagatedVersion, gone: boolean): undefined => {
      this.recordExpect.observe(objectKey(r), r, gone);
      return undefined;
    };
    const builder = new ControllerBuilder(this.name, { workers: o.workers ?? 16, memberSyncTimeoutMs: o.memberSyncTimeoutMs ?? DEFAULT_MEMBER_SYNC_TIMEOUT_MS, ...common })
      .watch(this.federated, (e) => {
        const key = objectKey(e.obj);
        this.fedExpect.observe(key, e.obj, e.type === 'delete');
        return key;
      })
      .watch(o.caches.versions, (e) => observeRecord(e.obj, e.type === 'delete'))
      .watch(o.caches.clusterVersions, (e) => observeRecord(e.obj, e.type === 'delete'))
      .watch(o.caches.federatedNamespaces)
      .watchMembers(this.members)
      .waitFor('host caches', (signal) => o.caches.waitForSync(signal))
      .enqueueAllFrom(() => this.federated.keys())
      .onStop(() => this.informers.close());
    if (o.membersSynced) builder.waitFor('member registry', o.membersSynced);
    this.managed = builder.reconcile((key, signal) => this.reconcile(key, signal));
    this.controller = this.managed.controller!;
  }

  memberKey(fedKey: string): string {
    return memberKeyForFederated(fedKey, this.scope);
  }

  observed(cluster: string, fedKey: string): KubeObject | undefined {
    const key = this.memberKey(fedKey);
    return this.memberExpect.current(`${cluster}|${key}`, this.members.get(cluster, key));
  }

  record(fedKey: string): PropagatedVersion | undefined {
    const key = versionRecordKey(fedKey, this.target.kind);
    const cache = this.scope.targetNamespaced || this.scope.namespaceTarget ? this.hostCaches.versions : this.hostCaches.clusterVersions;
    return this.recordExpect.current(key, cache.get(key));
  }

  isHost(cluster: string): boolean {
    const m = this.clusters.get(cluster);
    return m?.client !== undefined && m.client.server === this.host.server;
  }

  protectsNamespace(cluster: string, name: string): boolean {
    return this.scope.namespaceTarget && (this.isHost(cluster) || isProtectedNamespace(name, this.settings.kubefedNamespace));
  }

  now(): Date {
    return this.clock();
  }

  enqueueAll(): void {
    for (const key of this.federated.keys()) this.controller.enqueue(key);
  }

  /** Vanished objects whose records name `cluster` as left behind: clean up there now that it is back. */
  private enqueueLeftBehind(cluster: string): void {
    const cache = this.scope.targetNamespaced || this.scope.namespaceTarget ? this.hostCaches.versions : this.hostCaches.clusterVersions;
    for (const key of leftBehindKeys(cache.list(), this.target.kind, cluster)) this.controller.enqueue(key);
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  async start(signal: AbortSignal): Promise<void> {
    // A policy may select any object of this type: re-plan them all.
    const unsubs = [this.hostCaches.policies.onChange(() => this.enqueueAll())];
    if (this.scope.targetNamespaced) {
      unsubs.push(this.hostCaches.onFederatedNamespace((ns) => {
        for (const key of keysInNamespace(this.federated.keys(), ns)) this.controller.enqueue(key);
      }));
    }
    try {
      await this.managed.start(signal);
    } finally {
      for (const u of unsubs) u();
    }
  }

  private async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    let fed = this.fedExpect.current(key, this.federated.get(key));
    if (!fed) {
      this.fedExpect.forget(key);
      this.statusWrittenAt.delete(key);
      // Read before cleanLeftovers, which may delete the record: strays leave those clusters to it.
      const leftBehind = leftBehindClusters(this.record(key));
      const leftovers = await cleanLeftovers(this, key, signal);
      return (await removeStrays(this, key, leftBehind, signal)) ?? leftovers;
    }
    // Checked before the finalizer is added: a misplaced FederatedNamespace never gets one.
    const misplaced = this.scope.namespaceTarget ? misplacedFederatedNamespace(fed) : undefined;
    if (misplaced) return refuseMisplacedNamespace(this, fed, key, misplaced, signal);
    if (fed.metadata.deletionTimestamp) return reconcileDeletion(this, fed, key, signal);
    if (!(fed.metadata.finalizers ?? []).includes(SYNC_FINALIZER)) {
      const updated = await setFinalizers(this.host, this.fedRef, fed, [...(fed.metadata.finalizers ?? []), SYNC_FINALIZER], signal);
      if (!updated) return;
      this.fedExpect.wrote(key, updated);
      fed = updated;
    }
    return reconcilePropagation(this, fed, key, signal);
  }
}

function driftMetric(registry: Registry): Counter<'type' | 'cluster'> {
  return registerOnce(registry, 'kfed_drift_corrections_total', (r) => new Counter({
    name: 'kfed_drift_corrections_total',
    help: 'Member objects whose fields set outside kfed (additive drift) were removed, per federated type and cluster.',
    labelNames: ['type', 'cluster'],
    registers: [r],
  }));
}
