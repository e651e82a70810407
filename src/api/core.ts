// core.kubefed.io: KubeFedCluster, KubeFedConfig and FederatedTypeConfig (v1beta1),
// PropagatedVersion / ClusterPropagatedVersion (v1alpha1). JSON shapes follow Kubefed v2
// so existing manifests and `kubectl get` habits carry over.
import type { ConditionStatus, KubeObject, ObjectMeta, ResourceRef } from './meta.js';

export const CORE_GROUP = 'core.kubefed.io';
export const CORE_VERSION = 'v1beta1';
export const CORE_ALPHA_VERSION = 'v1alpha1';
export const CORE_API_VERSION = `${CORE_GROUP}/${CORE_VERSION}`;
export const CORE_ALPHA_API_VERSION = `${CORE_GROUP}/${CORE_ALPHA_VERSION}`;
export const DEFAULT_KUBEFED_NAMESPACE = 'kube-federation-system';
/** The one KubeFedConfig the controller reads, in the KubeFed namespace. */
export const KUBEFED_CONFIG_NAME = 'kubefed';

const coreRef = (version: string, resource: string, kind: string, namespaced: boolean): ResourceRef => ({ group: CORE_GROUP, version, resource, namespaced, kind });
export const KUBEFED_CLUSTERS = coreRef(CORE_VERSION, 'kubefedclusters', 'KubeFedCluster', true);
export const KUBEFED_CONFIGS = coreRef(CORE_VERSION, 'kubefedconfigs', 'KubeFedConfig', true);
export const FEDERATED_TYPE_CONFIGS = coreRef(CORE_VERSION, 'federatedtypeconfigs', 'FederatedTypeConfig', true);
export const PROPAGATED_VERSIONS = coreRef(CORE_ALPHA_VERSION, 'propagatedversions', 'PropagatedVersion', true);
export const CLUSTER_PROPAGATED_VERSIONS = coreRef(CORE_ALPHA_VERSION, 'clusterpropagatedversions', 'ClusterPropagatedVersion', false);

/** Finalizer the FTC controller keeps on an enabled FederatedTypeConfig (Kubefed's name). */
export const FTC_FINALIZER = 'core.kubefed.io/federated-type-config';
/** Key in a member credentials Secret holding the bearer token (Kubefed's ctlutil.TokenKey). */
export const TOKEN_KEY = 'token';
/** Key in a service-account token Secret holding the cluster CA (Kubefed's ctlutil.CaCrtKey). */
export const CA_CRT_KEY = 'ca.crt';

/** A validation problem, addressed by its JSON field path (e.g. `spec.secretRef.name`). */
export interface FieldError {
  field: string;
  message: string;
}

export type ResourceScope = 'Namespaced' | 'Cluster';

// ---------------------------------------------------------------- KubeFedCluster

export type TLSValidation = '*' | 'SubjectName' | 'ValidityPeriod';
export const TLS_VALIDATIONS: readonly TLSValidation[] = ['*', 'SubjectName', 'ValidityPeriod'];

export interface LocalSecretReference {
  name: string;
}

export interface KubeFedClusterSpec {
  /** host, host:port, IP, IP:port or a URL; https is assumed when no scheme is given */
  apiEndpoint: string;
  /** base64 PEM bundle (Go []byte) */
  caBundle?: string;
  /** Secret in the KubeFed namespace holding a `token` key */
  secretRef: LocalSecretReference;
  disabledTLSValidations?: TLSValidation[];
  proxyURL?: string;
}

export type ClusterConditionType = 'Ready' | 'Offline';
/** The reasons Kubefed's cluster controller writes (ClusterConfigMalformed: no client could be built). */
export type ClusterConditionReason = 'ClusterReady' | 'ClusterNotReady' | 'ClusterNotReachable' | 'ClusterReachable' | 'ClusterConfigMalformed';

export interface ClusterCondition {
  type: ClusterConditionType;
  status: ConditionStatus;
  lastProbeTime: string;
  lastTransitionTime?: string;
  reason?: ClusterConditionReason;
  message?: string;
}

export interface KubeFedClusterStatus {
  conditions: ClusterCondition[];
  kubernetesVersion?: string;
  region?: string;
  zones?: string[];
}

export interface KubeFedCluster extends KubeObject {
  metadata: ObjectMeta;
  spec: KubeFedClusterSpec;
  status?: KubeFedClusterStatus;
}

