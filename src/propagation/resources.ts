// REST coordinates of what the propagation controllers read and write on the host, and
// the ResourceRefs of a FederatedTypeConfig's target and federated types.
import { groupQualifiedName, type APIResource, type FederatedTypeConfig } from '../api/core.js';
import type { ResourceRef } from '../kube/resource.js';

export const FEDERATED_TYPE_CONFIGS: ResourceRef = { group: 'core.kubefed.io', version: 'v1beta1', resource: 'federatedtypeconfigs', namespaced: true, kind: 'FederatedTypeConfig' };
export const PROPAGATED_VERSIONS: ResourceRef = { group: 'core.kubefed.io', version: 'v1alpha1', resource: 'propagatedversions', namespaced: true, kind: 'PropagatedVersion' };
export const CLUSTER_PROPAGATED_VERSIONS: ResourceRef = { group: 'core.kubefed.io', version: 'v1alpha1', resource: 'clusterpropagatedversions', namespaced: false, kind: 'ClusterPropagatedVersion' };
export const CUSTOM_RESOURCE_DEFINITIONS: ResourceRef = { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', namespaced: false, kind: 'CustomResourceDefinition' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', resource: 'namespaces', namespaced: false, kind: 'Namespace' };
export const FEDERATED_NAMESPACES: ResourceRef = { group: 'types.kubefed.io', version: 'v1beta1', resource: 'federatednamespaces', namespaced: true, kind: 'FederatedNamespace' };

/** Finalizer the FTC controller keeps on an enabled FederatedTypeConfig (Kubefed's name). */
export const FTC_FINALIZER = 'core.kubefed.io/federated-type-config';
/** The field manager of every member write: one fixed name so ownership never splits. */
export const FIELD_MANAGER = 'kfed';

function refOf(r: APIResource): ResourceRef {
  return { group: r.group ?? '', version: r.version, resource: r.pluralName, namespaced: r.scope === 'Namespaced', kind: r.kind };
}

export function targetRef(ftc: FederatedTypeConfig): ResourceRef {
  return refOf(ftc.spec.targetType);
}

export function federatedRef(ftc: FederatedTypeConfig): ResourceRef {
  return refOf(ftc.spec.federatedType);
}

/** Name of the Federated<Kind> CRD, e.g. `federateddeployments.types.kubefed.io`. */
export function federatedCrdName(ftc: FederatedTypeConfig): string {
  return groupQualifiedName(ftc.spec.federatedType);
}

/** The target is the core Namespace: its federated objects live in the namespace they describe. */
export function isNamespaceTarget(ftc: FederatedTypeConfig): boolean {
  const t = ftc.spec.targetType;
  return (t.group ?? '') === '' && t.kind === 'Namespace';
}
