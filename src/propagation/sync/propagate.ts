// One reconcile of a live (not deleting) federated object: placement, overrides, desired
// object per cluster, the member writes (bounded in concurrency and time), the version
// record, and the status — each host write made only when its content changed.
import { kubeTime } from '../../api/conditions.js';
import type { PropagatedVersion, PropagatedVersionStatus } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { ClusterOverride, FederatedClusterStatus, FederatedObject, OverridePolicy, PropagationStatusReason } from '../../api/federation.js';
import { objectKey } from '../../kube/resource.js';
import { errorMessage } from '../../runtime/errors.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { withTimeout } from '../../runtime/clock.js';
import { mapLimit } from '../../runtime/map-limit.js';
import { removeFromCluster, syncPlacedCluster, type ClusterTarget, type OpResult } from './cluster-ops.js';
import { baseObject, desiredObject } from './desired.js';
import { overridesForCluster, type OverrideOutcome } from '../policy/overrides.js';
import type { ClusterInfo, PlacementFailure, PlacementOutcome, PlacementResult } from '../policy/placement.js';
import { placementOf } from './render.js';
import { aggregateStatus, buildFederatedStatus, equalStatus, type ClusterOutcome } from './status.js';
import { writeFederatedStatus, writeVersionRecord } from './status-writer.js';
import type { SyncContext } from './sync-context.js';
import { clusterOverridesVersion, nextVersionRecord, overridesVersion, templateVersion, versionRecordsEqual, type DesiredHashes } from './version.js';
import { versionRecordKey } from './keys.js';
import { FIELD_MANAGER } from '../resources.js';

/** Annotation on a federated object or FederatedTypeConfig: `ignore-foreign` keeps fields set outside kfed. */
export const DRIFT_ANNOTATION = 'kfed.io/drift';

/** Joined clusters as placement sees them; a member without a client cannot be acted on. */
export function clusterInfos(ctx: SyncContext): ClusterInfo[] {
  return ctx.clusters.list().map((m) => ({ name: m.name, labels: m.labels, region: m.region, zones: m.zones, ready: m.ready && m.client !== undefined }));
}

export function placementFor(ctx: SyncContext, fed: FederatedObject, clusters: readonly ClusterInfo[]): PlacementOutcome {
  const ns = fed.metadata.namespace ?? '';
  return placementOf({
    fed,
    target: { ...ctx.target, namespaced: ctx.scope.targetNamespaced },
    clusters,
    propagationPolicies: ctx.hostCaches.policies.propagationPolicies(),
    federatedNamespace: ctx.scope.targetNamespaced ? ctx.hostCaches.federatedNamespaces.getByName(ns, ns) : undefined,
    limitedScope: ctx.settings.limitedScope,
  });
}

/** The member to operate on; `signal` is the operation's own (see withClusterTimeout). */
export function clusterTarget(ctx: SyncContext, cluster: string, fed: FederatedObject, signal: AbortSignal): ClusterTarget | undefined {
  const client = ctx.members.client(cluster) ?? ctx.clusters.get(cluster)?.client;
  if (!client) return undefined;
  const name = fed.metadata.name ?? '';
  const namespace = ctx.scope.targetNamespaced ? fed.metadata.namespace : undefined;
  return { cluster, client, ref: ctx.targetRef, name, namespace, signal };
}

/** Runs one member operation under `signal` and the cluster timeout, leaving nothing on `signal` after. */
export function withClusterTimeout<T>(ctx: SyncContext, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  return withTimeout(signal, ctx.settings.clusterTimeoutMs, fn);
}

/** Record what a member operation did in the expectations, and report unreachable members. */
export function noteResult(ctx: SyncContext, fedKey: string, r: OpResult): void {
  const key = `${r.cluster}|${ctx.memberKey(fedKey)}`;
  if (r.written) ctx.memberExpect.wrote(key, r.written);
  if (r.deleted) ctx.memberExpect.deleted(key);
  if (r.unreachable) ctx.clusters.reportConnectionFailure(r.cluster, new Error(r.message ?? 'member operation failed'));
}

