// The ReplicaSchedulingPreference controller (leader only), keyed by the RSP's `ns/name`,
// which is also the name of the FederatedDeployment (or FederatedReplicaSet, by
// targetKind) it drives (Kubefed's convention).
// Event-driven: RSPs, the target federated objects, the managed workloads in each Ready member
// (their ready replicas are the planner's "current") and member readiness all enqueue
// keys; a member going NotReady re-plans every RSP at once, which is the failover path.
// Every RSP is also re-planned periodically, and when a pending pod is about to count as
// stuck Unschedulable (nothing else announces that moment).
// It writes placement + per-cluster /spec/replicas overrides into the FederatedDeployment
// (the sync controller propagates them) and a status on the RSP, each only when changed;
// the status is replaced whole, so a cluster that left the schedule leaves no stale key.
// A target type whose CRD is missing (the type was disabled) only holds up its own RSPs.
import { FEDERATED_DEPLOYMENTS, FEDERATED_REPLICASETS, type FederatedObject } from '../../api/federation.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../api/kubernetes.js';
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import { REPLICA_SCHEDULING_PREFERENCES, RSP_TARGET_KINDS, type ReplicaSchedulingPreference, type RSPTargetKind } from '../../api/scheduling.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { isConflict, isNotFound } from '../../kube/errors.js';
import type { Informer } from '../../kube/informer.js';
import { InformerFactory, type InformerScope } from '../../kube/informer-factory.js';
import { objectKey, type ResourceRef } from '../../kube/resource.js';
import { silentLogger, type Logger } from '../../observability/logger.js';
import type { Registry } from '../../observability/metrics.js';
import type { Controller, ReconcileResult } from '../../runtime/controller.js';
import { ControllerBuilder, type ManagedController } from '../../runtime/controller-builder.js';
import type { Runnable } from '../../runtime/runnable.js';
import { withTimeout } from '../../runtime/clock.js';
import { Expectations } from '../../runtime/expectations.js';
import { MemberInformers, type MemberInformerTuning } from '../member-informers.js';
import { FIELD_MANAGER } from '../resources.js';
import { reconcileRSP, rspStatus, rspStatusEqual } from './rsp-schedule.js';
import type { MemberWorkload } from './schedule-replicas.js';


/** The federated type and member workload type of each RSP targetKind (Kubefed's scheduler plugins). */
const TARGET_TYPES: Record<RSPTargetKind, { federated: ResourceRef; member: ResourceRef }> = {
  FederatedDeployment: { federated: FEDERATED_DEPLOYMENTS, member: DEPLOYMENTS },
  FederatedReplicaSet: { federated: FEDERATED_REPLICASETS, member: REPLICASETS },
};

/** The caches of one target kind. */
export interface RSPTarget {
  ref: ResourceRef;
  federated: Informer<FederatedObject>;
  workloads: MemberInformers;
  expect: Expectations<FederatedObject>;
}

export interface RSPControllerOptions {
  host: ClusterClient;
  members: MemberRegistry;
  /** Resolves once the registry knows every joined cluster (an empty list would unschedule everything). */
  membersSynced?: (signal: AbortSignal) => Promise<void>;
  /** KubeFedConfig scope Namespaced: only this namespace. */
  namespace?: string;
  /** The process's shared informers (member Deployments are shared with the sync controller). Default: a set of its own. */
  informers?: InformerFactory;
  workers?: number | undefined;
  /** Longest wait for Ready members' workload caches, and for target caches, before workers start. Default 30 s. */
  memberSyncTimeoutMs?: number;
  /** Longest one member pod list may take. Default 5 s. */
  memberTimeoutMs?: number;
  memberInformer?: MemberInformerTuning;
  /** How long a pod stays Unschedulable before it counts against a cluster's capacity. Default 60 s (Kubefed's). */
  unschedulableAfterMs?: number;
  /** Re-plan every RSP this often even when no event says so. Default 30 s. */
  replanIntervalMs?: number;
  logger?: Logger | undefined;
  registry?: Registry | undefined;
  now?: (() => Date) | undefined;
}

export const DEFAULT_RSP_REPLAN_INTERVAL_MS = 30_000;

