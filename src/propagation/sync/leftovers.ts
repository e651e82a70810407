// Member objects left behind by a deletion that gave up on an unreachable member.
//
// When the deletion timeout releases the finalizer, the federated object goes and, with
// it, every trace that kfed ever wrote into that member: the leftovers stayed labelled
// kubefed.io/managed=true and were never cleaned up when the member came back. Now the
// version record (which names every cluster kfed wrote to) outlives the object: it loses
// its ownerReference (so garbage collection keeps it) and gains the annotation
// kfed.io/left-behind=<clusters>. When such a member is back, Ready and its cache synced,
// the leftover's own informer event, and the member's Ready and synced events (through
// leftBehindKeys: the leftover may be gone already, deleted by an earlier attempt whose
// answer was lost or by someone else, and then has no event to give), enqueue the
// vanished object's key; that reconcile deletes the labelled member object, drops the
// cluster from the annotation, and deletes the record once no cluster is left. Only
// objects kfed recorded writing are touched. A deletion asked to orphan (kubefed.io/orphan:
// "true") says so on the record (kfed.io/left-behind-orphan), and its leftovers then only
// lose the managed label, as they would have in the deletion itself.
import type { PropagatedVersion } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../observability/logger.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { withTimeout } from '../../runtime/clock.js';
import { errorMessage } from '../../runtime/errors.js';
import { removeFromCluster } from './cluster-ops.js';
import { FIELD_MANAGER } from '../resources.js';
import { CLUSTER_PROPAGATED_VERSIONS, PROPAGATED_VERSIONS, propagatedVersionName } from '../../api/core.js';

export const LEFT_BEHIND_ANNOTATION = 'kfed.io/left-behind';
/** On a left-behind record: the deletion was to orphan the member objects, not delete them. */
export const LEFT_BEHIND_ORPHAN_ANNOTATION = 'kfed.io/left-behind-orphan';

/** What the cleanup needs of a sync controller (kept structural so either controller shape fits). */
export interface LeftoverContext {
  readonly host: ClusterClient;
  readonly clusters: MemberRegistry;
  readonly settings: { readonly clusterTimeoutMs: number };
  readonly targetRef: ResourceRef;
  readonly scope: { targetNamespaced: boolean };
  readonly log: Logger;
  readonly members: { synced(cluster: string): boolean; client(cluster: string): ClusterClient | undefined };
  record(fedKey: string): PropagatedVersion | undefined;
  observed(cluster: string, fedKey: string): KubeObject | undefined;
  memberKey(fedKey: string): string;
  /** A member Namespace kfed must never delete (protected name, or the host's own). */
  protectsNamespace?(cluster: string, name: string): boolean;
}

export function leftBehindClusters(record: PropagatedVersion | undefined): string[] {
  const v = record?.metadata.annotations?.[LEFT_BEHIND_ANNOTATION];
  return v ? v.split(',').filter((c) => c !== '') : [];
}

/**
 * Keys of the vanished federated objects of kind `targetKind` whose records name `cluster` as
 * left behind: to enqueue when that member is back.
 */
export function leftBehindKeys(records: Iterable<PropagatedVersion>, targetKind: string, cluster: string): string[] {
  const prefix = propagatedVersionName(targetKind, '');
  const keys: string[] = [];
  for (const r of records) {
    const name = r.metadata.name ?? '';
    if (!name.startsWith(prefix) || !leftBehindClusters(r).includes(cluster)) continue;
    const fedName = name.slice(prefix.length);
    keys.push(r.metadata.namespace ? `${r.metadata.namespace}/${fedName}` : fedName);
  }
  return keys;
}

function recordRef(record: PropagatedVersion): ResourceRef {
  return record.metadata.namespace ? PROPAGATED_VERSIONS : CLUSTER_PROPAGATED_VERSIONS;
}

function nsOpt(record: PropagatedVersion): { namespace?: string } {
  return record.metadata.namespace ? { namespace: record.metadata.namespace } : {};
}

