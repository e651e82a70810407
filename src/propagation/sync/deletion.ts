// Deleting a federated object: behind the kubefed.io/sync-controller finalizer, delete
// the managed member objects everywhere (or, with kubefed.io/orphan: "true", leave them
// with the managed label stripped), then let the object go. A member that cannot be
// reached holds deletion up for at most `deletionTimeoutMs`; after that the finalizer is
// removed anyway and a Warning event (which outlives the object) and the last status
// name the clusters where member objects may remain.
import { ORPHAN_ANNOTATION, SYNC_FINALIZER, type FederatedObject } from '../../api/federation.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { errorMessage } from '../../runtime/errors.js';
import { deletionDecision } from './cluster-action.js';
import { mapLimit } from '../../runtime/map-limit.js';
import { removeFromCluster, type OpResult } from './cluster-ops.js';
import { markLeftBehind } from './leftovers.js';
import { clusterTarget, emitFailureEvents, noteResult, updateStatus, withClusterTimeout } from './propagate.js';
import { buildFederatedStatus, type ClusterOutcome } from './status.js';
import { setFinalizers } from './status-writer.js';
import type { SyncContext } from './sync-context.js';

export async function reconcileDeletion(ctx: SyncContext, fed: FederatedObject, key: string, signal: AbortSignal): Promise<ReconcileResult | void> {
  const finalizers = fed.metadata.finalizers ?? [];
  if (!finalizers.includes(SYNC_FINALIZER)) return;
  const orphan = fed.metadata.annotations?.[ORPHAN_ANNOTATION] === 'true';
  const recorded = new Set((ctx.record(key)?.status?.clusterVersions ?? []).map((v) => v.clusterName));
  const reachable: string[] = [];
  const unreachable: string[] = [];
  for (const m of ctx.clusters.list()) {
    if (m.ready && m.client && ctx.members.synced(m.name)) reachable.push(m.name);
    // Kfed cannot see into this member: it is pending only if kfed ever wrote there.
    else if (recorded.has(m.name)) unreachable.push(m.name);
  }
  const results = await mapLimit(reachable, ctx.settings.clusterConcurrency, (cluster): Promise<OpResult> =>
    withClusterTimeout(ctx, signal, async (opSignal): Promise<OpResult> => {
      const target = clusterTarget(ctx, cluster, fed, opSignal);
      if (!target) return { cluster, status: 'ClientRetrievalFailed', pending: true, retry: true };
      try {
        const protect = ctx.protectsNamespace(cluster, fed.metadata.name ?? '');
        return await removeFromCluster({ target, observed: ctx.observed(cluster, key), orphan, protect });
      } catch (err) {
        return { cluster, status: 'DeletionFailed', message: errorMessage(err), pending: true, retry: true };
      }
    }),
  );
  if (signal.aborted) return;
  for (const r of results) noteResult(ctx, key, r);
  const pending = [...results.filter((r) => r.pending).map((r) => r.cluster), ...unreachable];
  const now = ctx.now();
  const timeoutMs = ctx.settings.deletionTimeoutMs;
  const decision = deletionDecision({ pending, unreachable, deletionTimestamp: fed.metadata.deletionTimestamp ?? now.toISOString(), now, timeoutMs });

  const outcomes: ClusterOutcome[] = [
    ...results.filter((r) => r.pending).map((r) => ({ name: r.cluster, status: r.status, ...(r.message ? { message: r.message } : {}) })),
    ...unreachable.map((name) => ({ name, status: 'ClusterNotReady' as const, message: 'unreachable while the federated object is deleted' })),
  ];
  const blocked = unreachable.length > 0;
  const status = buildFederatedStatus({
    previous: fed.status,
    generation: fed.metadata.generation ?? 0,
    reason: blocked ? 'DeletionBlocked' : '',
    ...(decision.message ? { message: decision.message } : {}),
    clusters: outcomes,
    collectRemoteStatus: false,
    now: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  });
  emitFailureEvents(ctx, fed, results, fed.status?.clusters ?? []);
  await updateStatus(ctx, fed, key, status, signal);

  if (!decision.removeFinalizer) {
    if (results.some((r) => r.retry)) return { requeue: true };
    const remaining = Date.parse(fed.metadata.deletionTimestamp ?? now.toISOString()) + timeoutMs - now.getTime();
    return { requeueAfterMs: Math.max(100, Math.min(2_000, remaining)) };
  }
  if (decision.leftBehind.length > 0) {
    ctx.log.warn({ key, clusters: decision.leftBehind }, 'deletion gave up on unreachable clusters');
    ctx.events?.record(fed, 'Warning', 'DeletionTimedOut', decision.message ?? `member objects may remain in ${decision.leftBehind.join(', ')}`);
    // The version record outlives the object and says where to clean up once those members are back.
    await markLeftBehind(ctx, key, decision.leftBehind, orphan, signal);
  }
  const current = ctx.fedExpect.current(key, fed) ?? fed;
  const updated = await setFinalizers(ctx.host, ctx.fedRef, current, (current.metadata.finalizers ?? []).filter((f) => f !== SYNC_FINALIZER), signal);
  if (!updated) return;
  // With its last finalizer gone the server deletes the object in this very write, and its
  // watch event may come before this answer: expect it gone. Expecting
  // the copy answered would show it as still there (finalizer released, so no more work) until the
  // expectation expires, and reconciles meanwhile, the leftover cleanup's included, would do nothing.
  if ((updated.metadata.finalizers ?? []).length === 0) ctx.fedExpect.deleted(key);
  else ctx.fedExpect.wrote(key, updated);
}
