// Which kfed policies (OverridePolicy/ClusterOverridePolicy, PropagationPolicy/
// ClusterPropagationPolicy) apply to a federated object, and in what order.
//
// A policy with metadata.namespace only sees federated objects in that namespace; a
// cluster-scoped policy (no namespace) sees every federated object. Ordering rules:
// - overrides: ascending priority, so the highest priority is applied last and wins;
//   at equal priority cluster-scoped before namespaced (the more local policy wins),
//   then by name;
// - placement: the single highest-priority policy; at equal priority namespaced before
//   cluster-scoped, then by name.
import type { KubeObject, LabelSelector } from '../../api/meta.js';
import type { FederatedObject, Placement, ResourceSelector } from '../../api/federation.js';
import { selectorMatches } from '../../kube/label-selector.js';
import { clusterSelectorMatches, type SelectableCluster } from './cluster-match.js';

interface SelectingPolicy extends KubeObject {
  spec: { resourceSelectors: ResourceSelector[]; priority?: number };
}

/**
 * A selector's kind names the target kind (`Deployment`) or the federated kind
 * (`FederatedDeployment`); both select FederatedDeployments.
 */
export function selectorKindMatches(kind: string, targetKind: string): boolean {
  return kind === targetKind || kind === `Federated${targetKind}`;
}

export function resourceSelectorMatches(sel: ResourceSelector, fed: FederatedObject, targetKind: string): boolean {
  if (!selectorKindMatches(sel.kind, targetKind)) return false;
  if (sel.name !== undefined && sel.name !== fed.metadata.name) return false;
  if (sel.namespace !== undefined && sel.namespace !== (fed.metadata.namespace ?? '')) return false;
  if (sel.labelSelector !== undefined && !selectorMatches(sel.labelSelector, fed.metadata.labels)) return false;
  return true;
}

/** Does the policy select this federated object (scope and at least one selector)? */
export function policyApplies(policy: SelectingPolicy, fed: FederatedObject, targetKind: string): boolean {
  const ns = policy.metadata.namespace;
  if (ns && ns !== fed.metadata.namespace) return false;
  return policy.spec.resourceSelectors.some((sel) => resourceSelectorMatches(sel, fed, targetKind));
}

function scopeRank(p: KubeObject): number {
  return p.metadata.namespace ? 1 : 0;
}

function byName(a: KubeObject, b: KubeObject): number {
  const an = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const bn = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return an < bn ? -1 : an > bn ? 1 : 0;
}

/** Applicable policies in override-application order (last wins). */
export function overridePolicyOrder<T extends SelectingPolicy>(policies: readonly T[], fed: FederatedObject, targetKind: string): T[] {
  return policies
    .filter((p) => policyApplies(p, fed, targetKind))
    .sort((a, b) => (a.spec.priority ?? 0) - (b.spec.priority ?? 0) || scopeRank(a) - scopeRank(b) || byName(a, b));
}

/** The policy that places this object, when it has no placement of its own. */
export function selectPropagationPolicy<T extends SelectingPolicy>(policies: readonly T[], fed: FederatedObject, targetKind: string): T | undefined {
  return policies
    .filter((p) => policyApplies(p, fed, targetKind))
    .sort((a, b) => (b.spec.priority ?? 0) - (a.spec.priority ?? 0) || scopeRank(b) - scopeRank(a) || byName(a, b))[0];
}

/** An object states its own placement when it sets `clusters` (even empty) or `clusterSelector`. */
export function hasOwnPlacement(placement: Placement | undefined): boolean {
  return placement !== undefined && (placement.clusters !== undefined || placement.clusterSelector !== undefined);
}

/** Does a rule's target (names or selector over labels and discovered region/zones, union) include this cluster? */
export function targetsCluster(target: { clusters?: string[]; clusterSelector?: LabelSelector }, cluster: SelectableCluster): boolean {
  if (target.clusters?.includes(cluster.name)) return true;
  return target.clusterSelector !== undefined && clusterSelectorMatches(target.clusterSelector, cluster);
}
