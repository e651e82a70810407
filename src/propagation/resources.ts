// The ResourceRefs of a FederatedTypeConfig's target and federated types, and the field
// manager of kfed's writes. The REST coordinates of fixed kinds are in src/api, per group.
import { groupQualifiedName, type APIResource, type FederatedTypeConfig } from '../api/core.js';
import type { ResourceRef } from '../kube/resource.js';

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
