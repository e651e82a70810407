import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../../../src/api/meta.js';
import type { FederatedObject } from '../../../../src/api/federation.js';
import type { ClusterPreferences } from '../../../../src/api/scheduling.js';
import {
  analyzePods, applySchedule, clusterReplicaState, fnv1Hash32, planReplicas, scheduleReplicas, schedulingClusters,
} from '../../../../src/propagation/scheduling/schedule-replicas.js';

type Prefs = Record<string, ClusterPreferences>;
interface Case {
  name: string;
  prefs: Prefs;
  total: number;
  clusters: string[];
  current?: Record<string, number>;
  capacity?: Record<string, number>;
  rebalance?: boolean;
  plan: Record<string, number>;
  overflow?: Record<string, number>;
}

// Kubefed's documented planner cases (pkg/controller/util/planner), key "".
const cases: Case[] = [
  // equal weights
  { name: 'equal: 50 over 3 (hash dependent)', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 16, B: 17, C: 17 } },
  { name: 'equal: 50 over 2', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], plan: { A: 25, B: 25 } },
  { name: 'equal: 1 over 2 (hash dependent)', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A', 'B'], plan: { A: 0, B: 1 } },
  { name: 'equal: 1 over 4 (hash dependent)', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A', 'B', 'C', 'D'], plan: { A: 0, B: 0, C: 0, D: 1 } },
  { name: 'equal: 1 over 1', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A'], plan: { A: 1 } },
  { name: 'equal: no clusters', prefs: { '*': { weight: 1 } }, total: 1, clusters: [], plan: {} },
  // with existing replicas, rebalance false
  { name: 'existing: C keeps 30', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], current: { C: 30 }, plan: { A: 10, B: 10, C: 30 } },
  { name: 'existing: A keeps 30', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 30 }, plan: { A: 30, B: 20 } },
  { name: 'existing: A0 B8', prefs: { '*': { weight: 1 } }, total: 15, clusters: ['A', 'B'], current: { A: 0, B: 8 }, plan: { A: 7, B: 8 } },
  { name: 'existing: A1 B8', prefs: { '*': { weight: 1 } }, total: 15, clusters: ['A', 'B'], current: { A: 1, B: 8 }, plan: { A: 7, B: 8 } },
  { name: 'existing: A4 B8', prefs: { '*': { weight: 1 } }, total: 15, clusters: ['A', 'B'], current: { A: 4, B: 8 }, plan: { A: 7, B: 8 } },
  { name: 'existing: A5 B8', prefs: { '*': { weight: 1 } }, total: 15, clusters: ['A', 'B'], current: { A: 5, B: 8 }, plan: { A: 7, B: 8 } },
  { name: 'existing: A6 B8', prefs: { '*': { weight: 1 } }, total: 15, clusters: ['A', 'B'], current: { A: 6, B: 8 }, plan: { A: 7, B: 8 } },
  { name: 'existing: A7 B8', prefs: { '*': { weight: 1 } }, total: 15, clusters: ['A', 'B'], current: { A: 7, B: 8 }, plan: { A: 7, B: 8 } },
  { name: 'existing: large numbers', prefs: { '*': { weight: 1 } }, total: 500000, clusters: ['A', 'B'], current: { A: 300000 }, plan: { A: 300000, B: 200000 } },
  { name: 'existing: A10 under its share', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 10 }, plan: { A: 25, B: 25 } },
  { name: 'existing: B70 over total (hash dependent)', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 10, B: 70 }, plan: { A: 0, B: 50 } },
  { name: 'existing: A30 but total 1', prefs: { '*': { weight: 1 } }, total: 1, clusters: ['A', 'B'], current: { A: 30 }, plan: { A: 1, B: 0 } },
  { name: 'existing: both under their share', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B'], current: { A: 10, B: 20 }, plan: { A: 25, B: 25 } },
  // capacity
  { name: 'capacity: C limited to 10, rebalance', prefs: { '*': { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], capacity: { C: 10 }, rebalance: true, plan: { A: 20, B: 20, C: 10 }, overflow: { C: 7 } },
  { name: 'capacity: B limited, A not available', prefs: { A: { weight: 10000 }, B: { weight: 1 } }, total: 50, clusters: ['B', 'C'], capacity: { B: 10 }, rebalance: true, plan: { B: 10, C: 0 }, overflow: { B: 40 } },
  { name: 'capacity: B weight 2 limited', prefs: { A: { weight: 1 }, B: { weight: 2 } }, total: 60, clusters: ['A', 'B', 'C'], capacity: { B: 10 }, rebalance: true, plan: { A: 50, B: 10, C: 0 }, overflow: { B: 30 } },
  {
    name: 'capacity: with max', prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 21 }, D: { weight: 1, maxReplicas: 10 } },
    total: 71, clusters: ['A', 'B', 'C', 'D'], capacity: { C: 10 }, rebalance: true, plan: { A: 10, B: 41, C: 10, D: 10 }, overflow: { C: 11 },
  },
  { name: 'capacity: both limited, no rebalance, overflow trimmed', prefs: { A: { weight: 1 }, B: { weight: 1 } }, total: 60, clusters: ['A', 'B', 'C'], capacity: { A: 10, B: 10 }, plan: { A: 10, B: 10, C: 0 }, overflow: { A: 20, B: 20 } },
  { name: 'capacity: no rebalance, nothing left over', prefs: { A: { weight: 1 }, B: { weight: 5 } }, total: 60, clusters: ['A', 'B', 'C'], capacity: { B: 10 }, plan: { A: 50, B: 10, C: 0 }, overflow: {} },
  { name: 'capacity: minimums, no rebalance', prefs: { '*': { minReplicas: 20, weight: 0 } }, total: 50, clusters: ['A', 'B', 'C'], capacity: { B: 10 }, plan: { A: 20, B: 10, C: 20 }, overflow: {} },
  { name: 'capacity: minimums, rebalance', prefs: { '*': { minReplicas: 20, weight: 1 } }, total: 60, clusters: ['A', 'B'], capacity: { B: 10 }, rebalance: true, plan: { A: 50, B: 10 }, overflow: { B: 15 } },
  // min
  { name: 'min: 2 each', prefs: { '*': { minReplicas: 2, weight: 0 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 2, B: 2, C: 2 } },
  { name: 'min: 20 each, only 50 (hash dependent)', prefs: { '*': { minReplicas: 20, weight: 0 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 10, B: 20, C: 20 } },
  { name: 'min: A min 100 takes all', prefs: { '*': { minReplicas: 20, weight: 0 }, A: { minReplicas: 100, weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 50, B: 0, C: 0 } },
  { name: 'min: min 10, max 12', prefs: { '*': { minReplicas: 10, weight: 1, maxReplicas: 12 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 12, B: 12, C: 12 } },
  // max
  { name: 'max: 2 each', prefs: { '*': { weight: 1, maxReplicas: 2 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 2, B: 2, C: 2 } },
  { name: 'max: weight 0 gets nothing', prefs: { '*': { weight: 0, maxReplicas: 2 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 0, B: 0, C: 0 } },
  // weight
  { name: 'weight: 1:2, C unlisted', prefs: { A: { weight: 1 }, B: { weight: 2 } }, total: 60, clusters: ['A', 'B', 'C'], plan: { A: 20, B: 40, C: 0 } },
  { name: 'weight: A dominates', prefs: { A: { weight: 10000 }, B: { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 50, B: 0, C: 0 } },
  { name: 'weight: A unavailable', prefs: { A: { weight: 10000 }, B: { weight: 1 } }, total: 50, clusters: ['B', 'C'], plan: { B: 50, C: 0 } },
  { name: 'weight: A capped at 10', prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 10, B: 20, C: 20 } },
  { name: 'weight: A and C capped', prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 10 } }, total: 50, clusters: ['A', 'B', 'C'], plan: { A: 10, B: 30, C: 10 } },
  {
    name: 'weight: four clusters with caps', prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 21 }, D: { weight: 1, maxReplicas: 10 } },
    total: 71, clusters: ['A', 'B', 'C', 'D'], plan: { A: 10, B: 30, C: 21, D: 10 },
  },
  {
    name: 'weight: five clusters with caps', prefs: { A: { weight: 10000, maxReplicas: 10 }, B: { weight: 1 }, C: { weight: 1, maxReplicas: 21 }, D: { weight: 1, maxReplicas: 10 }, E: { weight: 1 } },
    total: 91, clusters: ['A', 'B', 'C', 'D', 'E'], plan: { A: 10, B: 25, C: 21, D: 10, E: 25 },
  },
];

describe('planReplicas (Kubefed planner cases)', () => {
  for (const c of cases) {
    it(c.name, () => {
      const out = planReplicas({ totalReplicas: c.total, rebalance: c.rebalance ?? false, clusters: c.prefs }, c.clusters, c.current ?? {}, c.capacity ?? {}, '');
      expect(out.plan).toEqual(c.plan);
      expect(out.overflow).toEqual(c.overflow ?? {});
    });
  }

  it('never places more than totalReplicas without capacity limits', () => {
    for (let total = 0; total < 40; total++) {
      const { plan } = planReplicas({ totalReplicas: total, clusters: { '*': { weight: 1 }, b: { weight: 3, maxReplicas: 5 } } }, ['a', 'b', 'c', 'd'], {}, {}, 'ns/app');
      expect(Object.values(plan).reduce((s, n) => s + n, 0)).toBe(total);
    }
  });
});

describe('fnv1Hash32', () => {
  it('is FNV-1 32 (Go hash/fnv New32)', () => {
    expect(fnv1Hash32('')).toBe(0x811c9dc5);
    expect(fnv1Hash32('a')).toBe(0x050c5d7e);
    expect(fnv1Hash32('foobar')).toBe(0x31f0b262);
  });
});

describe('scheduleReplicas', () => {
  it('adds overflow and zeroes clusters that run the object but are no longer available', () => {
    const result = scheduleReplicas({ totalReplicas: 50, rebalance: true, clusters: { '*': { weight: 1 } } }, ['A', 'B', 'C'], { D: 5 }, { C: 10 }, '');
    expect(result).toEqual({ A: 20, B: 20, C: 17, D: 0 });
  });
});

describe('replica state from members', () => {
  const NOW = new Date('2026-01-01T00:10:00Z');
  const pod = (phase: string, ready: boolean, unschedulableSince?: string): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: {},
    status: {
      phase,
      conditions: [
        { type: 'Ready', status: ready ? 'True' : 'False' },
        ...(unschedulableSince ? [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', lastTransitionTime: unschedulableSince }] : []),
      ],
    },
  });
  it('analyzes pods: ready, and unschedulable for over a minute', () => {
    expect(analyzePods([pod('Running', true), pod('Running', false), pod('Pending', false, '2026-01-01T00:00:00Z'), pod('Pending', false, '2026-01-01T00:09:30Z')], NOW))
      .toEqual({ total: 4, runningAndReady: 1, unschedulable: 1, nextStuckAt: Date.parse('2026-01-01T00:10:30Z') });
  });
  it('takes the threshold as a parameter', () => {
    expect(analyzePods([pod('Pending', false, '2026-01-01T00:09:58Z')], NOW, 1000)).toEqual({ total: 1, runningAndReady: 0, unschedulable: 1 });
    expect(analyzePods([pod('Pending', false, '2026-01-01T00:09:58Z')], NOW, 5000)).toEqual({ total: 1, runningAndReady: 0, unschedulable: 0, nextStuckAt: Date.parse('2026-01-01T00:10:03Z') });
  });
  it('uses readyReplicas, with capacity from unschedulable pods', () => {
    const dep = (replicas: number, ready: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: { replicas }, status: { readyReplicas: ready } });
    const state = clusterReplicaState([
      { cluster: 'a', object: dep(3, 3) },
      { cluster: 'b', object: dep(4, 1), pods: [pod('Running', true), pod('Pending', false, '2026-01-01T00:00:00Z'), pod('Pending', false, '2026-01-01T00:00:00Z')] },
      { cluster: 'c', object: undefined },
    ], NOW);
    expect(state).toEqual({ current: { a: 3, b: 1 }, capacity: { b: 2 }, unschedulable: { b: 2 } });
    // the sandbox (like a cluster whose running pods were not listed) has Pod objects only for pending replicas
    expect(clusterReplicaState([{ cluster: 'b', object: dep(5, 3), pods: [pod('Pending', false, '2026-01-01T00:00:00Z'), pod('Pending', false, '2026-01-01T00:00:00Z')] }], NOW))
      .toEqual({ current: { b: 3 }, capacity: { b: 3 }, unschedulable: { b: 2 } });
  });
});

