import { describe, expect, it } from 'vitest';
import type { Placement, PropagationPolicy, FederatedObject } from '../../../../src/api/federation.js';
import type { KubeFedCluster } from '../../../../src/api/core.js';
import { clusterInfo, computePlacement, effectivePlacement, selectedClusterNames, type ClusterInfo } from '../../../../src/propagation/policy/placement.js';

const clusters: ClusterInfo[] = [
  { name: 'cluster-1', labels: { region: 'eu', tier: 'prod' }, ready: true },
  { name: 'cluster-2', labels: { region: 'us', tier: 'prod' }, ready: true },
  { name: 'cluster-3', labels: { region: 'eu' }, ready: false },
];

describe('selectedClusterNames (Kubefed semantics)', () => {
  const cases: { name: string; placement: Placement | undefined; want: string[] }[] = [
    { name: 'missing placement selects none', placement: undefined, want: [] },
    { name: 'missing selector selects none', placement: {}, want: [] },
    { name: '{} selects all', placement: { clusterSelector: {} }, want: ['cluster-1', 'cluster-2', 'cluster-3'] },
    { name: 'matchLabels', placement: { clusterSelector: { matchLabels: { region: 'eu' } } }, want: ['cluster-1', 'cluster-3'] },
    { name: 'matchLabels AND matchExpressions', placement: { clusterSelector: { matchLabels: { region: 'eu' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] } }, want: ['cluster-1'] },
    { name: 'In', placement: { clusterSelector: { matchExpressions: [{ key: 'region', operator: 'In', values: ['us', 'ap'] }] } }, want: ['cluster-2'] },
    { name: 'NotIn matches a missing key', placement: { clusterSelector: { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['prod'] }] } }, want: ['cluster-3'] },
    { name: 'DoesNotExist', placement: { clusterSelector: { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] } }, want: ['cluster-3'] },
    { name: 'explicit list wins over selector', placement: { clusters: [{ name: 'cluster-2' }], clusterSelector: {} }, want: ['cluster-2'] },
    { name: 'explicit empty list wins over {} selector', placement: { clusters: [], clusterSelector: {} }, want: [] },
    { name: 'unknown cluster names are dropped', placement: { clusters: [{ name: 'cluster-9' }, { name: 'cluster-1' }] }, want: ['cluster-1'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect([...selectedClusterNames(c.placement, clusters)].sort()).toEqual(c.want);
    });
  }

  it('rejects an invalid selector', () => {
    expect(() => selectedClusterNames({ clusterSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } }, clusters)).toThrow(/values must be non-empty/);
  });
});

describe('computePlacement', () => {
  it('splits placed clusters into ready and not ready, and lists ready unplaced clusters', () => {
    const out = computePlacement({ placement: { clusterSelector: { matchLabels: { region: 'eu' } } }, clusters, namespaced: false });
    expect(out).toEqual({ ok: true, placed: ['cluster-1', 'cluster-3'], ready: ['cluster-1'], notReady: ['cluster-3'], unplaced: ['cluster-2'] });
  });

  it('intersects a namespaced object with its FederatedNamespace placement', () => {
    const out = computePlacement({
      placement: { clusterSelector: {} },
      namespacePlacement: { clusters: [{ name: 'cluster-2' }, { name: 'cluster-3' }] },
      clusters,
      namespaced: true,
    });
    expect(out).toEqual({ ok: true, placed: ['cluster-2', 'cluster-3'], ready: ['cluster-2'], notReady: ['cluster-3'], unplaced: ['cluster-1'] });
  });

  it('reports NamespaceNotFederated without a FederatedNamespace', () => {
    const out = computePlacement({ placement: { clusterSelector: {} }, clusters, namespaced: true });
    expect(out.ok).toBe(false);
    if (!out.ok) expect(out.reason).toBe('NamespaceNotFederated');
  });

  it('uses the resource placement verbatim in a namespace-scoped control plane', () => {
    const out = computePlacement({ placement: { clusters: [{ name: 'cluster-1' }] }, clusters, namespaced: true, limitedScope: true });
    expect(out).toMatchObject({ ok: true, placed: ['cluster-1'] });
  });

  it('reports ComputePlacementFailed for an invalid selector', () => {
    const out = computePlacement({ placement: { clusterSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }, clusters, namespaced: false });
    expect(out).toMatchObject({ ok: false, reason: 'ComputePlacementFailed' });
  });

  it('an empty namespace placement places nothing', () => {
    const out = computePlacement({ placement: { clusterSelector: {} }, namespacePlacement: {}, clusters, namespaced: true });
    expect(out).toMatchObject({ ok: true, placed: [], ready: [], unplaced: ['cluster-1', 'cluster-2'] });
  });
});

describe('clusterInfo', () => {
  it('reads name, labels and the Ready condition', () => {
    const kfc: KubeFedCluster = {
      apiVersion: 'core.kubefed.io/v1beta1', kind: 'KubeFedCluster',
      metadata: { name: 'c', labels: { a: 'b' } },
      spec: { apiEndpoint: 'https://192.0.2.1:6443', secretRef: { name: 's' } },
      status: { conditions: [{ type: 'Ready', status: 'True', lastProbeTime: '2026-01-01T00:00:00Z' }] },
    };
    expect(clusterInfo(kfc)).toEqual({ name: 'c', labels: { a: 'b' }, ready: true });
    expect(clusterInfo({ ...kfc, status: { conditions: [{ type: 'Offline', status: 'True', lastProbeTime: 'x' }] } }).ready).toBe(false);
  });
});

describe('effectivePlacement with PropagationPolicies', () => {
  const fed = (placement?: Placement): FederatedObject => ({
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment',
    metadata: { name: 'web', namespace: 'shop', labels: { team: 'a' } },
    spec: { template: {}, ...(placement ? { placement } : {}) },
  });
  const policy = (name: string, namespace: string | undefined, priority: number, placement: Placement, kind = 'Deployment'): PropagationPolicy => ({
    apiVersion: 'policy.kfed.io/v1alpha1', kind: namespace ? 'PropagationPolicy' : 'ClusterPropagationPolicy',
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: { resourceSelectors: [{ kind, labelSelector: { matchLabels: { team: 'a' } } }], placement, priority },
  });

  it('own placement wins, even an empty list', () => {
    const own = { clusters: [] };
    expect(effectivePlacement(fed(own), 'Deployment', [policy('p', 'shop', 1, { clusterSelector: {} })])).toBe(own);
  });
  it('highest priority policy places an object without placement', () => {
    const got = effectivePlacement(fed(), 'Deployment', [
      policy('low', undefined, 1, { clusters: [{ name: 'cluster-1' }] }),
      policy('high', undefined, 5, { clusters: [{ name: 'cluster-2' }] }),
    ]);
    expect(got).toEqual({ clusters: [{ name: 'cluster-2' }] });
  });
  it('at equal priority the namespaced policy wins; other namespaces and kinds are ignored', () => {
    const got = effectivePlacement(fed({}), 'Deployment', [
      policy('cluster-wide', undefined, 0, { clusters: [{ name: 'cluster-1' }] }),
      policy('local', 'shop', 0, { clusters: [{ name: 'cluster-2' }] }),
      policy('elsewhere', 'other', 9, { clusters: [{ name: 'cluster-3' }] }),
      policy('services', undefined, 9, { clusters: [{ name: 'cluster-3' }] }, 'Service'),
    ]);
    expect(got).toEqual({ clusters: [{ name: 'cluster-2' }] });
  });
  it('no matching policy leaves the object unplaced', () => {
    expect(effectivePlacement(fed(), 'Deployment', [])).toBeUndefined();
  });
});
