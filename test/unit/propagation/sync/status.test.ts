import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import type { FederatedStatus, PropagationStatusReason } from '../../../../src/api/federation.js';
import { AGGREGATE_REASONS, PROPAGATION_STATUS_REASONS, aggregateStatus, buildFederatedStatus, equalStatus, type ClusterOutcome } from '../../../../src/propagation/sync/status.js';

const T0 = '2026-01-01T00:00:00Z';
const T1 = '2026-01-01T00:05:00Z';
const ok = (name: string, extra: Partial<ClusterOutcome> = {}): ClusterOutcome => ({ name, status: '', ...extra });

describe('buildFederatedStatus', () => {
  it('all clusters OK: Propagation True with no reason, clusters sorted', () => {
    const s = buildFederatedStatus({ previous: undefined, generation: 2, reason: '', clusters: [ok('cluster-2'), ok('cluster-1')], collectRemoteStatus: false, now: T0 });
    expect(s).toEqual({
      observedGeneration: 2,
      conditions: [{ type: 'Propagation', status: 'True', lastTransitionTime: T0, lastUpdateTime: T0 }],
      clusters: [{ name: 'cluster-1' }, { name: 'cluster-2' }],
    });
  });

  it('a failing cluster makes it False/CheckClusters with a summary', () => {
    const s = buildFederatedStatus({
      previous: undefined, generation: 1, reason: '', collectRemoteStatus: false, now: T0,
      clusters: [ok('cluster-1'), { name: 'cluster-3', status: 'ClusterNotReady' }, { name: 'cluster-2', status: 'ApplyOverridesFailed', message: 'override[0] (replace /spec/x): path does not exist' }],
    });
    expect(s.conditions?.[0]).toMatchObject({ status: 'False', reason: 'CheckClusters', message: 'cluster-2: ApplyOverridesFailed, cluster-3: ClusterNotReady' });
    expect(s.clusters).toEqual([
      { name: 'cluster-1' },
      { name: 'cluster-2', status: 'ApplyOverridesFailed', message: 'override[0] (replace /spec/x): path does not exist' },
      { name: 'cluster-3', status: 'ClusterNotReady' },
    ]);
  });

  it('an object-wide reason wins', () => {
    const s = buildFederatedStatus({ previous: undefined, generation: 1, reason: 'NamespaceNotFederated', message: 'no FederatedNamespace', clusters: [], collectRemoteStatus: false, now: T0 });
    expect(s.conditions?.[0]).toMatchObject({ status: 'False', reason: 'NamespaceNotFederated', message: 'no FederatedNamespace' });
    expect(s.clusters).toBeUndefined();
  });

  it('with status collection, remoteStatus is recorded and a missing one is CheckClusters', () => {
    const s = buildFederatedStatus({ previous: undefined, generation: 1, reason: '', collectRemoteStatus: true, now: T0, clusters: [ok('a', { remoteStatus: { loadBalancer: {} } }), ok('b')] });
    expect(s.clusters).toEqual([{ name: 'a', remoteStatus: { loadBalancer: {} } }, { name: 'b' }]);
    expect(s.conditions?.[0]).toMatchObject({ status: 'False', reason: 'CheckClusters', message: 'waiting for remote status' });
    const without = buildFederatedStatus({ previous: undefined, generation: 1, reason: '', collectRemoteStatus: false, now: T0, clusters: [ok('a', { remoteStatus: { x: 1 } })] });
    expect(without.clusters).toEqual([{ name: 'a' }]);
  });

  it('an unchanged reconcile preserves both timestamps and equals the previous status', () => {
    const first = buildFederatedStatus({ previous: undefined, generation: 1, reason: '', clusters: [ok('a')], collectRemoteStatus: false, now: T0 });
    const second = buildFederatedStatus({ previous: first, generation: 1, reason: '', clusters: [ok('a')], collectRemoteStatus: false, now: T1 });
    expect(second).toEqual(first);
    expect(equalStatus(first, second)).toBe(true);
  });

  it('a changed cluster list keeps lastTransitionTime but moves lastUpdateTime', () => {
    const first = buildFederatedStatus({ previous: undefined, generation: 1, reason: '', clusters: [ok('a')], collectRemoteStatus: false, now: T0 });
    const second = buildFederatedStatus({ previous: first, generation: 1, reason: '', clusters: [ok('a'), ok('b')], collectRemoteStatus: false, now: T1 });
    expect(second.conditions?.[0]).toMatchObject({ status: 'True', lastTransitionTime: T0, lastUpdateTime: T1 });
    expect(equalStatus(first, second)).toBe(false);
  });

  it('a transition moves lastTransitionTime', () => {
    const first = buildFederatedStatus({ previous: undefined, generation: 1, reason: '', clusters: [ok('a')], collectRemoteStatus: false, now: T0 });
    const second = buildFederatedStatus({ previous: first, generation: 1, reason: '', clusters: [{ name: 'a', status: 'UpdateFailed' }], collectRemoteStatus: false, now: T1 });
    expect(second.conditions?.[0]).toMatchObject({ status: 'False', reason: 'CheckClusters', lastTransitionTime: T1 });
  });

  it('a new generation is a change', () => {
    const first = buildFederatedStatus({ previous: undefined, generation: 1, reason: '', clusters: [ok('a')], collectRemoteStatus: false, now: T0 });
    expect(equalStatus(first, buildFederatedStatus({ previous: first, generation: 2, reason: '', clusters: [ok('a')], collectRemoteStatus: false, now: T1 }))).toBe(false);
  });

  it('keeps other condition types', () => {
    const prev: FederatedStatus = { conditions: [{ type: 'Propagation', status: 'True' }, { type: 'Other' as 'Propagation', status: 'True' }] };
    const s = buildFederatedStatus({ previous: prev, generation: 1, reason: '', clusters: [], collectRemoteStatus: false, now: T0 });
    expect(s.conditions?.map((c) => c.type)).toEqual(['Propagation', 'Other']);
  });
});

