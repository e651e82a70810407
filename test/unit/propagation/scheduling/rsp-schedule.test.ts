import { describe, expect, it } from 'vitest';
import { kubeTime } from '../../../../src/api/conditions.js';
import type { FederatedObject } from '../../../../src/api/federation.js';
import type { KubeObject } from '../../../../src/api/meta.js';
import type { ReplicaSchedulingPreference } from '../../../../src/api/scheduling.js';
import type { ClusterInfo } from '../../../../src/propagation/policy/placement.js';
import { reconcileRSP, rspClusters, rspStatus, rspStatusEqual, type RSPInput } from '../../../../src/propagation/scheduling/rsp-schedule.js';
import { applySchedule } from '../../../../src/propagation/scheduling/schedule-replicas.js';

const now = new Date('2026-01-01T00:00:00Z');
const clusters: ClusterInfo[] = [
  { name: 'c1', labels: { tier: 'gold' }, ready: true },
  { name: 'c2', labels: { tier: 'gold' }, ready: true },
  { name: 'c3', labels: { tier: 'bronze' }, ready: true },
];

function rsp(spec: Partial<ReplicaSchedulingPreference['spec']> = {}): ReplicaSchedulingPreference {
  return { apiVersion: 'scheduling.kubefed.io/v1alpha1', kind: 'ReplicaSchedulingPreference', metadata: { name: 'web', namespace: 'ns', generation: 3 }, spec: { targetKind: 'FederatedDeployment', totalReplicas: 9, ...spec } };
}

function fed(spec: Partial<FederatedObject['spec']> = {}): FederatedObject {
  return { apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'web', namespace: 'ns', resourceVersion: '7' }, spec: { template: {}, placement: { clusterSelector: {} }, ...spec } };
}

function deployment(replicas: number, ready: number): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'ns' }, spec: { replicas }, status: { readyReplicas: ready } } as KubeObject;
}

function input(over: Partial<RSPInput> = {}): RSPInput {
  return { rsp: rsp({ clusters: { c1: { weight: 4 }, c2: { weight: 3 }, c3: { weight: 2 } } }), fed: fed(), clusters, workloads: [], key: 'ns/web', now, ...over };
}

describe('reconcileRSP', () => {
  it('spreads by weight over the Ready clusters', () => {
    const out = reconcileRSP(input());
    expect(out).toMatchObject({ ok: true, schedule: { c1: 4, c2: 3, c3: 2 } });
  });

  it('leaves a NotReady cluster out: its share goes to the others, and it leaves placement', () => {
    const out = reconcileRSP(input({ clusters: clusters.map((c) => (c.name === 'c2' ? { ...c, ready: false } : c)), rsp: rsp({ rebalance: true, clusters: { c1: { weight: 4 }, c2: { weight: 3 }, c3: { weight: 2 } } }) }));
    if (!out.ok) throw new Error(out.message);
    expect(out.schedule).toEqual({ c1: 6, c3: 3 });
    expect(out.update.placement.clusters).toEqual([{ name: 'c1' }, { name: 'c3' }]);
  });

  it('keeps running replicas without rebalance, moves them with it', () => {
    const workloads = [{ cluster: 'c3', object: deployment(6, 6) }];
    const spec = { clusters: { '*': { weight: 1 } } };
    const keep = reconcileRSP(input({ rsp: rsp(spec), workloads }));
    const move = reconcileRSP(input({ rsp: rsp({ ...spec, rebalance: true }), workloads }));
    expect(keep.ok && keep.schedule['c3']).toBe(6);
    expect(move.ok && move.schedule['c3']).toBe(3);
  });

  it('without cluster preferences spreads evenly (Kubefed\'s "*": weight 1)', () => {
    const out = reconcileRSP(input({ rsp: rsp() }));
    expect(out.ok && out.schedule).toEqual({ c1: 3, c2: 3, c3: 3 });
  });

  it('intersects with the target\'s clusterSelector, ignoring its own previous placement.clusters', () => {
    const target = fed({ placement: { clusters: [{ name: 'c3' }], clusterSelector: { matchLabels: { tier: 'gold' } } } });
    const out = reconcileRSP(input({ fed: target, rsp: rsp({ intersectWithClusterSelector: true }) }));
    expect(out.ok && out.schedule).toEqual({ c1: 5, c2: 4 });
    expect(rspClusters({ rsp: rsp({ intersectWithClusterSelector: true }), fed: fed({ placement: {} }), clusters })).toMatchObject({ ok: false, reason: 'NoReadyClusters' });
  });

  it('reports why nothing is scheduled', () => {
    expect(reconcileRSP(input({ fed: undefined }))).toMatchObject({ ok: false, reason: 'TargetNotFound' });
    expect(reconcileRSP(input({ rsp: rsp({ targetKind: 'FederatedStatefulSet' as 'FederatedDeployment' }) }))).toMatchObject({ ok: false, reason: 'InvalidSpec' });
    expect(reconcileRSP(input({ rsp: rsp({ targetKind: 'FederatedReplicaSet' }) }))).toMatchObject({ ok: true });
    expect(reconcileRSP(input({ rsp: rsp({ totalReplicas: -1 }) }))).toMatchObject({ ok: false, reason: 'InvalidSpec' });
    expect(reconcileRSP(input({ clusters: clusters.map((c) => ({ ...c, ready: false })) }))).toMatchObject({ ok: false, reason: 'NoReadyClusters' });
    const bad = fed({ placement: { clusterSelector: { matchExpressions: [{ key: 'tier', operator: 'Bogus' as 'In' }] } } });
    expect(reconcileRSP(input({ fed: bad, rsp: rsp({ intersectWithClusterSelector: true }) }))).toMatchObject({ ok: false, reason: 'InvalidClusterSelector' });
  });

  it('is idempotent: the target after one update needs no second one', () => {
    const first = reconcileRSP(input());
    if (!first.ok) throw new Error(first.message);
    expect(first.update.changed).toBe(true);
    const written = fed({ placement: first.update.placement, overrides: first.update.overrides });
    const second = reconcileRSP(input({ fed: written }));
    expect(second.ok && second.update.changed).toBe(false);
    expect(applySchedule(written, { c1: 4, c2: 3, c3: 2 }).changed).toBe(false);
  });
});

