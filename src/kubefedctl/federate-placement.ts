// `kfed federate --placement auto|all|none|policy`: whether the federated object it builds
// carries a placement of its own. A PropagationPolicy/ClusterPropagationPolicy places only
// federated objects without one (propagation/policy/placement.ts, effectivePlacement), so
// writing kubefedctl's `clusterSelector: {}` unconditionally would shut every policy out.
//
// - auto (default): kubefedctl's placement on every cluster, unless a policy selects the
//   object: then no placement is written and that policy places it;
// - all: always `clusterSelector: {}` (kubefedctl federate exactly; policies never apply);
// - none: never a placement: a policy places it, or nothing does until one is added;
// - policy: like none, but a policy must select the object (refused before anything is written).
import { CLUSTER_PROPAGATION_POLICIES, PROPAGATION_POLICIES, type FederatedObject, type Placement, type PropagationPolicy } from '../api/federation.js';
import type { ClusterClient } from '../kube/cluster-client.js';
import { isNotFound } from '../kube/errors.js';
import { selectPropagationPolicy } from '../propagation/policy/policies.js';

export const PLACEMENT_MODES = ['auto', 'all', 'none', 'policy'] as const;
export type PlacementMode = (typeof PLACEMENT_MODES)[number];

/** What `kfed federate` writes as the object's placement, and why. */
export interface PlacementDecision {
  /** the placement written; absent: none, so a policy decides */
  placement?: Placement;
  /** the policy that places the object (auto, none, policy), or would have but for `all` */
  policy?: string;
  /** `all` wrote a placement although `policy` selects the object: the policy does not apply */
  policyOverridden?: boolean;
}

/** `PropagationPolicy ns/name` or `ClusterPropagationPolicy name`. */
export function policyLabel(p: PropagationPolicy): string {
  return p.metadata.namespace ? `PropagationPolicy ${p.metadata.namespace}/${p.metadata.name ?? ''}` : `ClusterPropagationPolicy ${p.metadata.name ?? ''}`;
}

/** Pure: the placement for `fed` (built without one) of target kind `targetKind`, given the host's propagation policies. */
export function decidePlacement(mode: PlacementMode, fed: FederatedObject, targetKind: string, policies: readonly PropagationPolicy[]): PlacementDecision {
  const policy = selectPropagationPolicy(policies, fed, targetKind);
  const label = policy ? policyLabel(policy) : undefined;
  switch (mode) {
    case 'all':
      return { placement: { clusterSelector: {} }, ...(label ? { policy: label, policyOverridden: true } : {}) };
    case 'auto':
      return label ? { policy: label } : { placement: { clusterSelector: {} } };
    case 'none':
      return label ? { policy: label } : {};
    case 'policy': {
      if (!label) {
        const ns = fed.metadata.namespace ? `${fed.metadata.namespace}/` : '';
        throw new Error(`--placement policy: no PropagationPolicy or ClusterPropagationPolicy selects ${fed.kind} ${ns}${fed.metadata.name ?? ''}; nothing was written (use --placement all or none)`);
      }
      return { policy: label };
    }
  }
}

/** `fed` with the decided placement (or none). */
export function withPlacement(fed: FederatedObject, d: PlacementDecision): FederatedObject {
  const { placement: _drop, ...spec } = fed.spec;
  return { ...fed, spec: d.placement ? { ...spec, placement: d.placement } : spec };
}

export function parsePlacementMode(v: string): PlacementMode {
  if (!(PLACEMENT_MODES as readonly string[]).includes(v)) throw new Error(`invalid value for --placement: ${v} (${PLACEMENT_MODES.join(', ')})`);
  return v as PlacementMode;
}

/** The host's PropagationPolicies and ClusterPropagationPolicies; none when kfed's policy CRDs are not installed (a Kubefed host). */
export async function readPropagationPolicies(host: ClusterClient, signal?: AbortSignal): Promise<PropagationPolicy[]> {
  const list = async (ref: typeof PROPAGATION_POLICIES): Promise<PropagationPolicy[]> => {
    try {
      return (await host.dynamic.list<PropagationPolicy>(ref, signal ? { signal } : {})).items;
    } catch (err) {
      if (isNotFound(err)) return [];
      throw new Error(`read ${ref.kind ?? ref.resource}s to decide the placement (or pass --placement all)`, { cause: err });
    }
  };
  const [pp, cpp] = await Promise.all([list(PROPAGATION_POLICIES), list(CLUSTER_PROPAGATION_POLICIES)]);
  return [...pp, ...cpp];
}
