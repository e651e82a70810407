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

/** Typed overriders' operators (Karmada's): add, remove or replace. */
export type OverriderOperator = 'add' | 'remove' | 'replace';

/** Image `[registry/]repository[:tag|@digest]`: one component changed in every container (or those named). */
export interface ImageOverrider {
  component: 'Registry' | 'Repository' | 'Tag';
  operator: OverriderOperator;
  /** required unless operator is remove */
  value?: string;
  /** kfed addition: only these containers (default every container and init container) */
  containerNames?: string[];
}

/** Labels or annotations: add/replace set keys (replace only existing ones), remove deletes them. */
export interface MapOverrider {
  operator: OverriderOperator;
  value: Record<string, string>;
}

/** A container's command or args: add appends the values, remove drops every equal item. */
export interface CommandArgsOverrider {
  containerName: string;
  operator: 'add' | 'remove';
  value: string[];
}

/** A container's env by name: add sets (appends or replaces), replace only existing names, remove drops names. */
export interface EnvOverrider {
  containerName: string;
  operator: OverriderOperator;
  value: { name: string; value?: string }[];
}

export interface OverrideRule {
  targetClusters: TargetClusters;
  /** RFC 6902 operations; optional when the rule has typed overriders */
  overriders?: ClusterOverride[];
  // Typed overriders (Karmada's OverridePolicy shape), turned into operations at render
  // time and applied in this order, after `overriders`.
  imageOverrider?: ImageOverrider[];
  labelsOverrider?: MapOverrider[];
  annotationsOverrider?: MapOverrider[];
  commandOverrider?: CommandArgsOverrider[];
  argsOverrider?: CommandArgsOverrider[];
  envOverrider?: EnvOverrider[];
}

export interface OverridePolicySpec {
  resourceSelectors: ResourceSelector[];
  overrideRules: OverrideRule[];
  /** higher applies later (so wins); ties broken by namespace-scoped first, then name */
  priority?: number;
}

/** The most objects a policy's status names (matched stays the full count). */
export const POLICY_STATUS_LIST_LIMIT = 50;

export type PolicyConditionReason = 'Applied' | 'NoMatch' | 'UnknownKind' | 'Conflict' | 'OverrideFailed';

/** `Ready`: True when the policy selects something and nothing is wrong; else the first problem. */
export interface PolicyCondition {
  type: 'Ready';
  status: ConditionStatus;
  reason?: PolicyConditionReason;
  message?: string;
  lastTransitionTime?: string;
  observedGeneration?: number;
}

/** What the policy matched and what went wrong (kfed's policy status controller writes it). */
export interface PolicyStatus {
  observedGeneration?: number;
  /** federated objects the policy selects */
  matched?: number;
  /** `FederatedKind namespace/name` of the first POLICY_STATUS_LIST_LIMIT matched objects, sorted */
  matchedObjects?: string[];
  /** resource selector kinds that name no enabled target or federated kind */
  unknownKinds?: string[];
  /** another policy of the same kind and priority selecting the same object: both named, and who wins */
  conflicts?: string[];
  /** per object and cluster: overrides of this policy that could not be applied */
  overrideFailures?: string[];
  conditions?: PolicyCondition[];
}

/** OverridePolicy (namespaced: objects in its namespace) or ClusterOverridePolicy (all). */
export interface OverridePolicy extends KubeObject {
  metadata: ObjectMeta;
  spec: OverridePolicySpec;
  status?: PolicyStatus;
}

/**
 * Karmada's spread constraint: the placed clusters span at least `minGroups` and at most
 * `maxGroups` distinct regions or zones (discovered, or the topology labels).
 */
export interface SpreadConstraint {
  spreadByField: 'region' | 'zone';
  minGroups?: number;
  maxGroups?: number;
}

export interface PropagationPolicySpec {
  resourceSelectors: ResourceSelector[];
  placement: Placement;
  /** applied to the clusters `placement` selects; all must hold */
  spreadConstraints?: SpreadConstraint[];
  /** the highest-priority matching policy places an object that has no placement of its own */
  priority?: number;
}

/** PropagationPolicy (namespaced) or ClusterPropagationPolicy (all namespaces and cluster-scoped). */
export interface PropagationPolicy extends KubeObject {
  metadata: ObjectMeta;
  spec: PropagationPolicySpec;
  status?: PolicyStatus;
}
