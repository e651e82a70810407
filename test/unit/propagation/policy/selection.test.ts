// Policy selection tables: a resource selector's kind (target or federated kind), and
// cluster selection by label and by discovered region/zones.
import { describe, expect, it } from 'vitest';
import type { FederatedObject, PropagationPolicy } from '../../../../src/api/federation.js';
import type { LabelSelector } from '../../../../src/api/meta.js';
import { clusterSelectorMatches, type SelectableCluster } from '../../../../src/propagation/policy/cluster-match.js';
import { selectedClusterNames, type ClusterInfo } from '../../../../src/propagation/policy/placement.js';
import { policyApplies, selectorKindMatches, targetsCluster } from '../../../../src/propagation/policy/policies.js';

describe('resource selector kinds', () => {
  it.each([
    ['Deployment', 'Deployment', true],
    ['FederatedDeployment', 'Deployment', true],
    ['ConfigMap', 'ConfigMap', true],
    ['FederatedConfigMap', 'ConfigMap', true],
    ['FederatedConfigMap', 'Deployment', false],
    ['Deployment', 'ConfigMap', false],
    ['deployment', 'Deployment', false],
    ['FederatedFederatedDeployment', 'Deployment', false],
  ])('selector kind %s on target kind %s: %s', (kind, target, want) => expect(selectorKindMatches(kind, target)).toBe(want));

  it('a PropagationPolicy naming the federated kind selects the object', () => {
    const fed: FederatedObject = { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedConfigMap', metadata: { name: 'c', namespace: 'n' }, spec: {} };
    const pol = (kind: string): PropagationPolicy => ({ apiVersion: 'policy.kfed.io/v1alpha1', kind: 'PropagationPolicy', metadata: { name: 'p', namespace: 'n' }, spec: { resourceSelectors: [{ kind }], placement: {} } });
    expect(policyApplies(pol('FederatedConfigMap'), fed, 'ConfigMap')).toBe(true);
    expect(policyApplies(pol('ConfigMap'), fed, 'ConfigMap')).toBe(true);
    expect(policyApplies(pol('FederatedSecret'), fed, 'ConfigMap')).toBe(false);
  });
});

const R = 'topology.kubernetes.io/region';
const Z = 'topology.kubernetes.io/zone';

describe('cluster selection by discovered region and zones', () => {
  const multi: SelectableCluster = { name: 'm', labels: { env: 'prod' }, region: 'eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] };
  const none: SelectableCluster = { name: 'n', labels: { env: 'dev' } };
  const labelled: SelectableCluster = { name: 'l', labels: { [R]: 'us-east-1', [Z]: 'us-east-1c' }, region: 'eu-west-1', zones: ['eu-west-1a'] };
  const cases: [string, LabelSelector, SelectableCluster, boolean][] = [
    ['region matchLabels', { matchLabels: { [R]: 'eu-west-1' } }, multi, true],
    ['region and label', { matchLabels: { [R]: 'eu-west-1', env: 'prod' } }, multi, true],
    ['region, other label', { matchLabels: { [R]: 'eu-west-1', env: 'dev' } }, multi, false],
    ['region In', { matchExpressions: [{ key: R, operator: 'In', values: ['us-east-1', 'eu-west-1'] }] }, multi, true],
    ['region NotIn', { matchExpressions: [{ key: R, operator: 'NotIn', values: ['eu-west-1'] }] }, multi, false],
    ['region Exists, none discovered', { matchExpressions: [{ key: R, operator: 'Exists' }] }, none, false],
    ['region DoesNotExist, none discovered', { matchExpressions: [{ key: R, operator: 'DoesNotExist' }] }, none, true],
    ['zone matchLabels, one of two', { matchLabels: { [Z]: 'eu-west-1b' } }, multi, true],
    ['zone matchLabels, not a zone', { matchLabels: { [Z]: 'eu-west-1c' } }, multi, false],
    ['zone In', { matchExpressions: [{ key: Z, operator: 'In', values: ['eu-west-1c', 'eu-west-1a'] }] }, multi, true],
    ['zone NotIn, one listed', { matchExpressions: [{ key: Z, operator: 'NotIn', values: ['eu-west-1a'] }] }, multi, false],
    ['zone NotIn, none listed', { matchExpressions: [{ key: Z, operator: 'NotIn', values: ['us-east-1a'] }] }, multi, true],
    ['zone Exists', { matchExpressions: [{ key: Z, operator: 'Exists' }] }, multi, true],
    ['zone Exists, none', { matchExpressions: [{ key: Z, operator: 'Exists' }] }, none, false],
    ['zone DoesNotExist, none', { matchExpressions: [{ key: Z, operator: 'DoesNotExist' }] }, none, true],
    ['KubeFedCluster region label wins', { matchLabels: { [R]: 'us-east-1' } }, labelled, true],
    ['discovered region hidden by label', { matchLabels: { [R]: 'eu-west-1' } }, labelled, false],
    ['KubeFedCluster zone label wins', { matchLabels: { [Z]: 'eu-west-1a' } }, labelled, false],
    ['empty selects all', {}, none, true],
    ['invalid selects none', { matchExpressions: [{ key: Z, operator: 'In', values: [] }] }, multi, false],
  ];
  it.each(cases)('%s', (_name, selector, cluster, want) => expect(clusterSelectorMatches(selector, cluster)).toBe(want));

  it('placement and override rules select by region and zone, plus names and labels as before', () => {
    const clusters: ClusterInfo[] = [
      { name: 'eu-1', labels: {}, region: 'eu-west-1', zones: ['eu-west-1a'], ready: true },
      { name: 'eu-2', labels: { tier: 'gold' }, region: 'eu-west-1', zones: ['eu-west-1b'], ready: true },
      { name: 'us-1', labels: { tier: 'gold' }, region: 'us-east-1', zones: ['us-east-1a'], ready: true },
    ];
    expect([...selectedClusterNames({ clusterSelector: { matchLabels: { [R]: 'eu-west-1' } } }, clusters)]).toEqual(['eu-1', 'eu-2']);
    expect([...selectedClusterNames({ clusterSelector: { matchLabels: { [Z]: 'eu-west-1b' } } }, clusters)]).toEqual(['eu-2']);
    expect([...selectedClusterNames({ clusterSelector: { matchLabels: { tier: 'gold' } } }, clusters)]).toEqual(['eu-2', 'us-1']);
    expect(targetsCluster({ clusterSelector: { matchLabels: { [R]: 'us-east-1' } } }, clusters[2]!)).toBe(true);
    expect(targetsCluster({ clusters: ['eu-1'], clusterSelector: { matchLabels: { [R]: 'us-east-1' } } }, clusters[0]!)).toBe(true);
    expect(targetsCluster({ clusterSelector: { matchLabels: { [R]: 'us-east-1' } } }, clusters[0]!)).toBe(false);
  });
});
