// REST coordinates of the objects cluster management reads and writes.
import type { ResourceRef } from '../kube/resource.js';

export const KUBEFED_CLUSTERS: ResourceRef = { group: 'core.kubefed.io', version: 'v1beta1', resource: 'kubefedclusters', namespaced: true, kind: 'KubeFedCluster' };
export const KUBEFED_CONFIGS: ResourceRef = { group: 'core.kubefed.io', version: 'v1beta1', resource: 'kubefedconfigs', namespaced: true, kind: 'KubeFedConfig' };
export const SECRETS: ResourceRef = { group: '', version: 'v1', resource: 'secrets', namespaced: true, kind: 'Secret' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
export const SERVICE_ACCOUNTS: ResourceRef = { group: '', version: 'v1', resource: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' };
export const NODES: ResourceRef = { group: '', version: 'v1', resource: 'nodes', namespaced: false, kind: 'Node' };
export const EVENTS: ResourceRef = { group: '', version: 'v1', resource: 'events', namespaced: true, kind: 'Event' };
export const CLUSTER_ROLES: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', namespaced: false, kind: 'ClusterRole' };
export const CLUSTER_ROLE_BINDINGS: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', namespaced: false, kind: 'ClusterRoleBinding' };
export const ROLES: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', namespaced: true, kind: 'Role' };
export const ROLE_BINDINGS: ResourceRef = { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', namespaced: true, kind: 'RoleBinding' };
export const SELF_SUBJECT_ACCESS_REVIEWS: ResourceRef = { group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', namespaced: false, kind: 'SelfSubjectAccessReview' };
export const CRDS: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', namespaced: false, kind: 'CustomResourceDefinition' };

/** Key in a member credentials Secret holding the bearer token (Kubefed's ctlutil.TokenKey). */
export const TOKEN_KEY = 'token';
/** Key in a service-account token Secret holding the cluster CA (Kubefed's ctlutil.CaCrtKey). */
export const CA_CRT_KEY = 'ca.crt';
