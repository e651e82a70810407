// One reconcile of a live (not deleting) federated object: placement, overrides, desired
// object per cluster, the member writes (bounded in concurrency and time), the version
// record, and the status — each host write made only when its content changed.
import { kubeTime } from '../../api/conditions.js';
import type { KubeObject } from '../../api/meta.js';
import type { ClusterOverride, FederatedClusterStatus, FederatedObject, OverridePolicy, Placement, PropagationStatusReason } from '../../api/federation.js';
import { objectKey } from '../../kube/resource.js';
import { errorMessage } from '../../runtime/errors.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { mapLimit } from '../../runtime/map-limit.js';
import { removeFromCluster, syncPlacedCluster, type ClusterTarget, type OpResult } from './cluster-ops.js';
import { baseObject, desiredObject } from './desired.js';
import { overridesForCluster, type OverrideOutcome } from '../policy/overrides.js';
import { computePlacement, effectivePlacement, type ClusterInfo, type PlacementOutcome } from '../policy/placement.js';
import { aggregateStatus, buildFederatedStatus, equalStatus, type ClusterOutcome } from './status.js';
import { writeFederatedStatus, writeVersionRecord } from './status-writer.js';
import type { SyncContext } from './sync-context.js';
import { clusterOverridesVersion, nextVersionRecord, overridesVersion, templateVersion, versionRecordsEqual, type DesiredHashes } from './version.js';
import { versionRecordKey } from './keys.js';

/** Joined clusters as placement sees them; a member without a client cannot be acted on. */
export function clusterInfos(ctx: SyncContext): ClusterInfo[] {
  return ctx.o.members.list().map((m) => ({ name: m.name, labels: m.labels, ready: m.ready && m.client !== undefined }));
}

export function placementFor(ctx: SyncContext, fed: FederatedObject, clusters: readonly ClusterInfo[]): PlacementOutcome {
  let namespacePlacement: Placement | undefined;
  if (ctx.scope.targetNamespaced) {
    const ns = fed.metadata.namespace ?? '';
    const fns = ctx.o.caches.federatedNamespaces.getByName(ns, ns);
    // An existing FederatedNamespace without placement selects no cluster (not "not federated").
    if (fns && !fns.metadata.deletionTimestamp) namespacePlacement = (fns.spec ? effectivePlacement(fns, 'Namespace', ctx.o.caches.policies.propagationPolicies()) : undefined) ?? {};
  }
  return computePlacement({
    placement: effectivePlacement(fed, ctx.target.kind, ctx.o.caches.policies.propagationPolicies()),
    clusters,
    namespaced: ctx.scope.targetNamespaced,
    namespacePlacement,
    limitedScope: ctx.o.limitedScope ?? false,
  });
}

export function clusterTarget(ctx: SyncContext, cluster: string, fed: FederatedObject, signal: AbortSignal): ClusterTarget | undefined {
  const client = ctx.members.client(cluster) ?? ctx.o.members.get(cluster)?.client;
  if (!client) return undefined;
  const timeout = AbortSignal.timeout(ctx.o.clusterTimeoutMs ?? 15_000);
  const name = fed.metadata.name ?? '';
  const namespace = ctx.scope.targetNamespaced ? fed.metadata.namespace : undefined;
  return { cluster, client, ref: ctx.targetRef, name, namespace, signal: AbortSignal.any([signal, timeout]) };
}

/** Record what a member operation did in the expectations, and report unreachable members. */
export function noteResult(ctx: SyncContext, fedKey: string, r: OpResult): void {
  const key = `${r.cluster}|${ctx.memberKey(fedKey)}`;
  if (r.written) ctx.memberExpect.wrote(key, r.written);
  if (r.deleted) ctx.memberExpect.deleted(key);
  if (r.unreachable) ctx.o.members.reportConnectionFailure(r.cluster, new Error(r.message ?? 'member operation failed'));
}

/** Warning events for clusters whose failure is new (not already in the previous status). */
export function emitFailureEvents(ctx: SyncContext, fed: FederatedObject, results: readonly OpResult[], previous: readonly FederatedClusterStatus[]): void {
  if (!ctx.o.events) return;
  for (const r of results) {
    if (!r.eventReason || r.status === '') continue;
    const before = previous.find((c) => c.name === r.cluster);
    if (before?.status === r.status && before.message === r.message) continue;
    ctx.o.events.record(fed, 'Warning', r.eventReason, `${ctx.target.kind} ${ctx.memberKey(objectKey(fed))} in cluster ${r.cluster}: ${r.message ?? r.status}`);
  }
}

