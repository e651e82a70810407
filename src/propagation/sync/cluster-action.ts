// What the sync controller should do in one member cluster, decided purely from the
// desired object, the observed member object (from the member informer) and the version
// record. The controller executes the action and maps a failed write to its status
// (create -> CreationFailed, update -> UpdateFailed, delete -> DeletionFailed,
// unlabel -> LabelRemovalFailed); after a successful delete it reports WaitingForRemoval
// until the member object is gone, as Kubefed does.
import type { KubeObject } from '../../api/meta.js';
import type { PropagatedVersionStatus } from '../../api/core.js';
import { MANAGED_LABEL, MANAGED_LABEL_VALUE, type PropagationStatusReason } from '../../api/federation.js';
import { mergeForUpdate, needsUpdate, type RetainOptions } from './desired.js';
import type { OverrideOutcome } from '../policy/overrides.js';
import { memberIsCurrent, objectVersion, type DesiredHashes } from './version.js';
import { foreignFields, type ForeignFields } from './foreign-fields.js';

export type ClusterAction =
  | { action: 'create'; object: KubeObject }
  /**
   * PUT body (member-owned fields kept); with server-side apply send applyConfiguration(desired)
   * instead. `prune`: foreign fields to remove first; `apply: false` when only they are wrong.
   */
  | { action: 'update'; object: KubeObject; desired: KubeObject; adopt: boolean; prune?: ForeignFields; apply?: boolean }
  /** nothing to write, but the version record should now say `version` */
  | { action: 'record'; version: string }
  | { action: 'none' }
  | { action: 'delete' }
  /** PUT body of the member object without the managed label (orphaning) */
  | { action: 'unlabel'; object: KubeObject }
  | { action: 'skip'; status: PropagationStatusReason; message: string };

export interface PlacedClusterInput {
  clusterName: string;
  desired: OverrideOutcome<KubeObject>;
  observed: KubeObject | undefined;
  record: PropagatedVersionStatus | undefined;
  hashes: DesiredHashes;
  /** KubeFedConfig syncController.adoptResources === 'Enabled' */
  adoptResources: boolean;
  retain: RetainOptions;
  /** Remove fields set by other managers (additive drift), as Kubefed's overwrite does; kfed's field manager. */
  pruneForeign?: { fieldManager: string };
}

function managedValue(obj: KubeObject): string | undefined {
  return obj.metadata.labels?.[MANAGED_LABEL];
}

function recordedEntryInvalid(record: PropagatedVersionStatus | undefined, hashes: DesiredHashes, clusterName: string): boolean {
  const entry = record?.clusterVersions?.find((v) => v.clusterName === clusterName);
  if (!record || !entry) return false;
  if (record.templateVersion !== hashes.templateVersion) return true;
  return entry.overridesVersion !== undefined
    ? entry.overridesVersion !== hashes.clusterOverrides[clusterName]
    : record.overridesVersion !== hashes.overridesVersion;
}

/**
 * A placed, Ready cluster. Rules (Kubefed's dispatcher, plus kfed's quietness):
 * - overrides failed -> ApplyOverridesFailed, nothing written;
 * - absent -> create;
 * - being deleted -> WaitingForRemoval (recreated once gone);
 * - label kubefed.io/managed=false -> ManagedLabelFalse, never touched;
 * - no managed label -> adopt (update) when adoptResources, else AlreadyExists;
 * - up to date per the version record -> none (zero writes after a restart);
 * - template/overrides changed since recorded -> update (removed fields must go too);
 * - otherwise (member moved, or no record) -> update if it drifted, else just record.
 */
