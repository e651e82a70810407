// Tenancy rules for FederatedNamespace and for member Namespaces.
//
// A FederatedNamespace federates the namespace it lives in, so its name must equal its
// namespace (Kubefed's rule). Without the check, anyone who may create FederatedNamespaces
// in their own namespace could name one `kube-public` and have kfed adopt, and on deletion
// delete, that Namespace in every member: namespace-scoped rights turned into cluster-wide
// deletion. A misplaced one is refused in status and by an Event, and no member is touched.
//
// Some member Namespaces are never deleted by kfed, whoever asks: deleting them breaks the
// member (kube-system, kube-node-lease), other tenants (default, kube-public) or kfed itself
// (the KubeFed namespace holds the join credential and the Lease).
import { kubeTime } from '../../api/conditions.js';
import { SYNC_FINALIZER, type FederatedObject } from '../../api/federation.js';
import { updateStatus } from './propagate.js';
import { buildFederatedStatus, equalStatus } from './status.js';
import { setFinalizers } from './status-writer.js';
import type { SyncContext } from './sync-context.js';

export const PROTECTED_NAMESPACES: readonly string[] = ['kube-system', 'kube-public', 'kube-node-lease', 'default'];

/** kfed never deletes this Namespace in a member; it only drops its managed label. */
export function isProtectedNamespace(name: string, kubefedNamespace: string | undefined): boolean {
  return PROTECTED_NAMESPACES.includes(name) || (kubefedNamespace !== undefined && name === kubefedNamespace);
}

/** Why a FederatedNamespace may not act on any member, or undefined when it may. */
export function misplacedFederatedNamespace(fed: FederatedObject): string | undefined {
  const { name, namespace } = fed.metadata;
  if (name === namespace) return undefined;
  return `a FederatedNamespace must be named after the namespace it lives in: ${namespace ?? ''}/${name ?? ''} would federate namespace "${name ?? ''}", which is not its own; nothing is propagated`;
}

/**
 * Answer a misplaced FederatedNamespace: status Propagation=False (NamespaceMismatch) and
 * one Warning event when that status is new; when it is being deleted, only let it go (a
 * finalizer left by an older kfed is removed) without touching any member. Terminal: the
 * object is looked at again only when it changes.
 */
export async function refuseMisplacedNamespace(ctx: SyncContext, fed: FederatedObject, key: string, message: string, signal: AbortSignal): Promise<void> {
  if (fed.metadata.deletionTimestamp) {
    const finalizers = fed.metadata.finalizers ?? [];
    if (!finalizers.includes(SYNC_FINALIZER)) return;
    const updated = await setFinalizers(ctx.host, ctx.fedRef, fed, finalizers.filter((f) => f !== SYNC_FINALIZER), signal);
    if (updated) ctx.fedExpect.wrote(key, updated);
    return;
  }
  const now = kubeTime(ctx.now());
  const status = buildFederatedStatus({ previous: fed.status, generation: fed.metadata.generation ?? 0, reason: 'NamespaceMismatch', message, clusters: [], collectRemoteStatus: false, now });
  if (equalStatus(fed.status, status)) return;
  ctx.log.warn({ key }, 'refused a FederatedNamespace that is not named after its namespace');
  ctx.events?.record(fed, 'Warning', 'NamespaceMismatch', message);
  await updateStatus(ctx, fed, key, status, signal);
}