describe('schedulingClusters / applySchedule', () => {
  it('intersects ready clusters with the selector only when asked', () => {
    expect(schedulingClusters(['c2', 'c1', 'c3'], new Set(['c1', 'c3']), true)).toEqual(['c1', 'c3']);
    expect(schedulingClusters(['c2', 'c1'], new Set(['c1']), false)).toEqual(['c1', 'c2']);
  });

  const fed = (): FederatedObject => ({
    apiVersion: 'types.kubefed.io/v1beta1', kind: 'FederatedDeployment', metadata: { name: 'go-app', namespace: 'go-app' },
    spec: {
      template: {}, placement: { clusterSelector: {} },
      overrides: [
        { clusterName: 'c1', clusterOverrides: [{ path: '/spec/template/spec/containers/0/image', value: 'x:2' }, { path: '/spec/replicas', value: 9 }] },
        { clusterName: 'c3', clusterOverrides: [{ path: '/spec/replicas', value: 1 }] },
      ],
    },
  });

  it('sets placement clusters and replica overrides, keeps other overrides', () => {
    const u = applySchedule(fed(), { c1: 3, c2: 2 });
    expect(u.changed).toBe(true);
    expect(u.placement).toEqual({ clusterSelector: {}, clusters: [{ name: 'c1' }, { name: 'c2' }] });
    expect(u.overrides).toEqual([
      { clusterName: 'c1', clusterOverrides: [{ path: '/spec/template/spec/containers/0/image', value: 'x:2' }, { path: '/spec/replicas', value: 3 }] },
      { clusterName: 'c3', clusterOverrides: [] },
      { clusterName: 'c2', clusterOverrides: [{ path: '/spec/replicas', value: 2 }] },
    ]);
  });

  it('reports no change when the object already matches the schedule', () => {
    const f = fed();
    const first = applySchedule(f, { c1: 3, c3: 1 });
    f.spec.placement = first.placement;
    f.spec.overrides = first.overrides;
    expect(applySchedule(f, { c1: 3, c3: 1 }).changed).toBe(false);
  });
});