/** Before the finalizer goes: keep the record, naming the clusters whose member objects may remain. */
export async function markLeftBehind(ctx: LeftoverContext, fedKey: string, clusters: readonly string[], orphan: boolean, signal: AbortSignal): Promise<void> {
  const record = ctx.record(fedKey);
  if (!record || clusters.length === 0) return;
  const all = [...new Set([...leftBehindClusters(record), ...clusters])].sort();
  const annotations = { [LEFT_BEHIND_ANNOTATION]: all.join(','), ...(orphan ? { [LEFT_BEHIND_ORPHAN_ANNOTATION]: 'true' } : {}) };
  const patch = { metadata: { annotations, ownerReferences: null } };
  await ctx.host.dynamic.patch(recordRef(record), record.metadata.name ?? '', patch, { ...nsOpt(record), type: 'merge', fieldManager: FIELD_MANAGER, signal });
}

/**
 * The federated object `fedKey` is gone: delete what it left behind in members that are
 * back. Returns a requeue while a reachable cluster still holds a leftover.
 */
export async function cleanLeftovers(ctx: LeftoverContext, fedKey: string, signal: AbortSignal): Promise<ReconcileResult | void> {
  const record = ctx.record(fedKey);
  const clusters = leftBehindClusters(record);
  if (!record || clusters.length === 0) return;
  const remaining: string[] = [];
  const waiting: string[] = [];
  const split = fedKey.indexOf('/');
  const memberKey = ctx.memberKey(fedKey);
  const name = memberKey.slice(memberKey.indexOf('/') + 1);
  const namespace = ctx.scope.targetNamespaced && split >= 0 ? fedKey.slice(0, split) : undefined;
  const orphan = record.metadata.annotations?.[LEFT_BEHIND_ORPHAN_ANNOTATION] === 'true';
  for (const cluster of clusters) {
    const member = ctx.clusters.get(cluster);
    if (!member) continue; // unjoined: nothing kfed can reach any more
    const client = ctx.members.client(cluster) ?? member.client;
    if (!member.ready || !client) {
      // No requeue for it: once it is back, its Ready and synced events (and the leftover's own informer event) enqueue this key.
      waiting.push(cluster);
      continue;
    }
    if (!ctx.members.synced(cluster)) {
      // Back, its cache still listing (that event came from the list): look again shortly.
      remaining.push(cluster);
      continue;
    }
    const observed = ctx.observed(cluster, fedKey);
    if (!observed) continue;
    try {
      // A protected Namespace left behind only loses its managed label, as in a normal deletion.
      const r = await withTimeout(signal, ctx.settings.clusterTimeoutMs, (opSignal) =>
        removeFromCluster({ target: { cluster, client, ref: ctx.targetRef, name, namespace, signal: opSignal }, observed, orphan, protect: ctx.protectsNamespace?.(cluster, name) ?? false }),
      );
      if (r.pending || r.retry) remaining.push(cluster);
      else ctx.log.info({ key: fedKey, cluster, orphan }, orphan ? 'released a member object left behind by a timed-out orphaning deletion' : 'deleted a member object left behind by a timed-out deletion');
    } catch (err) {
      ctx.log.warn({ key: fedKey, cluster, err: errorMessage(err) }, 'cleaning up a left-behind member object failed');
      remaining.push(cluster);
    }
  }
  if (signal.aborted) return;
  const opts = { ...nsOpt(record), signal };
  const left = [...remaining, ...waiting].sort();
  if (left.length === 0) {
    await ctx.host.dynamic.delete(recordRef(record), record.metadata.name ?? '', { ...opts, ignoreNotFound: true });
    return;
  }
  if (left.join(',') !== clusters.join(',')) {
    await ctx.host.dynamic.patch(recordRef(record), record.metadata.name ?? '', { metadata: { annotations: { [LEFT_BEHIND_ANNOTATION]: left.join(',') } } }, { ...opts, type: 'merge', fieldManager: FIELD_MANAGER });
  }
  if (remaining.length > 0) return { requeueAfterMs: 2_000 };
}
