// Executing the per-cluster decisions of cluster-action.ts against a member, each bounded
// by its own AbortSignal, and mapping every failure to the cluster's Kubefed status
// reason. Nothing here throws: a failing member never fails the others.
//
// Writes use server-side apply under the one field manager `kfed`, with force. Why SSA
// rather than Kubefed's PUT: fields kfed does not send (a Service's clusterIP and node
// ports, replicas under retainReplicas, anything a member controller or webhook adds)
// stay owned by whoever set them, so no update kfed makes can wipe them and no fight
// starts; fields dropped from the template are removed because kfed owned them. Create
// goes through apply too, so a member object has exactly one kfed ownership entry (a
// POST would add a second, `Update`, entry that keeps removed fields alive).
import type { KubeObject } from '../../api/meta.js';
import { MANAGED_LABEL, type PropagationStatusReason } from '../../api/federation.js';
import type { ClusterClient } from '../../kube/cluster-client.js';
import { isNotFound, isUnreachable } from '../../kube/errors.js';
import type { ResourceRef } from '../../kube/resource.js';
import { errorMessage, isAbortError } from '../../runtime/errors.js';
import { placedClusterAction, removalAction, type PlacedClusterInput } from './cluster-action.js';
import { applyConfiguration } from './desired.js';
import { stillPresent, type ForeignFields } from './foreign-fields.js';
import { FIELD_MANAGER } from '../resources.js';

/** The field manager of drift corrections (removals only: it ends up owning nothing). */
export const DRIFT_FIELD_MANAGER = 'kfed-drift';
import { objectVersion } from './version.js';

export interface ClusterTarget {
  cluster: string;
  client: ClusterClient;
  ref: ResourceRef;
  name: string;
  namespace: string | undefined;
  signal: AbortSignal;
}

export interface OpResult {
  cluster: string;
  status: PropagationStatusReason;
  message?: string;
  /** version to record for this cluster: written or observed current */
  version?: string;
  /** the member object as written (the cache has not seen it yet) */
  written?: KubeObject;
  /** a delete was accepted */
  deleted?: boolean;
  /** a managed member object remains (deletion/orphaning not finished) */
  pending?: boolean;
  /** worth retrying with backoff */
  retry?: boolean;
  /** the member did not answer */
  unreachable?: boolean;
  /** the event reason, when this result deserves a Warning event */
  eventReason?: string;
  /** foreign fields removed from the member object (additive drift corrected) */
  drift?: string[];
}

type Op = 'Creation' | 'Update' | 'Deletion' | 'LabelRemoval' | 'Retrieval';

const EVENT_REASONS: Record<Op, string> = {
  Creation: 'CreateInClusterFailed',
  Update: 'UpdateInClusterFailed',
  Deletion: 'DeleteInClusterFailed',
  LabelRemoval: 'LabelRemovalInClusterFailed',
  Retrieval: 'RetrieveInClusterFailed',
};

function failure(t: ClusterTarget, op: Op, err: unknown): OpResult {
  const timedOut = t.signal.aborted || isAbortError(err);
  const unreachable = timedOut || isUnreachable(err);
  const status = (op === 'Retrieval' ? 'RetrievalFailed' : timedOut ? `${op}TimedOut` : `${op}Failed`) as PropagationStatusReason;
  return { cluster: t.cluster, status, message: errorMessage(err), retry: true, unreachable, eventReason: EVENT_REASONS[op] };
}

async function apply(t: ClusterTarget, body: KubeObject): Promise<KubeObject> {
  return t.client.dynamic.apply(t.ref, body, { fieldManager: FIELD_MANAGER, force: true, signal: t.signal });
}

/**
 * Removes foreign fields with a JSON patch that first tests the resourceVersion read. The
 * fields reported are those really gone afterwards: a field the member API server puts
 * back at once (a default) is not drift, and the version recorded after this write keeps
 * kfed from trying again until the object changes.
 */