describe('rspStatus', () => {
  it('says Scheduled with the schedule, and keeps lastTransitionTime while the condition holds', () => {
    const ok = reconcileRSP(input());
    const s1 = rspStatus(undefined, ok, 3, now);
    expect(s1).toEqual({ observedGeneration: 3, schedule: { c1: 4, c2: 3, c3: 2 }, conditions: [{ type: 'Ready', status: 'True', reason: 'Scheduled', message: 'replicas c1=4, c2=3, c3=2', lastTransitionTime: kubeTime(now) }] });
    const prev = JSON.parse(JSON.stringify(s1)) as Record<string, unknown>;
    const s2 = rspStatus(prev, ok, 3, new Date(now.getTime() + 60_000));
    expect(rspStatusEqual(prev, s2)).toBe(true);
    expect(rspStatusEqual(prev, rspStatus(prev, ok, 4, now))).toBe(false);
  });

  it('a failure flips the condition, keeps the last schedule, and changes the transition time', () => {
    const prev = JSON.parse(JSON.stringify(rspStatus(undefined, reconcileRSP(input()), 3, now))) as Record<string, unknown>;
    const later = new Date(now.getTime() + 1000);
    const s = rspStatus(prev, reconcileRSP(input({ fed: undefined })), 3, later);
    expect(s.conditions[0]).toMatchObject({ status: 'False', reason: 'TargetNotFound', lastTransitionTime: kubeTime(later) });
    expect(s.schedule).toEqual({ c1: 4, c2: 3, c3: 2 });
    expect(rspStatusEqual(prev, s)).toBe(false);
  });
});

describe('an RSP that cannot place all its replicas (issue 13 item 5)', () => {
  it.each([
    ['maxReplicas leave no room', { c1: { weight: 1, maxReplicas: 2 }, c2: { weight: 1, maxReplicas: 2 } }, 5, 'replicas c1=2, c2=2, c3=0'],
    ['every weight is 0', { '*': { weight: 0 } }, 9, 'replicas c1=0, c2=0, c3=0'],
    ['no entry matches a Ready cluster', { elsewhere: { weight: 1 } }, 9, 'replicas c1=0, c2=0, c3=0'],
  ])('%s: Ready=False ReplicasNotPlaced, the partial schedule still applied', (_why, prefs, unplaced, schedule) => {
    const out = reconcileRSP(input({ rsp: rsp({ clusters: prefs }) }));
    expect(out).toMatchObject({ ok: true, unplaced, total: 9 });
    const s = rspStatus(undefined, out, 3, now);
    expect(s.conditions[0]).toEqual({
      type: 'Ready', status: 'False', reason: 'ReplicasNotPlaced', lastTransitionTime: kubeTime(now),
      message: `${unplaced} of 9 replicas cannot be placed (maxReplicas, weights or cluster entries of the Ready clusters leave no room); ${schedule}`,
    });
  });
});

