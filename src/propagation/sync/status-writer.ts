// Host writes of the sync controller, each made only when something changed: the
// federated object's status, its version record, and its finalizer.
import type { PropagatedVersion, PropagatedVersionStatus } from '../../api/core.js';
import type { FederatedObject, FederatedStatus } from '../../api/federation.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { isAlreadyExists, isNotFound } from '../../kube/errors.js';
import type { ResourceRef } from '../../kube/resource.js';
import { FIELD_MANAGER } from '../resources.js';
import { propagatedVersionFor } from './version.js';
import { CLUSTER_PROPAGATED_VERSIONS, PROPAGATED_VERSIONS } from '../../api/core.js';

function nsOpt(obj: { metadata: { namespace?: string | undefined } }): { namespace?: string } {
  return obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {};
}

/**
 * Merge-patch the status subresource. Keys the new status lacks are sent as null so they
 * are removed; no resourceVersion is sent because the leader is the only status writer.
 * Resolves the updated object, or undefined when the object is gone.
 */
export async function writeFederatedStatus(host: ClusterClient, ref: ResourceRef, fed: FederatedObject, status: FederatedStatus, signal?: AbortSignal): Promise<FederatedObject | undefined> {
  const body = {
    status: {
      observedGeneration: status.observedGeneration ?? null,
      conditions: status.conditions ?? null,
      clusters: status.clusters ?? null,
      aggregated: status.aggregated ?? null,
    },
  };
  try {
    return await host.dynamic.patch<FederatedObject>(ref, fed.metadata.name ?? '', body, { ...nsOpt(fed), type: 'merge', subresource: 'status', fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`write status of ${fed.kind} ${fed.metadata.namespace ?? ''}/${fed.metadata.name ?? ''}`, { cause: err });
  }
}

/** Replace the finalizer list, guarded by the resourceVersion it was computed from. */
export async function setFinalizers(host: ClusterClient, ref: ResourceRef, fed: FederatedObject, finalizers: string[], signal?: AbortSignal): Promise<FederatedObject | undefined> {
  const body = { metadata: { finalizers, resourceVersion: fed.metadata.resourceVersion } };
  try {
    return await host.dynamic.patch<FederatedObject>(ref, fed.metadata.name ?? '', body, { ...nsOpt(fed), type: 'merge', fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) });
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw new Error(`update finalizers of ${fed.kind} ${fed.metadata.namespace ?? ''}/${fed.metadata.name ?? ''}`, { cause: err });
  }
}

/**
 * Create or update the (Cluster)PropagatedVersion. `existing` is the cached record (or
 * undefined): a record is created first (status is ignored on create, as the status
 * subresource demands) and its status written next.
 */
export async function writeVersionRecord(
  host: ClusterClient,
  fed: FederatedObject,
  targetKind: string,
  existing: PropagatedVersion | undefined,
  status: PropagatedVersionStatus,
  signal?: AbortSignal,
): Promise<PropagatedVersion> {
  const desired = propagatedVersionFor(fed, targetKind, status);
  const ref = desired.kind === 'PropagatedVersion' ? PROPAGATED_VERSIONS : CLUSTER_PROPAGATED_VERSIONS;
  const opts = { ...nsOpt(desired), fieldManager: FIELD_MANAGER, ...(signal ? { signal } : {}) };
  const name = desired.metadata.name ?? '';
  try {
    if (!existing) {
      try {
        const { status: _s, ...shell } = desired;
        await host.dynamic.create(ref, shell, opts);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
    const body = { status: { ...status, clusterVersions: status.clusterVersions ?? null } };
    return await host.dynamic.patch<PropagatedVersion>(ref, name, body, { ...opts, type: 'merge', subresource: 'status' });
  } catch (err) {
    throw new Error(`write ${desired.kind} ${desired.metadata.namespace ?? ''}/${name}`, { cause: err });
  }
}
