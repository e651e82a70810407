// What the reconcile steps (propagate.ts, deletion.ts, namespace-guard.ts) need from a
// sync controller, and the controller's options. A file of its own so that those steps
// and sync-controller.ts, which calls them, do not import each other.
import type { FederatedTypeConfig, PropagatedVersion } from '../../api/core.js';
import type { FederatedObject } from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { InformerFactory } from '../../kube/informer-factory.js';
import type { ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../observability/logger.js';
import type { Counter, Registry } from '../../observability/metrics.js';
import type { TargetTypeInfo } from './desired.js';
import type { Expectations } from '../../runtime/expectations.js';
import type { HostCaches } from './host-caches.js';
import type { KeyScope } from './keys.js';
import type { MemberInformers, MemberInformerTuning } from '../member-informers.js';

/** Kubernetes Events on federated objects (failures only). */
export interface EventSink {
  record(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export interface SyncControllerOptions {
  ftc: FederatedTypeConfig;
  host: ClusterClient;
  members: MemberRegistry;
  caches: HostCaches;
  /** The process's shared informers (one per cluster, resource and selector). Default: a private set. */
  informers?: InformerFactory;
  /** KubeFedConfig syncController.adoptResources === 'Enabled'. Default true (Kubefed's default). */
  adoptResources?: boolean;
  /** KubeFedConfig scope Namespaced: only the KubeFed namespace is federated. */
  limitedScope?: boolean;
  kubefedNamespace?: string;
  /** Target objects have spec.replicas (discovery shows `<plural>/scale`): aggregate replica counts. */
  hasReplicas?: boolean;
  /** Concurrent reconciles. Default 16 (the work is API round trips). */
  workers?: number | undefined;
  /** Member operations in flight per reconcile. Default 8. */
  clusterConcurrency?: number;
  /** Longest one member operation may take. Default 15 s. */
  clusterTimeoutMs?: number;
  /** How long an unreachable member may hold up the deletion of a federated object. Default 5 min. */
  deletionTimeoutMs?: number;
  /** Longest wait for Ready members' caches before workers start. Default 5 s (DEFAULT_MEMBER_SYNC_TIMEOUT_MS). */
  memberSyncTimeoutMs?: number;
  memberInformer?: MemberInformerTuning;
  /**
   * Resolves once the member registry knows every joined cluster. Workers must not start
   * before: an empty cluster list would look like "placed nowhere" and rewrite records.
   */
  membersSynced?: (signal: AbortSignal) => Promise<void>;
  events?: EventSink;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  now?: (() => Date) | undefined;
}

export const DEFAULT_DELETION_TIMEOUT_MS = 5 * 60_000;

/** The options the reconcile steps read, with their defaults applied in this one place. */
export interface SyncSettings {
  readonly adoptResources: boolean;
  readonly limitedScope: boolean;
  readonly kubefedNamespace: string | undefined;
  readonly hasReplicas: boolean;
  readonly clusterConcurrency: number;
  readonly clusterTimeoutMs: number;
  readonly deletionTimeoutMs: number;
}

export function syncSettings(o: SyncControllerOptions): SyncSettings {
  return {
    adoptResources: o.adoptResources ?? true,
    limitedScope: o.limitedScope ?? false,
    kubefedNamespace: o.kubefedNamespace,
    hasReplicas: o.hasReplicas ?? false,
    clusterConcurrency: o.clusterConcurrency ?? 8,
    clusterTimeoutMs: o.clusterTimeoutMs ?? 15_000,
    deletionTimeoutMs: o.deletionTimeoutMs ?? DEFAULT_DELETION_TIMEOUT_MS,
  };
}

/** What the reconcile functions (propagate.ts, deletion.ts) need from the controller. */
export interface SyncContext {
  /** the host cluster, where federated objects, version records and status live */
  readonly host: ClusterClient;
  /** every joined cluster, Ready or not */
  readonly clusters: MemberRegistry;
  /** version records, FederatedNamespaces and policies on the host */
  readonly hostCaches: HostCaches;
  readonly events: EventSink | undefined;
  /** kfed_drift_corrections_total{type, cluster}: member objects whose foreign fields were removed. */
  readonly driftCorrections: Counter<'type' | 'cluster'> | undefined;
  readonly settings: SyncSettings;
  readonly ftc: FederatedTypeConfig;
  readonly target: TargetTypeInfo;
  readonly targetRef: ResourceRef;
  readonly fedRef: ResourceRef;
  readonly scope: KeyScope;
  readonly log: Logger;
  /** this type's objects in every Ready member */
  readonly members: MemberInformers;
  /** keyed `cluster|memberKey` */
  readonly memberExpect: Expectations<KubeObject>;
  readonly recordExpect: Expectations<PropagatedVersion>;
  readonly fedExpect: Expectations<FederatedObject>;
  /** when each object's status was last written (coalescing of aggregate-only changes) */
  readonly statusWrittenAt: Map<string, number>;
  memberKey(fedKey: string): string;
  observed(cluster: string, fedKey: string): KubeObject | undefined;
  record(fedKey: string): PropagatedVersion | undefined;
  /** The member is the host cluster itself (its Namespace holding federated objects is protected). */
  isHost(cluster: string): boolean;
  /** The member Namespace of this FederatedNamespace must never be deleted there (host or protected name). */
  protectsNamespace(cluster: string, name: string): boolean;
  now(): Date;
}
