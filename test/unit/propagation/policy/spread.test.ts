// Spread constraints tables: min/max regions or zones over the selected clusters, and a
// PropagationPolicy's constraints reaching placement (ComputePlacementFailed when unmet).
import { describe, expect, it } from 'vitest';
import type { FederatedObject, PropagationPolicy, SpreadConstraint } from '../../../../src/api/federation.js';
import { computePlacement, effectivePlacement, type ClusterInfo } from '../../../../src/propagation/policy/placement.js';
import { applySpread } from '../../../../src/propagation/policy/spread.js';

const c = (name: string, region?: string, zones?: string[], labels: Record<string, string> = {}): ClusterInfo => ({ name, labels, region, zones, ready: true });
const clusters = [c('us-1', 'us-east-1', ['us-east-1a']), c('us-2', 'us-east-1', ['us-east-1b']), c('eu-1', 'eu-west-1', ['eu-west-1a']), c('ap-1', 'ap-southeast-1', ['ap-southeast-1a']), c('bare')];
const names = (r: ReturnType<typeof applySpread>): string[] | string => (r.ok ? r.clusters.map((x) => x.name) : r.message);

describe('applySpread', () => {
  const cases: [string, SpreadConstraint[], string[] | RegExp][] = [
    ['no constraint', [], ['us-1', 'us-2', 'eu-1', 'ap-1', 'bare']],
    ['at most 1 region: the largest', [{ spreadByField: 'region', maxGroups: 1 }], ['us-1', 'us-2']],
    ['at most 2 regions: largest, then by name', [{ spreadByField: 'region', maxGroups: 2 }], ['us-1', 'us-2', 'ap-1']],
    ['at most 3 zones: ties by zone name', [{ spreadByField: 'zone', maxGroups: 3 }], ['us-1', 'eu-1', 'ap-1']],
    ['at least 3 regions: holds', [{ spreadByField: 'region', minGroups: 3 }], ['us-1', 'us-2', 'eu-1', 'ap-1', 'bare']],
    ['at least 4 regions: fails', [{ spreadByField: 'region', minGroups: 4 }], /span 3 region\(s\) \(ap-southeast-1, eu-west-1, us-east-1\), fewer than minGroups 4/],
    ['min above max', [{ spreadByField: 'zone', minGroups: 3, maxGroups: 2 }], /minGroups 3 exceeds maxGroups 2/],
    ['bad field', [{ spreadByField: 'provider' as 'zone' }], /spreadByField must be region or zone/],
    ['both, in order', [{ spreadByField: 'region', maxGroups: 2 }, { spreadByField: 'zone', minGroups: 3 }], ['us-1', 'us-2', 'ap-1']],
  ];
  it.each(cases)('%s', (_n, constraints, want) => {
    const got = names(applySpread(clusters, constraints));
    if (want instanceof RegExp) expect(got).toMatch(want);
    else expect(got).toEqual(want);
  });

  it('a KubeFedCluster region label counts as the region', () => {
    expect(names(applySpread([c('x', 'us-east-1', [], { 'topology.kubernetes.io/region': 'eu-west-1' }), c('y', 'eu-west-1')], [{ spreadByField: 'region', minGroups: 2 }]))).toMatch(/span 1 region/);
  });
});

describe('spread constraints in placement', () => {
  const fed: FederatedObject = { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'c', namespace: 'n' }, spec: {} };
  const policy = (spreadConstraints: SpreadConstraint[]): PropagationPolicy => ({
    apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'p', namespace: 'n' },
    spec: { resourceSelectors: [{ kind: 'ConfigMap' }], placement: { clusterSelector: {} }, spreadConstraints },
  });
  it('places on at most N regions, fails below the minimum, and never touches own placement', () => {
    const placed = computePlacement({ placement: effectivePlacement(fed, 'ConfigMap', [policy([{ spreadByField: 'region', maxGroups: 2 }])]), clusters, namespaced: false });
    expect(placed.ok && placed.placed).toEqual(['ap-1', 'us-1', 'us-2']);
    const failed = computePlacement({ placement: effectivePlacement(fed, 'ConfigMap', [policy([{ spreadByField: 'region', minGroups: 5 }])]), clusters, namespaced: false });
    expect(failed).toMatchObject({ ok: false, reason: 'ComputePlacementFailed' });
    const own = { ...fed, spec: { placement: { clusterSelector: {} } } };
    expect(effectivePlacement(own, 'ConfigMap', [policy([{ spreadByField: 'region', maxGroups: 1 }])])).toEqual({ clusterSelector: {} });
  });
});