export class RSPController implements Runnable {
  readonly name = 'replica-scheduling-preference-controller';
  readonly needLeaderElection = true;
  readonly rsps: Informer<ReplicaSchedulingPreference>;
  readonly targets: ReadonlyMap<RSPTargetKind, RSPTarget>;
  readonly managed: ManagedController;
  readonly controller: Controller;
  private readonly o: RSPControllerOptions;
  private readonly log: Logger;
  private readonly informers: InformerScope;
  private readonly rspExpect = new Expectations<ReplicaSchedulingPreference>();

  constructor(o: RSPControllerOptions) {
    this.o = o;
    this.log = (o.logger ?? silentLogger()).child({ component: 'rsp-controller' });
    const common = { logger: o.logger, registry: o.registry };
    this.informers = (o.informers ?? new InformerFactory(common)).scope();
    const selector = o.namespace ? { namespace: o.namespace } : {};
    this.rsps = this.informers.informer<ReplicaSchedulingPreference>(o.host, REPLICA_SCHEDULING_PREFERENCES, selector);
    const timeoutMs = o.memberSyncTimeoutMs ?? 30_000;
    const builder = new ControllerBuilder(this.name, { workers: o.workers ?? 4, syncTimeoutMs: timeoutMs, memberSyncTimeoutMs: timeoutMs, ...common })
      .watch(this.rsps, (e) => {
        const key = objectKey(e.obj);
        if (e.type === 'add') return key;
        if (e.type === 'update') {
          this.rspExpect.observe(key, e.obj);
          return key;
        }
        this.rspExpect.forget(key);
        for (const t of this.targets.values()) t.expect.forget(key);
        return undefined;
      });
    const targets = new Map<RSPTargetKind, RSPTarget>();
    for (const kind of RSP_TARGET_KINDS) {
      const types = TARGET_TYPES[kind];
      const federated = this.informers.informer<FederatedObject>(o.host, types.federated, selector);
      const expect = new Expectations<FederatedObject>();
      // A disabled type (no CRD) never syncs: its RSPs wait in reconcile, the others go ahead.
      builder.watch(federated, (e) => {
        expect.observe(objectKey(e.obj), e.obj, e.type === 'delete');
        return this.scheduled(objectKey(e.obj));
      }, { optional: true });
      const workloads = new MemberInformers({
        members: o.members,
        informers: this.informers,
        resource: types.member,
        onObject: (_cluster, obj) => this.enqueueIfScheduled(objectKey(obj)),
        // Joined, left, Ready/NotReady, relabelled, or a member cache synced: re-plan all.
        onMember: () => this.enqueueAll(),
        ...(o.memberInformer ? { tuning: o.memberInformer } : {}),
        ...common,
      });
      builder.watchMembers(workloads);
      targets.set(kind, { ref: types.federated, federated, workloads, expect });
    }
    this.targets = targets;
    if (o.membersSynced) builder.waitFor('member registry', o.membersSynced);
    this.managed = builder
      .enqueueAllFrom(() => this.rsps.keys())
      .onStop(() => this.informers.close())
      .reconcile((key, signal) => this.reconcile(key, signal));
    this.controller = this.managed.controller!;
  }

  enqueueAll(): void {
    for (const key of this.rsps.keys()) this.controller.enqueue(key);
  }

  liveness(): true | string {
    return this.managed.liveness();
  }

  private scheduled(key: string): string | undefined {
    return this.rsps.get(key) ? key : undefined;
  }

  private enqueueIfScheduled(key: string): void {
    if (this.rsps.get(key)) this.controller.enqueue(key);
  }

  start(signal: AbortSignal): Promise<void> {
    return this.managed.start(signal);
  }