export function placedClusterAction(input: PlacedClusterInput): ClusterAction {
  const { desired, observed } = input;
  if (!desired.ok) return { action: 'skip', status: desired.reason, message: desired.message };
  if (!observed) return { action: 'create', object: desired.value };
  if (observed.metadata.deletionTimestamp) {
    return { action: 'skip', status: 'WaitingForRemoval', message: 'the member object is being deleted; it is recreated once gone' };
  }
  const managed = managedValue(observed);
  if (managed === 'false') {
    return { action: 'skip', status: 'ManagedLabelFalse', message: `the member object is labelled ${MANAGED_LABEL}=false and is left alone` };
  }
  if (managed !== MANAGED_LABEL_VALUE) {
    if (!input.adoptResources) {
      return { action: 'skip', status: 'AlreadyExists', message: 'an object of that name exists in the member and adoptResources is Disabled' };
    }
    return { action: 'update', object: mergeForUpdate(desired.value, observed, input.retain), desired: desired.value, adopt: true };
  }
  if (memberIsCurrent(input.record, input.hashes, input.clusterName, desired.value, observed)) return { action: 'none' };
  const apply = recordedEntryInvalid(input.record, input.hashes, input.clusterName) || needsUpdate(desired.value, observed, input.retain);
  const foreign = input.pruneForeign ? foreignFields(observed, { fieldManager: input.pruneForeign.fieldManager, ...(input.retain.retainReplicas ? { retainReplicas: true } : {}) }) : undefined;
  const prune = foreign && foreign.patch.length > 0 ? { prune: foreign } : {};
  if (apply || prune.prune) return { action: 'update', object: mergeForUpdate(desired.value, observed, input.retain), desired: desired.value, adopt: false, apply, ...prune };
  return { action: 'record', version: objectVersion(observed) };
}

export interface RemovalInput {
  observed: KubeObject | undefined;
  /** the federated object is being deleted with the kubefed.io/orphan annotation */
  orphan: boolean;
  /**
   * The member object must survive: the Namespace holding the federated objects in the host
   * cluster (deleting it would delete the federated objects themselves).
   */
  protect?: boolean;
}

/** A cluster the object must leave: unplaced, or every cluster when the federated object is deleted. */
export function removalAction(input: RemovalInput): ClusterAction {
  const { observed } = input;
  // Only objects kfed manages are ever deleted or unlabelled.
  if (!observed || managedValue(observed) !== MANAGED_LABEL_VALUE) return { action: 'none' };
  if (input.orphan || input.protect) {
    const labels = { ...observed.metadata.labels };
    delete labels[MANAGED_LABEL];
    const object = structuredClone(observed);
    object.metadata = { ...object.metadata, labels };
    return { action: 'unlabel', object };
  }
  if (observed.metadata.deletionTimestamp) return { action: 'skip', status: 'WaitingForRemoval', message: 'waiting for the member object to be deleted' };
  return { action: 'delete' };
}

export interface DeletionProgress {
  /** clusters where a managed member object still exists (or its state is unknown) */
  pending: readonly string[];
  /** the subset of `pending` that cannot be reached (not Ready) */
  unreachable: readonly string[];
  /** the federated object's metadata.deletionTimestamp */
  deletionTimestamp: string;
  now: Date;
  /** how long an unreachable cluster may hold up deletion */
  timeoutMs: number;
}

export interface DeletionDecision {
  /** remove the kubefed.io/sync-controller finalizer now */
  removeFinalizer: boolean;
  /** clusters given up on: their member objects may remain (say so in a condition and an Event) */
  leftBehind: string[];
  message?: string;
}

/**
 * When may a deleting federated object lose its finalizer? When nothing is pending; or,
 * so an unreachable member cannot block deletion forever, when every pending cluster is
 * unreachable and the timeout since deletionTimestamp has passed (reachable clusters are
 * always waited for: their deletion is in progress or will be retried).
 */
export function deletionDecision(p: DeletionProgress): DeletionDecision {
  if (p.pending.length === 0) return { removeFinalizer: true, leftBehind: [] };
  const unreachable = new Set(p.unreachable);
  const reachablePending = p.pending.filter((c) => !unreachable.has(c));
  const elapsed = p.now.getTime() - Date.parse(p.deletionTimestamp);
  const leftBehind = p.pending.filter((c) => unreachable.has(c)).sort();
  if (reachablePending.length === 0 && elapsed >= p.timeoutMs) {
    return {
      removeFinalizer: true,
      leftBehind,
      message: `gave up after ${Math.round(elapsed / 1000)}s waiting for unreachable clusters; member objects may remain in: ${leftBehind.join(', ')}`,
    };
  }
  const waiting = reachablePending.length > 0 ? `deleting from ${[...reachablePending].sort().join(', ')}` : `waiting up to ${Math.round(p.timeoutMs / 1000)}s for unreachable clusters ${leftBehind.join(', ')}`;
  return { removeFinalizer: false, leftBehind: [], message: waiting };
}
