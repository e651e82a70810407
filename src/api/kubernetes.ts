// Kubernetes' own API resources that kfed reads or writes, by group: one place for their REST
// coordinates (kfed's groups are beside their types: core.ts, federation.ts, scheduling.ts).
import type { ResourceRef } from './meta.js';

const ref = (group: string, version: string, resource: string, kind: string, namespaced: boolean): ResourceRef => ({ group, version, resource, namespaced, kind });

// core/v1
export const NAMESPACES = ref('', 'v1', 'namespaces', 'Namespace', false);
export const SECRETS = ref('', 'v1', 'secrets', 'Secret', true);
export const SERVICE_ACCOUNTS = ref('', 'v1', 'serviceaccounts', 'ServiceAccount', true);
export const NODES = ref('', 'v1', 'nodes', 'Node', false);
export const EVENTS = ref('', 'v1', 'events', 'Event', true);
export const PODS = ref('', 'v1', 'pods', 'Pod', true);
export const SERVICES = ref('', 'v1', 'services', 'Service', true);

// apps/v1
export const DEPLOYMENTS = ref('apps', 'v1', 'deployments', 'Deployment', true);
export const REPLICASETS = ref('apps', 'v1', 'replicasets', 'ReplicaSet', true);

// discovery.k8s.io/v1, networking.k8s.io/v1
export const ENDPOINT_SLICES = ref('discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', true);
export const INGRESSES = ref('networking.k8s.io', 'v1', 'ingresses', 'Ingress', true);

// rbac.authorization.k8s.io/v1, authorization.k8s.io/v1
export const CLUSTER_ROLES = ref('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false);
export const CLUSTER_ROLE_BINDINGS = ref('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false);
export const ROLES = ref('rbac.authorization.k8s.io', 'v1', 'roles', 'Role', true);
export const ROLE_BINDINGS = ref('rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', true);
export const SELF_SUBJECT_ACCESS_REVIEWS = ref('authorization.k8s.io', 'v1', 'selfsubjectaccessreviews', 'SelfSubjectAccessReview', false);

// apiextensions.k8s.io/v1, coordination.k8s.io/v1
export const CUSTOM_RESOURCE_DEFINITIONS = ref('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false);
export const LEASES = ref('coordination.k8s.io', 'v1', 'leases', 'Lease', true);