/** Warning events for clusters whose failure is new (not already in the previous status). */
export function emitFailureEvents(ctx: SyncContext, fed: FederatedObject, results: readonly OpResult[], previous: readonly FederatedClusterStatus[]): void {
  if (!ctx.events) return;
  for (const r of results) {
    if (!r.eventReason || r.status === '') continue;
    const before = previous.find((c) => c.name === r.cluster);
    if (before?.status === r.status && before.message === r.message) continue;
    ctx.events.record(fed, 'Warning', r.eventReason, `${ctx.target.kind} ${ctx.memberKey(objectKey(fed))} in cluster ${r.cluster}: ${r.message ?? r.status}`);
  }
}

/** A Normal event naming the foreign fields removed, and the drift metric, per corrected cluster. */
function reportDrift(ctx: SyncContext, fed: FederatedObject, results: readonly OpResult[]): void {
  for (const r of results) {
    if (!r.drift || r.drift.length === 0) continue;
    ctx.driftCorrections?.inc({ type: ctx.ftc.metadata.name ?? '', cluster: r.cluster });
    ctx.events?.record(fed, 'Normal', 'DriftCorrected', `${ctx.target.kind} ${ctx.memberKey(objectKey(fed))} in cluster ${r.cluster}: removed fields set outside kfed: ${r.drift.join(', ')}`);
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
  const written = await writeFederatedStatus(ctx.host, ctx.fedRef, fed, next, signal);
  if (written) ctx.fedExpect.wrote(key, written);
  ctx.statusWrittenAt.set(key, Date.now());
  return undefined;
}

/** One reconcile of a live federated object, step by step. */
export async function reconcilePropagation(ctx: SyncContext, fed: FederatedObject, key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
  const clusters = clusterInfos(ctx);
  const placement = placementFor(ctx, fed, clusters);
  if (!placement.ok) return reportPlacementFailure(ctx, fed, key, placement, signal);
  const plan = planClusters(ctx, fed, key, placement, clusters);
  const { results, unsynced } = await writeMembers(ctx, fed, key, plan, signal);
  if (signal.aborted) return;
  for (const r of results) noteResult(ctx, key, r);
  await recordVersions(ctx, fed, key, plan, results, signal);
  const coalesced = await reportStatus(ctx, fed, key, plan, results, unsynced, signal);
  return nextCheck(results, coalesced);
}

/** What every placed cluster should get: the base object, each cluster's overrides, their hashes, the last version record. */
interface ClusterPlan {
  placement: PlacementResult;
  base: KubeObject;
  overrides: Map<string, OverrideOutcome<ClusterOverride[]>>;
  hashes: DesiredHashes;
  recordObject: PropagatedVersion | undefined;
  record: PropagatedVersionStatus | undefined;
}

interface MemberWrites {
  results: OpResult[];
  /** placed or unplaced clusters skipped because their cache has not synced */
  unsynced: Set<string>;
}

async function reportPlacementFailure(ctx: SyncContext, fed: FederatedObject, key: string, placement: PlacementFailure, signal: AbortSignal): Promise<void> {
  const status = buildFederatedStatus({
    previous: fed.status,
    generation: fed.metadata.generation ?? 0,
    reason: placement.reason,
    message: placement.message,
    clusters: [],
    collectRemoteStatus: ctx.ftc.spec.statusCollection === 'Enabled',
    now: kubeTime(ctx.now()),
  });
  await updateStatus(ctx, fed, key, status, signal);
}

function planClusters(ctx: SyncContext, fed: FederatedObject, key: string, placement: PlacementResult, clusters: readonly ClusterInfo[]): ClusterPlan {
  const byName = new Map(clusters.map((c) => [c.name, c]));
  const policies = ctx.hostCaches.policies.overridePolicies();
  const overrides = new Map<string, OverrideOutcome<ClusterOverride[]>>();
  for (const name of placement.placed) overrides.set(name, overridesForCluster(fed, byName.get(name)!, ctx.target.kind, policies));
  const hashes: DesiredHashes = {
    templateVersion: templateVersion(fed),
    overridesVersion: overridesVersion(fed, policyOpsByCluster(fed, placement.placed, byName, ctx.target.kind, policies)),
    clusterOverrides: Object.fromEntries([...overrides].map(([n, o]) => [n, clusterOverridesVersion(o.ok ? o.value : [])])),
  };
  const recordObject = ctx.record(key);
  return { placement, base: baseObject(fed, ctx.target).object, overrides, hashes, recordObject, record: recordObject?.status };
}

/** Create, update or delete the member object in every Ready placed cluster and every unplaced one, a bounded number at a time. */
async function writeMembers(ctx: SyncContext, fed: FederatedObject, key: string, plan: ClusterPlan, signal: AbortSignal): Promise<MemberWrites> {
  const tasks: { cluster: string; kind: 'sync' | 'remove' }[] = [
    ...plan.placement.ready.map((cluster) => ({ cluster, kind: 'sync' as const })),
    ...plan.placement.unplaced.map((cluster) => ({ cluster, kind: 'remove' as const })),
  ];
  const unsynced = new Set<string>();
  const results = await mapLimit(tasks, ctx.settings.clusterConcurrency, async (task): Promise<OpResult | undefined> => {
    if (!ctx.members.synced(task.cluster)) {
      // No complete picture of this member yet; its 'synced' event re-enqueues the object.
      unsynced.add(task.cluster);
      return undefined;
    }
    return withClusterTimeout(ctx, signal, async (opSignal) => {
      const target = clusterTarget(ctx, task.cluster, fed, opSignal);
      if (!target) return { cluster: task.cluster, status: 'ClientRetrievalFailed', message: 'no client for this member', retry: true };
      try {
        return task.kind === 'remove' ? await removeUnplaced(ctx, fed, key, target) : await syncPlaced(ctx, fed, key, plan, target);
      } catch (err) {
        return { cluster: task.cluster, status: task.kind === 'remove' ? 'DeletionFailed' : 'ComputeResourceFailed', message: errorMessage(err), retry: true };
      }
    });
  });
  return { results: results.filter((r): r is OpResult => r !== undefined), unsynced };
}

/** `kfed.io/drift: ignore-foreign` on the federated object or its FederatedTypeConfig: keep fields others set. */
function driftIgnored(obj: KubeObject): boolean {
  return obj.metadata.annotations?.[DRIFT_ANNOTATION] === 'ignore-foreign';
}

function syncPlaced(ctx: SyncContext, fed: FederatedObject, key: string, plan: ClusterPlan, target: ClusterTarget): Promise<OpResult> {
  const o = plan.overrides.get(target.cluster)!;
  const desired: OverrideOutcome<KubeObject> = o.ok ? desiredObject(plan.base, o.value) : o;
  // The host's own Namespace of a FederatedNamespace is always adopted.
  const adoptResources = ctx.settings.adoptResources || (ctx.scope.namespaceTarget && ctx.isHost(target.cluster));
  const retain = { retainReplicas: fed.spec?.retainReplicas === true };
  const pruneForeign = driftIgnored(fed) || driftIgnored(ctx.ftc) ? {} : { pruneForeign: { fieldManager: FIELD_MANAGER } };
  return syncPlacedCluster({ target, desired, observed: ctx.observed(target.cluster, key), record: plan.record, hashes: plan.hashes, adoptResources, retain, ...pruneForeign });
}

function removeUnplaced(ctx: SyncContext, fed: FederatedObject, key: string, target: ClusterTarget): Promise<OpResult> {
  const protect = ctx.protectsNamespace(target.cluster, fed.metadata.name ?? '');
  return removeFromCluster({ target, observed: ctx.observed(target.cluster, key), orphan: false, protect });
}

/** The version record: written and observed-current versions of placed clusters, written only when it changed. */
async function recordVersions(ctx: SyncContext, fed: FederatedObject, key: string, plan: ClusterPlan, results: readonly OpResult[], signal: AbortSignal): Promise<void> {
  const written: Record<string, string> = {};
  for (const r of results) if (r.version !== undefined && plan.placement.ready.includes(r.cluster)) written[r.cluster] = r.version;
  // Where kfed may have written must stay recorded until it is known clean (see nextVersionRecord).
  const cleared = results.filter((r) => plan.placement.unplaced.includes(r.cluster) && !r.pending && !r.retry).map((r) => r.cluster);
  const attempted = results.filter((r) => plan.placement.ready.includes(r.cluster) && r.version === undefined && r.retry).map((r) => r.cluster);
  const next = nextVersionRecord(plan.record, plan.hashes, plan.placement.placed, written, { cleared, attempted });
  if (versionRecordsEqual(plan.record, next)) return;
  const saved = await writeVersionRecord(ctx.host, fed, ctx.target.kind, plan.recordObject, next, signal);
  ctx.recordExpect.wrote(versionRecordKey(key, ctx.target.kind), saved);
}

/** Status: placed clusters, plus unplaced ones whose removal is still in progress; events for new failures. Returns a coalescing delay. */
async function reportStatus(ctx: SyncContext, fed: FederatedObject, key: string, plan: ClusterPlan, results: readonly OpResult[], unsynced: ReadonlySet<string>, signal: AbortSignal): Promise<number | undefined> {
  const { placement } = plan;
  const collect = ctx.ftc.spec.statusCollection === 'Enabled';
  const previous = fed.status?.clusters ?? [];
  const byCluster = new Map(results.map((r) => [r.cluster, r]));
  const outcomes: ClusterOutcome[] = [];
  const members = new Map<string, KubeObject | undefined>();
  for (const name of placement.placed) {
    const r = byCluster.get(name);
    if (placement.notReady.includes(name)) {
      outcomes.push({ name, status: 'ClusterNotReady', message: 'the cluster is not ready; its member object is left as it is' });
    } else if (unsynced.has(name)) {
      outcomes.push(unsyncedOutcome(ctx, name, previous));
    } else {
      const member = r?.written ?? ctx.observed(name, key);
      members.set(name, member);
      outcomes.push({ name, status: r?.status ?? '', ...(r?.message ? { message: r.message } : {}), ...(collect && member?.status !== undefined ? { remoteStatus: member.status } : {}) });
    }
  }
  for (const r of results) if (!placement.placed.includes(r.cluster) && r.pending) outcomes.push({ name: r.cluster, status: r.status, ...(r.message ? { message: r.message } : {}) });
  const statusMap = new Map<string, PropagationStatusReason>(outcomes.map((o) => [o.name, o.status]));
  const aggregated = aggregateStatus(placement.placed, statusMap, members, ctx.settings.hasReplicas);
  const status = buildFederatedStatus({ previous: fed.status, generation: fed.metadata.generation ?? 0, reason: '', clusters: outcomes, collectRemoteStatus: collect, aggregated, now: kubeTime(ctx.now()) });
  emitFailureEvents(ctx, fed, results, previous);
  reportDrift(ctx, fed, results);
  return updateStatus(ctx, fed, key, status, signal);
}

/**
 * A cache that failed to sync (the type is not served there, a list is refused) is
 * reported; one still listing keeps what the status said, so no transient flip is written.
 */
function unsyncedOutcome(ctx: SyncContext, name: string, previous: readonly FederatedClusterStatus[]): ClusterOutcome {
  const problem = ctx.members.syncProblem(name);
  if (problem) return { name, status: 'CachedRetrievalFailed', message: `the cache of ${ctx.target.kind} in this member has not synced: ${problem}` };
  const prev = previous.find((c) => c.name === name);
  return { name, status: prev?.status ?? '', ...(prev?.message ? { message: prev.message } : {}) };
}

/** Back off after a failure, come back for a coalesced status write or a removal still in progress. */
function nextCheck(results: readonly OpResult[], coalesced: number | undefined): ReconcileResult | void {
  if (results.some((r) => r.retry)) return { requeue: true };
  if (coalesced !== undefined) return { requeueAfterMs: coalesced };
  if (results.some((r) => r.pending)) return { requeueAfterMs: 5_000 };
}
