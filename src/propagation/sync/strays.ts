// Managed member objects that no federated object accounts for ("strays").
//
// kfed labels every member object it writes kubefed.io/managed=true, and the member
// caches hold exactly the labelled objects; so when such an object shows up (an informer
// event, also the initial list after a restart) for a federated object that does not
// exist, kfed wrote it for an object that is gone. The version record cannot always say
// so: a controller killed between the member write and the record write, or a write that
// reached the member only after its client gave up (a blackholed connection delivered
// late, an answer lost in a partition) and after the deletion had found the member clean
// (found by the fault soak: 19 such orphans in a 30-minute run). Such an object is
// deleted, as the deletion would have done.
//
// Guards: only objects labelled managed=true in a Ready member whose cache has synced;
// the federated object is looked up on the host itself (not only in the cache) and the
// object is left alone unless the host answers that it is gone; never a Namespace (a
// FederatedNamespace's member Namespace holds other objects: deleting one on an
// inference is too much) and, with a limited (Namespaced) scope, nothing outside the
// KubeFed namespace (another control plane may manage it).
import { MANAGED_LABEL, MANAGED_LABEL_VALUE } from '../../api/federation.js';
import type { KubeObject } from '../../api/meta.js';
import type { MemberRegistry } from '../../clusters/member-registry.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import type { ResourceRef } from '../../kube/resource.js';
import type { Logger } from '../../observability/logger.js';
import type { ReconcileResult } from '../../runtime/controller.js';
import { withTimeout } from '../../runtime/clock.js';
import { errorMessage } from '../../runtime/errors.js';
import { removeFromCluster } from './cluster-ops.js';
import type { KeyScope } from './keys.js';

/** What the sweep needs of a sync controller (structural, as leftovers.ts's context). */
export interface StrayContext {
  readonly host: ClusterClient;
  readonly clusters: MemberRegistry;
  readonly settings: { readonly clusterTimeoutMs: number; readonly limitedScope: boolean; readonly kubefedNamespace: string | undefined };
  readonly fedRef: ResourceRef;
  readonly targetRef: ResourceRef;
  readonly scope: KeyScope;
  readonly log: Logger;
  readonly members: { synced(cluster: string): boolean; client(cluster: string): ClusterClient | undefined };
  observed(cluster: string, fedKey: string): KubeObject | undefined;
  memberKey(fedKey: string): string;
}

function split(fedKey: string): { namespace: string | undefined; name: string } {
  const slash = fedKey.indexOf('/');
  return slash < 0 ? { namespace: undefined, name: fedKey } : { namespace: fedKey.slice(0, slash), name: fedKey.slice(slash + 1) };
}

/** May kfed remove strays of this key at all? */
export function straysRemovable(ctx: Pick<StrayContext, 'scope' | 'settings'>, fedKey: string): boolean {
  if (ctx.scope.namespaceTarget) return false;
  if (!ctx.settings.limitedScope) return true;
  return ctx.scope.targetNamespaced && split(fedKey).namespace === ctx.settings.kubefedNamespace;
}

/**
 * The federated object `fedKey` is not in the cache: delete its managed member objects,
 * once the host confirms it is gone. Returns a requeue while one could not be deleted.
 * `leftBehind`: clusters a version record names as left behind by a timed-out deletion;
 * leftovers.ts handles those (it knows whether that deletion was to orphan them).
 */
export async function removeStrays(ctx: StrayContext, fedKey: string, leftBehind: readonly string[], signal: AbortSignal): Promise<ReconcileResult | void> {
  if (!straysRemovable(ctx, fedKey)) return;
  const found: string[] = [];
  for (const m of ctx.clusters.list()) {
    if (leftBehind.includes(m.name)) continue;
    const observed = ctx.observed(m.name, fedKey);
    if (observed?.metadata.labels?.[MANAGED_LABEL] === MANAGED_LABEL_VALUE && !observed.metadata.deletionTimestamp) found.push(m.name);
  }
  if (found.length === 0) return;
  const { namespace, name } = split(fedKey);
  const nsOpt = namespace !== undefined ? { namespace } : {};
  // The cache may lag behind the host (a watch being re-established): ask the host.
  if (await ctx.host.dynamic.getIfExists(ctx.fedRef, name, { ...nsOpt, signal })) return;
  let retry = false;
  for (const cluster of found) {
    const member = ctx.clusters.get(cluster);
    const client = ctx.members.client(cluster) ?? member?.client;
    if (!member?.ready || !client || !ctx.members.synced(cluster)) {
      retry = true;
      continue;
    }
    const memberKey = ctx.memberKey(fedKey);
    const target = { cluster, client, ref: ctx.targetRef, name: memberKey.slice(memberKey.indexOf('/') + 1), namespace: ctx.scope.targetNamespaced ? namespace : undefined };
    try {
      const r = await withTimeout(signal, ctx.settings.clusterTimeoutMs, (opSignal) =>
        removeFromCluster({ target: { ...target, signal: opSignal }, observed: ctx.observed(cluster, fedKey), orphan: false, protect: false }),
      );
      if (r.retry) retry = true;
      else if (r.deleted) ctx.log.info({ key: fedKey, cluster }, 'deleted a managed member object that no federated object accounts for');
    } catch (err) {
      ctx.log.warn({ key: fedKey, cluster, err: errorMessage(err) }, 'deleting a managed member object that no federated object accounts for failed');
      retry = true;
    }
  }
  if (retry && !signal.aborted) return { requeue: true };
}
