// Kubefed placement, exactly:
// - `placement.clusters` given (even `[]`) -> exactly those names (unknown names dropped);
// - otherwise `clusterSelector`: missing selects none, `{}` selects all, else labels match;
// - namespaced kinds are placed on the intersection with their FederatedNamespace's
//   placement; without a FederatedNamespace nothing is placed (NamespaceNotFederated),
//   unless the control plane is namespace-scoped (Kubefed's limitedScope);
// - placement is computed over every joined cluster, but only Ready ones are acted on:
//   a placed cluster that is not Ready is reported (ClusterNotReady) and left alone.
// kfed addition: an object without placement of its own takes the placement of the
// highest-priority PropagationPolicy that selects it (see policies.ts).
import type { KubeFedCluster } from '../../api/core.js';
import { isClusterReady } from '../../api/core.js';
import type { AggregateReason, FederatedObject, Placement, PropagationPolicy, SpreadConstraint } from '../../api/federation.js';
import { selectorError } from '../../kube/label-selector.js';
import { clusterSelectorMatches, type SelectableCluster } from './cluster-match.js';
import { hasOwnPlacement, selectPropagationPolicy } from './policies.js';
import { applySpread } from './spread.js';

/**
 * What placement needs to know about a joined cluster: name, labels and discovered
 * region/zones (selectable as topology.kubernetes.io/{region,zone}, see cluster-match.ts).
 */
export interface ClusterInfo extends SelectableCluster {
  ready: boolean;
}

export function clusterInfo(cluster: KubeFedCluster): ClusterInfo {
  return {
    name: cluster.metadata.name ?? '',
    labels: cluster.metadata.labels ?? {},
    ready: isClusterReady(cluster),
    region: cluster.status?.region,
    zones: cluster.status?.zones,
  };
}

export interface PlacementResult {
  ok: true;
  /** placed (selected and joined) clusters, sorted */
  placed: string[];
  /** placed and Ready: the clusters to propagate to */
  ready: string[];
  /** placed but not Ready: report ClusterNotReady, do nothing */
  notReady: string[];
  /** Ready but not placed: a managed member object there must go */
  unplaced: string[];
}

export interface PlacementFailure {
  ok: false;
  reason: Extract<AggregateReason, 'ComputePlacementFailed' | 'NamespaceNotFederated'>;
  message: string;
}

export type PlacementOutcome = PlacementResult | PlacementFailure;

export class PlacementError extends Error {
  override readonly name = 'PlacementError';
}

/** A placement as a policy gives it: with the policy's spread constraints. */
export type PolicyPlacement = Placement & { spreadConstraints?: SpreadConstraint[] | undefined };

function selectedBy(placement: Placement | undefined, clusters: readonly ClusterInfo[]): ClusterInfo[] {
  if (placement?.clusters !== undefined) {
    const names = new Set(placement.clusters.map((c) => c.name));
    return clusters.filter((c) => names.has(c.name));
  }
  const selector = placement?.clusterSelector;
  if (selector === undefined) return [];
  const err = selectorError(selector);
  if (err !== undefined) throw new PlacementError(`invalid clusterSelector: ${err}`);
  return clusters.filter((c) => clusterSelectorMatches(selector, c));
}

/** Names a placement selects among `clusters`, spread constraints applied (throws PlacementError when invalid or unsatisfiable). */
export function selectedClusterNames(placement: PolicyPlacement | undefined, clusters: readonly ClusterInfo[]): Set<string> {
  let selected = selectedBy(placement, clusters);
  if (placement?.spreadConstraints?.length) {
    const spread = applySpread(selected, placement.spreadConstraints);
    if (!spread.ok) throw new PlacementError(spread.message);
    selected = spread.clusters;
  }
  return new Set(selected.map((c) => c.name));
}

/** The object's own placement, or the placement (and spread constraints) of the policy that selects it. */
export function effectivePlacement(fed: FederatedObject, targetKind: string, policies: readonly PropagationPolicy[] = []): PolicyPlacement | undefined {
  if (hasOwnPlacement(fed.spec.placement)) return fed.spec.placement;
  const policy = selectPropagationPolicy(policies, fed, targetKind);
  if (!policy) return fed.spec.placement;
  return policy.spec.spreadConstraints?.length ? { ...policy.spec.placement, spreadConstraints: policy.spec.spreadConstraints } : policy.spec.placement;
}

export interface PlacementInput {
  placement: PolicyPlacement | undefined;
  clusters: readonly ClusterInfo[];
  /** the target kind is namespaced (not Namespace itself): intersect with the namespace's placement */
  namespaced: boolean;
  /** effective placement of the FederatedNamespace of the object's namespace; undefined = none exists */
  namespacePlacement?: Placement | undefined;
  /** the control plane federates only its own namespace (KubeFedConfig scope Namespaced) */
  limitedScope?: boolean;
}

function split(selected: Set<string>, clusters: readonly ClusterInfo[]): PlacementResult {
  const sorted = [...clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const result: PlacementResult = { ok: true, placed: [], ready: [], notReady: [], unplaced: [] };
  for (const c of sorted) {
    if (selected.has(c.name)) {
      result.placed.push(c.name);
      (c.ready ? result.ready : result.notReady).push(c.name);
    } else if (c.ready) {
      result.unplaced.push(c.name);
    }
  }
  return result;
}

export function computePlacement(input: PlacementInput): PlacementOutcome {
  let selected: Set<string>;
  try {
    selected = selectedClusterNames(input.placement, input.clusters);
    if (input.namespaced) {
      if (input.namespacePlacement === undefined) {
        if (!input.limitedScope) {
          return { ok: false, reason: 'NamespaceNotFederated', message: 'the containing namespace has no FederatedNamespace; nothing is propagated' };
        }
      } else {
        const nsSelected = selectedClusterNames(input.namespacePlacement, input.clusters);
        selected = new Set([...selected].filter((n) => nsSelected.has(n)));
      }
    }
  } catch (cause) {
    if (cause instanceof PlacementError) return { ok: false, reason: 'ComputePlacementFailed', message: cause.message };
    throw cause;
  }
  return split(selected, input.clusters);
}
