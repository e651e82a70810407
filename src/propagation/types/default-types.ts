// The types Kubefed enabled by default (config/enabletypedirectives and its Helm chart),
// with the API resource information discovery would report for them. Ingress is
// networking.k8s.io/v1: extensions/v1beta1 left Kubernetes in 1.22 and Kubefed followed.
import type { FederatedTypeConfig } from '../../api/core.js';
import { federatedTypeCRD, federatedTypeConfigFor, type CustomResourceDefinition, type JSONSchemaProps, type TargetAPIResource } from './federated-crd.js';

export const DEFAULT_FEDERATED_TYPES: readonly TargetAPIResource[] = [
  { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', plural: 'clusterroles', singular: 'clusterrole', shortNames: [], namespaced: false, hasReplicas: false },
  { group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap', shortNames: ['cm'], namespaced: true, hasReplicas: false },
  { group: 'apps', version: 'v1', kind: 'Deployment', plural: 'deployments', singular: 'deployment', shortNames: ['deploy'], namespaced: true, hasReplicas: true },
  { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress', shortNames: ['ing'], namespaced: true, hasReplicas: false },
  { group: 'batch', version: 'v1', kind: 'Job', plural: 'jobs', singular: 'job', shortNames: [], namespaced: true, hasReplicas: false },
  { group: '', version: 'v1', kind: 'Namespace', plural: 'namespaces', singular: 'namespace', shortNames: ['ns'], namespaced: false, hasReplicas: false },
  { group: 'apps', version: 'v1', kind: 'ReplicaSet', plural: 'replicasets', singular: 'replicaset', shortNames: ['rs'], namespaced: true, hasReplicas: true },
  { group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret', shortNames: [], namespaced: true, hasReplicas: false },
  { group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount', shortNames: ['sa'], namespaced: true, hasReplicas: false },
  { group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service', shortNames: ['svc'], namespaced: true, hasReplicas: false },
];

/** CRDs of the default federated types, in DEFAULT_FEDERATED_TYPES order, with each template schema when given. */
export function defaultTypeCRDs(templateSchemas: readonly (JSONSchemaProps | undefined)[] = []): CustomResourceDefinition[] {
  return DEFAULT_FEDERATED_TYPES.map((t, i) => federatedTypeCRD(t, { templateSchema: templateSchemas[i] }));
}

/** FederatedTypeConfigs of the default types, in the KubeFed namespace. */
export function defaultTypeConfigs(namespace?: string): FederatedTypeConfig[] {
  return DEFAULT_FEDERATED_TYPES.map((t) => federatedTypeConfigFor(t, namespace !== undefined ? { namespace } : {}));
}