async function prune(t: ClusterTarget, foreign: ForeignFields): Promise<{ written: KubeObject; removed: string[] }> {
  const written = await t.client.dynamic.patch(t.ref, t.name, foreign.patch, { ...(t.namespace ? { namespace: t.namespace } : {}), type: 'json', fieldManager: DRIFT_FIELD_MANAGER, signal: t.signal });
  return { written, removed: foreign.fields.filter((f) => !stillPresent(written, foreign, f)) };
}

/** placedClusterAction's input, with the member to act on in place of its name. */
export interface PlacedInput extends Omit<PlacedClusterInput, 'clusterName'> {
  target: ClusterTarget;
}

/** Bring a placed, Ready cluster to the desired object. */
export async function syncPlacedCluster(input: PlacedInput): Promise<OpResult> {
  const t = input.target;
  let observed = input.observed;
  if (!observed && input.desired.ok && !input.adoptResources) {
    // The cache holds labelled objects only: an unlabelled one must not be taken over
    // by the apply below when adoption is off, so look before creating.
    try {
      observed = await t.client.dynamic.getIfExists(t.ref, t.name, { ...(t.namespace ? { namespace: t.namespace } : {}), signal: t.signal });
    } catch (err) {
      return failure(t, 'Retrieval', err);
    }
  }
  const { target: _target, ...decision } = input;
  const action = placedClusterAction({ ...decision, clusterName: t.cluster, observed });
  switch (action.action) {
    case 'skip': {
      const failed = action.status === 'ApplyOverridesFailed';
      return { cluster: t.cluster, status: action.status, message: action.message, ...(failed ? { eventReason: 'ApplyOverridesFailed' } : {}) };
    }
    case 'none':
      return { cluster: t.cluster, status: '' };
    case 'record':
      return { cluster: t.cluster, status: '', version: action.version };
    case 'create':
    case 'update': {
      const body = applyConfiguration(action.action === 'create' ? action.object : action.desired, input.retain);
      try {
        const pruned = action.action === 'update' && action.prune ? await prune(t, action.prune) : undefined;
        const written = action.action === 'create' || action.apply !== false ? await apply(t, body) : pruned?.written;
        if (!written) return { cluster: t.cluster, status: '' };
        return { cluster: t.cluster, status: '', version: objectVersion(written), written, ...(pruned && pruned.removed.length > 0 ? { drift: pruned.removed } : {}) };
      } catch (err) {
        return failure(t, action.action === 'create' ? 'Creation' : 'Update', err);
      }
    }
    default:
      return { cluster: t.cluster, status: '' };
  }
}

export interface RemovalInput {
  target: ClusterTarget;
  observed: KubeObject | undefined;
  orphan: boolean;
  protect: boolean;
}

/** Make a managed object leave a cluster: delete it, or strip the managed label (orphan). */
export async function removeFromCluster(input: RemovalInput): Promise<OpResult> {
  const t = input.target;
  const action = removalAction({ observed: input.observed, orphan: input.orphan, protect: input.protect });
  const ns = t.namespace ? { namespace: t.namespace } : {};
  switch (action.action) {
    case 'delete':
      try {
        await t.client.dynamic.delete(t.ref, t.name, { ...ns, signal: t.signal, ignoreNotFound: true, propagationPolicy: 'Background' });
        return { cluster: t.cluster, status: 'WaitingForRemoval', message: 'deleted; waiting for the member object to be gone', deleted: true, pending: true };
      } catch (err) {
        return { ...failure(t, 'Deletion', err), pending: true };
      }
    case 'unlabel':
      try {
        const written = await t.client.dynamic.patch(t.ref, t.name, { metadata: { labels: { [MANAGED_LABEL]: null } } }, { ...ns, type: 'merge', fieldManager: FIELD_MANAGER, signal: t.signal });
        return { cluster: t.cluster, status: '', written };
      } catch (err) {
        if (isNotFound(err)) return { cluster: t.cluster, status: '' };
        return { ...failure(t, 'LabelRemoval', err), pending: true };
      }
    case 'skip':
      return { cluster: t.cluster, status: action.status, message: action.message, pending: true };
    default:
      return { cluster: t.cluster, status: '' };
  }
}