/** Each placed cluster's operations from override policies alone (the object's own left out), where any. */
function policyOpsByCluster(fed: FederatedObject, placed: readonly string[], byName: ReadonlyMap<string, ClusterInfo>, kind: string, policies: readonly OverridePolicy[]): Record<string, ClusterOverride[]> {
  const out: Record<string, ClusterOverride[]> = {};
  if (policies.length === 0) return out;
  const withoutOwn: FederatedObject = { ...fed, spec: { ...fed.spec, overrides: [] } };
  for (const name of placed) {
    const r = overridesForCluster(withoutOwn, byName.get(name)!, kind, policies);
    if (r.ok && r.value.length > 0) out[name] = r.value;
  }
  return out;
}

/** Aggregate-only status changes are written at most this often per object. */
export const AGGREGATE_COALESCE_MS = 1_000;

/**
 * Write the status when it differs from what the object (or our last write) shows.
 * Member workloads become ready cluster by cluster, each step changing only the replica
 * and readiness totals; such aggregate-only changes are coalesced (at most one write per
 * AGGREGATE_COALESCE_MS per object), so M clusters do not cost M status writes. Returns
 * the delay after which a coalesced change must be written.
 */
export async function updateStatus(ctx: SyncContext, fed: FederatedObject, key: string, next: ReturnType<typeof buildFederatedStatus>, signal: AbortSignal): Promise<number | undefined> {
  if (equalStatus(fed.status, next)) return undefined;
  const last = ctx.statusWrittenAt.get(key);
  const wait = last === undefined ? 0 : last + AGGREGATE_COALESCE_MS - Date.now();
  if (wait > 0 && fed.status && equalStatus({ ...fed.status, ...(next.aggregated ? { aggregated: next.aggregated } : {}) }, next)) return wait;
  const written = await writeFederatedStatus(ctx.o.host, ctx.fedRef, fed, next, signal);
  if (written) ctx.fedExpect.wrote(key, written);
  ctx.statusWrittenAt.set(key, Date.now());
  return undefined;
}