  private async reconcile(key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
    const rsp = this.rspExpect.current(key, this.rsps.get(key));
    if (!rsp) return;
    const target = this.targets.get(rsp.spec.targetKind);
    // Not synced yet: "absent" would be a guess. Its sync event would not re-enqueue, so poll.
    if (target && !target.federated.hasSynced()) return { requeueAfterMs: 5000 };
    const fed = target ? target.expect.current(key, target.federated.get(key)) : undefined;
    const members = this.o.members.list();
    const clusters = members.map((m) => ({ name: m.name, labels: m.labels, region: m.region, zones: m.zones, ready: m.ready && m.client !== undefined }));
    const workloads = target ? await Promise.all(clusters.filter((c) => c.ready).map((c) => this.workload(target.workloads, c.name, key, signal))) : [];
    const now = this.o.now?.() ?? new Date();
    const outcome = reconcileRSP({ rsp, fed, clusters, workloads, key, now, ...(this.o.unschedulableAfterMs !== undefined ? { unschedulableAfterMs: this.o.unschedulableAfterMs } : {}) });
    const replan = this.o.replanIntervalMs ?? DEFAULT_RSP_REPLAN_INTERVAL_MS;
    const next = { requeueAfterMs: outcome.ok && outcome.recheckAt !== undefined ? Math.max(100, Math.min(replan, outcome.recheckAt - now.getTime() + 100)) : replan };

    if (outcome.ok && outcome.update.changed && fed && target) {
      const patch = { metadata: { resourceVersion: fed.metadata.resourceVersion }, spec: { placement: outcome.update.placement, overrides: outcome.update.overrides } };
      try {
        const updated = await this.o.host.dynamic.patch<FederatedObject>(target.ref, fed.metadata.name ?? '', patch, {
          namespace: fed.metadata.namespace ?? '', type: 'merge', fieldManager: FIELD_MANAGER, signal,
        });
        target.expect.wrote(key, updated);
        this.log.info({ key, schedule: outcome.schedule }, 'replicas rescheduled');
      } catch (err) {
        // A newer object is on its way through the watch; its event re-enqueues the key.
        if (isConflict(err) || isNotFound(err)) return { requeue: true };
        throw new Error(`rsp ${key}: update ${target.ref.kind ?? rsp.spec.targetKind}`, { cause: err });
      }
    } else if (!outcome.ok) {
      this.log.debug({ key, reason: outcome.reason, message: outcome.message }, 'not scheduled');
    }

    const status = rspStatus(rsp.status, outcome, rsp.metadata.generation ?? 0, now);
    if (rspStatusEqual(rsp.status, status)) return next;
    try {
      // A JSON patch replacing /status: a merge patch would keep the keys the new status lacks.
      const updated = await this.o.host.dynamic.patch<ReplicaSchedulingPreference>(REPLICA_SCHEDULING_PREFERENCES, rsp.metadata.name ?? '', [{ op: 'add', path: '/status', value: status }], {
        namespace: rsp.metadata.namespace ?? '', type: 'json', subresource: 'status', fieldManager: FIELD_MANAGER, signal,
      });
      this.rspExpect.wrote(key, updated);
    } catch (err) {
      if (isNotFound(err)) return;
      throw new Error(`rsp ${key}: write status`, { cause: err });
    }
    return next;
  }

  /** The member workload from the cache, and its pods only when not every replica is ready (Kubefed's podanalyzer). */
  private async workload(cache: MemberInformers, cluster: string, key: string, signal: AbortSignal): Promise<MemberWorkload> {
    const object = cache.get(cluster, key);
    if (!object) return { cluster, object };
    const spec = object['spec'] as { replicas?: number; selector?: LabelSelector } | undefined;
    const status = object['status'] as { readyReplicas?: number } | undefined;
    if ((spec?.replicas ?? 0) === (status?.readyReplicas ?? 0)) return { cluster, object };
    const client = cache.client(cluster);
    const selector = spec?.selector;
    // An empty selector would list every pod of the namespace (other workloads' pending pods too).
    if (!client || !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)) return { cluster, object, pods: [] };
    try {
      const list = await withTimeout(signal, this.o.memberTimeoutMs ?? 5000, (opSignal) =>
        client.dynamic.list<KubeObject>(PODS, { namespace: object.metadata.namespace ?? '', labelSelector: selector, signal: opSignal }),
      );
      return { cluster, object, pods: list.items };
    } catch (err) {
      // One member's failure must not block the others: count nothing running there.
      this.log.debug({ cluster, key, err: String(err) }, 'list pods failed');
      return { cluster, object, pods: [] };
    }
  }
}
