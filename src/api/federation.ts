// types.kubefed.io/v1beta1 Federated<Kind> objects (Kubefed shape), their per-cluster
// status reasons, the well-known keys, and kfed's selector-based policies.
import type { ConditionStatus, KubeObject, LabelSelector, ObjectMeta, ResourceRef } from './meta.js';

export const TYPES_GROUP = 'types.kubefed.io';
export const TYPES_VERSION = 'v1beta1';
export const TYPES_API_VERSION = `${TYPES_GROUP}/${TYPES_VERSION}`;

/** The federated types kfed's own controllers address by name (any other comes from its FederatedTypeConfig). */
const typesRef = (kind: string): ResourceRef => ({ group: TYPES_GROUP, version: TYPES_VERSION, resource: `${kind.toLowerCase()}s`, namespaced: true, kind });
export const FEDERATED_NAMESPACES = typesRef('FederatedNamespace');
export const FEDERATED_DEPLOYMENTS = typesRef('FederatedDeployment');
export const FEDERATED_REPLICASETS = typesRef('FederatedReplicaSet');

/** Label on every member object kfed manages; informers in members select `=true`. */
export const MANAGED_LABEL = 'kubefed.io/managed';
export const MANAGED_LABEL_VALUE = 'true';
/** Annotation on a federated object: leave member objects behind (label stripped) on deletion. */
export const ORPHAN_ANNOTATION = 'kubefed.io/orphan';
export const SYNC_FINALIZER = 'kubefed.io/sync-controller';

// ---------------------------------------------------------------- spec

export interface ClusterReference {
  name: string;
}

/**
 * Kubefed placement. `clusters` (even empty) wins over `clusterSelector`;
 * a missing selector selects no cluster, `{}` selects every cluster.
 */
export interface Placement {
  clusters?: ClusterReference[];
  clusterSelector?: LabelSelector;
}

export type OverrideOp = 'add' | 'remove' | 'replace';

/** One RFC 6902 operation on a JSON pointer path of the member object; `op` defaults to replace. */
export interface ClusterOverride {
  op?: OverrideOp;
  path: string;
  value?: unknown;
}

export interface OverrideItem {
  clusterName: string;
  clusterOverrides?: ClusterOverride[];
}

export interface FederatedSpec {
  template?: Record<string, unknown>;
  placement?: Placement;
  overrides?: OverrideItem[];
  /** only on types whose target has spec.replicas: leave member replicas to the member (HPA) */
  retainReplicas?: boolean;
}

// ---------------------------------------------------------------- status

/**
 * Per-cluster propagation status: Kubefed's closed set. `''` (omitted in JSON) means OK.
 */
export type PropagationStatusReason =
  | ''
  | 'WaitingForRemoval'
  | 'ClusterNotReady'
  | 'CachedRetrievalFailed'
  | 'ComputeResourceFailed'
  | 'ApplyOverridesFailed'
  | 'CreationFailed'
  | 'UpdateFailed'
  | 'DeletionFailed'
  | 'LabelRemovalFailed'
  | 'RetrievalFailed'
  | 'AlreadyExists'
  | 'FieldRetentionFailed'
  | 'VersionRetrievalFailed'
  | 'ClientRetrievalFailed'
  | 'ManagedLabelFalse'
  | 'CreationTimedOut'
  | 'UpdateTimedOut'
  | 'DeletionTimedOut'
  | 'LabelRemovalTimedOut';

/**
 * Object-wide reason of the Propagation condition (Kubefed's AggregateReason); `''` = success.
 * kfed adds `DeletionBlocked` for a deletion that gave up on an unreachable cluster, and
 * `NamespaceMismatch` for a FederatedNamespace not named after its own namespace (refused).
 */
export type AggregateReason =
  | ''
  | 'ClusterRetrievalFailed'
  | 'ComputePlacementFailed'
  | 'CheckClusters'
  | 'NamespaceNotFederated'
  | 'DeletionBlocked'
  | 'NamespaceMismatch';

