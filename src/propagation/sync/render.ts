// What the sync controller writes to one member, as pure functions of the federated object,
// the clusters and the policies: placement (the object's own, else a PropagationPolicy's,
// limited by its FederatedNamespace's), and per placed cluster the base object + overrides
// (policies first) + managed label, in the server-side apply body form. The sync controller
// (propagate.ts, cluster-ops.ts) and `kfed preview` both render through these, so a preview
// is byte for byte what is then written.
import type { KubeObject } from '../../api/meta.js';
import type { FederatedObject, OverridePolicy, Placement, PropagationPolicy } from '../../api/federation.js';
import { overridesForCluster, type OverrideOutcome } from '../policy/overrides.js';
import { computePlacement, effectivePlacement, type ClusterInfo, type PlacementOutcome } from '../policy/placement.js';
import { applyConfiguration, baseObject, desiredObject, type TargetTypeInfo } from './desired.js';

export interface PlacementInputs {
  fed: FederatedObject;
  target: TargetTypeInfo;
  clusters: readonly ClusterInfo[];
  propagationPolicies: readonly PropagationPolicy[];
  /** the FederatedNamespace of the object's namespace (namespaced targets); undefined when none */
  federatedNamespace: FederatedObject | undefined;
  limitedScope?: boolean | undefined;
}

export function placementOf(i: PlacementInputs): PlacementOutcome {
  let namespacePlacement: Placement | undefined;
  const fns = i.federatedNamespace;
  // An existing FederatedNamespace without placement selects no cluster (not "not federated").
  if (i.target.namespaced && fns && !fns.metadata.deletionTimestamp) namespacePlacement = (fns.spec ? effectivePlacement(fns, 'Namespace', i.propagationPolicies) : undefined) ?? {};
  return computePlacement({
    placement: effectivePlacement(i.fed, i.target.kind, i.propagationPolicies),
    clusters: i.clusters,
    namespaced: i.target.namespaced,
    namespacePlacement,
    ...(i.limitedScope !== undefined ? { limitedScope: i.limitedScope } : {}),
  });
}

/** The desired member object in one cluster (before the apply-body step), or why overrides failed. */
export function desiredFor(fed: FederatedObject, target: TargetTypeInfo, cluster: ClusterInfo, overridePolicies: readonly OverridePolicy[]): OverrideOutcome<KubeObject> {
  const ops = overridesForCluster(fed, cluster, target.kind, overridePolicies);
  return ops.ok ? desiredObject(baseObject(fed, target).object, ops.value) : ops;
}

/** The server-side apply body kfed sends for a desired object (retainReplicas leaves replicas out). */
export function applyBody(fed: FederatedObject, desired: KubeObject): KubeObject {
  return applyConfiguration(desired, { retainReplicas: fed.spec?.retainReplicas === true });
}
