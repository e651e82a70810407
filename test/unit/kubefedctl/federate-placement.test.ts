// `kfed federate --placement`: which placement the federated object gets, given the host's
// PropagationPolicies; and that an object federated without one is then placed by the policy
// (the placement rule of propagation/policy/placement.ts, applied to what federate builds).
import { describe, expect, it } from 'vitest';
import type { FederatedObject, PropagationPolicy } from '../../../src/api/federation.js';
import { decidePlacement, parsePlacementMode, withPlacement, type PlacementMode } from '../../../src/kubefedctl/federate-placement.js';
import { effectivePlacement } from '../../../src/propagation/policy/placement.js';

const fed: FederatedObject = {
  apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'web', namespace: 'shop' },
  spec: { template: { spec: { replicas: 1 } }, placement: { clusterSelector: {} } },
};

function pp(name: string, namespace: string | undefined, selector: Record<string, unknown>, priority = 0): PropagationPolicy {
  return {
    apiVersion: 'policy.kfed.io/v1alpha1', kind: namespace ? 'PropagationPolicy' : 'ClusterPropagationPolicy',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: { resourceSelectors: [selector as never], placement: { clusters: [{ name: 'cluster-3' }] }, priority },
  } as PropagationPolicy;
}

const EU = pp('eu', 'shop', { kind: 'Deployment' });
const OTHER_NS = pp('eu', 'other', { kind: 'Deployment' });
const CLUSTER_WIDE = pp('all-web', undefined, { kind: 'FederatedDeployment', name: 'web' }, 5);
const CONFIGMAPS = pp('cm', 'shop', { kind: 'ConfigMap' });

describe('decidePlacement', () => {
  it.each<[PlacementMode, PropagationPolicy[], ReturnType<typeof decidePlacement>]>([
    // auto: kubefedctl's every-cluster placement unless a policy selects the object
    ['auto', [], { placement: { clusterSelector: {} } }],
    ['auto', [OTHER_NS, CONFIGMAPS], { placement: { clusterSelector: {} } }],
    ['auto', [EU], { policy: 'PropagationPolicy shop/eu' }],
    ['auto', [EU, CLUSTER_WIDE], { policy: 'ClusterPropagationPolicy all-web' }],
    // all: always, naming the policy it shuts out
    ['all', [], { placement: { clusterSelector: {} } }],
    ['all', [EU], { placement: { clusterSelector: {} }, policy: 'PropagationPolicy shop/eu', policyOverridden: true }],
    // none: never
    ['none', [], {}],
    ['none', [EU], { policy: 'PropagationPolicy shop/eu' }],
    // policy: a policy must select it
    ['policy', [EU], { policy: 'PropagationPolicy shop/eu' }],
  ])('%s with %j', (mode, policies, want) => {
    expect(decidePlacement(mode, fed, 'Deployment', policies)).toEqual(want);
  });

  it('--placement policy without a matching policy is refused, naming the object', () => {
    expect(() => decidePlacement('policy', fed, 'Deployment', [OTHER_NS, CONFIGMAPS])).toThrow(
      '--placement policy: no PropagationPolicy or ClusterPropagationPolicy selects FederatedDeployment shop/web; nothing was written (use --placement all or none)',
    );
  });

  it('an object written without placement is placed by the policy; with kubefedctl\'s placement the policy never applies', () => {
    const policies = [EU];
    const auto = withPlacement(fed, decidePlacement('auto', fed, 'Deployment', policies));
    expect(auto.spec).toEqual({ template: { spec: { replicas: 1 } } });
    expect(effectivePlacement(auto, 'Deployment', policies)).toEqual({ clusters: [{ name: 'cluster-3' }] });
    const all = withPlacement(fed, decidePlacement('all', fed, 'Deployment', policies));
    expect(effectivePlacement(all, 'Deployment', policies)).toEqual({ clusterSelector: {} });
  });

  it('parses the flag', () => {
    expect(parsePlacementMode('policy')).toBe('policy');
    expect(() => parsePlacementMode('everywhere')).toThrow('invalid value for --placement: everywhere (auto, all, none, policy)');
  });
});