describe('capacity: pods stuck Unschedulable (issue 17 item 5)', () => {
  const stuck = (n: number): KubeObject[] => Array.from({ length: n }, () => ({
    apiVersion: 'v1', kind: 'Pod', metadata: {},
    status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastTransitionTime: kubeTime(new Date(now.getTime() - 120_000)) }] },
  }) as KubeObject);
  const spec = { clusters: { '*': { weight: 1 } } };

  it('with rebalance moves what c2 cannot run to the others, keeps the overflow pending there, and stays Ready', () => {
    const workloads = [{ cluster: 'c2', object: deployment(3, 1), pods: stuck(2) }];
    const out = reconcileRSP(input({ rsp: rsp({ ...spec, rebalance: true }), workloads }));
    if (!out.ok) throw new Error(out.message);
    expect(out.running).toEqual({ c1: 4, c2: 1, c3: 4 });
    expect(out.overflow).toEqual({ c2: 2 });
    expect(out.schedule).toEqual({ c1: 4, c2: 3, c3: 4 });
    const s = rspStatus(undefined, out, 3, now);
    expect(s.schedule).toEqual({ c1: 4, c2: 1, c3: 4 });
    expect(Object.values(s.schedule!).reduce((a, b) => a + b, 0)).toBe(9);
    expect(s.overflow).toEqual({ c2: 2 });
    expect(s.conditions[0]).toMatchObject({ status: 'True', reason: 'Scheduled', message: 'replicas c1=4, c2=1, c3=4; pending beyond capacity c2=2' });
  });

  it('says InsufficientCapacity when no cluster has room for every replica', () => {
    const workloads = ['c1', 'c2', 'c3'].map((c) => ({ cluster: c, object: deployment(3, 2), pods: stuck(1) }));
    const out = reconcileRSP(input({ rsp: rsp({ ...spec, rebalance: true }), workloads }));
    if (!out.ok) throw new Error(out.message);
    expect(out).toMatchObject({ unplaced: 3, capacityBound: true, running: { c1: 2, c2: 2, c3: 2 } });
    expect(rspStatus(undefined, out, 3, now).conditions[0]).toMatchObject({
      status: 'False', reason: 'InsufficientCapacity',
      message: '3 of 9 replicas cannot run: no Ready cluster has room (pods Unschedulable: c1=1, c2=1, c3=1); replicas c1=2, c2=2, c3=2; pending beyond capacity c1=1, c2=1, c3=1',
    });
  });

  it('waits for the threshold, and tells when to look again', () => {
    const fresh = [{ cluster: 'c2', object: deployment(3, 1), pods: stuck(2).map((p) => ({ ...p, status: { ...(p.status as object), conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastTransitionTime: kubeTime(now) }] } })) }];
    const out = reconcileRSP(input({ rsp: rsp(spec), workloads: fresh, unschedulableAfterMs: 5000 }));
    expect(out).toMatchObject({ ok: true, overflow: {}, recheckAt: now.getTime() + 5000 });
  });
});

describe('status written whole', () => {
  it('a cluster that left the schedule makes the status differ (no stale key survives)', () => {
    const prev = JSON.parse(JSON.stringify(rspStatus(undefined, reconcileRSP(input()), 3, now))) as Record<string, unknown>;
    const without = reconcileRSP(input({ clusters: clusters.filter((c) => c.name !== 'c3') }));
    const next = rspStatus(prev, without, 3, now);
    expect(next.schedule).toEqual({ c1: 6, c2: 3 });
    expect(rspStatusEqual(prev, next)).toBe(false);
    expect(rspStatusEqual({ ...JSON.parse(JSON.stringify(next)) as Record<string, unknown>, stale: 1 }, next)).toBe(false);
    expect(rspStatusEqual({ ...JSON.parse(JSON.stringify(next)) as Record<string, unknown>, overflow: { c3: 1 } }, next)).toBe(false);
  });
});
