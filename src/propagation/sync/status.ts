// The status of a federated object, built purely from what a reconcile observed.
//
// Kubefed semantics for the Propagation condition: status True with reason '' when every
// placed cluster is OK; otherwise False with the aggregate reason — the one given
// (ComputePlacementFailed, NamespaceNotFederated, ...) or CheckClusters when some cluster
// is not OK (or, with status collection, has no remote status yet). lastTransitionTime
// changes only when status or reason change; lastUpdateTime when anything else changed.
// `equalStatus` ignores both timestamps so the controller writes only real changes.
import type { KubeObject } from '../../api/meta.js';
import {
  PROPAGATION_CONDITION,
  type AggregateReason,
  type AggregatedStatus,
  type FederatedClusterStatus,
  type FederatedStatus,
  type PropagationCondition,
  type PropagationStatusReason,
} from '../../api/federation.js';
import { canonicalJson } from './version.js';

export type { AggregateReason, PropagationStatusReason };

/** Every per-cluster reason, for exhaustive checks and documentation. */
export const PROPAGATION_STATUS_REASONS: readonly PropagationStatusReason[] = [
  '', 'WaitingForRemoval', 'ClusterNotReady', 'CachedRetrievalFailed', 'ComputeResourceFailed', 'ApplyOverridesFailed',
  'CreationFailed', 'UpdateFailed', 'DeletionFailed', 'LabelRemovalFailed', 'RetrievalFailed', 'AlreadyExists',
  'FieldRetentionFailed', 'VersionRetrievalFailed', 'ClientRetrievalFailed', 'ManagedLabelFalse',
  'CreationTimedOut', 'UpdateTimedOut', 'DeletionTimedOut', 'LabelRemovalTimedOut',
];

export const AGGREGATE_REASONS: readonly AggregateReason[] = ['', 'ClusterRetrievalFailed', 'ComputePlacementFailed', 'CheckClusters', 'NamespaceNotFederated', 'DeletionBlocked', 'NamespaceMismatch'];

/** What the reconcile learned about one cluster. */
export interface ClusterOutcome {
  name: string;
  status: PropagationStatusReason;
  message?: string;
  /** the member object's status, when the type config collects status */
  remoteStatus?: unknown;
}

export interface StatusInput {
  previous: FederatedStatus | undefined;
  generation: number;
  /** object-wide reason; '' lets the cluster outcomes decide */
  reason: AggregateReason;
  message?: string;
  clusters: readonly ClusterOutcome[];
  /** FederatedTypeConfig statusCollection Enabled: record remoteStatus and require it */
  collectRemoteStatus: boolean;
  aggregated?: AggregatedStatus;
  /** RFC 3339, injected so the builder stays pure */
  now: string;
}

function clusterEntries(clusters: readonly ClusterOutcome[], collect: boolean): FederatedClusterStatus[] {
  return [...clusters]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((c) => ({
      name: c.name,
      ...(c.status !== '' ? { status: c.status } : {}),
      ...(c.message ? { message: c.message } : {}),
      ...(collect && c.remoteStatus !== undefined ? { remoteStatus: c.remoteStatus } : {}),
    }));
}

function summary(reason: AggregateReason, clusters: readonly FederatedClusterStatus[]): string | undefined {
  if (reason !== 'CheckClusters') return undefined;
  const failing = clusters.filter((c) => c.status !== undefined);
  if (failing.length === 0) return 'waiting for remote status';
  return failing.map((c) => `${c.name}: ${c.status}`).join(', ');
}

/** The status a reconcile should leave on the federated object. */
export function buildFederatedStatus(input: StatusInput): FederatedStatus {
  let reason = input.reason;
  if (reason === '' && input.clusters.some((c) => c.status !== '' || (input.collectRemoteStatus && c.remoteStatus === undefined))) {
    reason = 'CheckClusters';
  }
  const status = reason === '' ? 'True' : 'False';
  const clusters = clusterEntries(input.clusters, input.collectRemoteStatus);
  const message = input.message ?? summary(reason, clusters);
  const previous = input.previous?.conditions?.find((c) => c.type === PROPAGATION_CONDITION);
  const transition = !previous || previous.status !== status || (previous.reason ?? '') !== reason;
  const condition: PropagationCondition = {
    type: PROPAGATION_CONDITION,
    status,
    ...(reason !== '' ? { reason } : {}),
    ...(message ? { message } : {}),
    lastTransitionTime: transition ? input.now : (previous?.lastTransitionTime ?? input.now),
    lastUpdateTime: input.now,
  };
  const next: FederatedStatus = {
    observedGeneration: input.generation,
    conditions: [condition, ...(input.previous?.conditions ?? []).filter((c) => c.type !== PROPAGATION_CONDITION)],
    ...(clusters.length > 0 ? { clusters } : {}),
    ...(input.aggregated ? { aggregated: input.aggregated } : {}),
  };
  // Nothing but time moved: keep the old update time so the object is byte-for-byte stable.
  if (input.previous && equalStatus(input.previous, next) && previous?.lastUpdateTime) condition.lastUpdateTime = previous.lastUpdateTime;
  return next;
}

function withoutTimes(status: FederatedStatus | undefined): unknown {
  if (!status) return null;
  return {
    ...status,
    conditions: (status.conditions ?? []).map(({ lastUpdateTime: _u, lastTransitionTime: _t, ...rest }) => rest),
    clusters: status.clusters ?? [],
  };
}

/** Equal apart from condition timestamps (and key order): no status write needed. */
export function equalStatus(a: FederatedStatus | undefined, b: FederatedStatus | undefined): boolean {
  return canonicalJson(withoutTimes(a)) === canonicalJson(withoutTimes(b));
}

function num(obj: unknown, ...path: string[]): number | undefined {
  let cur: unknown = obj;
  for (const p of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return typeof cur === 'number' ? cur : undefined;
}

/**
 * kfed's aggregate over placed clusters. `members` holds the observed member object per
 * placed cluster (undefined when absent). With `hasReplicas`, replica counts are summed from
 * the members' status and a cluster is ready only when readyReplicas reaches spec.replicas
 * (default 1) for the current generation.
 */
export function aggregateStatus(
  placed: readonly string[],
  outcomes: ReadonlyMap<string, PropagationStatusReason>,
  members: ReadonlyMap<string, KubeObject | undefined>,
  hasReplicas: boolean,
): AggregatedStatus {
  let readyClusters = 0;
  const totals = { replicas: 0, readyReplicas: 0, availableReplicas: 0, updatedReplicas: 0 };
  for (const name of placed) {
    const ok = (outcomes.get(name) ?? '') === '';
    const member = members.get(name);
    if (!hasReplicas) {
      if (ok && member) readyClusters++;
      continue;
    }
    if (!member) continue;
    const ready = num(member, 'status', 'readyReplicas') ?? 0;
    totals.replicas += num(member, 'status', 'replicas') ?? 0;
    totals.readyReplicas += ready;
    totals.availableReplicas += num(member, 'status', 'availableReplicas') ?? 0;
    totals.updatedReplicas += num(member, 'status', 'updatedReplicas') ?? 0;
    const wanted = num(member, 'spec', 'replicas') ?? 1;
    const observedGen = num(member, 'status', 'observedGeneration');
    const current = observedGen === undefined || member.metadata.generation === undefined || observedGen >= member.metadata.generation;
    if (ok && current && ready >= wanted) readyClusters++;
  }
  const base = { readyClusters, totalClusters: placed.length, ready: `${readyClusters}/${placed.length}` };
  return hasReplicas ? { ...base, ...totals } : base;
}