/** Ready=True is the only state in which kfed acts on a member (as Kubefed's IsClusterReady). */
export function isClusterReady(cluster: Pick<KubeFedCluster, 'status'>): boolean {
  return cluster.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

// ---------------------------------------------------------------- KubeFedConfig

/** Go duration string as metav1.Duration serialises it, e.g. `10s`, `1m30s`, `500ms`. */
export type Duration = string;
export type ConfigurationMode = 'Enabled' | 'Disabled';
export type ResourceAdoption = 'Enabled' | 'Disabled';
/** Kubefed knew configmaps/endpoints; kfed elects its leader with a Lease, so `leases` is added. */
export type ResourceLockType = 'configmaps' | 'endpoints' | 'leases';
export type FeatureGateName =
  | 'PushReconciler'
  | 'SchedulerPreferences'
  | 'CrossClusterServiceDiscovery'
  | 'FederatedIngress'
  | 'RawResourceStatusCollection';

export interface DurationConfig {
  availableDelay?: Duration;
  unavailableDelay?: Duration;
  cacheSyncTimeout?: Duration;
}

export interface LeaderElectConfig {
  leaseDuration?: Duration;
  renewDeadline?: Duration;
  retryPeriod?: Duration;
  resourceLock?: ResourceLockType;
}

export interface FeatureGatesConfig {
  name: string;
  configuration: ConfigurationMode;
}

export interface ClusterHealthCheckConfig {
  period?: Duration;
  timeout?: Duration;
  failureThreshold?: number;
  successThreshold?: number;
}

export interface SyncControllerConfig {
  maxConcurrentReconciles?: number;
  adoptResources?: ResourceAdoption;
}

export interface StatusControllerConfig {
  maxConcurrentReconciles?: number;
}

export interface KubeFedConfigSpec {
  scope: ResourceScope;
  controllerDuration?: DurationConfig;
  leaderElect?: LeaderElectConfig;
  featureGates?: FeatureGatesConfig[];
  clusterHealthCheck?: ClusterHealthCheckConfig;
  syncController?: SyncControllerConfig;
  statusController?: StatusControllerConfig;
}

export interface KubeFedConfig extends KubeObject {
  metadata: ObjectMeta;
  spec: KubeFedConfigSpec;
}

// ---------------------------------------------------------------- FederatedTypeConfig

export interface APIResource {
  group?: string;
  version: string;
  kind: string;
  pluralName: string;
  scope: ResourceScope;
}

export type PropagationMode = 'Enabled' | 'Disabled';
export type StatusCollectionMode = 'Enabled' | 'Disabled';
export type ControllerStatus = 'Running' | 'NotRunning';

export interface FederatedTypeConfigSpec {
  targetType: APIResource;
  propagation: PropagationMode;
  federatedType: APIResource;
  statusType?: APIResource;
  statusCollection?: StatusCollectionMode;
}

export interface TargetTypeClusterStatus {
  clusterName: string;
  status: 'Present' | 'NotPresent';
}

export interface FederatedTypeConfigStatus {
  observedGeneration: number;
  propagationController: ControllerStatus;
  statusController?: ControllerStatus;
  targetTypeOverallStatus?: 'PresentInAllClusters' | 'NotPresentInAllClusters';
  targetTypeClusterStatus?: TargetTypeClusterStatus[];
}

export interface FederatedTypeConfig extends KubeObject {
  metadata: ObjectMeta;
  spec: FederatedTypeConfigSpec;
  status?: FederatedTypeConfigStatus;
}

/** `plural` for the core group, `plural.group` otherwise: the FTC and CRD naming rule. */
export function groupQualifiedName(resource: { pluralName: string; group?: string }): string {
  return resource.group ? `${resource.pluralName}.${resource.group}` : resource.pluralName;
}

/** `group/version`, or just `version` for the core group. */
export function apiVersionOf(resource: { group?: string; version: string }): string {
  return resource.group ? `${resource.group}/${resource.version}` : resource.version;
}

/** Kubefed's default pluralisation of a kind (used when pluralName is left empty). */
export function pluralName(kind: string): string {
  const lower = kind.toLowerCase();
  if (/(s|x|ch|sh|z|o)$/.test(lower)) return `${lower}es`;
  if (lower.endsWith('y')) return `${lower.slice(0, -1)}ies`;
  return `${lower}s`;
}

/** The FederatedNamespace is the one federated type whose scope differs from its target's. */
export function isNamespaceTypeConfig(ftc: Pick<FederatedTypeConfig, 'metadata'>): boolean {
  return ftc.metadata.name === 'namespaces';
}

/** Fill what Kubefed's webhook fills: target plural/group from the FTC name, federated plural from its kind. */
export function defaultFederatedTypeConfig(ftc: FederatedTypeConfig): FederatedTypeConfig {
  const out = structuredClone(ftc);
  const [plural, ...groupParts] = (out.metadata.name ?? '').split('.');
  if (!out.spec.targetType.pluralName && plural) out.spec.targetType.pluralName = plural;
  if (out.spec.targetType.group === undefined && groupParts.length > 0) out.spec.targetType.group = groupParts.join('.');
  if (!out.spec.federatedType.pluralName) out.spec.federatedType.pluralName = pluralName(out.spec.federatedType.kind);
  if (out.spec.statusType) {
    const st = out.spec.statusType;
    if (!st.pluralName) st.pluralName = pluralName(st.kind);
    if (!st.group && out.spec.federatedType.group) st.group = out.spec.federatedType.group;
    if (!st.version) st.version = out.spec.federatedType.version;
  }
  return out;
}

// ---------------------------------------------------------------- PropagatedVersion

export interface ClusterObjectVersion {
  clusterName: string;
  /** `gen:<generation>` or `rv:<resourceVersion>` of the member object as last written */
  version: string;
  /**
   * kfed addition: hash of the overrides that applied to this cluster when it was written.
   * When present it is compared instead of the object-wide overridesVersion, so an
   * override edit for one cluster does not invalidate the records of the others.
   */
  overridesVersion?: string;
}

export interface PropagatedVersionStatus {
  templateVersion: string;
  /** JSON name is `overridesVersion`, as in Kubefed */
  overridesVersion: string;
  clusterVersions?: ClusterObjectVersion[];
}

/** Namespaced (PropagatedVersion) or cluster-scoped (ClusterPropagatedVersion) version record. */
export interface PropagatedVersion extends KubeObject {
  metadata: ObjectMeta;
  status?: PropagatedVersionStatus;
}

/** Kubefed's record name: `<lower-case target kind>-<federated object name>`, e.g. `deployment-go-app`. */
export function propagatedVersionName(targetKind: string, resourceName: string): string {
  return `${targetKind.toLowerCase()}-${resourceName}`;
}