export async function reconcilePropagation(ctx: SyncContext, fed: FederatedObject, key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
  const now = kubeTime(ctx.now());
  const generation = fed.metadata.generation ?? 0;
  const collect = ctx.ftc.spec.statusCollection === 'Enabled';
  const clusters = clusterInfos(ctx);
  const placement = placementFor(ctx, fed, clusters);
  if (!placement.ok) {
    const status = buildFederatedStatus({ previous: fed.status, generation, reason: placement.reason, message: placement.message, clusters: [], collectRemoteStatus: collect, now });
    await updateStatus(ctx, fed, key, status, signal);
    return;
  }
  const base = baseObject(fed, ctx.target).object;
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const ops = new Map<string, OverrideOutcome<ClusterOverride[]>>();
  const policies = ctx.o.caches.policies.overridePolicies();
  for (const name of placement.placed) ops.set(name, overridesForCluster(fed, byName.get(name)!, ctx.target.kind, policies));
  const hashes: DesiredHashes = {
    templateVersion: templateVersion(fed),
    overridesVersion: overridesVersion(fed, policyOpsByCluster(fed, placement.placed, byName, ctx.target.kind, policies)),
    clusterOverrides: Object.fromEntries([...ops].map(([n, o]) => [n, clusterOverridesVersion(o.ok ? o.value : [])])),
  };
  const recordObj = ctx.record(key);
  const record = recordObj?.status;
  const retain = { retainReplicas: fed.spec?.retainReplicas === true };
  const previous = fed.status?.clusters ?? [];
  const hostNamespace = (cluster: string): boolean => ctx.scope.namespaceTarget && ctx.isHost(cluster);
  const protectedNamespace = (cluster: string): boolean => ctx.protectsNamespace(cluster, fed.metadata.name ?? '');

  const tasks: { cluster: string; kind: 'sync' | 'remove' }[] = [
    ...placement.ready.map((cluster) => ({ cluster, kind: 'sync' as const })),
    ...placement.unplaced.map((cluster) => ({ cluster, kind: 'remove' as const })),
  ];
  const unsynced = new Set<string>();
  const results = (
    await mapLimit(tasks, ctx.o.clusterConcurrency ?? 8, async (task): Promise<OpResult | undefined> => {
      if (!ctx.members.synced(task.cluster)) {
        // No complete picture of this member yet; its 'synced' event re-enqueues the object.
        unsynced.add(task.cluster);
        return undefined;
      }
      const target = clusterTarget(ctx, task.cluster, fed, signal);
      if (!target) return { cluster: task.cluster, status: 'ClientRetrievalFailed', message: 'no client for this member', retry: true };
      const observed = ctx.observed(task.cluster, key);
      try {
        if (task.kind === 'remove') return await removeFromCluster({ target, observed, orphan: false, protect: protectedNamespace(task.cluster) });
        const o = ops.get(task.cluster)!;
        const desired: OverrideOutcome<KubeObject> = o.ok ? desiredObject(base, o.value) : o;
        const adopt = (ctx.o.adoptResources ?? true) || hostNamespace(task.cluster);
        return await syncPlacedCluster({ target, desired, observed, record, hashes, adoptResources: adopt, retain });
      } catch (err) {
        return { cluster: task.cluster, status: task.kind === 'remove' ? 'DeletionFailed' : 'ComputeResourceFailed', message: errorMessage(err), retry: true };
      }
    })
  ).filter((r): r is OpResult => r !== undefined);
  if (signal.aborted) return;
  for (const r of results) noteResult(ctx, key, r);

  // Version record: written and observed-current versions of placed clusters.
  const written: Record<string, string> = {};
  for (const r of results) if (r.version !== undefined && placement.ready.includes(r.cluster)) written[r.cluster] = r.version;
  const nextRecord = nextVersionRecord(record, hashes, placement.placed, written);
  if (!versionRecordsEqual(record, nextRecord)) {
    const saved = await writeVersionRecord(ctx.o.host, fed, ctx.target.kind, recordObj, nextRecord, signal);
    ctx.recordExpect.wrote(versionRecordKey(key, ctx.target.kind), saved);
  }

  // Status: placed clusters, plus unplaced ones whose removal is still in progress.
  const byCluster = new Map(results.map((r) => [r.cluster, r]));
  const outcomes: ClusterOutcome[] = [];
  const members = new Map<string, KubeObject | undefined>();
  for (const name of placement.placed) {
    const r = byCluster.get(name);
    if (placement.notReady.includes(name)) {
      outcomes.push({ name, status: 'ClusterNotReady', message: 'the cluster is not ready; its member object is left as it is' });
    } else if (unsynced.has(name)) {
      // A cache that failed to sync (the type is not served there, a list is refused) is
      // reported; one still listing keeps what the status said, so no transient flip is written.
      const problem = ctx.members.syncProblem(name);
      const prev = previous.find((c) => c.name === name);
      if (problem) outcomes.push({ name, status: 'CachedRetrievalFailed', message: `the cache of ${ctx.target.kind} in this member has not synced: ${problem}` });
      else outcomes.push({ name, status: prev?.status ?? '', ...(prev?.message ? { message: prev.message } : {}) });
    } else {
      const member = r?.written ?? ctx.observed(name, key);
      members.set(name, member);
      outcomes.push({ name, status: r?.status ?? '', ...(r?.message ? { message: r.message } : {}), ...(collect && member?.status !== undefined ? { remoteStatus: member.status } : {}) });
    }
  }
  for (const r of results) if (!placement.placed.includes(r.cluster) && r.pending) outcomes.push({ name: r.cluster, status: r.status, ...(r.message ? { message: r.message } : {}) });
  const statusMap = new Map<string, PropagationStatusReason>(outcomes.map((o) => [o.name, o.status]));
  const aggregated = aggregateStatus(placement.placed, statusMap, members, ctx.o.hasReplicas ?? false);
  const status = buildFederatedStatus({ previous: fed.status, generation, reason: '', clusters: outcomes, collectRemoteStatus: collect, aggregated, now });
  emitFailureEvents(ctx, fed, results, previous);
  const coalesced = await updateStatus(ctx, fed, key, status, signal);

  if (results.some((r) => r.retry)) return { requeue: true };
  if (coalesced !== undefined) return { requeueAfterMs: coalesced };
  if (results.some((r) => r.pending)) return { requeueAfterMs: 5_000 };
}