describe('equalStatus', () => {
  it('ignores timestamps and key order only', () => {
    const a: FederatedStatus = { observedGeneration: 1, conditions: [{ type: 'Propagation', status: 'True', lastUpdateTime: T0, lastTransitionTime: T0 }], clusters: [{ name: 'a' }] };
    const b: FederatedStatus = { clusters: [{ name: 'a' }], conditions: [{ lastTransitionTime: T1, status: 'True', type: 'Propagation', lastUpdateTime: T1 }], observedGeneration: 1 };
    expect(equalStatus(a, b)).toBe(true);
    expect(equalStatus(a, { ...b, clusters: [{ name: 'a', status: 'UpdateFailed' }] })).toBe(false);
    expect(equalStatus(undefined, undefined)).toBe(true);
    expect(equalStatus(a, undefined)).toBe(false);
  });
});

describe('aggregateStatus', () => {
  const dep = (replicas: number, ready: number, available = ready, gen = 1, observed = 1): KubeObject => ({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', generation: gen },
    spec: { replicas }, status: { replicas, readyReplicas: ready, availableReplicas: available, updatedReplicas: replicas, observedGeneration: observed },
  });
  it('sums replicas over placed clusters and counts fully ready clusters', () => {
    const outcomes = new Map<string, PropagationStatusReason>([['c1', ''], ['c2', ''], ['c3', 'ClusterNotReady']]);
    const members = new Map<string, KubeObject | undefined>([['c1', dep(2, 2)], ['c2', dep(4, 3)], ['c3', undefined]]);
    expect(aggregateStatus(['c1', 'c2', 'c3'], outcomes, members, true)).toEqual({
      readyClusters: 1, totalClusters: 3, ready: '1/3', replicas: 6, readyReplicas: 5, availableReplicas: 5, updatedReplicas: 6,
    });
  });
  it('a member still rolling out a new generation is not ready', () => {
    const members = new Map([['c1', dep(2, 2, 2, 3, 2)]]);
    expect(aggregateStatus(['c1'], new Map(), members, true).readyClusters).toBe(0);
  });
  it('non-workload types count clusters whose propagation is OK', () => {
    const members = new Map<string, KubeObject | undefined>([['c1', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }], ['c2', undefined]]);
    expect(aggregateStatus(['c1', 'c2'], new Map([['c1', '' as const], ['c2', 'CreationFailed' as const]]), members, false)).toEqual({ readyClusters: 1, totalClusters: 2, ready: '1/2' });
  });
});

describe('reason unions', () => {
  it('list Kubefed\'s reasons', () => {
    for (const r of ['ClusterNotReady', 'CreationFailed', 'UpdateFailed', 'DeletionFailed', 'AlreadyExists', 'ApplyOverridesFailed', 'WaitingForRemoval', 'ManagedLabelFalse'] as const) {
      expect(PROPAGATION_STATUS_REASONS).toContain(r);
    }
    for (const r of ['ClusterRetrievalFailed', 'ComputePlacementFailed', 'CheckClusters', 'NamespaceNotFederated'] as const) expect(AGGREGATE_REASONS).toContain(r);
  });
});
