// REST coordinates of what the soak's workload writes and its checker reads, written out
// here so that the soak depends on the API, not on where kfed's sources keep constants.
import type { ResourceRef } from '../../../src/kube/resource.js';

const fed = (resource: string, kind: string): ResourceRef => ({ group: 'types.kubefed.io', version: 'v1beta1', resource, namespaced: true, kind });
const policy = (resource: string, kind: string, namespaced: boolean): ResourceRef => ({ group: 'policy.kfed.io', version: 'v1alpha1', resource, namespaced, kind });

export const FEDERATED = {
  namespaces: fed('federatednamespaces', 'FederatedNamespace'),
  configmaps: fed('federatedconfigmaps', 'FederatedConfigMap'),
  secrets: fed('federatedsecrets', 'FederatedSecret'),
  deployments: fed('federateddeployments', 'FederatedDeployment'),
  services: fed('federatedservices', 'FederatedService'),
} as const;

export const RSPS: ResourceRef = { group: 'scheduling.kubefed.io', version: 'v1alpha1', resource: 'replicaschedulingpreferences', namespaced: true, kind: 'ReplicaSchedulingPreference' };
export const PROPAGATION_POLICIES = policy('propagationpolicies', 'PropagationPolicy', true);
export const CLUSTER_PROPAGATION_POLICIES = policy('clusterpropagationpolicies', 'ClusterPropagationPolicy', false);
export const OVERRIDE_POLICIES = policy('overridepolicies', 'OverridePolicy', true);
export const CLUSTER_OVERRIDE_POLICIES = policy('clusteroverridepolicies', 'ClusterOverridePolicy', false);
export const FEDERATED_TYPE_CONFIGS: ResourceRef = { group: 'core.kubefed.io', version: 'v1beta1', resource: 'federatedtypeconfigs', namespaced: true, kind: 'FederatedTypeConfig' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };

/** Label the workload puts on objects that PropagationPolicies may place. */
export const POLICY_LABEL = 'soak.kfed.io/policy';
/** Prefix of every namespace the workload federates. */
export const WORKLOAD_NS_PREFIX = 'soak-w';