export const PROPAGATION_CONDITION = 'Propagation';

export interface PropagationCondition {
  type: typeof PROPAGATION_CONDITION;
  status: ConditionStatus;
  reason?: AggregateReason;
  /** kfed addition: a human-readable summary (Kubefed had none) */
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface FederatedClusterStatus {
  name: string;
  status?: PropagationStatusReason;
  /** kfed addition: the error text behind a failure reason */
  message?: string;
  remoteStatus?: unknown;
}

/**
 * kfed addition: a summary across placed clusters. Replica totals are present only for
 * workload types (targets with spec.replicas) and are summed from the members' own status.
 */
export interface AggregatedStatus {
  /** placed clusters whose propagation is OK (and, for workloads, whose member is fully ready) */
  readyClusters: number;
  /** placed clusters */
  totalClusters: number;
  /** printable `ready/total` clusters, for the READY printer column */
  ready: string;
  replicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  updatedReplicas?: number;
}

export interface FederatedStatus {
  observedGeneration?: number;
  conditions?: PropagationCondition[];
  clusters?: FederatedClusterStatus[];
  aggregated?: AggregatedStatus;
}

export interface FederatedObject extends KubeObject {
  metadata: ObjectMeta;
  spec: FederatedSpec;
  status?: FederatedStatus;
}

// ---------------------------------------------------------------- policies (kfed addition)

export const POLICY_GROUP = 'policy.kfed.io';
export const POLICY_VERSION = 'v1alpha1';
export const POLICY_API_VERSION = `${POLICY_GROUP}/${POLICY_VERSION}`;

const policyRef = (resource: string, kind: string, namespaced: boolean): ResourceRef => ({ group: POLICY_GROUP, version: POLICY_VERSION, resource, kind, namespaced });
export const PROPAGATION_POLICIES = policyRef('propagationpolicies', 'PropagationPolicy', true);
export const CLUSTER_PROPAGATION_POLICIES = policyRef('clusterpropagationpolicies', 'ClusterPropagationPolicy', false);
export const OVERRIDE_POLICIES = policyRef('overridepolicies', 'OverridePolicy', true);
export const CLUSTER_OVERRIDE_POLICIES = policyRef('clusteroverridepolicies', 'ClusterOverridePolicy', false);

/**
 * Selects federated objects. Every field given must match; `kind` is the *target* kind
 * (e.g. `Deployment`), `labelSelector` is matched against the federated object's labels.
 * `namespace` is only meaningful in cluster-scoped policies.
 */
export interface ResourceSelector {
  kind: string;
  name?: string;
  namespace?: string;
  labelSelector?: LabelSelector;
}

/** Clusters an override rule targets: by name, by KubeFedCluster labels, or both (union). */
export interface TargetClusters {
  clusters?: string[];
  clusterSelector?: LabelSelector;
}

export interface OverrideRule {
  targetClusters: TargetClusters;
  overriders: ClusterOverride[];
}

export interface OverridePolicySpec {
  resourceSelectors: ResourceSelector[];
  overrideRules: OverrideRule[];
  /** higher applies later (so wins); ties broken by namespace-scoped first, then name */
  priority?: number;
}

/** OverridePolicy (namespaced: objects in its namespace) or ClusterOverridePolicy (all). */
export interface OverridePolicy extends KubeObject {
  metadata: ObjectMeta;
  spec: OverridePolicySpec;
}

export interface PropagationPolicySpec {
  resourceSelectors: ResourceSelector[];
  placement: Placement;
  /** the highest-priority matching policy places an object that has no placement of its own */
  priority?: number;
}

/** PropagationPolicy (namespaced) or ClusterPropagationPolicy (all namespaces and cluster-scoped). */
export interface PropagationPolicy extends KubeObject {
  metadata: ObjectMeta;
  spec: PropagationPolicySpec;
}
